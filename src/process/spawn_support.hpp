#pragma once
// The pieces both ways of spawning share: pipes and the child's environment block; and the
// Boost.Process initialisers of the launch without a guard (the guard itself is started by
// platform::spawn_in_new_group).

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/filesystem/path.hpp>
// process.hpp first: the other Process v2 headers of 1.81 do not compile on their own.
#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
#include <boost/system/error_code.hpp>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "foxport/error.hpp"
#include "foxport/process.hpp"

extern char** environ;

namespace foxport::detail {

// Boost.Process initialisers are found by signature: they must take Boost's path and
// error_code types exactly, or they are silently ignored.

// Boost.Process initialiser: the guard leads a new process group, so a Ctrl-C meant for the
// caller's group cannot kill it before it has cleaned up.
struct NewProcessGroup {
  template <typename Launcher>
  boost::system::error_code on_exec_setup(Launcher&, const boost::filesystem::path&, const char* const*) {
    if (::setpgid(0, 0) != 0) return {errno, boost::system::system_category()};
    return {};
  }
};

// Boost.Process initialiser: reaps the child when its exec failed (Boost leaves it a zombie
// otherwise: boostorg/process#445).
struct ReapOnError {
  template <typename Launcher>
  void on_error(Launcher& launcher, const boost::filesystem::path&, const char* const*,
                const boost::system::error_code&) {
    if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);
  }
};

struct Pipe {
  /// A Unix socket pair used one way, as a pipe: written with platform::send_without_sigpipe.
  struct SocketPair {};

  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(std::error_code(errno, std::system_category()), "pipe2 failed");
    read = fds[0];
    write = fds[1];
  }
  explicit Pipe(SocketPair) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      throw Error(std::error_code(errno, std::system_category()), "socketpair failed");
    read = fds[0];
    write = fds[1];
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read >= 0) ::close(std::exchange(read, -1));
  }
  void close_write() {
    if (write >= 0) ::close(std::exchange(write, -1));
  }
};

// The child's environment: ours, minus unset_environment, plus environment; as execve wants it.
// Ours is pointed at, not copied, in its own order (#19: copying it through a map cost a
// chromedriver start 0.05 ms, paired).
class EnvironmentBlock {
 public:
  explicit EnvironmentBlock(const ProcessOptions& options) {
    const auto names = [](const char* entry, const std::string& name) {
      return std::strncmp(entry, name.c_str(), name.size()) == 0 && entry[name.size()] == '=';
    };
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      bool replaced = std::strchr(*entry, '=') == nullptr;
      for (const auto& name : options.unset_environment) replaced = replaced || names(*entry, name);
      for (const auto& [name, value] : options.environment) replaced = replaced || names(*entry, name);
      if (!replaced) pointers_.push_back(*entry);
    }
    for (const auto& [name, value] : options.environment) vars_.push_back(name + "=" + value);
    for (const auto& var : vars_) pointers_.push_back(var.c_str());
    pointers_.push_back(nullptr);
  }
  const char* const* data() const { return pointers_.data(); }

 private:
  std::vector<std::string> vars_;
  std::vector<const char*> pointers_;
};

}  // namespace foxport::detail
