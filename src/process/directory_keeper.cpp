#include "process/directory_keeper.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "foxport/error.hpp"
#include "foxport/process.hpp"
#include "guard/protocol.hpp"
#include "platform/pipe_write.hpp"
#include "platform/spawn.hpp"
#include "process/locate.hpp"

extern char** environ;

namespace foxport::detail {

namespace {

// foxport-guard --dir DIRECTORY, with `control` as its fd 3 and nothing to say (/dev/null) on
// its output and fd 4: it runs nothing and watches this process, like RemoteSession's guard. Its
// own process group, as every guard's: a terminal's Ctrl-C is for us, not it. -errno on failure.
pid_t start_keeper(const std::filesystem::path& guard, const std::filesystem::path& directory, int control) {
  const int quiet = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (quiet < 0) return -errno;
  const std::string guard_path = guard.string();
  const std::string dir = directory.string();
  const char* argv[] = {guard_path.c_str(), "--dir", dir.c_str(), nullptr};
  const pid_t pid = platform::spawn_in_new_group(guard_path.c_str(), argv, environ, {-1, quiet, quiet, control, quiet});
  ::close(quiet);
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
  ::close(control[0]);
  if (guard_ < 0) {
    const int error = -guard_;
    end(true);
    throw Error(std::error_code(error, std::system_category()), "cannot start the guard " + guard.string());
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
