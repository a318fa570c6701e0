// `foxport run`'s command is a process tree too (#15 items 8, 9): a signal to foxport reaches
// all of it, a command that ignores the signal is killed after a bounded grace, and when
// foxport itself is SIGKILLed the command, its children, the browser and the directories go.
// In a terminal, a Ctrl-C that already reached the command is not passed on again.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/foxport_cli.hpp"
#include "support/proc_stat.hpp"
#include "support/subprocess.hpp"
#include "support/terminal.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::testing::foxport_command;
using foxport::testing::gone;
using foxport::testing::Subprocess;
using foxport::testing::TerminalJob;
using foxport::testing::wait_exited;
using foxport::testing::wait_removed;
using namespace std::chrono_literals;

namespace {

// No browser needed to watch the command's tree: a remote endpoint launches nothing.
std::vector<std::string> run_remote(const std::string& script) {
  return foxport_command({"run", "-q", "--remote", "http://127.0.0.1:9", "--", "/bin/sh", "-c", script});
}

// The shell and its background child, as the script printed them: "pids SHELL CHILD".
struct Tree {
  int shell = -1;
  int child = -1;
};
Tree read_tree(Subprocess& foxport) {
  std::istringstream line(foxport.read_line());
  std::string word;
  Tree tree;
  line >> word >> tree.shell >> tree.child;
  return tree;
}

// The script's shell waits on a child that would live for ever, after printing both pids.
const std::string waits_on_a_child = "sleep 1000 >/dev/null 2>&1 & echo pids $$ $!; wait";
// The same shell and child ignore SIGTERM and SIGINT (the child inherits the ignored signals).
const std::string ignores_signals =
    "trap '' TERM INT; sleep 1000 >/dev/null 2>&1 & echo pids $$ $!; while :; do wait; done";

// foxport's bound after a signal: the grace for the command (5 s), then SIGKILL and cleanup.
constexpr auto grace_and_cleanup = 9s;

}  // namespace

TEST(CliLifecycle, SigtermToRunReachesTheCommandsChildrenToo) {
  Subprocess foxport(run_remote(waits_on_a_child));
  const auto tree = read_tree(foxport);
  ASSERT_GT(tree.child, 0);
  ::kill(foxport.pid(), SIGTERM);
  EXPECT_EQ(foxport.wait(), 143);
  EXPECT_TRUE(gone(tree.shell));
  EXPECT_TRUE(gone(tree.child)) << "the command's child survived foxport run";
}

TEST(CliLifecycle, SigintIsPassedOnAsSigintAndEndsRunWith130) {
  Subprocess foxport(run_remote("trap 'echo got INT; exit 3' INT; sleep 1000 >/dev/null 2>&1 & echo pids $$ $!; wait"));
  const auto tree = read_tree(foxport);
  ASSERT_GT(tree.child, 0);
  ::kill(foxport.pid(), SIGINT);
  EXPECT_EQ(foxport.read_line(), "got INT");
  EXPECT_EQ(foxport.wait(), 130);
  EXPECT_TRUE(gone(tree.child));
}

TEST(CliLifecycle, ACommandIgnoringSigtermIsKilledAfterTheGrace) {
  Subprocess foxport(run_remote(ignores_signals));
  const auto tree = read_tree(foxport);
  ASSERT_GT(tree.child, 0);
  ::kill(foxport.pid(), SIGTERM);
  ASSERT_TRUE(wait_exited(foxport.pid(), grace_and_cleanup)) << "foxport waited on a command that ignores SIGTERM";
  EXPECT_EQ(foxport.wait(), 143);
  EXPECT_NE(foxport.rest_of_stderr().find("is still running 5 s after SIGTERM: killing its tree"), std::string::npos);
  EXPECT_TRUE(gone(tree.shell));
  EXPECT_TRUE(gone(tree.child));
}

