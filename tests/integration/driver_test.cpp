// geckodriver (the stand-in in tests/support, and a real one when found) and chromedriver
// (Debian's, with headless Chromium), for real.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "foxport/driver.hpp"
#include "foxport/error.hpp"
#include "foxport/firefox.hpp"
#include "foxport/inspect.hpp"
#include "foxport/websocket.hpp"
#include "support/page_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::testing::gone;
using foxport::testing::wait_exited;
using foxport::testing::write_script;
using namespace std::chrono_literals;

namespace {

// Which geckodriver: FOXPORT_GECKODRIVER or one in PATH if there is one, else the stand-in.
fs::path geckodriver() {
  if (const char* env = std::getenv("FOXPORT_GECKODRIVER"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  auto real = foxport::find_executable("geckodriver", ec);
  return ec ? fs::path(FOXPORT_TEST_SUPPORT_DIR) / "geckodriver-standin" : real;
}

foxport::GeckodriverOptions gecko_options() {
  foxport::GeckodriverOptions options;
  options.driver = geckodriver();
  return options;
}

// Opens the page in a new session and returns its title; the session stays open.
std::string open_page(foxport::DriverService& driver, const std::string& capabilities, const std::string& url,
                      std::string& session) {
  session = driver.new_session(capabilities);
  auto client = driver.client();
  client.navigate(session, url);
  return client.title(session);
}

class Geckodriver : public ::testing::Test {
  void SetUp() override {
    if (!fs::exists(geckodriver())) GTEST_SKIP() << "no geckodriver and no stand-in at " << geckodriver();
  }
};

}  // namespace

TEST_F(Geckodriver, OpensAPageAndLeavesNothingBehind) {
  foxport::testing::PageServer page;
  auto driver = foxport::Geckodriver::launch(gecko_options());
  EXPECT_EQ(driver.url(), "http://127.0.0.1:" + std::to_string(driver.port()));
  EXPECT_TRUE(driver.client().status().ready);
  std::string session;
  EXPECT_EQ(open_page(driver, foxport::firefox_capabilities(), page.url(), session), page.title());
  EXPECT_FALSE(driver.client().status().ready);  // one session at a time
  const auto tree = driver.process().tree();
  EXPECT_GE(tree.size(), 2u);  // the driver and its Firefox
  const auto profile_root = driver.profile_root();
  driver.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
  EXPECT_FALSE(fs::exists(profile_root));
}

// geckodriver's --websocket-port is 9222 for every instance unless told otherwise: two
// drivers whose sessions use WebDriver BiDi at the same time must not meet there.
TEST_F(Geckodriver, SessionsOfTwoDriversGetWebDriverBiDiPortsOfTheirOwn) {
  foxport::testing::PageServer page;
  std::vector<foxport::Geckodriver> drivers;
  std::vector<boost::json::value> sessions;
  for (int i = 0; i < 2; ++i) {
    drivers.push_back(foxport::Geckodriver::launch(gecko_options()));
    sessions.push_back(boost::json::parse(drivers.back().client().request(
        "POST", "/session",
        R"({"capabilities":{"alwaysMatch":{"webSocketUrl":true,"moz:firefoxOptions":{"args":["-headless"]}}}})")));
  }
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < drivers.size(); ++i) {
    const auto* url = sessions[i].at("capabilities").as_object().if_contains("webSocketUrl");
    ASSERT_TRUE(url != nullptr && url->is_string()) << "no webSocketUrl in " << sessions[i];
    const std::string bidi_url(url->as_string());
    ports.push_back(static_cast<std::uint16_t>(std::stoi(bidi_url.substr(bidi_url.rfind(':') + 1))));
    // The BiDi listener is this driver's Firefox's, and it drives this session.
    const auto tree = drivers[i].process().tree();
    const auto listeners = foxport::listeners_on(ports.back());
    ASSERT_FALSE(listeners.empty()) << "nothing listens on " << bidi_url;
    for (const auto& holder : listeners.front().holders)
      EXPECT_TRUE(std::find(tree.begin(), tree.end(), holder.pid) != tree.end())
          << bidi_url << " is held by pid " << holder.pid << " (" << holder.command_line << "), not this driver's tree";
    auto bidi = foxport::WebSocketClient::connect(bidi_url);
    const auto contexts = boost::json::parse(bidi.command("browsingContext.getTree")).at("contexts").as_array();
    ASSERT_FALSE(contexts.empty());
    bidi.command("browsingContext.navigate",
                 boost::json::serialize(boost::json::object{
                     {"context", contexts.front().at("context")}, {"url", page.url()}, {"wait", "complete"}}));
    const std::string id(sessions[i].at("sessionId").as_string());
    EXPECT_EQ(drivers[i].client().title(id), page.title());
    bidi.close();
  }
  EXPECT_NE(ports[0], ports[1]);
  for (std::size_t i = 0; i < drivers.size(); ++i)
    drivers[i].client().delete_session(std::string(sessions[i].at("sessionId").as_string()));
}

TEST_F(Geckodriver, KillingTheDriverMidSessionStillTakesFirefoxDown) {
  foxport::testing::PageServer page;
  auto driver = foxport::Geckodriver::launch(gecko_options());
  std::string session;
  ASSERT_EQ(open_page(driver, foxport::firefox_capabilities(), page.url(), session), page.title());
  const auto tree = driver.process().tree();
  ::kill(driver.pid(), SIGKILL);  // what a crash or a careless CI script does
  ASSERT_TRUE(wait_exited(driver.pid(), 5s));
  int browsers = 0;
  for (const int pid : tree) browsers += gone(pid) ? 0 : 1;
  EXPECT_GT(browsers, 0) << "Firefox died with the driver: the test proves nothing";
  driver.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
}

TEST_F(Geckodriver, KillingTheCallerMidSessionTakesDriverFirefoxAndProfilesDown) {
  foxport::testing::Subprocess caller({FOXPORT_TEST_LAUNCHER, "geckodriver-session", geckodriver().string()});
  std::istringstream tree(caller.read_line());
  std::string word;
  tree >> word;
  ASSERT_EQ(word, "tree") << caller.rest_of_stderr();
  std::vector<int> pids;
  for (int pid; tree >> pid;) pids.push_back(pid);
  const int guard = std::stoi(caller.read_line().substr(6));
  const fs::path root = caller.read_line().substr(5);
  ASSERT_GE(pids.size(), 2u);  // the driver and its Firefox
  bool has_profile = false;
  for (const auto& entry : fs::directory_iterator(root))
    has_profile |= entry.path().filename().string().rfind("rust_mozprofile", 0) == 0;
  EXPECT_TRUE(has_profile);
  ::kill(caller.pid(), SIGKILL);
  caller.wait();
  for (const int pid : pids) EXPECT_TRUE(wait_exited(pid, 2s)) << "pid " << pid << " survived its caller";
  EXPECT_TRUE(wait_exited(guard, 2s));
  EXPECT_FALSE(fs::exists(root));
}

TEST_F(Geckodriver, APortLostToARaceIsRetriedOnAnotherPort) {
  // The race (someone binds the port before the driver does) is made deterministic: the
  // first launch behaves exactly like geckodriver losing it. Leased and port-0 modes.
  for (const bool leased : {true, false}) {
    const auto marker = fs::temp_directory_path() / "lost-once";
    const auto driver_path = write_script(
        "racy-geckodriver", "#!/bin/sh\nif [ ! -e " + marker.string() + " ]; then touch " + marker.string() +
                                "; echo 'geckodriver: error: Address in use (os error 98)' >&2; exit 69; fi\nexec " +
                                geckodriver().string() + " \"$@\"\n");
    auto options = gecko_options();
    options.driver = driver_path;
    if (leased) options.port_range = foxport::PortRange::default_range();
    auto notes = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    options.on_line = [notes, mutex](foxport::Stream, std::string_view line) {
      std::lock_guard lock(*mutex);
      if (line.rfind("foxport:", 0) == 0) notes->emplace_back(line);
    };
    auto driver = foxport::Geckodriver::launch(options);
    EXPECT_TRUE(fs::exists(marker));  // the first attempt really failed
    if (leased) {
      EXPECT_TRUE(options.port_range->contains(driver.port()));
    }
    EXPECT_TRUE(driver.client().status().ready);
    {
      std::lock_guard lock(*mutex);
      ASSERT_EQ(notes->size(), 1u);
      EXPECT_NE(notes->front().find("retrying on another port (attempt 2 of 3)"), std::string::npos) << notes->front();
    }
    driver.stop();
    fs::remove(marker);
    fs::remove(driver_path);
  }
}

TEST_F(Geckodriver, AMissingDriverIsAClearError) {
  auto options = gecko_options();
  options.driver = "/nonexistent/geckodriver";
  try {
    foxport::Geckodriver::launch(options);
    FAIL() << "launch succeeded";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::binary_not_found);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/geckodriver"), std::string::npos) << e.what();
  }
}

