// The process layer with real processes: foxport-test-target's modes stand for the
// behaviours browsers and drivers show (ignore SIGTERM, double-fork, flood the pipe...).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "foxport/error.hpp"
#include "foxport/process.hpp"
#include "support/proc_stat.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::Process;
using foxport::ProcessOptions;
using foxport::testing::gone;
using foxport::testing::wait_exited;
using namespace std::chrono_literals;

namespace {

ProcessOptions target(std::vector<std::string> args) {
  ProcessOptions options;
  options.executable = FOXPORT_TEST_TARGET;
  options.arguments = std::move(args);
  return options;
}

int parent_of(int pid) { return std::stoi(foxport::testing::proc_stat_field(pid, 4)); }

// What Process::spawn threw: its code and message ("spawned" and no code when it did not throw).
struct SpawnFailure {
  std::error_code code;
  std::string what;
};
SpawnFailure spawn_failure(ProcessOptions options) {
  try {
    Process::spawn(std::move(options));
    return {{}, "spawned"};
  } catch (const foxport::Error& e) {
    return {e.code(), e.what()};
  }
}

// Resolves with the first output line that starts with `prefix`.
std::future<std::string> first_line(ProcessOptions& options, std::string prefix) {
  auto promise = std::make_shared<std::promise<std::string>>();
  auto done = std::make_shared<std::atomic<bool>>(false);
  options.on_line = [promise, done, prefix](foxport::Stream, std::string_view line) {
    if (line.substr(0, prefix.size()) == prefix && !done->exchange(true)) promise->set_value(std::string(line));
  };
  return promise->get_future();
}

// The target in its "grandchild" mode, which double-forks a grandchild out of its process group
// and names it; `grandchild` stays -1 (and the test has failed) when it was not named in time.
struct TargetWithGrandchild {
  Process process;
  int grandchild = -1;
};
TargetWithGrandchild spawn_with_grandchild() {
  const std::string named = "grandchild ";
  auto options = target({"grandchild", "600"});
  auto line = first_line(options, named);
  TargetWithGrandchild spawned{Process::spawn(std::move(options))};
  if (line.wait_for(10s) == std::future_status::ready) {
    spawned.grandchild = std::stoi(line.get().substr(named.size()));
  } else {
    ADD_FAILURE() << "the target named no grandchild within 10 s";
  }
  return spawned;
}

}  // namespace

TEST(Process, CapturesBothStreamsAndStopsTheChild) {
  auto options = target({"print", "hello", "err:oops"});
  auto oops = first_line(options, "oops");
  auto process = Process::spawn(std::move(options));
  ASSERT_EQ(oops.wait_for(10s), std::future_status::ready);
  const int pid = process.pid();
  EXPECT_TRUE(process.running());
  process.stop();
  EXPECT_TRUE(gone(pid));
  EXPECT_FALSE(process.valid());
  const auto lines = process.last_lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), "hello"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "oops"), lines.end());
  process.stop();  // idempotent
}

// What the child's `name` is, as the target's "env" mode prints it, started with `options`'
// environment and unset_environment.
std::string value_in_child(const std::string& name, const std::map<std::string, std::string>& environment,
                           const std::vector<std::string>& unset) {
  auto options = target({"env", name});
  options.environment = environment;
  options.unset_environment = unset;
  auto process = Process::spawn(std::move(options));
  EXPECT_TRUE(process.wait_for(10s).has_value());
  process.wait_output_closed(10s);
  const auto lines = process.last_lines();
  return lines.empty() ? "(no output)" : lines.back();
}

