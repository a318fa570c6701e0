// A user's GoogleTest suite: one Firefox for the binary through foxport::gtest; opens a
// page and reads its title. With FOXPORT_EXPECT_GUARD set, also checks that Firefox runs
// under that guard (the installed one, not a build tree's).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "foxport/gtest.hpp"

namespace {

using foxport::gtest::BrowserEnvironment;

int parent_of(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  char state = 0;
  int parent = -1;
  rest >> state >> parent;
  return parent;
}

TEST(Consumer, ReadsAPageTitle) {
  auto marionette = BrowserEnvironment::endpoint().marionette();
  marionette.new_session();
  marionette.navigate("data:text/html,<title>installed foxport</title>");
  EXPECT_EQ(marionette.title(), "installed foxport");
  marionette.delete_session();
}

TEST(Consumer, RunsUnderTheExpectedGuard) {
  const char* expected = std::getenv("FOXPORT_EXPECT_GUARD");
  if (expected == nullptr) GTEST_SKIP() << "FOXPORT_EXPECT_GUARD not set";
  const auto guard =
      std::filesystem::read_symlink("/proc/" + std::to_string(parent_of(BrowserEnvironment::endpoint().pid)) + "/exe");
  std::printf("guard %s\n", guard.c_str());
  EXPECT_EQ(guard, std::filesystem::path(expected));
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new BrowserEnvironment(foxport::gtest::Kind::firefox));
  return RUN_ALL_TESTS();
}
