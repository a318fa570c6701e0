#pragma once
/// A launched process tree: spawned in its own process group under a guard that takes the
/// whole tree down (even when the caller is SIGKILLed), its output captured line by line,
/// and stopped by a bounded, data-driven policy.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "foxport/export.hpp"

namespace foxport {

/// Which output stream a line came from.
enum class Stream { out, err };

/// One step of a stop policy, named after Boost.Process v2's verbs.
enum class StopAction {
  none,          ///< skip this step
  interrupt,     ///< SIGINT to the whole tree
  request_exit,  ///< SIGTERM to the whole tree
  terminate,     ///< SIGKILL to the whole tree
};

/// An action and how long to wait for the launched program to exit after it.
struct StopStep {
  StopAction action = StopAction::none;  ///< what to do
  std::chrono::milliseconds timeout{0};  ///< how long to wait for the exit afterwards
};

/// Teardown as data (reproc's stop actions). Whatever the steps, stop() ends with SIGKILL
/// to everything left in the tree and a reap, so it is bounded by the sum of the timeouts
/// plus a fixed cleanup bound.
struct StopPolicy {
  StopStep first{StopAction::request_exit, std::chrono::seconds(3)};  ///< graceful
  StopStep second{StopAction::terminate, std::chrono::seconds(2)};    ///< forced
  StopStep third{};                                                   ///< spare step

  /// SIGKILL at once: the fastest stop, for trees with nothing to save.
  static StopPolicy forced() { return {{StopAction::terminate, std::chrono::seconds(2)}, {}, {}}; }
};

/// How a process ended.
struct FOXPORT_EXPORT ExitStatus {
  int code = -1;   ///< exit status when it exited normally, else -1
  int signal = 0;  ///< the signal that killed it, else 0

  /// "exit status 69" or "killed by signal 9 (Killed)".
  std::string to_string() const;
};

/// Everything needed to start one program.
struct ProcessOptions {
  /// A path, or a name searched in PATH. Empty: nothing is run, the guard only watches the
  /// caller (to remove directories and delete remote sessions when the caller dies).
  std::filesystem::path executable{};
  std::vector<std::string> arguments{};                    ///< argv[1..]
  std::map<std::string, std::string> environment{};        ///< added to / overriding the inherited environment
  std::vector<std::string> unset_environment{};            ///< removed from the inherited environment
  std::filesystem::path working_directory{};               ///< empty: the caller's
  std::vector<std::filesystem::path> owned_directories{};  ///< removed at stop, by the guard, and if spawn fails
  std::vector<std::string> delete_urls{};                  ///< HTTP DELETEd at stop, and by the guard
  /// If set, every output line is appended here. A FIFO's reader may come up to 10 s after the
  /// spawn (then Error); the log ends, not the program, when its reader goes.
  std::filesystem::path log_file{};
  std::size_t log_lines = 50;  ///< lines kept for error messages
  /// Called for every output line, on foxport's I/O thread; must not block.
  std::function<void(Stream, std::string_view)> on_line{};
  /// Called once when the launched program exits, on foxport's I/O thread.
  std::function<void(const ExitStatus&)> on_exit{};
  StopPolicy stop_policy{};  ///< what stop() and the destructor do
  /// Run under foxport-guard (the default). Without it, stop() still signals the process
  /// group and the program's descendants, but nothing outlives the caller to clean up, and
  /// descendants that lost their parent before stop() are not found.
  bool use_guard = true;
  /// Run as the caller's foreground job (what `foxport run` does with its command): the
  /// caller's stdin, stdout and stderr (nothing is captured: on_line and log_file see nothing)
  /// and the caller's process group, so a terminal's Ctrl-C, Ctrl-Z and reads reach it as they
  /// reach the caller. The guard still owns the whole tree.
  bool foreground = false;
};

/// What detach() hands back: the tree keeps running and is the caller's to stop.
struct DetachedProcess {
  int pid = -1;                                      ///< the launched program (also its process group)
  int guard_pid = -1;                                ///< the guard, its parent, which exits with it
  std::vector<std::filesystem::path> directories{};  ///< directories nobody will remove now
  /// A launch on a private Xvfb: its DISPLAY (":N") and the Xvfb's pid (also its process
  /// group), left running for the program; "" and -1 otherwise.
  std::string display{};
  int display_pid = -1;
};

/// The resolved path of `name`: as given if it contains a '/', else the first executable
/// match in PATH. Errors (errc::binary_not_found / binary_not_executable) name every place searched.
FOXPORT_EXPORT std::filesystem::path find_executable(const std::filesystem::path& name, std::error_code& ec,
                                                     std::string* message = nullptr);
/// Throwing form of find_executable.
FOXPORT_EXPORT std::filesystem::path find_executable(const std::filesystem::path& name);

/// Creates a fresh directory `$TMPDIR/foxport-<purpose>-XXXXXX`, mode 0700, for a launch to own.
FOXPORT_EXPORT std::filesystem::path make_temporary_directory(std::string_view purpose);
/// The same under `parent` instead of the temporary directory.
FOXPORT_EXPORT std::filesystem::path make_temporary_directory(std::string_view purpose,
                                                              const std::filesystem::path& parent);

namespace detail {
class PendingGuard;
}

/// A move-only owner of one launched process tree. Destroying it runs stop().
class FOXPORT_EXPORT Process {
 public:
  /// Starts the program under a guard. Throws foxport::Error naming what failed.
  static Process spawn(ProcessOptions options);
  /// Non-throwing form; returns an empty Process on failure.
  static Process spawn(ProcessOptions options, std::error_code& ec);

