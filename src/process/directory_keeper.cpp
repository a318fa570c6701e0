#include "process/directory_keeper.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "foxport/error.hpp"
#include "foxport/process.hpp"
#include "guard/protocol.hpp"
#include "platform/pipe_write.hpp"
#include "process/locate.hpp"

extern char** environ;

namespace foxport::detail {

namespace {

// A descriptor numbered above the guard's fds 3 and 4, so that dup2 onto them always
// copies (and clears close-on-exec).
int above_guard_fds(int fd) {
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, guard::status_fd + 1);
  ::close(fd);
  return moved;
}

// foxport-guard --dir DIRECTORY, with `control` as its fd 3 and nothing to say on fd 4:
// it runs nothing and watches this process, like RemoteSession's guard.
pid_t start_keeper(const std::filesystem::path& guard, const std::filesystem::path& directory, int control) {
  const int quiet = above_guard_fds(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (quiet < 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, control, guard::control_fd);
  posix_spawn_file_actions_adddup2(&actions, quiet, guard::status_fd);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setpgroup(&attributes, 0);  // its own group: a terminal's Ctrl-C is for us, not it
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  const std::string guard_path = guard.string();
  const std::string dir = directory.string();
  char* argv[] = {const_cast<char*>(guard_path.c_str()), const_cast<char*>("--dir"), const_cast<char*>(dir.c_str()),
                  nullptr};
  pid_t pid = -1;
  const int result = ::posix_spawn(&pid, guard_path.c_str(), &actions, &attributes, argv, environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  ::close(quiet);
  if (result != 0) {
    errno = result;
    return -1;
  }
  return pid;
}

}  // namespace

DirectoryKeeper::DirectoryKeeper(std::string_view purpose, const std::filesystem::path& parent) {
  std::string message;
  const auto guard = find_guard(message);
  if (guard.empty()) throw Error(errc::guard_missing, message);
  int control[2];
  if (::pipe2(control, O_CLOEXEC) != 0)
    throw Error(std::error_code(errno, std::system_category()), "cannot make a pipe for the directory's guard");
  control[0] = above_guard_fds(control[0]);
  try {
    directory_ = make_temporary_directory(purpose, parent);
  } catch (...) {
    ::close(control[0]);
    ::close(control[1]);
    throw;
  }
  control_ = control[1];
  // From here until the guard has forked, a SIGKILL would leave the directory: microseconds.
  guard_ = start_keeper(guard, directory_, control[0]);
  const int err = errno;
  ::close(control[0]);
  if (guard_ < 0) {
    end(true);
    throw Error(std::error_code(err, std::system_category()), "cannot start the guard " + guard.string());
  }
}

DirectoryKeeper::~DirectoryKeeper() { end(true); }

void DirectoryKeeper::release() noexcept { end(false); }

void DirectoryKeeper::end(bool remove) noexcept {
  if (control_ < 0) return;
  // "detach": stop watching us, and a guard that runs nothing exits without cleaning up.
  if (!remove) {
    const guard::Control detach{guard::Control::Kind::detach, 0, {}};
    platform::write_without_sigpipe(control_, guard::format(detach) + "\n");
  }
  ::close(std::exchange(control_, -1));  // without "detach": the guard removes the directory
  if (guard_ > 0) {
    while (::waitpid(guard_, nullptr, 0) < 0 && errno == EINTR) {}
  }
  if (remove) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);  // also when no guard could be started
  }
}

}  // namespace foxport::detail
