// posix_spawn with file actions for the descriptors and a new process group. glibc (2.24+)
// runs it as clone(CLONE_VM | CLONE_VFORK): no copy of the caller, the caller's other threads
// untouched, exec errors reported and the failed child reaped by posix_spawn itself.

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "platform/spawn.hpp"

namespace foxport::platform {

namespace {

struct FileActions {
  posix_spawn_file_actions_t actions;
  int error;
  FileActions() : error(::posix_spawn_file_actions_init(&actions)) {}
  ~FileActions() {
    if (error == 0) ::posix_spawn_file_actions_destroy(&actions);
  }
  void add(int result) {
    if (error == 0) error = result;
  }
};

struct Attributes {
  posix_spawnattr_t attributes;
  int error;
  Attributes() : error(::posix_spawnattr_init(&attributes)) {}
  ~Attributes() {
    if (error == 0) ::posix_spawnattr_destroy(&attributes);
  }
};

}  // namespace

// Where spawn_in_new_group's file actions put descriptors: first every source out of the way
// (above all of them and of 0..4), so that placing one cannot overwrite the source of
// another; then into place.
int above_all(const SpawnDescriptors& fds) {
  return std::max(static_cast<int>(std::tuple_size_v<SpawnDescriptors>) - 1,
                  *std::max_element(fds.begin(), fds.end())) +
         1;
}

pid_t spawn_in_new_group(const char* path, const char* const* argv, const char* const* envp,
                         const SpawnDescriptors& fds) noexcept {
  constexpr int count = static_cast<int>(std::tuple_size_v<SpawnDescriptors>);
  FileActions files;
  // Out of the way, into place (above_all), then the rest closed. The temporary numbers are
  // only the child's, which closes them.
  const int above = above_all(fds);
  for (int i = 0; i < count; ++i) {
    if (fds[i] >= 0) files.add(::posix_spawn_file_actions_adddup2(&files.actions, fds[i], above + i));
  }
  for (int i = 0; i < count; ++i) {
    files.add(fds[i] >= 0 ? ::posix_spawn_file_actions_adddup2(&files.actions, above + i, i)
                          : ::posix_spawn_file_actions_addopen(&files.actions, i, "/dev/null", O_RDONLY, 0));
  }
  files.add(::posix_spawn_file_actions_addclosefrom_np(&files.actions, count));
  Attributes attributes;
  if (files.error != 0 || attributes.error != 0) return -(files.error != 0 ? files.error : attributes.error);
  int error = ::posix_spawnattr_setflags(&attributes.attributes, POSIX_SPAWN_SETPGROUP);
  if (error == 0) error = ::posix_spawnattr_setpgroup(&attributes.attributes, 0);
  pid_t pid = -1;
  if (error == 0) {
    error = ::posix_spawn(&pid, path, &files.actions, &attributes.attributes, const_cast<char* const*>(argv),
                          const_cast<char* const*>(envp));
  }
  return error == 0 ? pid : -error;
}

pid_t fork_in_new_group(const char* name, int (*child)(void*), void* argument, const SpawnDescriptors& fds) noexcept {
  const pid_t pid = ::fork();
  if (pid < 0) return -errno;
  if (pid > 0) {
    ::setpgid(pid, pid);  // also here: the group exists once this returns, as with posix_spawn
    return pid;
  }
  constexpr int count = static_cast<int>(std::tuple_size_v<SpawnDescriptors>);
  const int above = above_all(fds);
  for (int i = 0; i < count; ++i) {
    const int source = fds[i] >= 0 ? ::dup2(fds[i], above + i) : ::open("/dev/null", O_RDONLY);
    if (source < 0 || (fds[i] < 0 && ::dup2(source, above + i) < 0)) ::_exit(127);
  }
  for (int i = 0; i < count; ++i) {
    if (::dup2(above + i, i) < 0) ::_exit(127);
  }
  ::close_range(count, ~0U, 0);
  ::setpgid(0, 0);
  ::prctl(PR_SET_NAME, name);
  ::_exit(child(argument));
}

bool keep_off_this_core(pid_t pid) noexcept {
  cpu_set_t others;
  const int here = ::sched_getcpu();
  if (here < 0 || here >= CPU_SETSIZE || ::sched_getaffinity(0, sizeof others, &others) != 0) return false;
  CPU_CLR(here, &others);
  return CPU_COUNT(&others) > 0 && ::sched_setaffinity(pid, sizeof others, &others) == 0;
}

void share_cores(pid_t pid) noexcept {
  cpu_set_t ours;
  if (::sched_getaffinity(0, sizeof ours, &ours) == 0) ::sched_setaffinity(pid, sizeof ours, &ours);
}

void start_threads_on_this_core(const std::function<void()>& start) {
  cpu_set_t cores, only_here;
  const int here = ::sched_getcpu();
  CPU_ZERO(&only_here);
  if (here >= 0 && here < CPU_SETSIZE) CPU_SET(here, &only_here);
  const bool held = here >= 0 && here < CPU_SETSIZE && ::sched_getaffinity(0, sizeof cores, &cores) == 0 &&
                    ::sched_setaffinity(0, sizeof only_here, &only_here) == 0;
  struct Release {
    bool held;
    const cpu_set_t& cores;
    ~Release() {
      if (held) ::sched_setaffinity(0, sizeof cores, &cores);
    }
  } release{held, cores};
  start();
}

pid_t run_until_exec(void (*child)(void*), void* argument) noexcept {
  // The child runs on this frame's stack below it and never returns from here, which vfork
  // allows; the parent resumes once it has exec'd or exited.
  const pid_t pid = ::vfork();
  if (pid == 0) {
    child(argument);
    ::_exit(127);
  }
  return pid < 0 ? -errno : pid;
}

}  // namespace foxport::platform