TEST_F(Geckodriver, ADriverThatExitsAtOnceShowsItsLastLines) {
  auto options = gecko_options();
  options.driver =
      write_script("broken-driver", "#!/bin/sh\necho 'geckodriver: error: something broke' >&2\nexit 64\n");
  try {
    foxport::Geckodriver::launch(options);
    FAIL() << "launch succeeded";
  } catch (const foxport::Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), foxport::errc::exited_early);
    EXPECT_NE(what.find("exit status 64"), std::string::npos) << what;
    EXPECT_NE(what.find("something broke"), std::string::npos) << what;
  }
  fs::remove(options.driver);
}

TEST_F(Geckodriver, ADriverThatNeverGetsReadyTimesOut) {
  auto options = gecko_options();
  options.driver = write_script("mute-driver", "#!/bin/sh\nexec sleep 600\n");
  options.ready_timeout = 500ms;
  try {
    foxport::Geckodriver::launch(options);
    FAIL() << "launch succeeded";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::ready_timeout);
    EXPECT_NE(std::string(e.what()).find("port reported: no"), std::string::npos) << e.what();
  }
  fs::remove(options.driver);
}

TEST(Chromedriver, OpensAPageAndLeavesNothingBehind) {
  foxport::testing::PageServer page;
  auto driver = foxport::Chromedriver::launch();
  EXPECT_TRUE(driver.client().status().ready);
  std::string session;
  EXPECT_EQ(open_page(driver, foxport::chromium_capabilities(), page.url(), session), page.title());
  const auto tree = driver.process().tree();
  EXPECT_GE(tree.size(), 2u);
  driver.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
}