TEST(CliLifecycle, ASecondSignalEndsTheGraceAtOnce) {
  Subprocess foxport(run_remote(ignores_signals));
  const auto tree = read_tree(foxport);
  ASSERT_GT(tree.child, 0);
  ::kill(foxport.pid(), SIGTERM);
  ASSERT_NE(foxport.wait_for_error_line("SIGTERM passed on to /bin/sh; it has 5 s to exit"), "");
  ::kill(foxport.pid(), SIGINT);
  ASSERT_TRUE(wait_exited(foxport.pid(), 3s)) << "a second signal did not cut the 5 s grace short";
  EXPECT_EQ(foxport.wait(), 143);  // the first signal decides the status
  EXPECT_TRUE(gone(tree.shell));
  EXPECT_TRUE(gone(tree.child));
}

TEST(CliLifecycle, WhatTheCommandLeavesRunningGoesWhenItExits) {
  Subprocess foxport(run_remote("sleep 1000 >/dev/null 2>&1 & echo pids $$ $!; exit 4"));
  const auto tree = read_tree(foxport);
  ASSERT_GT(tree.child, 0);
  EXPECT_EQ(foxport.wait(), 4);
  EXPECT_TRUE(gone(tree.child)) << "a background child of the command outlived foxport run";
}

TEST(CliLifecycle, SigkillToRunTakesTheCommandItsChildFirefoxAndTheDirectoriesDown) {
  Subprocess foxport(foxport_command(
      {"run", "--firefox", "-q", "--", "/bin/sh", "-c",
       "sleep 1000 >/dev/null 2>&1 & echo pids $$ $!; echo $FOXPORT_PID; echo $FOXPORT_PROFILE; echo $FOXPORT_BROKER; "
       "wait"}));
  const auto tree = read_tree(foxport);
  const int firefox = std::stoi(foxport.read_line());
  const fs::path profile = foxport.read_line();
  const fs::path broker = fs::path(foxport.read_line()).parent_path();
  ASSERT_GT(tree.child, 0);
  ASSERT_TRUE(fs::exists(profile));
  ASSERT_TRUE(fs::exists(broker));
  ::kill(foxport.pid(), SIGKILL);
  foxport.wait();
  EXPECT_TRUE(wait_exited(tree.shell, 5s)) << "the command outlived a SIGKILLed foxport run";
  EXPECT_TRUE(wait_exited(tree.child, 5s)) << "the command's child outlived a SIGKILLed foxport run";
  EXPECT_TRUE(wait_exited(firefox, 5s));
  EXPECT_TRUE(wait_removed(profile, 5s));
  EXPECT_TRUE(wait_removed(broker, 5s));
}

namespace {

int parent_of(int pid) { return std::stoi(foxport::testing::proc_stat_field(pid, 4)); }

}  // namespace

// #15 item 1: the browser's guard killed while the command runs. The kernel kills Firefox with
// it (parent-death signal); foxport reports that as it reports a browser's death, and fails the
// run of a command that did not notice.
TEST(CliLifecycle, AKilledBrowserGuardIsReportedAndFailsTheRun) {
  Subprocess foxport(
      foxport_command({"run", "--firefox", "-q", "--", "/bin/sh", "-c",
                       "echo $FOXPORT_PID; echo $FOXPORT_PROFILE; tail --pid=$FOXPORT_PID -s 0.05 -f /dev/null"}));
  const int firefox = std::stoi(foxport.read_line());
  const fs::path profile = foxport.read_line();
  ASSERT_TRUE(fs::exists(profile));
  const int guard = parent_of(firefox);
  std::ifstream guard_name("/proc/" + std::to_string(guard) + "/comm");  // a fork of foxport (#19)
  ASSERT_EQ(std::string(std::istreambuf_iterator<char>(guard_name), {}), "foxport-guard\n");
  ::kill(guard, SIGKILL);
  EXPECT_EQ(foxport.wait(), 69);
  const auto err = foxport.rest_of_stderr();
  EXPECT_NE(err.find("foxport: firefox (pid " + std::to_string(firefox) +
                     ") ended while the command ran: its guard (foxport-guard, pid " + std::to_string(guard) +
                     ") was killed by signal 9 (Killed), and firefox and its whole tree were SIGKILLed with it"),
            std::string::npos)
      << err;
  EXPECT_TRUE(wait_exited(firefox, 5s));
  EXPECT_TRUE(gone(firefox));
  EXPECT_FALSE(fs::exists(profile));
}

