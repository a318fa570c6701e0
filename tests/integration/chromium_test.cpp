// Chromium from Debian with the DevTools protocol, for real: launch, a client of our own over
// the exported websocket, stop, and the failure paths.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "foxport/chromium.hpp"
#include "foxport/error.hpp"
#include "foxport/websocket.hpp"
#include "support/cdp.hpp"
#include "support/holder.hpp"
#include "support/page_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;
using foxport::Chromium;
using foxport::ChromiumOptions;
using foxport::testing::gone;
using foxport::testing::write_script;

namespace {

// A page of our own in a new target, through the browser's DevTools websocket: its title.
std::string title_over_cdp(const std::string& cdp_url, const std::string& page) {
  auto cdp = foxport::WebSocketClient::connect(cdp_url);
  const auto target = json::parse(cdp.command("Target.createTarget", R"({"url":"about:blank"})"));
  const auto target_id = json::value_to<std::string>(target.at("targetId"));
  const auto session = foxport::testing::attach_to_page(cdp, target_id);
  std::string navigated;
  const auto title = foxport::testing::navigate_and_read_title(cdp, session, page, &navigated);
  EXPECT_FALSE(json::parse(navigated).as_object().contains("errorText")) << navigated;
  cdp.command("Target.closeTarget", json::serialize(json::object{{"targetId", target_id}}));
  return title;
}

}  // namespace

TEST(Chromium, OpensAPageOverDevToolsAndLeavesNothingBehind) {
  foxport::testing::PageServer page;
  auto chromium = Chromium::launch();
  ASSERT_TRUE(chromium.valid());
  const auto prefix = "ws://127.0.0.1:" + std::to_string(chromium.port()) + "/devtools/browser/";
  EXPECT_EQ(chromium.cdp_url().rfind(prefix, 0), 0u) << chromium.cdp_url();
  EXPECT_EQ(chromium.endpoint().url, chromium.cdp_url());
  EXPECT_TRUE(fs::exists(chromium.user_data_dir() / "DevToolsActivePort"));
  EXPECT_NE(chromium.ready_report().listener_pid, -1);
  EXPECT_NE(chromium.ready_report().protocol_answer.find("webSocketDebuggerUrl"), std::string::npos);

  EXPECT_EQ(title_over_cdp(chromium.cdp_url(), page.url()), page.title());
  EXPECT_GE(page.requests(), 1);

  const auto tree = chromium.process().tree();
  ASSERT_FALSE(tree.empty());
  const auto directory = chromium.user_data_dir().parent_path();
  chromium.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
  EXPECT_FALSE(fs::exists(directory));
  chromium.stop();  // idempotent
}

TEST(Chromium, TwoAtOnceGetTheirOwnPortsAndProfiles) {
  auto first = Chromium::launch();
  auto second = Chromium::launch();
  EXPECT_NE(first.port(), second.port());
  EXPECT_NE(first.user_data_dir(), second.user_data_dir());
  EXPECT_NE(first.cdp_url(), second.cdp_url());
  auto client = foxport::WebSocketClient::connect(second.cdp_url());
  EXPECT_NE(client.command("Browser.getVersion").find("Chrome/"), std::string::npos);
}

TEST(Chromium, ABinaryThatExitsAtOnceIsAClearError) {
  ChromiumOptions options;
  options.binary = write_script("fake-chromium", "#!/bin/sh\necho 'fake chromium starting' >&2\nexit 5\n");
  try {
    Chromium::launch(options);
    FAIL() << "launch succeeded";
  } catch (const foxport::Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), foxport::errc::exited_early) << what;
    EXPECT_NE(what.find("exit status 5"), std::string::npos) << what;
    EXPECT_NE(what.find("fake chromium starting"), std::string::npos) << what;
  }
  fs::remove(options.binary);
}

TEST(Chromium, MissingBinaryIsBinaryNotFound) {
  ChromiumOptions options;
  options.binary = "/nonexistent/chromium";
  std::error_code ec;
  auto chromium = Chromium::launch(options, ec);
  EXPECT_EQ(ec, foxport::errc::binary_not_found);
  EXPECT_FALSE(chromium.valid());
}

TEST(Chromium, KillingTheHolderTakesChromiumAndItsProfileDown) {
  const auto after = foxport::testing::kill_holder_of("chromium");
  ASSERT_TRUE(after.launched) << "the holder said: " << after.said;
  EXPECT_TRUE(after.program_gone);
  EXPECT_TRUE(after.guard_gone);
  EXPECT_TRUE(after.directory_gone);
}
