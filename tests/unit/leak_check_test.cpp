// The leak check must catch what it promises to catch. These tests leak on purpose —
// in a child copy of this test binary — and expect the failure report.
#include <gtest/gtest.h>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/leak_check.hpp"

namespace {

// Runs this binary again with one test selected; returns its exit status and output.
std::pair<int, std::string> run_self(const std::string& filter) {
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    const std::string arg = "--gtest_filter=" + filter;
    ::execl("/proc/self/exe", "leak_check_test", arg.c_str(), "--gtest_also_run_disabled_tests", nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) output.append(buffer, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

}  // namespace

// Leaks a child process that dies with its parent (so the leak ends with the run).
TEST(LeakCheckSubject, DISABLED_LeaksAProcess) {
  if (::fork() == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::pause();
    ::_exit(0);
  }
}

TEST(LeakCheckSubject, DISABLED_LeaksADirectory) {
  std::filesystem::create_directory(std::filesystem::temp_directory_path() / "foxport-leaked-dir");
}

TEST(LeakCheckSubject, DISABLED_LeaksNothing) {}

TEST(LeakCheck, FailsATestThatLeavesAChildProcess) {
  const auto [status, output] = run_self("LeakCheckSubject.DISABLED_LeaksAProcess");
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find("leaked child process"), std::string::npos) << output;
}

TEST(LeakCheck, FailsATestThatLeavesATemporaryDirectory) {
  const auto [status, output] = run_self("LeakCheckSubject.DISABLED_LeaksADirectory");
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find("foxport-leaked-dir"), std::string::npos) << output;
}

TEST(LeakCheck, PassesATestThatLeavesNothing) {
  const auto [status, output] = run_self("LeakCheckSubject.DISABLED_LeaksNothing");
  EXPECT_EQ(status, 0) << output;
}

TEST(LeakCheck, SeesAMarkedProcessThatLeftOurTree) {
  // A double fork re-parents the grandchild away from us; the marker in its environment
  // (inherited through exec) still finds it.
  const pid_t middle = ::fork();
  if (middle == 0) {
    if (::fork() == 0) {
      ::freopen("/dev/null", "w", stdout);
      ::freopen("/dev/null", "w", stderr);
      ::execl(FOXPORT_TEST_TARGET, "foxport-test-target", "sleep", "60", nullptr);
      ::_exit(127);
    }
    ::_exit(0);
  }
  ::waitpid(middle, nullptr, 0);
  std::vector<int> marked;
  // The exec happens asynchronously; the marker appears with it.
  for (int i = 0; i < 500 && marked.empty(); ++i) {
    marked = foxport::testing::marked_processes();
    if (marked.empty()) ::usleep(2000);
  }
  ASSERT_EQ(marked.size(), 1u);
  const auto leaks = foxport::testing::find_leaks(std::chrono::milliseconds(0));
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_NE(leaks[0].find("leaked process pid " + std::to_string(marked[0])), std::string::npos) << leaks[0];
  ::kill(marked[0], SIGKILL);
  EXPECT_TRUE(foxport::testing::find_leaks().empty());
}
