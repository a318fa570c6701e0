// Firefox ESR from Debian, for real: launch, Marionette, stop, and the failure paths.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "foxport/error.hpp"
#include "foxport/firefox.hpp"
#include "foxport/websocket.hpp"
#include "support/holder.hpp"
#include "support/page_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::Firefox;
using foxport::FirefoxOptions;
using foxport::testing::gone;
using foxport::testing::write_script;
using namespace std::chrono_literals;

namespace {

// Runs a Marionette session: open the page, return its title.
std::string title_of(const Firefox& firefox, const std::string& url) {
  auto client = firefox.marionette();
  client.new_session();
  client.navigate(url);
  auto title = client.title();
  client.delete_session();
  return title;
}

// A WebDriver BiDi session of our own on the URL foxport exports: open the test's page and
// read its title back through script.evaluate.
std::string bidi_title_of(const std::string& bidi_url, const std::string& page) {
  namespace json = boost::json;
  auto bidi = foxport::WebSocketClient::connect(bidi_url + "/session");
  bidi.command("session.new", R"({"capabilities":{}})");
  const auto tree = json::parse(bidi.command("browsingContext.getTree"));
  const auto context = json::value_to<std::string>(tree.at("contexts").at(0).at("context"));
  bidi.command("browsingContext.navigate",
               json::serialize(json::object{{"context", context}, {"url", page}, {"wait", "complete"}}));
  const auto evaluated =
      json::parse(bidi.command("script.evaluate", json::serialize(json::object{{"expression", "document.title"},
                                                                               {"target", {{"context", context}}},
                                                                               {"awaitPromise", false}})));
  bidi.command("session.end");
  return json::value_to<std::string>(evaluated.at("result").at("value"));
}

}  // namespace

TEST(Firefox, OpensAPageAndLeavesNothingBehind) {
  foxport::testing::PageServer page;
  auto firefox = Firefox::launch();
  ASSERT_TRUE(firefox.valid());
  EXPECT_NE(firefox.port(), 0);
  EXPECT_TRUE(fs::exists(firefox.profile_dir()));
  EXPECT_EQ(fs::status(firefox.profile_dir()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_NE(firefox.ready_report().protocol_answer.find("\"marionetteProtocol\":3"), std::string::npos);
  EXPECT_FALSE(firefox.version().empty());
  EXPECT_TRUE(firefox.bidi_url().empty());  // BiDi is opt-in
  EXPECT_EQ(firefox.ready_report().bidi_port, 0);

  EXPECT_EQ(title_of(firefox, page.url()), page.title());
  EXPECT_GE(page.requests(), 1);

  const auto tree = firefox.process().tree();
  ASSERT_FALSE(tree.empty());
  const auto profile = firefox.profile_dir();
  firefox.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
  EXPECT_FALSE(fs::exists(profile));
  firefox.stop();  // idempotent
}

TEST(FirefoxBidi, OpensAPageOverWebDriverBiDiAndLeavesNothingBehind) {
  foxport::testing::PageServer page;
  FirefoxOptions options;
  options.bidi = true;
  auto firefox = Firefox::launch(options);
  const auto& report = firefox.ready_report();
  ASSERT_NE(report.bidi_port, 0) << report.phases();
  EXPECT_NE(report.bidi_port, firefox.port());  // a port of its own, beside Marionette's
  EXPECT_EQ(firefox.bidi_url(), "ws://127.0.0.1:" + std::to_string(report.bidi_port));
  EXPECT_EQ(firefox.endpoint().bidi_url, firefox.bidi_url());
  EXPECT_NE(report.phases().find("bidi "), std::string::npos) << report.phases();
  EXPECT_GE(report.bidi, report.session);  // BiDi is checked once Marionette is ready

  EXPECT_EQ(bidi_title_of(firefox.bidi_url(), page.url()), page.title());
  EXPECT_EQ(title_of(firefox, page.url()), page.title());  // Marionette still serves, once BiDi's session ended

  const auto tree = firefox.process().tree();
  const auto profile = firefox.profile_dir();
  firefox.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
  EXPECT_FALSE(fs::exists(profile));
}

TEST(FirefoxBidi, ACommandBeforeSessionNewFailsWithFirefoxsMessage) {
  FirefoxOptions options;
  options.bidi = true;
  auto firefox = Firefox::launch(options);
  auto bidi = foxport::WebSocketClient::connect(firefox.bidi_url() + "/session");
  try {
    bidi.command("browsingContext.getTree");
    FAIL() << "a command without a session succeeded";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::remote_error) << e.what();
    EXPECT_NE(std::string(e.what()).find("browsingContext.getTree: invalid session id"), std::string::npos) << e.what();
  }
}

TEST(Firefox, QuitViaMarionetteEndsFirefoxCleanly) {
  FirefoxOptions options;
  options.quit_via_marionette = true;
  options.stop_policy = foxport::StopPolicy::forced();  // would show as SIGKILL if the quit failed
  auto firefox = Firefox::launch(options);
  const auto profile = firefox.profile_dir();
  firefox.stop();
  const auto status = firefox.process().exit_status();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 0) << status->to_string();  // Firefox's own clean exit, not a signal
  EXPECT_FALSE(fs::exists(profile));
}