// The command's own guard killed: the kernel kills the command, foxport the rest of its tree
// (its child is no child of the command's group leader: foxport's group is the terminal's).
TEST(CliLifecycle, AKilledCommandGuardTakesTheCommandsWholeTreeAndFailsTheRun) {
  Subprocess foxport(run_remote(waits_on_a_child));
  const auto tree = read_tree(foxport);
  ASSERT_GT(tree.child, 0);
  const int guard = parent_of(tree.shell);
  ::kill(guard, SIGKILL);
  EXPECT_EQ(foxport.wait(), 69);
  const auto err = foxport.rest_of_stderr();
  // The kill may land before the guard has reported the command's start (the command runs
  // first): the message then says so, and the tree goes all the same.
  EXPECT_NE(err.find("the guard of /bin/sh (foxport-guard, pid " + std::to_string(guard) +
                     ") was killed by signal 9 (Killed)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("and its whole tree went with it"), std::string::npos) << err;
  EXPECT_TRUE(wait_exited(tree.shell, 5s));
  EXPECT_TRUE(wait_exited(tree.child, 5s)) << "the command's child outlived its killed guard";
}

namespace {

// A command that writes a line to `record` for every SIGINT it gets, and never exits on its own:
// foxport's grace ends it, so a second SIGINT would have had all the time to arrive.
std::vector<std::string> run_counting_sigints(const fs::path& record) {
  return run_remote("trap 'echo INT >> \"" + record.string() +
                    "\"' INT; sleep 1000 >/dev/null 2>&1 & echo ready; while :; do wait; done");
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

// Ctrl-C in a terminal goes to the whole foreground group, the command's shell included: foxport
// must not pass a second SIGINT on (a trap ran twice), only end the run after the grace.
TEST(CliLifecycle, CtrlCInATerminalReachesTheCommandOnce) {
  const auto record = fs::temp_directory_path() / "sigints";
  TerminalJob terminal(run_counting_sigints(record));
  auto& foxport = terminal.job();
  ASSERT_EQ(foxport.read_line(), "ready");
  terminal.type("\x03");
  ASSERT_TRUE(wait_exited(foxport.pid(), grace_and_cleanup));
  EXPECT_EQ(foxport.wait(), 130);
  EXPECT_NE(foxport.rest_of_stderr().find("SIGINT from the terminal reached /bin/sh too"), std::string::npos);
  EXPECT_EQ(lines_of(record), std::vector<std::string>{"INT"}) << "the command did not see SIGINT exactly once";
  fs::remove(record);
}

// kill -INT to foxport alone, in the same terminal: the command did not get it, so foxport
// passes it on, once.
TEST(CliLifecycle, SigintSentToRunAloneInATerminalIsPassedOnOnce) {
  const auto record = fs::temp_directory_path() / "sigints";
  TerminalJob terminal(run_counting_sigints(record));
  auto& foxport = terminal.job();
  ASSERT_EQ(foxport.read_line(), "ready");
  ::kill(foxport.pid(), SIGINT);
  ASSERT_TRUE(wait_exited(foxport.pid(), grace_and_cleanup));
  EXPECT_EQ(foxport.wait(), 130);
  EXPECT_NE(foxport.rest_of_stderr().find("SIGINT passed on to /bin/sh"), std::string::npos);
  EXPECT_EQ(lines_of(record), std::vector<std::string>{"INT"}) << "the command did not see SIGINT exactly once";
  fs::remove(record);
}