  Process() noexcept;
  Process(Process&&) noexcept;
  Process& operator=(Process&&) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  /// Runs the stop policy; bounded, never throws.
  ~Process();

  /// True when this object owns a launch (not default-constructed, moved-from, stopped or detached).
  bool valid() const noexcept;
  /// Pid of the launched program; it leads its own process group (unless `foreground`). 0 when nothing runs.
  int pid() const noexcept;
  /// Pid of the guard watching the tree.
  int guard_pid() const noexcept;
  /// The program's path as it was executed.
  const std::filesystem::path& executable() const noexcept;
  /// Whether the launched program itself is still running.
  bool running() const;
  /// How the launched program ended, once it has.
  std::optional<ExitStatus> exit_status() const;
  /// Waits up to `timeout` for the launched program to exit (not longer once guard_killed()).
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout) const;
  /// How the guard ended, if something killed it before stop() (so it could not clean up): the
  /// program then got SIGKILL from the kernel, its parent-death signal, and the rest of its tree
  /// got SIGKILL from this handle (found by `FOXPORT_TREE`, a mark every process of the tree
  /// inherits); stop() still removes the directories. The program's status is unknown then.
  /// Empty while the guard runs, and after it ended as asked.
  std::optional<ExitStatus> guard_killed() const;
  /// Pids of every live process of the tree (the program and all its descendants).
  std::vector<int> tree() const;
  /// The last captured output lines, oldest first.
  std::vector<std::string> last_lines() const;
  /// The last `count` lines as an indented block for error messages.
  std::string last_lines_text(std::size_t count = 20) const;
  /// Waits up to `timeout` until the tree has closed its output, so that every line it wrote
  /// is in last_lines() (used before quoting them in an error).
  bool wait_output_closed(std::chrono::milliseconds timeout) const;
  /// Adds a directory that stop() and the guard remove.
  void own_directory(const std::filesystem::path& directory);
  /// Adds a URL (e.g. a remote WebDriver session) that the guard sends an HTTP DELETE to at
  /// stop, or when the caller dies.
  void delete_at_cleanup(const std::string& url);

  /// SIGINT to the whole tree.
  void interrupt();
  /// SIGTERM to the whole tree.
  void request_exit();
  /// SIGKILL to the whole tree (the reap happens in stop()).
  void terminate();

  /// Runs the options' stop policy, kills what is left, reaps, removes the directories.
  /// Idempotent.
  void stop();
  /// Same with another policy.
  void stop(const StopPolicy& policy);

  /// Gives up ownership: nothing is stopped or removed when this object goes.
  DetachedProcess detach();

 private:
  struct Impl;
  explicit Process(std::unique_ptr<Impl> impl) noexcept;
  friend class detail::PendingGuard;
  /// `pending`: the guard started already (a launch's), else one is started here.
  static Process spawn_owned(ProcessOptions options, detail::PendingGuard* pending);
  static Process spawn_without_guard(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace foxport
