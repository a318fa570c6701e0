// Selenium Grid 4 standalone from the npm jar, with Debian's chromedriver and Chromium.
#include <gtest/gtest.h>

#include <filesystem>

#include "foxport/driver.hpp"
#include "foxport/error.hpp"
#include "support/page_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

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

}  // namespace

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

#ifdef FOXPORT_CLI
TEST_F(Grid, FoxportRunGridLeavesNothingBehind) {
  foxport::testing::PageServer page;
  foxport::testing::Subprocess run({FOXPORT_CLI, "run", "--grid", "--", FOXPORT_TEST_LAUNCHER, "webdriver-client", page.url(), "0"});
  run.close_stdin();
  const auto out = run.rest_of_stdout();
  const auto err = run.rest_of_stderr();
  EXPECT_EQ(run.wait(), 0) << err;
  EXPECT_NE(out.find("title " + page.title()), std::string::npos) << out << err;
  // The leak check after this test proves no java, driver or browser process is left.
}
#endif