TEST(Process, TheChildsEnvironmentIsOursLessWhatIsUnsetPlusWhatIsSet) {
  ::setenv("FOXPORT_TEST_KEPT", "kept", 1);
  ::setenv("FOXPORT_TEST_KEPT_LONGER", "longer", 1);
  ::setenv("FOXPORT_TEST_UNSET", "inherited", 1);
  ::setenv("FOXPORT_TEST_REPLACED", "old", 1);
  const std::map<std::string, std::string> set = {
      {"FOXPORT_TEST_SET", "new"}, {"FOXPORT_TEST_REPLACED", "new"}, {"FOXPORT_TEST_BOTH", "set wins"}};
  const std::vector<std::string> unset = {"FOXPORT_TEST_UNSET", "FOXPORT_TEST_BOTH", "FOXPORT_TEST_KEPT_LONG"};
  EXPECT_EQ(value_in_child("FOXPORT_TEST_KEPT", set, unset), "kept");
  EXPECT_EQ(value_in_child("FOXPORT_TEST_KEPT_LONGER", set, unset), "longer") << "a name that only starts alike";
  EXPECT_EQ(value_in_child("FOXPORT_TEST_UNSET", set, unset), "");
  EXPECT_EQ(value_in_child("FOXPORT_TEST_SET", set, unset), "new");
  EXPECT_EQ(value_in_child("FOXPORT_TEST_REPLACED", set, unset), "new");
  EXPECT_EQ(value_in_child("FOXPORT_TEST_BOTH", set, unset), "set wins");
  for (const char* name :
       {"FOXPORT_TEST_KEPT", "FOXPORT_TEST_KEPT_LONGER", "FOXPORT_TEST_UNSET", "FOXPORT_TEST_REPLACED"})
    ::unsetenv(name);
}

// A field of /proc/PID/status ("SigIgn", "SigBlk"), as written there; empty if not found.
std::string status_field(int pid, const std::string& name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(name + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", name.size() + 1));
  }
  return {};
}

// The program starts with a clean signal state whatever its caller ignored or blocked (exec
// keeps both): the guard resets what was ignored when it started (#19: looked up ahead).
TEST(Process, TheProgramIgnoresAndBlocksNoSignalItsCallerDid) {
  const auto int_before = std::signal(SIGINT, SIG_IGN);
  const auto usr1_before = std::signal(SIGUSR1, SIG_IGN);
  sigset_t blocked, before;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR2);
  ::pthread_sigmask(SIG_BLOCK, &blocked, &before);
  auto process = Process::spawn(target({"sleep", "60"}));
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  std::signal(SIGINT, int_before);
  std::signal(SIGUSR1, usr1_before);
  // glibc's posix_spawn leaves its own two signals (32, 33) ignored, which its next program
  // takes back at start; the caller's are what matters.
  const auto ignored = std::stoull(status_field(process.pid(), "SigIgn"), nullptr, 16);
  for (const int sig : {SIGINT, SIGUSR1, SIGPIPE}) EXPECT_EQ(ignored & (1ull << (sig - 1)), 0u) << strsignal(sig);
  EXPECT_EQ(status_field(process.pid(), "SigBlk"), "0000000000000000");
  process.stop();
}

TEST(Process, ReportsTheExitStatus) {
  auto process = Process::spawn(target({"exit", "3"}));
  const auto status = process.wait_for(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->to_string(), "exit status 3");
  EXPECT_FALSE(process.running());
}

TEST(Process, KillsAChildThatIgnoresSigtermAfterTheGracePeriod) {
  auto options = target({"ignore-term", "600"});
  auto ready = first_line(options, "ready");
  options.stop_policy = {{foxport::StopAction::request_exit, 300ms}, {foxport::StopAction::terminate, 2s}, {}};
  auto process = Process::spawn(std::move(options));
  ASSERT_EQ(ready.wait_for(10s), std::future_status::ready);
  const int pid = process.pid();
  const auto start = std::chrono::steady_clock::now();
  process.stop();
  // Bounded: the grace period plus a generous margin, never the child's 600 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms + 5s);
  EXPECT_TRUE(gone(pid));
  const auto status = process.exit_status();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, SIGKILL);
}

TEST(Process, TakesDownAGrandchildThatLeftTheProcessGroup) {
  auto [process, grandchild] = spawn_with_grandchild();
  ASSERT_GT(grandchild, 0);
  ASSERT_FALSE(gone(grandchild));
  EXPECT_NE(::getpgid(grandchild), process.pid());  // it really escaped the group
  const auto tree = process.tree();
  EXPECT_NE(std::find(tree.begin(), tree.end(), grandchild), tree.end());
  const int pid = process.pid();
  process.stop();
  EXPECT_TRUE(gone(pid));
  EXPECT_TRUE(wait_exited(grandchild, 2s));
}

TEST(Process, AChildThatWritesALotNeverBlocks) {
  auto options = target({"spew", std::to_string(10 * 1024 * 1024)});
  options.log_lines = 5;
  auto process = Process::spawn(std::move(options));
  const auto status = process.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << "the child stalled on a full pipe";
  EXPECT_EQ(status->code, 0);
  process.stop();
  const auto lines = process.last_lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines.back(), "done");
}

