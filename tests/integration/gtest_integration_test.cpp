// The GoogleTest integration's per-test fixture: each test gets its own Firefox, and it is
// gone when the test is (the leak check after each test would fail otherwise).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "foxport/error.hpp"
#include "foxport/gtest.hpp"
#include "foxport/websocket.hpp"
#include "support/leak_check.hpp"
#include "support/proc_stat.hpp"
#include "support/wait.hpp"

namespace {

int previous_pid = -1;
std::filesystem::path previous_profile;

class OwnFirefox : public foxport::gtest::FirefoxTest {};

void check_and_remember(const foxport::gtest::Endpoint& endpoint) {
  EXPECT_FALSE(endpoint.inherited);
  EXPECT_NE(endpoint.pid, previous_pid);
  if (previous_pid > 0) {
    EXPECT_TRUE(foxport::testing::gone(previous_pid)) << "the previous test's Firefox survived it";
    EXPECT_FALSE(std::filesystem::exists(previous_profile));
  }
  auto marionette = endpoint.marionette();
  EXPECT_EQ(marionette.handshake().application_type, "gecko");
  previous_pid = endpoint.pid;
  previous_profile = endpoint.profile;
}

}  // namespace

TEST_F(OwnFirefox, First) { check_and_remember(endpoint()); }
TEST_F(OwnFirefox, Second) { check_and_remember(endpoint()); }

