#pragma once
// Running a command from a test with its stdin, stdout and stderr on pipes.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace foxport::testing {

/// A child with piped stdio. The destructor kills and reaps it if the test did not.
class Subprocess {
 public:
  /// With `terminal` (a pty's path): the child leads a new session whose controlling terminal
  /// that is, as a shell's foreground job: its stdin is the terminal, its process group the
  /// terminal's foreground group; stdout and stderr stay pipes, apart from the terminal's echo.
  explicit Subprocess(const std::vector<std::string>& argv, const std::string& terminal = {}) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!terminal.empty()) {
        ::setsid();
        const int tty = ::open(terminal.c_str(), O_RDWR);  // a session leader's first terminal becomes its own
        if (tty < 0) ::_exit(126);
        in[0] = tty;
      }
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      std::vector<char*> args;
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
  }
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    for (int fd : {stdin_, stdout_, stderr_})
      if (fd >= 0) ::close(fd);
  }

  int pid() const { return pid_; }
  /// The read end of its stdout, for a test's own poll (read_line() buffers).
  int stdout_fd() const { return stdout_; }

  /// One line from stdout (without the newline); "" at end of file.
  std::string read_line() { return read_line_from(stdout_, out_buffer_); }
  /// One line from stderr.
  std::string read_error_line() { return read_line_from(stderr_, err_buffer_); }
  /// Reads stderr lines until one contains `text`; returns it ("" at end of file).
  std::string wait_for_error_line(const std::string& text) {
    for (std::string line; !(line = read_error_line()).empty() || !err_eof_;) {
      if (line.find(text) != std::string::npos) return line;
    }
    return {};
  }
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  /// Waits for exit; returns the exit status, or 128 + signal.
  int wait() {
    if (status_ >= 0) return status_;
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    return status_;
  }
  /// Everything left on stdout / stderr (after exit).
  std::string rest_of_stdout() { return drain(stdout_, out_buffer_); }
  std::string rest_of_stderr() { return drain(stderr_, err_buffer_); }

 private:
  std::string read_line_from(int fd, std::string& buffer) {
    for (;;) {
      const auto eol = buffer.find('\n');
      if (eol != std::string::npos) {
        auto line = buffer.substr(0, eol);
        buffer.erase(0, eol + 1);
        return line;
      }
      char chunk[4096];
      const auto n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) {
        if (fd == stderr_) err_eof_ = true;
        return std::exchange(buffer, {});
      }
      buffer.append(chunk, static_cast<size_t>(n));
    }
  }
  static std::string drain(int fd, std::string& buffer) {
    std::string text = std::exchange(buffer, {});
    char chunk[4096];
    for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) text.append(chunk, static_cast<size_t>(n));
    return text;
  }

  int pid_ = -1;
  int status_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  std::string out_buffer_, err_buffer_;
  bool err_eof_ = false;
};

/// Writes an executable script into TMPDIR (the test's private one); returns its path.
inline std::filesystem::path write_script(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

/// Waits (inotify, no polling) until `path` no longer exists; false on timeout.
inline bool wait_removed(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  const int fd = ::inotify_init1(IN_CLOEXEC);
  const int watch = ::inotify_add_watch(fd, path.c_str(), IN_DELETE_SELF | IN_MOVE_SELF);
  bool removed = watch < 0 && !std::filesystem::exists(path);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!removed && watch >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    char events[4096];
    [[maybe_unused]] const auto n = ::read(fd, events, sizeof events);
    removed = !std::filesystem::exists(path);
  }
  ::close(fd);
  return removed || !std::filesystem::exists(path);
}

}  // namespace foxport::testing
