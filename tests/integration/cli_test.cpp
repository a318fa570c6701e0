// The foxport command, as users run it: real Firefox, chromedriver, signals, exit codes.
#include <pwd.h>
#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "foxport/chromium.hpp"
#include "foxport/firefox.hpp"
#include "foxport/port.hpp"
#include "foxport/process.hpp"
#include "support/foxport_cli.hpp"
#include "support/lease_holder.hpp"
#include "support/page_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::testing::foxport_command;
using foxport::testing::gone;
using foxport::testing::Result;
using foxport::testing::run_argv;
using foxport::testing::run_foxport;
using foxport::testing::Subprocess;
using foxport::testing::wait_exited;
using foxport::testing::wait_removed;
using namespace std::chrono_literals;

TEST(Cli, RunFirefoxGivesTheCommandMarionetteAndReturnsItsStatus) {
  foxport::testing::PageServer page;
  for (const int code : {0, 3}) {
    const auto result = run_foxport(
        {"run", "--firefox", "--", FOXPORT_TEST_LAUNCHER, "marionette-client", page.url(), std::to_string(code)});
    EXPECT_EQ(result.status, code) << result.err;
    EXPECT_NE(result.out.find("title " + page.title()), std::string::npos) << result.out << result.err;
    EXPECT_NE(result.err.find("foxport: ready: firefox on port "), std::string::npos) << result.err;
  }
}

// The command gets WebDriver BiDi's URL beside Marionette's port, and so does a test process
// that takes a Firefox of its own from the broker.
TEST(Cli, RunFirefoxBidiExportsWebDriverBidiUrl) {
  const auto result = run_foxport({"run", "--firefox", "--bidi", "-q", "--", "/bin/sh", "-c",
                                   "echo \"$MARIONETTE_PORT $WEBDRIVER_BIDI_URL\"; " FOXPORT_CLI
                                   " take -- /bin/sh -c 'echo \"$MARIONETTE_PORT $WEBDRIVER_BIDI_URL\"'"});
  ASSERT_EQ(result.status, 0) << result.err;
  std::istringstream lines(result.out);
  std::set<std::string> urls;
  for (std::string marionette, url; lines >> marionette >> url;) {
    ASSERT_EQ(url.rfind("ws://127.0.0.1:", 0), 0u) << result.out;
    EXPECT_NE(url, "ws://127.0.0.1:" + marionette) << result.out;  // a port of its own
    urls.insert(url);
  }
  EXPECT_EQ(urls.size(), 2u) << result.out;  // the run's Firefox and the taken one
}

// The command gets Chromium's DevTools websocket, and a test process taking a Chromium of its
// own from the broker gets another one.
TEST(Cli, RunChromiumExportsTheDevToolsWebsocket) {
  const auto result = run_foxport({"run", "--chromium", "-q", "--", "/bin/sh", "-c",
                                   "echo \"$FOXPORT_KIND $FOXPORT_PORT $CDP_URL\"; " FOXPORT_CLI
                                   " take -- /bin/sh -c 'echo \"$FOXPORT_KIND $FOXPORT_PORT $CDP_URL\"'"});
  ASSERT_EQ(result.status, 0) << result.err;
  std::istringstream lines(result.out);
  std::set<std::string> urls;
  for (std::string kind, port, url; lines >> kind >> port >> url;) {
    EXPECT_EQ(kind, "chromium");
    EXPECT_EQ(url.rfind("ws://127.0.0.1:" + port + "/devtools/browser/", 0), 0u) << result.out;
    urls.insert(url);
  }
  EXPECT_EQ(urls.size(), 2u) << result.out;
}

TEST(Cli, StartJsonNamesTheBidiUrl) {
  Subprocess foxport(foxport_command({"start", "--firefox", "--bidi", "--json", "-q"}));
  const auto object = boost::json::parse(foxport.read_line()).as_object();
  const auto url = std::string(object.at("bidi_url").as_string());
  EXPECT_EQ(url.rfind("ws://127.0.0.1:", 0), 0u) << url;
  foxport.close_stdin();
  EXPECT_EQ(foxport.wait(), 0);
}