namespace {

class OwnBidiFirefox : public foxport::gtest::FirefoxTest {
 protected:
  foxport::FirefoxOptions firefox_options() const override {
    foxport::FirefoxOptions options;
    options.bidi = true;
    return options;
  }
};

// Seconds since boot, as /proc counts a process's start.
double boot_seconds_now() {
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double boot_seconds_at_start(int pid) {
  return std::stod(foxport::testing::proc_stat_field(pid, 22)) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Three tests, two Firefoxes launched ahead: each test still gets a fresh Firefox of its own
// (the previous one gone, its profile removed), but from the second test on it was started
// while an earlier test ran, not when its own test began.
class FirefoxLaunchedAhead : public foxport::gtest::FirefoxTest {
 protected:
  static void SetUpTestSuite() {
    previous_pid = -1;
    foxport::testing::defer_leak_checks_while(foxport::gtest::detail::launching_ahead);
  }
  std::size_t launch_ahead() const override { return 2; }
  // This binary's template cache starts empty, and the launch that builds the template starts
  // its own Firefox only afterwards: this test is about the pool, not the cache.
  foxport::FirefoxOptions firefox_options() const override {
    foxport::FirefoxOptions options;
    options.warm_profile = false;
    return options;
  }
  void SetUp() override {
    set_up_at_ = boot_seconds_now();
    foxport::gtest::FirefoxTest::SetUp();
  }
  // Started ahead: before this test began (by more than /proc's 10 ms clock tick).
  ::testing::AssertionResult started_before_this_test() const {
    const double started = boot_seconds_at_start(endpoint().pid);
    if (started < set_up_at_ - 0.1) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "Firefox " << endpoint().pid << " started " << started - set_up_at_
                                         << " s after this test began";
  }

 private:
  double set_up_at_ = 0;
};

}  // namespace

// A fixture's Chromium, launched with the fixture's options: the test talks DevTools to it
// through its endpoint.
class OwnChromium : public foxport::gtest::ChromiumTest {
 protected:
  foxport::ChromiumOptions chromium_options() const override {
    foxport::ChromiumOptions options;
    options.arguments = {"--window-size=641,482"};
    return options;
  }
};

TEST_F(OwnChromium, TheTestGetsTheDevToolsWebsocket) {
  EXPECT_FALSE(endpoint().inherited);
  EXPECT_EQ(endpoint().url.rfind("ws://127.0.0.1:" + std::to_string(endpoint().port) + "/devtools/browser/", 0), 0u);
  auto devtools = endpoint().devtools();
  EXPECT_NE(devtools.command("Browser.getVersion").find("Chrome/"), std::string::npos);
  std::ifstream cmdline("/proc/" + std::to_string(endpoint().pid) + "/cmdline");
  const std::string arguments{std::istreambuf_iterator<char>(cmdline), {}};
  EXPECT_NE(arguments.find("--window-size=641,482"), std::string::npos) << "the fixture's options were not used";
  EXPECT_THROW(endpoint().marionette(), foxport::Error);
}

// A fixture's Firefox launched with BiDi: the test finds the URL on its endpoint.
TEST_F(OwnBidiFirefox, TheTestGetsTheBidiUrl) {
  ASSERT_FALSE(endpoint().bidi_url.empty());
  auto bidi = foxport::WebSocketClient::connect(endpoint().bidi_url + "/session");
  EXPECT_NE(bidi.command("session.status").find("\"ready\":true"), std::string::npos);
}

TEST_F(FirefoxLaunchedAhead, First) { check_and_remember(endpoint()); }
TEST_F(FirefoxLaunchedAhead, Second) {
  EXPECT_TRUE(started_before_this_test());
  check_and_remember(endpoint());
}
TEST_F(FirefoxLaunchedAhead, Third) {
  EXPECT_TRUE(started_before_this_test());
  check_and_remember(endpoint());
}

TEST(GtestIntegration, AnExportedEndpointIsAdoptedNotLaunched) {
  ::setenv("FOXPORT_KIND", "chromedriver", 1);
  ::setenv("FOXPORT_PORT", "4444", 1);
  ::setenv("WEBDRIVER_URL", "http://127.0.0.1:4444", 1);
  foxport::gtest::Launch launch(foxport::gtest::Kind::chromedriver);
  for (const char* name : {"FOXPORT_KIND", "FOXPORT_PORT", "WEBDRIVER_URL"}) ::unsetenv(name);
  EXPECT_TRUE(launch.endpoint().inherited);
  EXPECT_EQ(launch.endpoint().url, "http://127.0.0.1:4444");
  EXPECT_EQ(launch.endpoint().port, 4444);
}

namespace {

// Exports `endpoint` the way `foxport run` does, for the life of the object.
struct Exported {
  explicit Exported(const foxport::Endpoint& endpoint) : vars(endpoint.to_environment()) {
    for (const auto& [name, value] : vars) ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~Exported() {
    for (const auto& [name, value] : vars) ::unsetenv(name.c_str());
  }
  std::vector<std::pair<std::string, std::string>> vars;
};

}  // namespace

TEST(GtestIntegration, EveryKindFoxportRunExportsIsAdoptedByTheKindsItCanServe) {
  using foxport::EndpointKind;
  using foxport::gtest::Kind;
  struct Case {
    foxport::Endpoint exported;
    std::vector<Kind> served;
  };
  const std::vector<Case> cases = {
      {{EndpointKind::firefox, 4441, 101, {}, "/tmp/profile", "ws://127.0.0.1:4445", ":7"}, {Kind::firefox}},
      {{EndpointKind::geckodriver, 4442, 102, "http://127.0.0.1:4442", {}, {}, {}}, {Kind::geckodriver}},
      {{EndpointKind::chromedriver, 4443, 103, "http://127.0.0.1:4443", {}, {}, ":8"}, {Kind::chromedriver}},
      {{EndpointKind::grid, 4444, 104, "http://127.0.0.1:4444", {}, {}, {}}, {Kind::geckodriver, Kind::chromedriver}},
      {{EndpointKind::remote, 0, -1, "http://grid.example:4444/wd/hub", {}, {}, {}},
       {Kind::geckodriver, Kind::chromedriver}},
  };
  ::unsetenv("DISPLAY");  // only what the cases export
  for (const auto& [exported, served] : cases) {
    const Exported environment(exported);
    for (const Kind wanted : {Kind::firefox, Kind::geckodriver, Kind::chromedriver, Kind::chromium}) {
      const auto adopted = foxport::gtest::inherited_endpoint(wanted);
      const bool should = std::find(served.begin(), served.end(), wanted) != served.end();
      ASSERT_EQ(adopted.has_value(), should)
          << foxport::to_string(exported.kind) << " for " << foxport::gtest::to_string(wanted);
      if (!adopted) continue;
      EXPECT_TRUE(adopted->inherited);
      EXPECT_EQ(adopted->kind, exported.kind);
      EXPECT_EQ(adopted->port, exported.port);
      EXPECT_EQ(adopted->pid, exported.pid);
      EXPECT_EQ(adopted->url, exported.url);
      EXPECT_EQ(adopted->profile, exported.profile);
      EXPECT_EQ(adopted->bidi_url, exported.bidi_url);
      EXPECT_EQ(adopted->display, exported.display);
      EXPECT_EQ(adopted->remote(), exported.kind == EndpointKind::grid || exported.kind == EndpointKind::remote);
      // The capabilities are for the browser the test asked for, whoever serves them.
      if (wanted == Kind::geckodriver || wanted == Kind::chromedriver) {
        EXPECT_NE(
            adopted->capabilities().find(wanted == Kind::chromedriver ? "goog:chromeOptions" : "moz:firefoxOptions"),
            std::string::npos);
      }
    }
  }
}

TEST(GtestIntegration, UnusableExportedVariablesAreAnErrorNamingTheVariable) {
  for (const auto& [name, value] : std::vector<std::pair<const char*, const char*>>{
           {"FOXPORT_KIND", "firefx"}, {"FOXPORT_PORT", "70000"}, {"FOXPORT_PORT", "44x"}, {"FOXPORT_PID", "-3"}}) {
    Exported environment({foxport::EndpointKind::firefox, 4441, 101, {}, "/tmp/profile", {}, {}});
    ::setenv(name, value, 1);
    try {
      foxport::gtest::inherited_endpoint(foxport::gtest::Kind::firefox);
      ADD_FAILURE() << name << "=" << value << " was accepted";
    } catch (const foxport::Error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(value), std::string::npos) << e.what();
    }
  }
}

// GeckodriverTest::driver_options() returns GeckodriverOptions, so its Firefox is honoured:
// one that does not exist fails the fixture's SetUp with a message naming it.
namespace {

class MissingFirefox : public foxport::gtest::GeckodriverTest {
 public:
  using foxport::gtest::GeckodriverTest::SetUp;
  using foxport::gtest::GeckodriverTest::TearDown;
  void TestBody() override {}

 protected:
  foxport::GeckodriverOptions driver_options() const override {
    foxport::GeckodriverOptions options;
    options.driver = FOXPORT_TEST_SUPPORT_DIR "/geckodriver-standin";
    options.firefox = "/nonexistent/firefox";
    return options;
  }
};

}  // namespace

TEST(GtestFixture, GeckodriverTestHonoursItsFirefoxOption) {
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    MissingFirefox fixture;
    fixture.SetUp();
    fixture.TearDown();
  }
  ASSERT_EQ(failures.size(), 1);
  const std::string message = failures.GetTestPartResult(0).message();
  EXPECT_NE(message.find("/nonexistent/firefox"), std::string::npos) << message;
}
