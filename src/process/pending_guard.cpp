#include "process/pending_guard.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>

#include "foxport/error.hpp"
#include "guard/protocol.hpp"
#include "platform/pipe_write.hpp"
#include "platform/process_tree.hpp"
#include "platform/spawn.hpp"
#include "process/locate.hpp"
#include "process/output.hpp"
#include "process/spawn_support.hpp"

namespace foxport::detail {

void GuardEnds::close_and_wait() noexcept {
  for (int* fd : {&control, &out, &err, &status}) {
    if (*fd >= 0) ::close(std::exchange(*fd, -1));
  }
  if (pid > 0) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    pid = -1;
  }
}

namespace {

// A guard's three pipes and its control socket pair: the caller's ends and the guard's.
struct GuardPipes {
  Pipe out, err, status;
  Pipe control{Pipe::SocketPair{}};  // written without SIGPIPE in one call

  // The caller's ends, for a guard started as `pid`.
  GuardEnds caller_ends(pid_t pid) {
    return GuardEnds{pid, std::exchange(out.read, -1), std::exchange(err.read, -1), std::exchange(status.read, -1),
                     std::exchange(control.write, -1)};
  }
};

// Starts the guard on `pipes`' guard ends: its pid, or -errno.
pid_t spawn_guard(const std::filesystem::path& guard, const std::vector<std::string>& arguments,
                  const char* const* envp, bool foreground, const GuardPipes& pipes) {
  std::vector<const char*> argv{guard.c_str()};
  for (const auto& argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  // posix_spawn, not fork: no copy of the caller's memory and threads (#19). The guard leads
  // a new process group, so a Ctrl-C meant for the caller's group cannot kill it before it
  // has cleaned up; control is its fd 3 and status its fd 4.
  const platform::SpawnDescriptors fds =
      foreground
          ? platform::SpawnDescriptors{STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, pipes.control.read,
                                       pipes.status.write}
          : platform::SpawnDescriptors{-1, pipes.out.write, pipes.err.write, pipes.control.read, pipes.status.write};
  return platform::spawn_in_new_group(guard.c_str(), argv.data(), envp, fds);
}

Error cannot_start_guard(const std::filesystem::path& guard, pid_t failure) {
  return Error(std::error_code(-failure, std::system_category()),
               "cannot start the guard " + guard.string() + ": " + std::strerror(-failure));
}

}  // namespace

GuardEnds start_guard(const std::filesystem::path& guard, const std::vector<std::string>& arguments,
                      const char* const* envp, bool foreground) {
  GuardPipes pipes;
  const pid_t pid = spawn_guard(guard, arguments, envp, foreground, pipes);
  if (pid < 0) throw cannot_start_guard(guard, pid);
  return pipes.caller_ends(pid);
}

namespace {

// The guard start_next_guard_early() forked, until a PendingGuard takes it.
struct EarlyGuard {
  std::mutex mutex;
  GuardEnds ends;
  bool off_this_core = false;               // platform::keep_off_this_core: ready while this process works
  ~EarlyGuard() { ends.close_and_wait(); }  // never taken: it exits once control closes
};

EarlyGuard& early_guard() {
  static EarlyGuard early;
  return early;
}

}  // namespace

void start_next_guard_early(GuardMain guard_main) noexcept {
  // FOXPORT_GUARD names the guard to run: the launch execs it, as a library's launch would.
  const char* named = std::getenv("FOXPORT_GUARD");
  if (named != nullptr && *named != '\0') return;
  auto& early = early_guard();
  const std::lock_guard lock(early.mutex);
  if (early.ends.pid > 0) return;
  try {
    GuardPipes pipes;
    const pid_t pid = platform::fork_in_new_group(
        "foxport-guard",
        [](void* main) {
          char name[] = "foxport-guard", await_run[] = "--await-run";
          char* argv[] = {name, await_run, nullptr};
          return reinterpret_cast<GuardMain>(main)(2, argv);
        },
        reinterpret_cast<void*>(guard_main),
        platform::SpawnDescriptors{-1, pipes.out.write, pipes.err.write, pipes.control.read, pipes.status.write});
    if (pid < 0) return;  // PendingGuard starts one itself, and reports what fails
    early.ends = pipes.caller_ends(pid);
    early.off_this_core = platform::keep_off_this_core(pid);
  } catch (...) {
    // as above
  }
}

PendingGuard::PendingGuard() {
  {
    auto& early = early_guard();
    const std::lock_guard lock(early.mutex);
    if (early.ends.pid > 0) {
      ends_ = std::exchange(early.ends, GuardEnds{});
      off_this_core_ = std::exchange(early.off_this_core, false);
      return;
    }
  }
  std::string message;
  guard_path_ = find_guard(message);
  if (guard_path_.empty()) throw Error(errc::guard_missing, message);
  ends_ = start_guard(guard_path_, {"--await-run"}, environ, false);
}

std::filesystem::path PendingGuard::guard_path() const {
  return guard_path_.empty() ? platform::executable_of(::getpid()) : guard_path_;
}

PendingGuard::~PendingGuard() {
  if (log_ >= 0) ::close(log_);
  if (ends_.pid < 0) return;
  ends_.close_and_wait();  // control closed before "run": the guard removes the directory
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);  // also when the guard was gone already
  }
}

void PendingGuard::open_log(const std::filesystem::path& file) {
  const int fd = open_log_file(file);
  if (log_ >= 0) ::close(log_);
  log_ = fd;
}

const std::filesystem::path& PendingGuard::make_directory(std::string_view purpose,
                                                          const std::filesystem::path& parent) {
  own_directory(make_temporary_directory(purpose, parent));
  return directory_;
}

void PendingGuard::own_directory(const std::filesystem::path& directory) {
  directory_ = directory;
  // From mkdtemp until this line is written, a SIGKILL would leave the directory: microseconds.
  // A guard that is gone already is seen when the program is run.
  platform::send_without_sigpipe(
      ends_.control, guard::format(guard::Control{guard::Control::Kind::dir, 0, directory.string()}) + "\n");
}

GuardEnds PendingGuard::hand_over(const ProcessOptions& options, const std::filesystem::path& executable) {
  std::string message;
  for (const auto& dir : options.owned_directories)
    message += guard::format(guard::Control{guard::Control::Kind::dir, 0, dir.string()}) + "\n";
  for (const auto& url : options.delete_urls)
    message += guard::format(guard::Control{guard::Control::Kind::delete_url, 0, url}) + "\n";
  guard::Run run;
  run.cwd = options.working_directory.string();
  run.argv.push_back(executable.string());
  run.argv.insert(run.argv.end(), options.arguments.begin(), options.arguments.end());
  const EnvironmentBlock env(options);
  for (const char* const* var = env.data(); *var != nullptr; ++var) run.env.emplace_back(*var);
  message += guard::format(run);
  if (std::exchange(off_this_core_, false)) platform::share_cores(ends_.pid);  // before it runs the program
  // A guard that is gone cannot read it: its status pipe then ends, which the caller reports.
  platform::send_without_sigpipe(ends_.control, message);
  return std::exchange(ends_, GuardEnds{});
}

Process PendingGuard::run(ProcessOptions options, const std::function<void(ProcessOptions&)>& while_it_starts) {
  const auto directories = options.owned_directories;
  while_it_starts_ = while_it_starts;
  try {
    return Process::spawn_owned(std::move(options), this);
  } catch (...) {
    ends_.close_and_wait();
    std::error_code ignored;
    for (const auto& dir : directories) std::filesystem::remove_all(dir, ignored);
    if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
    throw;
  }
}

}  // namespace foxport::detail