// #15 item 4: Chromium puts its SingletonSocket in the TMPDIR foxport gives it; under a long
// TMPDIR of the caller's, foxport's private one must still leave room for a socket path.
TEST(Chromedriver, SessionsWorkUnderALongTmpdir) {
  const fs::path caller_tmpdir = std::getenv("TMPDIR");
  const auto long_tmpdir =
      caller_tmpdir / std::string(60 - std::min<std::size_t>(caller_tmpdir.native().size(), 50), 'd');
  fs::create_directory(long_tmpdir);
  ::setenv("TMPDIR", long_tmpdir.c_str(), 1);
  foxport::testing::PageServer page;
  fs::path directory;
  {
    auto driver = foxport::Chromedriver::launch();
    ::setenv("TMPDIR", caller_tmpdir.c_str(), 1);
    directory = driver.directory();
    std::string session;
    EXPECT_EQ(open_page(driver, foxport::chromium_capabilities(), page.url(), session), page.title());
    EXPECT_LE(directory.native().size() + 44, 107U) << directory;
  }
  ::setenv("TMPDIR", caller_tmpdir.c_str(), 1);
  EXPECT_FALSE(fs::exists(directory));
  fs::remove(long_tmpdir);
}

TEST(Chromedriver, KillingTheDriverMidSessionStillTakesChromiumDown) {
  foxport::testing::PageServer page;
  auto driver = foxport::Chromedriver::launch();
  std::string session;
  ASSERT_EQ(open_page(driver, foxport::chromium_capabilities(), page.url(), session), page.title());
  const auto tree = driver.process().tree();
  ::kill(driver.pid(), SIGKILL);
  ASSERT_TRUE(wait_exited(driver.pid(), 5s));
  driver.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
}

