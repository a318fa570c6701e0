// platform::spawn_in_new_group, which starts the guard: the descriptors land where the guard
// expects them even when a source already has a target's number, nothing else is inherited,
// the child leads a new process group, and a failed exec is an error with no zombie left. The
// same for platform::fork_in_new_group, which starts foxport start's guard as a fork, and
// keep_off_this_core, which keeps that fork off its parent's core until the launch runs;
// start_threads_on_this_core, which starts the command's signal watcher; and the guard that
// awaits its program, which stays awake for it only a bounded while.

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "platform/spawn.hpp"
#include "support/proc_stat.hpp"

extern char** environ;

namespace {

// A pipe above descriptor 10, out of the way of the numbers the tests place things at.
struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read = ::fcntl(fds[0], F_DUPFD_CLOEXEC, 10);
    write = ::fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
    ::close(fds[0]);
    ::close(fds[1]);
  }
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
};

// What the child writes to `fd` until it closes it, or up to the first `until` (bounded: 10 s).
std::string read_all(int fd, char until = '\0') {
  std::string text;
  while (until == '\0' || text.find(until) == std::string::npos) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 10000) <= 0) return text;
    char buffer[512];
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

// Moves `fd` to descriptor number `target` in this process (close-on-exec), keeping what was
// there, and puts that back at the end of the test.
class DescriptorAt {
 public:
  DescriptorAt(int& fd, int target) : fd_(fd), target_(target) {
    saved_ = ::fcntl(target, F_DUPFD_CLOEXEC, 100);
    EXPECT_EQ(::dup3(fd, target, O_CLOEXEC), target);
    ::close(fd);
    fd = target;
  }
  ~DescriptorAt() {
    if (saved_ >= 0) {
      ::dup3(saved_, target_, O_CLOEXEC);
      ::close(saved_);
    } else {
      ::close(target_);
    }
    fd_ = -1;
  }

 private:
  int& fd_;
  int target_;
  int saved_ = -1;
};

