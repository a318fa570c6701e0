#pragma once
// The state behind a Process handle, shared by the handle (process.cpp) and the two ways
// of starting it: under the guard (guard_launch.cpp) and directly (direct_launch.cpp).

#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2/process.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "foxport/process.hpp"
#include "guard/protocol.hpp"
#include "process/output.hpp"

namespace foxport {

struct Process::Impl {
  ProcessOptions options;
  std::filesystem::path executable;
  boost::asio::io_context io;
  // The guard, or the program itself when there is no guard.
  boost::process::v2::process child{io};
  boost::asio::readable_pipe out{io};
  boost::asio::readable_pipe err{io};
  boost::asio::readable_pipe status_pipe{io};  // the guard's status lines
  int control = -1;  // write end of the guard's control pipe; closing it (or our death) makes it clean up
  int pid = -1;      // the program (0: the guard runs nothing)
  bool guarded = true;
  bool stopped = false;
  std::thread thread;  // runs io: output, status lines, exit
  detail::OutputCapture output;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::optional<ExitStatus> exit;
  bool guard_done = false;                 // "done", or the status pipe ended
  std::optional<ExitStatus> guard_killed;  // how the guard ended, when a signal ended it before it cleaned up
  // This launch's token in FOXPORT_TREE, which every process of the tree inherits: how the
  // tree is found once a killed guard's orphans have re-parented to init.
  std::string tree_mark;

  explicit Impl(ProcessOptions opts);
  ~Impl();

  /// Tells the guard (or, without one, does it here).
  void control_tree(const guard::Control& command);
  /// A status from the guard (or the direct child's reaper).
  void on_status(const guard::Status& status);
  /// Starts reading output and status on the I/O thread.
  void start_io(std::string status_read = {});  // status_read: what the guard said beyond its first line
  /// The stop machine: the policy's steps, then cleanup, bounded.
  void stop(const StopPolicy& policy);

  template <typename Predicate>
  bool wait_until(std::chrono::steady_clock::time_point deadline, Predicate predicate) {
    std::unique_lock lock(mutex);
    return changed.wait_until(lock, deadline, predicate);
  }

  // Implemented beside the way of starting they belong to.
  void read_status(std::shared_ptr<std::string> pending);  // guard_launch.cpp
  void take_over_tree();                                   // guard_launch.cpp: SIGKILLs what a killed guard left
  void act_directly(const guard::Control& command);        // direct_launch.cpp
  void watch_direct_exit();                                // direct_launch.cpp
};

}  // namespace foxport
