#pragma once
// Running a command as the foreground job of a terminal of its own (a pseudo-terminal), as a
// shell would: what a user's Ctrl-C does to it can then be tested for real.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/subprocess.hpp"

namespace foxport::testing {

/// A fresh pty, and the child whose terminal it is (Subprocess with a terminal).
class TerminalJob {
 public:
  explicit TerminalJob(const std::vector<std::string>& argv)
      : master_(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)), job_(argv, terminal_of(master_)) {}
  TerminalJob(const TerminalJob&) = delete;
  TerminalJob& operator=(const TerminalJob&) = delete;
  ~TerminalJob() {
    if (master_ >= 0) ::close(master_);  // then the job, if the test left it running: killed, reaped
  }

  Subprocess& job() { return job_; }
  /// Types on the terminal: "\x03" is Ctrl-C.
  void type(const std::string& keys) const {
    [[maybe_unused]] const auto n = ::write(master_, keys.data(), keys.size());
  }

 private:
  static std::string terminal_of(int master) {
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return "/nonexistent-pty";
    return ::ptsname(master);
  }

  int master_ = -1;
  Subprocess job_;  // after master_: made from it
};

}  // namespace foxport::testing