TEST(Spawn, DescriptorsInPlaceEvenWhenTheSourcesHoldEachOthersNumbers) {
  Pipe out, control, status;
  // The guard's control read end sits at 4 and its status write end at 3 here: placed one
  // after the other without care, the second would copy the first.
  const DescriptorAt status_at_3(status.write, 3);
  const DescriptorAt control_at_4(control.read, 4);
  const Pipe stray;  // open here, but not for the child
  const std::string target = FOXPORT_TEST_TARGET;
  const char* argv[] = {target.c_str(), "descriptors", nullptr};
  const pid_t pid = foxport::platform::spawn_in_new_group(target.c_str(), argv, environ,
                                                          {-1, out.write, -1, control.read, status.write});
  ASSERT_GT(pid, 0) << std::strerror(-pid);
  ::close(out.write);
  out.write = -1;
  ASSERT_EQ(::write(control.write, "hello\n", 6), 6);
  const std::string copied = read_all(status.read, '\n');  // our copy of its write end stays open
  const std::string printed = read_all(out.read);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
  EXPECT_EQ(copied, "hello\n") << "descriptor 3 of the child must be the control pipe, 4 the status pipe";
  EXPECT_NE(printed.find("fds 0 1 2 3 4\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find("leader yes\n"), std::string::npos) << printed;
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
}

TEST(Spawn, AFailedExecIsAnErrorAndLeavesNoChild) {
  Pipe out;
  const char* argv[] = {"/nonexistent/foxport-guard", nullptr};
  const pid_t pid = foxport::platform::spawn_in_new_group(argv[0], argv, environ, {-1, out.write, out.write, -1, -1});
  EXPECT_EQ(pid, -ENOENT);
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

// The early guard of foxport start/run (#19): a fork of the command, named foxport-guard, with
// the same descriptors and group as spawn_in_new_group gives.
TEST(Spawn, AForkedChildHasItsNameTheDescriptorsAndAGroupOfItsOwn) {
  Pipe out, control, status;
  const DescriptorAt status_at_3(status.write, 3);
  const DescriptorAt control_at_4(control.read, 4);
  const Pipe stray;  // open here, but not for the child
  // The child says its name, then becomes the test target, which reports what it has.
  const pid_t pid = foxport::platform::fork_in_new_group(
      "forked-child",
      [](void*) {
        char comm[64] = "comm ";
        const int fd = ::open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
        const auto n = fd >= 0 ? ::read(fd, comm + 5, sizeof comm - 6) : -1;
        if (n > 0 && ::write(STDOUT_FILENO, comm, static_cast<std::size_t>(5 + n)) < 0) return 2;
        const char* argv[] = {FOXPORT_TEST_TARGET, "descriptors", nullptr};
        ::execve(argv[0], const_cast<char* const*>(argv), environ);
        return 127;
      },
      nullptr, {-1, out.write, -1, control.read, status.write});
  ASSERT_GT(pid, 0) << std::strerror(-pid);
  ::close(out.write);
  out.write = -1;
  ASSERT_EQ(::write(control.write, "hello\n", 6), 6);
  const std::string copied = read_all(status.read, '\n');
  const std::string printed = read_all(out.read);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
  EXPECT_EQ(printed.rfind("comm forked-child\n", 0), 0u) << printed;
  EXPECT_EQ(copied, "hello\n") << "descriptor 3 of the child must be the control pipe, 4 the status pipe";
  EXPECT_NE(printed.find("fds 0 1 2 3 4\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find("leader yes\n"), std::string::npos) << printed;
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
}

TEST(Spawn, AForkedChildExitsWithWhatItReturns) {
  const pid_t pid =
      foxport::platform::fork_in_new_group("forked-child", [](void*) { return 7; }, nullptr, {-1, -1, -1, -1, -1});
  ASSERT_GT(pid, 0) << std::strerror(-pid);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 7);
}

// Linux queues a fork's child on its parent's core; the early guard is kept off it while the
// launch is prepared, and gets every core back before it runs anything.
TEST(Spawn, AChildKeptOffThisCoreRunsElsewhereUntilItSharesTheCoresAgain) {
  cpu_set_t ours;
  ASSERT_EQ(::sched_getaffinity(0, sizeof ours, &ours), 0);
  if (CPU_COUNT(&ours) < 2) GTEST_SKIP() << "one core: there is no other one to run on";
  Pipe control;
  const pid_t pid =
      foxport::platform::fork_in_new_group("forked-child",
                                           [](void*) {
                                             char byte;
                                             return ::read(3, &byte, 1) == 0 ? 0 : 1;  // until the test closes control
                                           },
                                           nullptr, {-1, -1, -1, control.read, -1});
  ASSERT_GT(pid, 0) << std::strerror(-pid);
  EXPECT_TRUE(foxport::platform::keep_off_this_core(pid));
  cpu_set_t kept;
  ASSERT_EQ(::sched_getaffinity(pid, sizeof kept, &kept), 0);
  cpu_set_t common;
  CPU_AND(&common, &kept, &ours);
  EXPECT_EQ(CPU_COUNT(&kept), CPU_COUNT(&ours) - 1) << "one core fewer than ours";
  EXPECT_TRUE(CPU_EQUAL(&common, &kept)) << "and none that is not ours";
  foxport::platform::share_cores(pid);
  cpu_set_t shared;
  ASSERT_EQ(::sched_getaffinity(pid, sizeof shared, &shared), 0);
  EXPECT_TRUE(CPU_EQUAL(&shared, &ours));
  ::close(control.write);
  control.write = -1;
  int wait_status = 0;
  ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
}

// foxport's command starts its signal watcher queued on its own core (#19): the thread is
// held there, and the caller gets every core of its own back, also when the start throws.
TEST(Spawn, ThreadsStartedOnThisCoreStayThereAndTheCallerGetsItsCoresBack) {
  cpu_set_t ours;
  ASSERT_EQ(::sched_getaffinity(0, sizeof ours, &ours), 0);
  if (CPU_COUNT(&ours) < 2) GTEST_SKIP() << "one core: there is no other one to stay off";
  cpu_set_t seen;
  CPU_ZERO(&seen);
  std::thread thread;
  foxport::platform::start_threads_on_this_core(
      [&] { thread = std::thread([&] { ::sched_getaffinity(0, sizeof seen, &seen); }); });
  thread.join();
  EXPECT_EQ(CPU_COUNT(&seen), 1) << "the thread is held to one core";
  cpu_set_t common;
  CPU_AND(&common, &seen, &ours);
  EXPECT_EQ(CPU_COUNT(&common), 1) << "one of ours";
  cpu_set_t after;
  ASSERT_EQ(::sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &ours));
  EXPECT_THROW(foxport::platform::start_threads_on_this_core([] { throw std::runtime_error("no thread"); }),
               std::runtime_error);
  ASSERT_EQ(::sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &ours)) << "also after a start that threw";
}

// CPU time a process has used (user and system), in clock ticks.
long cpu_ticks(pid_t pid) {
  using foxport::testing::proc_stat_field;
  return std::stol(proc_stat_field(pid, 14)) + std::stol(proc_stat_field(pid, 15));
}

// A guard awaiting its program polls without sleeping for a while (#19), but only a bounded
// one: one whose launch sends nothing for long uses no core meanwhile.
TEST(Spawn, AGuardAwaitingItsProgramSleepsAfterABoundedWhile) {
  Pipe control, status;
  const char* argv[] = {FOXPORT_TEST_GUARD, "--await-run", nullptr};
  const pid_t pid = foxport::platform::spawn_in_new_group(FOXPORT_TEST_GUARD, argv, environ,
                                                          {-1, -1, -1, control.read, status.write});
  ASSERT_GT(pid, 0) << std::strerror(-pid);
  ::close(status.write);
  status.write = -1;
  // Half a second of silence: it says nothing until it has a program.
  pollfd pfd{status.read, POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 500), 0) << "the guard said something or ended: " << read_all(status.read);
  const long ticks = cpu_ticks(pid);
  EXPECT_LT(ticks * 1000 / ::sysconf(_SC_CLK_TCK), 100) << "ms of CPU in half a second of waiting";
  ::close(control.write);  // the launch is gone: the guard ends
  control.write = -1;
  int wait_status = 0;
  ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) << wait_status;
}

}  // namespace
