// Selenium Grid 4 standalone from the npm jar, with Debian's chromedriver and Chromium.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <set>
#include <thread>

#include "foxport/driver.hpp"
#include "foxport/error.hpp"
#include "foxport/gtest.hpp"
#include "foxport/remote.hpp"
#include "support/page_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"
#ifdef FOXPORT_CLI  // built with the command
#include "support/foxport_cli.hpp"
#endif

namespace fs = std::filesystem;
using foxport::testing::gone;
using namespace std::chrono_literals;

namespace {

class Grid : public ::testing::Test {
  void SetUp() override {
    try {
      foxport::find_grid_jar();
    } catch (const foxport::Error& e) {
      GTEST_SKIP() << e.what();
    }
  }
};

// The session ids holding a slot, from the Grid's own /status.
std::set<std::string> busy_slots(const foxport::SeleniumGrid& grid) {
  std::set<std::string> ids;
  const auto status = boost::json::parse(grid.client().request("GET", "/status"));
  for (const auto& node : status.at("nodes").as_array()) {
    for (const auto& slot : node.at("slots").as_array()) {
      if (const auto* session = slot.as_object().if_contains("session"); session != nullptr && session->is_object())
        ids.insert(std::string(session->at("sessionId").as_string()));
    }
  }
  return ids;
}

// The Grid releases a deleted session's slot asynchronously, and its state can only be
// observed by asking it: ask until `id` holds no slot, `timeout` at most. The rest busy.
std::set<std::string> wait_until_free(const foxport::SeleniumGrid& grid, const std::string& id,
                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto busy = busy_slots(grid);
  while (busy.count(id) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    busy = busy_slots(grid);
  }
  return busy;
}

std::string session_of(foxport::testing::Subprocess& holder) {
  const auto line = holder.read_line();
  return line.rfind("session ", 0) == 0 ? line.substr(8) : std::string();
}

}  // namespace

TEST_F(Grid, ARemoteSessionIsDeletedWhenItsHolderIsKilled) {
  auto grid = foxport::SeleniumGrid::launch();
  foxport::testing::Subprocess guarded({FOXPORT_TEST_LAUNCHER, "remote-session", grid.url()});
  foxport::testing::Subprocess raw({FOXPORT_TEST_LAUNCHER, "raw-session", grid.url()});
  const auto guarded_id = session_of(guarded);
  const auto raw_id = session_of(raw);
  ASSERT_FALSE(guarded_id.empty()) << guarded.rest_of_stderr();
  ASSERT_FALSE(raw_id.empty()) << raw.rest_of_stderr();
  EXPECT_EQ(busy_slots(grid), (std::set<std::string>{guarded_id, raw_id}));

  ::kill(guarded.pid(), SIGKILL);
  ::kill(raw.pid(), SIGKILL);
  guarded.wait();
  raw.wait();
  const auto busy = wait_until_free(grid, guarded_id, 2s);
  EXPECT_EQ(busy.count(guarded_id), 0u) << "foxport's session still holds its slot";
  EXPECT_EQ(busy.count(raw_id), 1u) << "without foxport the slot should stay taken (until the Grid's timeout)";
  grid.client().delete_session(raw_id);  // what nobody would do for the killed process
}

TEST_F(Grid, ARemoteSessionWorksAndIsDeletedWithItsHandle) {
  foxport::testing::PageServer page;
  auto grid = foxport::SeleniumGrid::launch();
  ::setenv("FOXPORT_REMOTE_URL", grid.url().c_str(), 1);
  const auto url = foxport::remote_url_from_environment();
  ::unsetenv("FOXPORT_REMOTE_URL");
  ASSERT_TRUE(url.has_value());
  std::string id;
  {
    auto session = foxport::RemoteSession::create(*url, foxport::chromium_capabilities());
    id = session.id();
    session.client().navigate(id, page.url());
    EXPECT_EQ(session.client().title(id), page.title());
    EXPECT_EQ(busy_slots(grid).count(id), 1u);
  }
  EXPECT_TRUE(wait_until_free(grid, id, 2s).empty());  // deleted as the handle went, not after a timeout
}

TEST_F(Grid, ASessionThroughTheGridOpensAPageAndNothingIsLeft) {
  foxport::testing::PageServer page;
  auto grid = foxport::SeleniumGrid::launch();
  EXPECT_TRUE(foxport::PortRange::default_range().contains(grid.port()));  // leased: Grid cannot bind 0
  EXPECT_NE(grid.ready_report().protocol_answer.find("\"nodes\""), std::string::npos);
  const auto session = grid.new_session(foxport::chromium_capabilities());
  auto client = grid.client();
  client.navigate(session, page.url());
  EXPECT_EQ(client.title(session), page.title());
  const auto tree = grid.process().tree();
  EXPECT_GE(tree.size(), 3u);  // java, chromedriver, chromium...
  grid.stop();
  for (const int pid : tree) EXPECT_TRUE(gone(pid)) << "pid " << pid << " survived";
}

TEST_F(Grid, TwoGridsSideBySideDoNotCollide) {
  auto first = foxport::SeleniumGrid::launch();
  auto second = foxport::SeleniumGrid::launch();
  EXPECT_NE(first.port(), second.port());
  EXPECT_TRUE(first.client().status().ready);
  EXPECT_TRUE(second.client().status().ready);
}

TEST_F(Grid, TheSameGoogleTestCodeRunsAgainstTheGridWhenFoxportRemoteUrlIsSet) {
  foxport::testing::PageServer page;
  auto grid = foxport::SeleniumGrid::launch();
  ::setenv("FOXPORT_REMOTE_URL", grid.url().c_str(), 1);
  foxport::gtest::Launch launch(foxport::gtest::Kind::chromedriver);  // launches nothing now
  ::unsetenv("FOXPORT_REMOTE_URL");
  const auto& endpoint = launch.endpoint();
  EXPECT_TRUE(endpoint.remote());
  EXPECT_EQ(endpoint.url, grid.url());
  std::string id;
  {
    auto session = endpoint.session();
    id = session.id();
    session.client().navigate(id, page.url());
    EXPECT_EQ(session.client().title(id), page.title());
  }
  EXPECT_TRUE(wait_until_free(grid, id, 2s).empty());
}

#ifdef FOXPORT_CLI
using foxport::testing::run_foxport;

TEST_F(Grid, FoxportRunRemoteUsesTheGivenEndpoint) {
  foxport::testing::PageServer page;
  auto grid = foxport::SeleniumGrid::launch();
  const auto run =
      run_foxport({"run", "--remote", grid.url(), "--", FOXPORT_TEST_LAUNCHER, "webdriver-client", page.url(), "0"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("title " + page.title()), std::string::npos) << run.out << run.err;
  EXPECT_NE(run.err.find("foxport: using the remote WebDriver endpoint " + grid.url()), std::string::npos) << run.err;
}

TEST_F(Grid, FoxportRunGridLeavesNothingBehind) {
  foxport::testing::PageServer page;
  const auto run = run_foxport({"run", "--grid", "--", FOXPORT_TEST_LAUNCHER, "webdriver-client", page.url(), "0"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("title " + page.title()), std::string::npos) << run.out << run.err;
  // The leak check after this test proves no java, driver or browser process is left.
}
#endif