TEST(Firefox, TwoAtOnceGetDifferentPortsAndBothWork) {
  foxport::testing::PageServer page;
  auto first = Firefox::launch();
  auto second = Firefox::launch();
  EXPECT_NE(first.port(), second.port());
  EXPECT_NE(first.profile_dir(), second.profile_dir());
  EXPECT_EQ(title_of(first, page.url()), page.title());
  EXPECT_EQ(title_of(second, page.url()), page.title());
}

TEST(Firefox, DoesNotTrustAStaleMarionetteActivePort) {
  // A copied profile whose port file names a port held by someone else.
  foxport::testing::PageServer stranger;
  const auto stale_port = std::stoi(stranger.url().substr(17));
  const auto profile = fs::temp_directory_path() / "template-profile";
  fs::create_directory(profile);
  std::ofstream(profile / "MarionetteActivePort") << stale_port;
  FirefoxOptions options;
  options.profile_template = profile;
  auto firefox = Firefox::launch(options);
  EXPECT_NE(firefox.port(), stale_port);
  EXPECT_NE(firefox.ready_report().listener_pid, -1);
  EXPECT_EQ(stranger.requests(), 0);  // nobody knocked on the stranger's door
  firefox.stop();
  fs::remove_all(profile);
}

TEST(Firefox, ABinaryThatExitsAtOnceIsAClearError) {
  FirefoxOptions options;
  options.binary = write_script("fake-firefox", "#!/bin/sh\necho 'fake firefox starting' >&2\nexit 3\n");
  try {
    Firefox::launch(options);
    FAIL() << "launch succeeded";
  } catch (const foxport::Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), foxport::errc::exited_early) << what;
    EXPECT_NE(what.find("exit status 3"), std::string::npos) << what;
    EXPECT_NE(what.find("fake firefox starting"), std::string::npos) << what;  // its last lines
  }
  fs::remove(options.binary);
}

TEST(Firefox, AFirefoxThatNeverListensTimesOutWithWhatWasSeen) {
  FirefoxOptions options;
  options.binary = write_script("silent-firefox", "#!/bin/sh\nexec sleep 600\n");
  options.ready_timeout = 500ms;
  try {
    Firefox::launch(options);
    FAIL() << "launch succeeded";
  } catch (const foxport::Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), foxport::errc::ready_timeout) << what;
    EXPECT_NE(what.find("not ready within 500 ms"), std::string::npos) << what;
    EXPECT_NE(what.find("process running"), std::string::npos) << what;
    EXPECT_NE(what.find("port reported: no"), std::string::npos) << what;
  }
  fs::remove(options.binary);
}

TEST(Firefox, MissingBinaryNamesWhatWasSearched) {
  FirefoxOptions options;
  options.binary = "/nonexistent/firefox";
  std::error_code ec;
  auto firefox = Firefox::launch(options, ec);
  EXPECT_EQ(ec, foxport::errc::binary_not_found);
  EXPECT_FALSE(firefox.valid());
}

TEST(Firefox, FixedPortModeUsesALeasedPort) {
  FirefoxOptions options;
  options.marionette_port_range = foxport::PortRange::default_range();
  auto firefox = Firefox::launch(options);
  EXPECT_TRUE(options.marionette_port_range->contains(firefox.port())) << firefox.port();
  auto client = firefox.marionette();
  EXPECT_EQ(client.handshake().application_type, "gecko");
}

class KillingTheHolder : public ::testing::TestWithParam<const char*> {};

TEST_P(KillingTheHolder, TakesFirefoxAndItsProfileDown) {
  const auto after = foxport::testing::kill_holder_of(GetParam());
  ASSERT_TRUE(after.launched) << "the holder said: " << after.said;
  EXPECT_TRUE(after.program_gone);
  EXPECT_TRUE(after.guard_gone);
  EXPECT_TRUE(after.directory_gone);
}

INSTANTIATE_TEST_SUITE_P(Firefox, KillingTheHolder, ::testing::Values("firefox", "firefox-bidi"));
