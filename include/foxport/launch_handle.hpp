#pragma once
/// What every launch handle (Firefox, Chromium, DriverService and the drivers) shares: the
/// ownership of one running launch, what it is and where, and how it ends.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "foxport/export.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"

namespace foxport {
namespace detail {
struct LaunchState;
}

/// The part every launch handle shares. Move-only; destroying it, or moving another launch
/// into it, stops the launch it owns. Not used on its own: a kind's handle derives from it.
class FOXPORT_EXPORT LaunchHandle {
 public:
  LaunchHandle(const LaunchHandle&) = delete;
  LaunchHandle& operator=(const LaunchHandle&) = delete;

  /// True while this handle owns a running launch.
  bool valid() const noexcept;
  /// The port it serves on: Firefox's Marionette port, Chromium's DevTools port, the port
  /// the driver listens on. 0 without a launch.
  std::uint16_t port() const noexcept;
  /// The launched program: Firefox's main process, Chromium's browser process, the driver.
  /// -1 without a launch.
  int pid() const noexcept;
  /// The X display of its private Xvfb (":N", the options' xvfb), else "".
  std::string display() const;
  /// The evidence of readiness, with timings (Chromium's protocol_answer: the /json/version body).
  const ReadyReport& ready_report() const noexcept;
  /// The process tree (for last_lines(), tree(), signals); a driver's includes the browsers it started.
  const Process& process() const noexcept;

  /// Stops the launch, bounded, and never throws: first the kind's graceful step
  /// (FirefoxOptions::quit_via_marionette's Marionette:Quit; a driver's sessions opened through
  /// the handle are deleted), then the options' stop policy; kills the whole tree (a driver's
  /// browsers included), removes the launch's directory (Firefox's profile, Chromium's
  /// user-data-dir), then releases its ports. Idempotent.
  void stop() noexcept;
  /// Leaves the program running; the caller owns its process group and directory now.
  /// Throws foxport::Error (errc::stopped) without a launch.
  DetachedProcess detach();

 protected:
  /// An empty handle; `name` ("Firefox") names the kind in error messages.
  explicit LaunchHandle(const char* name) noexcept;
  /// Takes over a finished launch.
  LaunchHandle(const char* name, std::unique_ptr<detail::LaunchState> state) noexcept;
  LaunchHandle(LaunchHandle&&) noexcept;
  /// Stops the launch this handle owned first.
  LaunchHandle& operator=(LaunchHandle&&) noexcept;
  ~LaunchHandle();

  /// The launch, or nullptr.
  detail::LaunchState* state() const noexcept { return state_.get(); }
  /// The launch's private directory (removed at stop), "" without a launch.
  const std::filesystem::path& launch_directory() const noexcept;

 private:
  const char* name_;  ///< for error messages
  std::unique_ptr<detail::LaunchState> state_;
};

}  // namespace foxport