TEST(Chromedriver, FixedPortModeUsesALeasedPort) {
  foxport::ChromedriverOptions options;
  options.port_range = foxport::PortRange::default_range();
  auto driver = foxport::Chromedriver::launch(options);
  EXPECT_TRUE(options.port_range->contains(driver.port()));
  EXPECT_TRUE(driver.client().status().ready);
}

// FOXPORT_FIREFOX names the Firefox of the driver's sessions too: a session that asks for
// no binary runs it (a wrapper that leaves a mark, then runs the real Firefox).
TEST_F(Geckodriver, SessionsRunTheFirefoxThatFoxportFirefoxNames) {
  const auto dir = foxport::make_temporary_directory("driver-test-firefox");
  const auto marker = dir / "ran";
  const auto wrapper = dir / "firefox";
  std::ofstream(wrapper) << "#!/bin/sh\ntouch '" << marker.string() << "'\nexec '" << foxport::find_firefox().string()
                         << "' \"$@\"\n";
  fs::permissions(wrapper, fs::perms::owner_all);
  ::setenv("FOXPORT_FIREFOX", wrapper.c_str(), 1);
  std::error_code ec;
  auto driver = foxport::Geckodriver::launch(gecko_options(), ec);
  ::unsetenv("FOXPORT_FIREFOX");
  ASSERT_FALSE(ec) << ec.message();
  foxport::testing::PageServer page;
  std::string session;
  EXPECT_EQ(open_page(driver, R"({"capabilities":{"alwaysMatch":{}}})", page.url(), session), page.title());
  EXPECT_TRUE(fs::exists(marker));
  driver.stop();
  fs::remove_all(dir);
}

