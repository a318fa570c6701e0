#pragma once
// A launch's guard, started before its program is known (foxport-guard --await-run). The
// launch's directory is made once it runs, so it is owned by something that outlives the
// caller from the moment it exists: a caller SIGKILLed while it copies a profile or blocks
// opening a FIFO given as the log leaves nothing behind. The guard's own start overlaps that
// work, and the same guard then runs the program (run), so a launch starts one guard, not two.

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "foxport/process.hpp"

namespace foxport::detail {

/// A started foxport-guard: its pid and the caller's ends of its pipes (-1: none).
struct GuardEnds {
  pid_t pid = -1;
  int out = -1;      ///< the tree's stdout
  int err = -1;      ///< the tree's stderr
  int status = -1;   ///< the guard's status lines
  int control = -1;  ///< the guard's control lines; closing it makes the guard clean up
  /// Closes what is left and, with a pid, waits for the guard (which cleans up and exits
  /// once control is closed).
  void close_and_wait() noexcept;
};

/// Starts the guard `guard` with `arguments` and the environment `envp`, as the leader of a
/// new process group; a foreground guard gets the caller's stdin, stdout and stderr, any
/// other one pipes for the tree's output. Throws Error.
GuardEnds start_guard(const std::filesystem::path& guard, const std::vector<std::string>& arguments,
                      const char* const* envp, bool foreground);

/// The guard's program (guard/guard.hpp's foxport::guard::run), for a command that has it.
using GuardMain = int (*)(int argc, char** argv);

/// Starts the guard of this process's next launch now, as a fork of this process running
/// `guard_main` (no exec, no loading), so that it is ready before the caller has even parsed
/// its command line (#19: `foxport start` and `run` call it first thing in main). Only while
/// the process is single-threaded. Nothing with FOXPORT_GUARD set: the launch execs that
/// guard. The next PendingGuard takes it; one never taken exits with the process. A guard
/// that cannot be started is left to that PendingGuard, which starts its own.
void start_next_guard_early(GuardMain guard_main) noexcept;

class PendingGuard {
 public:
  /// Starts the guard, or takes the one start_next_guard_early() started. Throws Error when
  /// it cannot be found or started.
  PendingGuard();
  /// Not run: the guard removes the directory it owns and exits; returns once it has.
  ~PendingGuard();
  PendingGuard(const PendingGuard&) = delete;
  PendingGuard& operator=(const PendingGuard&) = delete;

  /// Makes make_temporary_directory(purpose, parent) and has the guard own it at once.
  const std::filesystem::path& make_directory(std::string_view purpose, const std::filesystem::path& parent);
  /// Has the guard own `directory` (made by the caller).
  void own_directory(const std::filesystem::path& directory);
  /// Opens the program's log now (open_log_file: a FIFO waits for its reader), before the
  /// launch makes its directory, so that nothing waits on that directory meanwhile (a signal
  /// to foxport's command ends it at once); run() writes the log there. Throws Error.
  void open_log(const std::filesystem::path& file);
  const std::filesystem::path& directory() const noexcept { return directory_; }

  /// Runs the program in `options` under this guard, like Process::spawn (always guarded,
  /// output captured, a process group of its own); the guard owns `options`' directories and
  /// URLs too. Once only. Throws Error naming what failed; the directories are gone then.
  /// `while_it_starts` is called with the options once the guard has the program and before
  /// its output is read: work that would otherwise delay the program's start (#19), such as
  /// chaining a wait into the output callbacks.
  Process run(ProcessOptions options, const std::function<void(ProcessOptions&)>& while_it_starts = {});

 private:
  friend class foxport::Process;
  /// For Process: sends the directories, URLs and the program, and hands over the guard.
  GuardEnds hand_over(const ProcessOptions& options, const std::filesystem::path& executable);
  /// The guard's program, for messages: this process's when the guard is its fork.
  std::filesystem::path guard_path() const;

  std::filesystem::path guard_path_;                      ///< empty: the guard is a fork of this process
  std::function<void(ProcessOptions&)> while_it_starts_;  ///< run()'s, for Process
  std::filesystem::path directory_;
  int log_ = -1;                ///< from open_log, until run() takes it
  bool off_this_core_ = false;  ///< the early guard, kept off the launching core until the run
  GuardEnds ends_;
};

}  // namespace foxport::detail
