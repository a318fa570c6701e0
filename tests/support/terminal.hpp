#pragma once
// Running a command as the foreground job of a terminal of its own (a pseudo-terminal), as a
// shell would: what a user's Ctrl-C does to it can then be tested for real.

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace foxport::testing {

/// A child that leads a new session whose controlling terminal is a fresh pty: its stdin is the
/// terminal, its process group the terminal's foreground group. Its stdout and stderr are
/// pipes, so what it prints is not mixed with the terminal's echo. The destructor kills and
/// reaps it if the test did not.
class TerminalJob {
 public:
  explicit TerminalJob(const std::vector<std::string>& argv) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    const std::string terminal = ::ptsname(master_);
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setsid();
      const int slave = ::open(terminal.c_str(), O_RDWR);  // a session leader's first terminal becomes its own
      if (slave < 0) ::_exit(126);
      ::dup2(slave, STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    stdout_ = out[0];
    stderr_ = err[0];
  }
  TerminalJob(const TerminalJob&) = delete;
  TerminalJob& operator=(const TerminalJob&) = delete;
  ~TerminalJob() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    for (int fd : {master_, stdout_, stderr_})
      if (fd >= 0) ::close(fd);
  }

  int pid() const { return pid_; }
  /// Types on the terminal: "\x03" is Ctrl-C.
  void type(const std::string& keys) const {
    [[maybe_unused]] const auto n = ::write(master_, keys.data(), keys.size());
  }
  /// One line from stdout (without the newline); "" at end of file.
  std::string read_line() {
    for (;;) {
      if (const auto eol = out_buffer_.find('\n'); eol != std::string::npos) {
        auto line = out_buffer_.substr(0, eol);
        out_buffer_.erase(0, eol + 1);
        return line;
      }
      char chunk[4096];
      const auto n = ::read(stdout_, chunk, sizeof chunk);
      if (n <= 0) return std::exchange(out_buffer_, {});
      out_buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  /// Everything on stderr until it closes.
  std::string all_of_stderr() const {
    std::string text;
    char chunk[4096];
    for (ssize_t n; (n = ::read(stderr_, chunk, sizeof chunk)) > 0;) text.append(chunk, static_cast<size_t>(n));
    return text;
  }
  /// Waits for exit; returns the exit status, or 128 + signal.
  int wait() {
    if (status_ >= 0) return status_;
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    return status_;
  }

 private:
  int pid_ = -1;
  int status_ = -1;
  int master_ = -1, stdout_ = -1, stderr_ = -1;
  std::string out_buffer_;
};

}  // namespace foxport::testing
