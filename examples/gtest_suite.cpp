// A small GoogleTest suite with one Firefox for the whole binary. Under `foxport run
// --firefox -- gtest_suite` it uses the exported Firefox instead of launching its own.
#include <gtest/gtest.h>

#include "foxport/gtest.hpp"

using foxport::gtest::BrowserEnvironment;

TEST(Suite, OpensAPage) {
  auto marionette = BrowserEnvironment::endpoint().marionette();
  marionette.new_session();
  marionette.navigate("data:text/html,<title>first page</title>");
  EXPECT_EQ(marionette.title(), "first page");
  marionette.delete_session();
}

TEST(Suite, RunsScript) {
  auto marionette = BrowserEnvironment::endpoint().marionette();
  marionette.new_session();
  EXPECT_EQ(marionette.execute_script("return 6 * 7;"), "42");
  marionette.delete_session();
}

TEST(Suite, SaysWhereTheBrowserCameFrom) {
  const auto& endpoint = BrowserEnvironment::endpoint();
  std::printf("endpoint: port %d, pid %d, %s\n", endpoint.port, endpoint.pid,
              endpoint.inherited ? "inherited from foxport run" : "launched by this suite");
  EXPECT_GT(endpoint.port, 0);
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new BrowserEnvironment(foxport::gtest::Kind::firefox));
  return RUN_ALL_TESTS();
}
