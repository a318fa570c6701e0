// Where the library looks for foxport-guard: the build tree's guard only for programs that
// live in the build tree, then the install path, then relative to the program and the library
// (a moved install prefix), without duplicates.

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "process/locate.hpp"

namespace {

namespace fs = std::filesystem;
using foxport::detail::guard_candidates;
using foxport::detail::GuardSearch;

GuardSearch search_from(const fs::path& executable, const fs::path& library = {}) {
  GuardSearch search;
  search.executable = executable;
  search.library = library;
  search.build_tree = "/nonexistent/src/build";
  search.build_guard = "/nonexistent/src/build/src/foxport-guard";
  search.install_guard = "/nonexistent/usr/libexec/foxport-guard";
  return search;
}

TEST(GuardSearch, BuildTreeGuardFirstForProgramsInTheBuildTree) {
  const auto candidates = guard_candidates(search_from("/nonexistent/src/build/tests/process_test"));
  const std::vector<fs::path> expected{
      "/nonexistent/src/build/src/foxport-guard", "/nonexistent/usr/libexec/foxport-guard",
      "/nonexistent/src/build/tests/foxport-guard", "/nonexistent/src/build/libexec/foxport-guard"};
  EXPECT_EQ(candidates, expected);
}

TEST(GuardSearch, BuildTreeGuardWhenOnlyTheLibraryIsInTheBuildTree) {
  const auto candidates =
      guard_candidates(search_from("/nonexistent/elsewhere/bin/app", "/nonexistent/src/build/src/libfoxport.so"));
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates.front(), "/nonexistent/src/build/src/foxport-guard");
}

TEST(GuardSearch, NoBuildTreeGuardForInstalledPrograms) {
  // A sibling directory whose name starts like the build tree's is not inside it.
  const auto candidates = guard_candidates(search_from("/nonexistent/src/build-other/app"));
  const std::vector<fs::path> expected{"/nonexistent/usr/libexec/foxport-guard",
                                       "/nonexistent/src/build-other/foxport-guard",
                                       "/nonexistent/src/libexec/foxport-guard"};
  EXPECT_EQ(candidates, expected);
}

TEST(GuardSearch, MovedPrefixIsFoundBesideTheProgramAndTheLibrary) {
  const auto candidates =
      guard_candidates(search_from("/nonexistent/moved/bin/app", "/nonexistent/moved/lib/libfoxport.so.0.1"));
  const std::vector<fs::path> expected{"/nonexistent/usr/libexec/foxport-guard", "/nonexistent/moved/bin/foxport-guard",
                                       "/nonexistent/moved/libexec/foxport-guard",
                                       "/nonexistent/moved/lib/foxport-guard"};
  EXPECT_EQ(candidates, expected);
}

TEST(GuardSearch, NoDuplicates) {
  // A static libfoxport: dladdr names the program itself.
  auto search = search_from("/nonexistent/usr/bin/app", "/nonexistent/usr/bin/app");
  const auto candidates = guard_candidates(search);
  const std::vector<fs::path> expected{"/nonexistent/usr/libexec/foxport-guard", "/nonexistent/usr/bin/foxport-guard"};
  EXPECT_EQ(candidates, expected);
}

}  // namespace