TEST(Process, MissingBinaryIsAClearError) {
  auto options = target({});
  options.executable = "foxport-no-such-binary";
  const auto dir = foxport::make_temporary_directory("never-started");
  options.owned_directories = {dir};
  const auto failure = spawn_failure(std::move(options));
  EXPECT_EQ(failure.code, foxport::errc::binary_not_found);
  EXPECT_NE(failure.what.find("foxport-no-such-binary not found in PATH ("), std::string::npos) << failure.what;
  EXPECT_FALSE(fs::exists(dir));  // owned by the launch even when it never started
  std::error_code ec;
  auto process = Process::spawn(target({}), ec);
  EXPECT_FALSE(ec) << ec.message();
  options = target({});
  options.executable = "/nonexistent/dir/firefox";
  Process::spawn(std::move(options), ec);
  EXPECT_EQ(ec, foxport::errc::binary_not_found);
}

TEST(Process, NonExecutableFileIsAClearError) {
  const auto file = fs::temp_directory_path() / "not-executable";
  std::ofstream(file) << "#!/bin/sh\n";
  auto options = target({});
  options.executable = file;
  const auto failure = spawn_failure(std::move(options));
  EXPECT_EQ(failure.code, foxport::errc::binary_not_executable);
  EXPECT_NE(failure.what.find(file.string() + " is not executable"), std::string::npos) << failure.what;
  fs::remove(file);
}

TEST(Process, FailedExecIsAClearErrorAndLeavesNoZombie) {
  // Executable bit, but no valid format: execv fails with ENOEXEC inside the guard.
  const auto file = fs::temp_directory_path() / "garbage";
  std::ofstream(file) << "\x7f"
                         "ELF garbage";
  fs::permissions(file, fs::perms::owner_all);
  auto options = target({});
  options.executable = file;
  const auto failure = spawn_failure(std::move(options));
  EXPECT_EQ(failure.code, std::errc::executable_format_error);
  EXPECT_NE(failure.what.find("cannot execute " + file.string()), std::string::npos) << failure.what;
  fs::remove(file);
  // No zombie: checked by the leak listener after this test.
}

TEST(Process, MissingGuardIsAClearError) {
  ::setenv("FOXPORT_GUARD", "/nonexistent/foxport-guard", 1);
  const auto failure = spawn_failure(target({"sleep", "60"}));
  ::unsetenv("FOXPORT_GUARD");
  EXPECT_EQ(failure.code, foxport::errc::guard_missing);
  EXPECT_NE(failure.what.find("/nonexistent/foxport-guard"), std::string::npos) << failure.what;
}

// A guard killed after it started the program but before it said so (CI saw it: the program
// ran first and the guard was killed under it). The program is unknown to the launch then,
// yet it must go, and the error must say what happened, not that nothing started.
TEST(Process, AGuardKilledBeforeItReportsTheStartTakesTheProgramWithIt) {
  const auto dir = foxport::make_temporary_directory("test");
  const auto guard = dir / "killed-guard";
  const auto program_pid = dir / "program.pid";
  {
    std::ofstream script(guard);
    script << "#!/bin/sh\n"
              "while [ \"$1\" != -- ]; do shift; done; shift\n"
              "\"$@\" 3<&- 4<&- >/dev/null 2>&1 &\n"
              "echo $! > '"
           << program_pid.string()
           << "'\n"
              "kill -9 $$\n";
  }
  fs::permissions(guard, fs::perms::owner_all);
  ::setenv("FOXPORT_GUARD", guard.c_str(), 1);
  const auto failure = spawn_failure(target({"sleep", "60"}));
  ::unsetenv("FOXPORT_GUARD");
  EXPECT_EQ(failure.code, foxport::errc::guard_failed);
  EXPECT_NE(failure.what.find(") was killed by signal 9 (Killed) before it reported the start; "), std::string::npos)
      << failure.what;
  int program = 0;
  std::ifstream(program_pid) >> program;
  ASSERT_GT(program, 0);
  EXPECT_TRUE(wait_exited(program, 5s)) << "the program outlived its guard, killed before it reported the start";
  fs::remove_all(dir);
}

