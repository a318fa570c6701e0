#pragma once
// The one launch path every kind shares: lease a port if a number must be given, make the
// launch's private directory, let the kind fill in argv and files, spawn under the guard,
// wait until ready, and try again on another port when the child lost its port.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"
#include "foxport/port.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"
#include "launch/ready_wait.hpp"
#include "launch/xvfb.hpp"

namespace foxport::detail {

/// What a launch owns. Leases come first: they are released after the process is gone.
struct LaunchState {
  EndpointKind kind = EndpointKind::firefox;  ///< what it serves
  std::vector<PortLease> leases;              ///< the port's lease (if any) and any other ports the kind needed
  std::optional<XDisplay> display;            ///< the launch's Xvfb, stopped after the tree
  std::filesystem::path directory;            ///< the launch's private directory (profile, TMPDIR)
  std::string host = "127.0.0.1";             ///< where the endpoint listens
  ReadyReport report;                         ///< the evidence of readiness
  Process process;                            ///< the tree; owns `directory`
  /// The readiness waits, done: their spent HTTP connection and event loop are closed at
  /// stop, not on the way to the caller (#19). After `process`: they go before it.
  std::vector<ReadyWait> waits;
  /// The kind's graceful step, run once by stop() while the program still runs and before the
  /// stop policy (Firefox's Marionette:Quit, deleting a driver's sessions). What it throws is
  /// ignored: the stop policy takes over.
  std::function<void(LaunchState&)> before_stop;
  std::vector<std::string> sessions;  ///< WebDriver sessions opened through the handle (for before_stop)

  /// Runs before_stop, stops the tree (its stop policy; removes the directory), then releases
  /// the leases. Bounded, never throws.
  void stop() noexcept;
  /// Leaves the tree running (without before_stop) and releases the leases; the caller owns
  /// the tree now.
  DetachedProcess detach();
};

/// One kind of launch, as data.
struct LaunchPlan {
  EndpointKind kind = EndpointKind::firefox;  ///< what the launch serves
  std::string directory_purpose;              ///< "firefox-profile": the directory is $TMPDIR/foxport-PURPOSE-XXXXXX
  /// Set: the launch's directory is this one (made empty by the caller, owned by the launch)
  /// instead of a new temporary one; the Firefox template build makes its profile in the cache.
  std::filesystem::path directory;
  std::filesystem::path binary;          ///< resolved already
  std::uint16_t port = 0;                ///< a fixed port; 0: the child binds port 0 (or a lease)
  std::optional<PortRange> lease_range;  ///< lease the port from here (when port is 0)
  int attempts = 1;                      ///< launches tried when the child lost its port
  /// Set: the child's TMPDIR is this directory inside the launch's (empty: the launch's directory
  /// itself), made after configure, so that its temporary files go with the launch.
  std::optional<std::filesystem::path> tmpdir;
  ReadySpec ready;    ///< how readiness is seen (port_file relative to the directory)
  bool xvfb = false;  ///< run on a private Xvfb display (DISPLAY), started first
  /// Also WebDriver BiDi on a port of its own (Firefox's remote agent, bound to port 0), seen
  /// ready after `ready`: ReadyReport::bidi_port and bidi.
  std::optional<ReadySpec> bidi;
  /// Fills in argv, environment and files for this port and directory. May throw.
  std::function<void(ProcessOptions& process, std::uint16_t port, const std::filesystem::path& directory)> configure;
  ProcessOptions process;  ///< log file, callbacks, stop policy, extra environment
};

/// Runs the plan; throws Error with what was seen and the child's last lines.
std::unique_ptr<LaunchState> launch(LaunchPlan plan);

/// Whether a launch that exited early lost its port to someone else (geckodriver: status 69
/// and "Address in use"; chromedriver: "Address already in use" / "port not available").
bool lost_port_race(const Process& process);

/// The browser binary the caller named (`explicit_binary`), else the one `$env_var` names,
/// checked; empty when neither names one. The error says which of the two named it.
std::filesystem::path named_binary(const std::filesystem::path& explicit_binary, const char* env_var,
                                   const std::string& what);

/// For a process about to end at once (a signal during a launch): removes the directories of
/// the launches under way in it, each once its own writes are done (waited for up to 2 s) and
/// its child is killed, so that they are gone when the process is (their guards would remove
/// them only after). Blocks every launch of the process for good: call it right before exiting.
FOXPORT_EXPORT void remove_launch_directories_before_exit() noexcept;

}  // namespace foxport::detail
