#pragma once
// The test every launch kind has: a caller of the library (foxport-test-launcher MODE, which
// prints "pid", "guard", "profile" and "port" once its launch is ready) is SIGKILLed, and the
// guard must take the launched tree and its directory down.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace foxport::testing {

struct AfterHolderKilled {
  bool launched = false;        ///< the holder reported a ready launch and its directory existed
  std::string said;             ///< the holder's stderr when it did not
  bool program_gone = false;    ///< the launched program exited
  bool guard_gone = false;      ///< its guard exited
  bool directory_gone = false;  ///< the launch's directory was removed
};

inline AfterHolderKilled kill_holder_of(const char* mode) {
  using namespace std::chrono_literals;
  Subprocess holder({FOXPORT_TEST_LAUNCHER, mode});
  int pid = -1, guard = -1, port = -1;
  char profile[4096] = "";
  for (std::string line; port < 0 && !(line = holder.read_line()).empty();) {
    std::sscanf(line.c_str(), "pid %d", &pid);
    std::sscanf(line.c_str(), "guard %d", &guard);
    std::sscanf(line.c_str(), "profile %4095s", profile);
    std::sscanf(line.c_str(), "port %d", &port);
  }
  AfterHolderKilled after;
  after.launched = port > 0 && std::filesystem::exists(profile);
  ::kill(holder.pid(), SIGKILL);
  if (!after.launched) after.said = holder.rest_of_stderr();
  holder.wait();
  if (!after.launched) return after;
  after.program_gone = wait_exited(pid, 2s);
  after.guard_gone = wait_exited(guard, 2s);
  after.directory_gone = !std::filesystem::exists(profile);
  return after;
}

}  // namespace foxport::testing