// A FIFO as the log: a reader sees the output as it comes, and may come after the launch
// began (Launch.TheGuardThatOwnsTheDirectoryEarlyRunsTheChild). Without one, opening it for
// writing waited for ever: the launch now waits 10 s, then says so.
TEST(Process, ALogFifoNobodyReadsIsAClearErrorAfterABoundedWait) {
  const auto dir = foxport::make_temporary_directory("test");
  const auto fifo = dir / "log";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto options = target({"print", "hello"});
  options.log_file = fifo;
  auto attempt = std::async(std::launch::async, [&options] { return spawn_failure(std::move(options)).what; });
  if (attempt.wait_for(20s) == std::future_status::timeout) {
    ADD_FAILURE() << "the launch waited for a reader of its log FIFO for ever";
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // lets it go on, so the test ends
    attempt.wait();
    ::close(reader);
  }
  const auto what = attempt.get();
  EXPECT_NE(
      what.find("cannot open the log file " + fifo.string() + ": no process opened that FIFO for reading within 10 s"),
      std::string::npos)
      << what;
  fs::remove_all(dir);
}

// The log FIFO's reader goes away mid-output: the log ends there, and neither the output nor
// the program hosting the library does (a write to it would raise SIGPIPE).
TEST(Process, ALogFifoWhoseReaderLeavesEndsTheLogNotTheProgram) {
  const auto dir = foxport::make_temporary_directory("test");
  const auto fifo = dir / "log";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto options = target({"spew", "1048576"});  // far more than the FIFO holds
  options.log_file = fifo;
  auto done = first_line(options, "done");
  auto process = Process::spawn(std::move(options));
  pollfd logged{reader, POLLIN, 0};
  ASSERT_EQ(::poll(&logged, 1, 5000), 1) << "nothing came through the log";
  char chunk[4096];
  EXPECT_GT(::read(reader, chunk, sizeof chunk), 0);
  const auto ignored = std::signal(SIGPIPE, SIG_DFL);  // as in a program that does not ignore it
  ::close(reader);  // the next write to the log has no reader: SIGPIPE would end this test binary
  EXPECT_EQ(done.wait_for(10s), std::future_status::ready) << "the output stopped with the log";
  EXPECT_TRUE(process.wait_for(10s).has_value());
  std::signal(SIGPIPE, ignored);
  fs::remove_all(dir);
}