TEST(Cli, RunChromedriverGivesTheCommandAWebDriverUrl) {
  foxport::testing::PageServer page;
  const auto result =
      run_foxport({"run", "--chromedriver", "-q", "--", FOXPORT_TEST_LAUNCHER, "webdriver-client", page.url(), "0"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("title " + page.title()), std::string::npos) << result.out << result.err;
  EXPECT_EQ(result.err, "");  // -q: no progress lines
}

TEST(Cli, RunGeckodriverGivesTheCommandAWebDriverUrl) {
  foxport::testing::PageServer page;
  const std::string driver = FOXPORT_TEST_SUPPORT_DIR "/geckodriver-standin";
  const auto result = run_foxport(
      {"run", "--geckodriver", "--driver", driver, "--", FOXPORT_TEST_LAUNCHER, "webdriver-client", page.url(), "5"});
  EXPECT_EQ(result.status, 5) << result.err;
  EXPECT_NE(result.out.find("title " + page.title()), std::string::npos) << result.out << result.err;
  EXPECT_NE(result.err.find("foxport: ready: geckodriver on port "), std::string::npos) << result.err;
}

TEST(Cli, SigtermToRunTakesTheCommandAndFirefoxDown) {
  Subprocess foxport(foxport_command({"run", "--firefox", "--", FOXPORT_TEST_LAUNCHER, "show-env"}));
  std::map<std::string, std::string> env;
  for (std::string line; (line = foxport.read_line()) != "ready" && !line.empty();) {
    const auto eq = line.find('=');
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  ASSERT_EQ(env["FOXPORT_KIND"], "firefox");
  EXPECT_EQ(env["FOXPORT_PORT"], env["MARIONETTE_PORT"]);
  const int firefox = std::stoi(env["FOXPORT_PID"]);
  const fs::path profile = env["FOXPORT_PROFILE"];
  ASSERT_TRUE(fs::exists(profile));
  ::kill(foxport.pid(), SIGTERM);
  EXPECT_EQ(foxport.wait(), 143);
  EXPECT_TRUE(gone(firefox));
  EXPECT_FALSE(fs::exists(profile));
}

// #15 item 2: a signal while Firefox is still starting ends foxport at once; the command
// never runs, and the half-started Firefox goes with foxport (the leak check after the test).
TEST(Cli, SigtermWhileLaunchingEndsRunAtOnceAndTheCommandNeverRuns) {
  const auto dir = foxport::make_temporary_directory("cli-test-sigterm");
  const auto marker = dir / "ran";
  Subprocess foxport(foxport_command({"run", "--firefox", "--", "/bin/sh", "-c", "touch '" + marker.string() + "'"}));
  ASSERT_NE(foxport.read_error_line().find("launching firefox"), std::string::npos);
  ::kill(foxport.pid(), SIGTERM);
  EXPECT_EQ(foxport.wait(), 143);
  EXPECT_NE(foxport.rest_of_stderr().find("while launching: nothing was started"), std::string::npos);
  EXPECT_FALSE(fs::exists(marker)) << "the command ran after foxport was told to stop";
  fs::remove_all(dir);
}

// #15 item 11: Firefox crashing under the command is reported (pid, signal, last lines), and a
// command that did not notice does not turn it into success.
TEST(Cli, AFirefoxThatDiesDuringTheRunIsReportedAndFailsIt) {
  const auto result = run_foxport({"run", "--firefox", "-q", "--", "/bin/sh", "-c",
                                   "kill -SEGV $FOXPORT_PID && tail --pid=$FOXPORT_PID -s 0.05 -f /dev/null"});
  EXPECT_EQ(result.status, 69) << result.err;
  EXPECT_NE(result.err.find("foxport: firefox (pid "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ended while the command ran: killed by signal 11"), std::string::npos) << result.err;
}

TEST(Cli, SigkillToStartStillTakesFirefoxDown) {
  Subprocess foxport(foxport_command({"start", "--json"}));
  const auto json = boost::json::parse(foxport.read_line()).as_object();
  const int firefox = static_cast<int>(json.at("pid").as_int64());
  const fs::path profile = std::string(json.at("profile").as_string());
  ASSERT_FALSE(gone(firefox));
  ::kill(foxport.pid(), SIGKILL);
  foxport.wait();
  EXPECT_TRUE(wait_exited(firefox, 2s));
  EXPECT_TRUE(wait_removed(profile, 2s));
}

TEST(Cli, StartJsonDescribesTheEndpointAndClosingStdinTearsDown) {
  Subprocess foxport(foxport_command({"start", "--json"}));
  const auto json = boost::json::parse(foxport.read_line()).as_object();
  EXPECT_EQ(json.at("kind").as_string(), "firefox");
  const auto port = static_cast<std::uint16_t>(json.at("port").as_int64());
  EXPECT_EQ(json.at("handshake").at("applicationType").as_string(), "gecko");
  const int firefox = static_cast<int>(json.at("pid").as_int64());
  auto client = foxport::Marionette::connect("127.0.0.1", port);  // the endpoint answers
  EXPECT_EQ(client.handshake().protocol, 3);
  client.close();
  foxport.close_stdin();
  EXPECT_EQ(foxport.wait(), 0);
  EXPECT_TRUE(gone(firefox));
  EXPECT_FALSE(fs::exists(std::string(json.at("profile").as_string())));
}

// The guard of foxport start is kept off foxport's core while the launch is prepared (#19):
// what it runs may use every core foxport may.
TEST(Cli, StartRunsTheDriverOnEveryCoreFoxportMayUse) {
  cpu_set_t ours;
  ASSERT_EQ(::sched_getaffinity(0, sizeof ours, &ours), 0);
  Subprocess foxport(foxport_command({"start", "--chromedriver", "--json", "-q"}));
  const auto json = boost::json::parse(foxport.read_line()).as_object();
  const int driver = static_cast<int>(json.at("pid").as_int64());
  cpu_set_t drivers;
  ASSERT_EQ(::sched_getaffinity(driver, sizeof drivers, &drivers), 0);
  EXPECT_EQ(CPU_COUNT(&drivers), CPU_COUNT(&ours));
  EXPECT_TRUE(CPU_EQUAL(&drivers, &ours));
  foxport.close_stdin();
  EXPECT_EQ(foxport.wait(), 0);
  EXPECT_TRUE(gone(driver));
}

TEST(Cli, PortHoldInParallelGivesDistinctPorts) {
  std::vector<std::unique_ptr<Subprocess>> holders;
  for (int i = 0; i < 4; ++i)
    holders.push_back(std::make_unique<Subprocess>(foxport_command({"port", "--count", "20", "--hold"})));
  std::set<int> ports;
  const auto range = foxport::PortRange::default_range();
  for (auto& holder : holders) {
    for (int i = 0; i < 20; ++i) {
      const int port = std::stoi(holder->read_line());
      EXPECT_TRUE(range.contains(static_cast<std::uint16_t>(port))) << port;
      ports.insert(port);
    }
  }
  EXPECT_EQ(ports.size(), 80u);
  for (auto& holder : holders) {
    holder->close_stdin();
    EXPECT_EQ(holder->wait(), 0);
  }
}

// The command is linked statically (#19), where glibc cannot load an NSS module: asked to name
// a user absent from /etc/passwd, nss_systemd crashed it (SIGSEGV). Such a holder is named by uid.
TEST(Cli, APortLeasedByAUserWithoutANameIsReportedByUid) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to become another user";
  constexpr uid_t nameless = 54321;
  if (::getpwuid(nameless) != nullptr) GTEST_SKIP() << "uid " << nameless << " has a name here";
  const auto port = foxport::PortLease::acquire(foxport::PortRange::default_range()).port();  // released at once
  const foxport::testing::LeaseHolder holder({port, port}, nameless);
  ASSERT_TRUE(holder.leased()) << "uid " << nameless << " could not lease port " << port;
  const auto result = run_foxport({"port", "--range", std::to_string(port) + "-" + std::to_string(port)});
  EXPECT_EQ(result.status, 69) << result.err;  // not a crash: what failed, named
  EXPECT_NE(result.err.find("pid " + std::to_string(holder.pid()) + ", uid " + std::to_string(nameless) + ")"),
            std::string::npos)
      << result.err;
}

TEST(Cli, WhoKnowsAFoxportFirefoxAPlainListenerAndAFreePort) {
  auto firefox = foxport::Firefox::launch();
  auto result = run_foxport({"who", std::to_string(firefox.port())});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("pid " + std::to_string(firefox.pid())), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("speaks Marionette (applicationType gecko, protocol 3)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("launched by foxport"), std::string::npos) << result.out;
  firefox.stop();

  foxport::ProcessOptions options;
  options.executable = FOXPORT_TEST_TARGET;
  options.arguments = {"listen", "0"};
  auto port = std::make_shared<std::promise<int>>();
  options.on_line = [port](foxport::Stream, std::string_view line) {
    if (line.rfind("Listening on port ", 0) == 0) port->set_value(std::stoi(std::string(line.substr(18))));
  };
  auto listener = foxport::Process::spawn(std::move(options));
  const int plain = port->get_future().get();
  result = run_foxport({"who", std::to_string(plain)});
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.out.find("foxport-test-target listen 0"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("speaks none of Marionette, WebDriver, DevTools, WebDriver BiDi"), std::string::npos)
      << result.out;
  listener.stop();

  result = run_foxport({"who", std::to_string(plain)});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.out.find("nothing listens on port " + std::to_string(plain)), std::string::npos) << result.out;
}

TEST(Cli, WhoKnowsChromiumsDevToolsAndFirefoxsBidi) {
  auto chromium = foxport::Chromium::launch();
  auto result = run_foxport({"who", std::to_string(chromium.port())});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("speaks the DevTools protocol (" + chromium.cdp_url() + ")"), std::string::npos)
      << result.out;
  chromium.stop();

  foxport::FirefoxOptions options;
  options.bidi = true;
  auto firefox = foxport::Firefox::launch(options);
  result = run_foxport({"who", std::to_string(firefox.ready_report().bidi_port)});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("speaks WebDriver BiDi (ready: "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("launched by foxport"), std::string::npos) << result.out;
}

TEST(Cli, BadInputGetsItsExitCodeAndOneClearLine) {
  const auto bad_shebang = foxport::testing::write_script("bad-shebang", "#!/nonexistent/sh\necho hi\n");
  const auto not_executable = foxport::testing::write_script("not-executable", "#!/bin/sh\n");
  fs::permissions(not_executable, fs::perms::owner_read | fs::perms::owner_write);
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string says;
    long lines = 1;
  };
  const std::vector<Case> cases = {
      {{"run", "--no-such-option", "--", "true"}, 64, "--no-such-option"},
      {{"run", "--firefox"}, 64, "command"},
      {{"run", "--binary", "/nonexistent/firefox", "--", "true"}, 127, "/nonexistent/firefox", 2},  // after "launching"
      {{"run", "--timeout", "inf", "--", "true"}, 64, "--timeout must be a number of seconds from 0.001"},
      {{"run", "--timeout", "1e16", "--", "true"}, 64, "not 1e+16"},
      {{"run", "--firefox", "--chromedriver", "--", "true"}, 64, "choose one kind: --firefox and --chromedriver"},
      {{"run", "--firefox", "--", "/nonexistent/command"}, 127, "cannot run /nonexistent/command"},  // before launching
      {{"run", "--chromedriver", "--recycle", "--", "true"}, 64, "--recycle applies to --firefox only"},
      {{"take", "--", "true"}, 64, "take needs FOXPORT_BROKER"},
      {{"run", "--chromedriver", "--bidi", "--", "true"}, 64, "--bidi applies to --firefox only"},
      {{"run", "--chromium", "--binary", "/nonexistent/chromium", "--", "true"}, 127, "/nonexistent/chromium", 2},
      {{"run", "--geckodriver", "--binary", "/nonexistent/firefox", "--", "true"}, 127, "/nonexistent/firefox", 2},
      {{"run", "--chromedriver", "--driver-log-level", "loud", "--", "true"}, 64, "--driver-log-level"},
      {{"run", "--firefox", "--driver-log-level", "debug", "--", "true"}, 64, "--driver-log-level"},
      {{"run", "--timeout", "0", "--", "true"}, 64, "--timeout"},
      {{"run", "--port-range", "5000-4000", "--", "true"}, 64, "5000-4000"},
      {{"port", "--range", "5000-4000"}, 64, "5000-4000"},
      {{"bogus"}, 64, "bogus"},
      // #15 item 14: each names what was wrong and the real cause, once.
      {{"run", "--remote", "--", "true"}, 64, "--remote needs a URL (--remote http://HOST:4444), not \"--\""},
      {{"run", "--log", "/nonexistent/x", "--", "true"},
       69,
       "cannot open the log file /nonexistent/x: No such file or directory",
       2},
      {{"run", "-q", "--remote", "http://127.0.0.1:9", "--", bad_shebang.string()},
       126,
       "(its #! interpreter /nonexistent/sh does not exist): No such file or directory"},
      {{"run", "-q", "--remote", "http://127.0.0.1:9", "--", not_executable.string()}, 126, "is not executable"},
  };
  for (const auto& c : cases) {
    const auto result = run_foxport(c.args);
    EXPECT_EQ(result.status, c.status) << c.args[0] << " " << c.args[1] << ": " << result.err;
    EXPECT_NE(result.err.find(c.says), std::string::npos) << result.err;
    const auto lines = std::count(result.err.begin(), result.err.end(), '\n');
    EXPECT_EQ(lines, c.lines) << result.err;
  }
  fs::remove(bad_shebang);
  fs::remove(not_executable);
}

// #15 item 14: the environment variable that points nowhere is named, and nothing is said twice.
TEST(Cli, ABadEnvironmentVariableIsNamed) {
  struct Case {
    std::string variable;
    std::string says;
  };
  // An executable that is no program: its exec fails, here in the guard started ahead (#19).
  const auto not_a_program = fs::temp_directory_path() / "not-a-program";
  std::ofstream(not_a_program).close();
  fs::permissions(not_a_program, fs::perms::owner_all);
  const std::vector<Case> cases = {
      {"TMPDIR=/nonexistent/tmp", "TMPDIR=/nonexistent/tmp is not a usable temporary directory"},
      {"FOXPORT_GUARD=/tmp", "FOXPORT_GUARD=/tmp names a directory, not the foxport-guard executable"},
      {"FOXPORT_GUARD=" + not_a_program.string(),
       "cannot start the guard " + not_a_program.string() + ": Exec format error"},
  };
  for (const auto& c : cases) {
    const auto result = run_argv({"/usr/bin/env", c.variable, FOXPORT_CLI, "run", "-q", "--", "true"});
    EXPECT_EQ(result.status, 69) << result.err;
    EXPECT_NE(result.err.find(c.says), std::string::npos) << result.err;
    for (const std::string repeated :
         {"No such file or directory: No such file or directory", "foxport-guard not found: foxport-guard not found"})
      EXPECT_EQ(result.err.find(repeated), std::string::npos) << result.err;
  }
  fs::remove(not_a_program);
}

// #15 item 14: Firefox without a writable HOME hangs at start-up with nothing in its output;
// the timeout says why.
TEST(Cli, AFirefoxWithoutAWritableHomeGetsAHint) {
  // A TMPDIR of its own: a Firefox killed at start-up leaves files there (#15 item 10).
  const auto tmp = foxport::make_temporary_directory("cli-test-home");
  const auto result = run_argv({"/usr/bin/env", "HOME=/dev/null", "TMPDIR=" + tmp.string(), FOXPORT_CLI, "run", "-q",
                                "--no-cache", "--timeout", "5", "--", "true"});
  fs::remove_all(tmp);
  EXPECT_EQ(result.status, 124) << result.err;
  EXPECT_NE(result.err.find("hint: HOME=/dev/null is not a writable directory"), std::string::npos) << result.err;
}

// Zero-config clients: Debian's Selenium with default ChromeOptions() / FirefoxOptions(), as
// a user's test would open a session, on a machine without a display (DISPLAY removed).
namespace {

const std::string gecko_standin = FOXPORT_TEST_SUPPORT_DIR "/geckodriver-standin";

Result run_selenium(std::vector<std::string> launch, const std::string& browser, const std::string& title) {
  std::vector<std::string> args = {"/usr/bin/env", "-u",           "DISPLAY",   "-u", "WAYLAND_DISPLAY",
                                   "-u",           "MOZ_HEADLESS", FOXPORT_CLI, "run"};
  args.insert(args.end(), launch.begin(), launch.end());
  args.insert(args.end(),
              {"-q", "--", "/usr/bin/python3", FOXPORT_TEST_SUPPORT_DIR "/selenium-client", browser, title});
  return run_argv(args);
}

std::string unique_title(const char* what) { return std::string("foxport ") + what + " " + std::to_string(::getpid()); }

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(Cli, SeleniumWithDefaultChromeOptionsGetsAHeadlessChromium) {
  const auto title = unique_title("chromedriver");
  const auto result = run_selenium({"--chromedriver"}, "chrome", title);
  EXPECT_EQ(result.status, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("title " + title + "\n"), std::string::npos) << result.out << result.err;
  EXPECT_NE(result.out.find("headless yes\n"), std::string::npos) << result.out << result.err;
}

TEST(Cli, SeleniumWithDefaultFirefoxOptionsGetsAHeadlessFirefox) {
  const auto title = unique_title("geckodriver");
  const auto result = run_selenium({"--geckodriver", "--driver", gecko_standin}, "firefox", title);
  EXPECT_EQ(result.status, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("title " + title + "\n"), std::string::npos) << result.out << result.err;
  EXPECT_NE(result.out.find("headless yes\n"), std::string::npos) << result.out << result.err;
}

// --no-headless really turns it off: without a display, the browser a default client asks
// for cannot start, and the client is told so.
TEST(Cli, NoHeadlessLeavesTheDriversBrowsersAsInstalled) {
  const auto gecko = run_selenium({"--geckodriver", "--no-headless", "--driver", gecko_standin}, "firefox", "x");
  EXPECT_EQ(gecko.status, 3) << gecko.out << gecko.err;
  EXPECT_NE(gecko.out.find("session not created: Process unexpectedly closed with status 1"), std::string::npos)
      << gecko.out << gecko.err;
  const auto chrome = run_selenium({"--chromedriver", "--no-headless"}, "chrome", "x");
  EXPECT_EQ(chrome.status, 3) << chrome.out << chrome.err;
  EXPECT_NE(chrome.out.find("session not created"), std::string::npos) << chrome.out << chrome.err;
}

// --driver-log-level: the driver's verbose log, including what it did after it was ready,
// lands in --log; without it, the same session leaves no such lines.
TEST(Cli, DriverLogLevelPutsTheDriversSessionLogInTheLogFile) {
  const auto dir = foxport::make_temporary_directory("cli-test-log");
  struct Case {
    std::vector<std::string> launch;
    std::string browser;
  };
  const std::vector<Case> cases = {{{"--chromedriver"}, "chrome"},
                                   {{"--geckodriver", "--driver", gecko_standin}, "firefox"}};
  for (const auto& c : cases) {
    for (const bool verbose : {true, false}) {
      const auto title = unique_title(verbose ? "verbose" : "quiet");
      const auto log = dir / (c.browser + (verbose ? "-verbose.log" : "-quiet.log"));
      auto launch = c.launch;
      launch.insert(launch.end(), {"--log", log.string()});
      if (verbose) launch.insert(launch.end(), {"--driver-log-level", "trace"});
      const auto result = run_selenium(launch, c.browser, title);
      EXPECT_EQ(result.status, 0) << result.out << result.err;
      const auto text = read_text(log);
      // The navigation's URL has the title in it, percent-encoded.
      const auto mark = "foxport%20" + std::string(verbose ? "verbose" : "quiet") + "%20" + std::to_string(::getpid());
      EXPECT_EQ(text.find(mark) != std::string::npos, verbose) << c.browser << " " << log << ":\n" << text;
    }
  }
  fs::remove_all(dir);
}

TEST(Cli, NoCacheRunsFirefoxOnAFreshProfileAndLeavesTheCacheAlone) {
  const auto cache = foxport::make_temporary_directory("xdg-cache");
  const std::string saved = std::getenv("XDG_CACHE_HOME") != nullptr ? std::getenv("XDG_CACHE_HOME") : "";
  ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  foxport::testing::PageServer page;
  const auto result = run_foxport(
      {"run", "--firefox", "--no-cache", "--", FOXPORT_TEST_LAUNCHER, "marionette-client", page.url(), "0"});
  ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("title " + page.title()), std::string::npos) << result.out << result.err;
  EXPECT_FALSE(fs::exists(cache / "foxport"));
  fs::remove_all(cache);
}