TEST_F(Geckodriver, AnUnknownLogLevelIsRefused) {
  auto options = gecko_options();
  options.log_level = "loud";
  std::error_code ec;
  auto driver = foxport::Geckodriver::launch(options, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_FALSE(driver.valid());
}

// The sessions opened through the handle are deleted before the stop policy however the handle
// ends its launch: stop(), its destructor, or another launch moved into it (LaunchHandle). The
// driver at debug logs every request it gets ("-> DELETE /session/ID").
TEST_F(Geckodriver, EveryWayAHandleEndsDeletesItsSessionsFirst) {
  const std::vector<std::pair<std::string, std::function<void(std::optional<foxport::Geckodriver>&)>>> ends{
      {"stop", [](auto& driver) { driver->stop(); }},
      {"destructor", [](auto& driver) { driver.reset(); }},
      {"move assignment", [](auto& driver) { *driver = foxport::Geckodriver(); }},
  };
  for (const auto& [name, end] : ends) {
    auto lines = std::make_shared<std::pair<std::mutex, std::string>>();
    auto options = gecko_options();
    options.log_level = "debug";
    options.on_line = [lines](foxport::Stream, std::string_view line) {
      std::lock_guard lock(lines->first);
      lines->second.append(line).append("\n");
    };
    std::optional<foxport::Geckodriver> driver = foxport::Geckodriver::launch(options);
    const auto session = driver->new_session(foxport::firefox_capabilities());
    end(driver);
    std::lock_guard lock(lines->first);
    EXPECT_NE(lines->second.find("-> DELETE /session/" + session), std::string::npos) << name << ":\n" << lines->second;
  }
}

// Headless by default: a session that names no browser runs the chromium found beside
// chromedriver, the wrapper that runs ChromedriverOptions::chromium headless.
TEST(Chromedriver, ASessionWithoutOptionsRunsTheHeadlessWrapper) {
  const auto dir = foxport::make_temporary_directory("driver-test-chromium");
  const auto marker = dir / "ran";
  const auto chromium = dir / "my chro'mium";  // the wrapper quotes what it runs
  auto real = foxport::find_chromium();
  ASSERT_FALSE(real.empty()) << "no chromium in PATH";
  std::ofstream(chromium) << "#!/bin/sh\necho \"$@\" > '" << marker.string() << "'\nexec '" << real.string()
                          << "' \"$@\"\n";
  fs::permissions(chromium, fs::perms::owner_all);
  foxport::ChromedriverOptions options;
  options.chromium = chromium;
  auto driver = foxport::Chromedriver::launch(options);
  foxport::testing::PageServer page;
  std::string session;
  EXPECT_EQ(open_page(driver, R"({"capabilities":{"alwaysMatch":{"browserName":"chrome"}}})", page.url(), session),
            page.title());
  std::ifstream in(marker);
  std::string arguments;
  std::getline(in, arguments);
  EXPECT_NE(arguments.find("--headless=new"), std::string::npos) << arguments;
  EXPECT_EQ(arguments.find("--no-sandbox") != std::string::npos, ::geteuid() == 0) << arguments;
  driver.stop();
  fs::remove_all(dir);
}

TEST(Chromedriver, NotHeadlessRunsChromedriverAsInstalled) {
  foxport::ChromedriverOptions options;
  options.headless = false;
  auto driver = foxport::Chromedriver::launch(options);
  EXPECT_FALSE(fs::exists(driver.directory() / "bin"));
  EXPECT_EQ(fs::read_symlink("/proc/" + std::to_string(driver.pid()) + "/exe"),
            fs::canonical(foxport::find_executable("chromedriver")));
  options.headless = true;
  auto headless = foxport::Chromedriver::launch(options);
  const auto exe = fs::read_symlink("/proc/" + std::to_string(headless.pid()) + "/exe");
  EXPECT_EQ(exe.filename(), "chromedriver");
  EXPECT_TRUE(fs::exists(exe.parent_path() / "chromium")) << exe;  // the headless wrapper beside it
}

// #19: the directory chromedriver runs from, with the headless wrapper beside it, is made once
// in foxport's cache and shared by every launch of that driver with that browser; a launch
// made it in its own directory each time (a quarter of a millisecond, or a 20 MB copy across
// file systems). Without a usable cache, the launch's directory is used as before.
TEST(Chromedriver, TheHeadlessDriversDirectoryIsMadeOnceInTheCacheAndShared) {
  const auto exe_of = [](const foxport::Chromedriver& driver) {
    return fs::read_symlink("/proc/" + std::to_string(driver.pid()) + "/exe");
  };
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  ASSERT_NE(xdg, nullptr) << "the test binaries get a cache of their own";
  const std::string cache_home = xdg;
  const fs::path cache = fs::path(cache_home) / "foxport" / "chromedriver";
  fs::path first_exe;
  {
    auto first = foxport::Chromedriver::launch({});
    auto second = foxport::Chromedriver::launch({});
    first_exe = exe_of(first);
    EXPECT_EQ(first_exe, exe_of(second));
    EXPECT_EQ(first_exe.string().rfind(cache.string() + "/chromedriver-", 0), 0u) << first_exe;
    EXPECT_FALSE(fs::exists(first.directory() / "bin"));
    foxport::testing::PageServer page;
    std::string session;
    EXPECT_EQ(open_page(first, R"({"capabilities":{"alwaysMatch":{"browserName":"chrome"}}})", page.url(), session),
              page.title());
  }
  EXPECT_TRUE(fs::exists(first_exe)) << "the cache outlives the launches";

  // Another browser: another directory.
  const auto dir = foxport::make_temporary_directory("driver-test-other-chromium");
  const auto other = dir / "chromium";
  fs::create_symlink(foxport::find_chromium(), other);
  foxport::ChromedriverOptions options;
  options.chromium = other;
  {
    auto driver = foxport::Chromedriver::launch(options);
    EXPECT_NE(exe_of(driver), first_exe);
    EXPECT_EQ(exe_of(driver).string().rfind(cache.string() + "/chromedriver-", 0), 0u) << exe_of(driver);
  }

  // A cache others may write to is not used.
  const auto unsafe = dir / "cache";
  fs::create_directories(unsafe / "foxport");
  fs::permissions(unsafe / "foxport", fs::perms::all);
  ::setenv("XDG_CACHE_HOME", unsafe.c_str(), 1);
  {
    auto driver = foxport::Chromedriver::launch({});
    EXPECT_EQ(exe_of(driver), fs::canonical(driver.directory() / "bin" / "chromedriver"));
  }
  ::setenv("XDG_CACHE_HOME", cache_home.c_str(), 1);
  EXPECT_FALSE(fs::exists(unsafe / "foxport" / "chromedriver"));
  fs::remove_all(dir);
}