TEST(Process, OwnedDirectoriesArePrivateAndRemoved) {
  const auto dir = foxport::make_temporary_directory("test");
  EXPECT_EQ(fs::status(dir).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_NE(dir.filename().string().find("foxport-test-"), std::string::npos);
  std::ofstream(dir / "file") << "data";
  auto options = target({"sleep", "600"});
  options.owned_directories = {dir};
  auto process = Process::spawn(std::move(options));
  process.stop();
  EXPECT_FALSE(fs::exists(dir));
}

// A guard killed under the caller: stopping must neither kill the caller with SIGPIPE (its
// control pipe has no reader any more) nor leave the directories behind.
TEST(Process, StopAfterTheGuardWasKilledReturnsAndRemovesTheDirectories) {
  const auto dir = foxport::make_temporary_directory("guard-killed");
  auto options = target({"sleep", "600"});
  options.owned_directories = {dir};
  auto process = Process::spawn(std::move(options));
  const int guard = parent_of(process.pid());
  ASSERT_NE(guard, ::getpid()) << "the program is not under a guard";
  ::kill(guard, SIGKILL);
  ASSERT_TRUE(wait_exited(guard, 5s));
  ASSERT_TRUE(wait_exited(process.pid(), 5s)) << "the program outlived its guard";  // then nobody reads the pipe
  const auto ignored = std::signal(SIGPIPE, SIG_DFL);  // as in a program that does not ignore it
  const auto start = std::chrono::steady_clock::now();
  process.stop();  // SIGPIPE would end this test binary here
  std::signal(SIGPIPE, ignored);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "stop waited for a guard that is gone";
  EXPECT_FALSE(fs::exists(dir));
}

// The guard killed, its program goes by the kernel's parent-death signal; the handle takes the
// rest of the tree down (a grandchild in a session of its own, re-parented to init) and says so.
TEST(Process, AKilledGuardsWholeTreeGoesAndTheHandleReportsIt) {
  auto [process, grandchild] = spawn_with_grandchild();
  ASSERT_GT(grandchild, 0);
  ::kill(process.guard_pid(), SIGKILL);
  EXPECT_FALSE(process.wait_for(10s).has_value()) << "nobody is left to report the program's status";
  const auto guard = process.guard_killed();
  ASSERT_TRUE(guard.has_value()) << "the guard's death went unnoticed";
  EXPECT_EQ(guard->signal, SIGKILL);
  EXPECT_TRUE(wait_exited(process.pid(), 5s));
  EXPECT_TRUE(wait_exited(grandchild, 5s)) << "a descendant that left the program's group outlived its killed guard";
  process.stop();
}

TEST(Process, DestructorStopsTheTree) {
  int pid = -1;
  {
    auto process = Process::spawn(target({"sleep", "600"}));
    pid = process.pid();
    ASSERT_FALSE(gone(pid));
  }
  EXPECT_TRUE(gone(pid));
}

TEST(Process, MovedHandlesOwnTheLaunch) {
  auto first = Process::spawn(target({"sleep", "600"}));
  const int pid = first.pid();
  Process second = std::move(first);
  EXPECT_FALSE(first.valid());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(second.pid(), pid);
  second = Process::spawn(target({"sleep", "600"}));  // the old launch is stopped
  EXPECT_TRUE(gone(pid));
}

TEST(Process, DetachLeavesTheTreeRunning) {
  auto process = Process::spawn(target({"sleep", "600"}));
  const auto record = process.detach();
  EXPECT_FALSE(process.valid());
  EXPECT_FALSE(gone(record.pid));
  ::kill(-record.pid, SIGKILL);  // the caller's job now
  EXPECT_TRUE(wait_exited(record.pid, 5s));
  EXPECT_TRUE(wait_exited(record.guard_pid, 5s));
}

TEST(Process, KillingTheCallerTakesTheTreeDown) {
  const auto dir = foxport::make_temporary_directory("caller");
  foxport::testing::Subprocess caller(
      {FOXPORT_TEST_LAUNCHER, "process", dir.string(), FOXPORT_TEST_TARGET, "grandchild", "600"});
  int pid = -1, guard = -1, grandchild = -1;
  for (std::string line; grandchild < 0 && !(line = caller.read_line()).empty();) {
    std::sscanf(line.c_str(), "pid %d", &pid);
    std::sscanf(line.c_str(), "guard %d", &guard);
    std::sscanf(line.c_str(), "line grandchild %d", &grandchild);
  }
  ASSERT_GT(grandchild, 0) << "the caller said: " << caller.rest_of_stderr();
  ::kill(caller.pid(), SIGKILL);
  caller.wait();
  EXPECT_TRUE(wait_exited(pid, 2s));
  EXPECT_TRUE(wait_exited(grandchild, 2s));
  EXPECT_TRUE(wait_exited(guard, 2s));  // the guard removes the directories before it exits
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Process, WithoutTheGuardStopStillTakesTheGroupDown) {
  auto options = target({"ignore-term", "600"});
  auto ready = first_line(options, "ready");
  options.use_guard = false;
  options.stop_policy = {{foxport::StopAction::request_exit, 200ms}, {foxport::StopAction::terminate, 2s}, {}};
  const auto dir = foxport::make_temporary_directory("unguarded");
  options.owned_directories = {dir};
  auto process = Process::spawn(std::move(options));
  ASSERT_EQ(ready.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(parent_of(process.pid()), ::getpid());  // no guard in between
  const int pid = process.pid();
  process.stop();
  EXPECT_TRUE(gone(pid));
  ASSERT_TRUE(process.exit_status().has_value());
  EXPECT_EQ(process.exit_status()->signal, SIGKILL);
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Process, WithoutTheGuardExitStatusAndOutputStillArrive) {
  auto options = target({"exit", "7"});
  options.use_guard = false;
  auto process = Process::spawn(std::move(options));
  const auto status = process.wait_for(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 7);
}

// The guard's first line and the next may arrive in one read: the exit of a program that ends
// at once is still reported.
TEST(Process, AProgramThatEndsAtOnceStillReportsItsExit) {
  for (int i = 0; i < 100; ++i) {
    auto process = Process::spawn(target({"exit", "7"}));
    const auto status = process.wait_for(10s);
    ASSERT_TRUE(status.has_value()) << "run " << i;
    EXPECT_EQ(status->code, 7);
  }
}
