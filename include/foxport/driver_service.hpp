#pragma once
/// What every WebDriver service launch shares: options, and the handle that owns a running
/// driver, its sessions and every browser it started.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"
#include "foxport/launch_handle.hpp"
#include "foxport/port.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"
#include "foxport/webdriver.hpp"

namespace foxport {

/// What every driver launch takes.
struct DriverOptions {
  /// Empty: the driver's environment variable (FOXPORT_GECKODRIVER / FOXPORT_CHROMEDRIVER),
  /// then the driver's name in PATH.
  std::filesystem::path driver{};
  std::string host = "127.0.0.1";  ///< loopback unless asked otherwise
  /// 0 (the default): the driver binds port 0 and reports what it got. Otherwise this port.
  std::uint16_t port = 0;
  /// When set (and port is 0): lease a fixed port from this range, re-leasing another one
  /// (up to bind_attempts times) if the driver still finds it taken.
  std::optional<PortRange> port_range{};
  /// Launches tried when the driver exits because its port was taken (leased or port 0;
  /// an explicit port is tried once).
  int bind_attempts = 3;
  std::vector<std::string> arguments{};              ///< extra driver arguments
  std::map<std::string, std::string> environment{};  ///< extra environment variables
  /// The browsers the driver starts are headless unless a session asks otherwise, so a
  /// client with default options works on a machine without a display, as root or not.
  /// geckodriver: MOZ_HEADLESS=1 in its environment (false: MOZ_HEADLESS removed from it).
  /// chromedriver: finds, beside itself, a `chromium` wrapper that adds --headless=new,
  /// --disable-gpu, --disable-dev-shm-usage, --no-first-run and (as root) --no-sandbox
  /// (false: chromedriver runs as installed). Sessions that name a browser binary of
  /// their own bypass it. Grid: not used.
  bool headless = true;
  /// Run on a private X display: Xvfb under a guard of its own, on a free display number it
  /// picks itself, exported as DISPLAY to the driver and the browsers it starts; stopped with
  /// the launch, and gone when the caller dies. Set headless = false too for headful browsers.
  bool xvfb = false;
  /// The driver's log level; its log goes to the output (log_file, on_line). Empty: the
  /// driver's default. One of trace, debug, config, info, warn, error, fatal: geckodriver
  /// gets `--log LEVEL`; chromedriver `--verbose` (trace), else `--log-level=` DEBUG,
  /// INFO (config, info), WARNING, SEVERE (error, fatal). Others throw
  /// std::errc::invalid_argument. Grid: not used.
  std::string log_level{};
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(30);
  StopPolicy stop_policy{
      {StopAction::request_exit, std::chrono::seconds(3)}, {StopAction::terminate, std::chrono::seconds(2)}, {}};
  std::filesystem::path log_file{};                         ///< the driver's output, appended
  std::function<void(Stream, std::string_view)> on_line{};  ///< every output line (I/O thread)
};

/// A running WebDriver service. Move-only; destroying it deletes the sessions opened through
/// it, stops the driver and kills every browser it started. From LaunchHandle: port() is the
/// port the driver listens on, pid() the driver's, process() its tree (browsers included), and
/// stop() deletes the sessions opened with new_session() before the stop policy.
class FOXPORT_EXPORT DriverService : public LaunchHandle {
 public:
  DriverService() noexcept;

  /// Where it is, as `foxport run` exports it.
  Endpoint endpoint() const;
  /// "http://127.0.0.1:PORT".
  std::string url() const;
  /// The launch's private directory: the driver's TMPDIR (removed at stop).
  const std::filesystem::path& directory() const noexcept;
  /// A client for this driver.
  WebDriverClient client(std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  /// Opens a session that stop() deletes if the caller has not; returns its id.
  std::string new_session(std::string_view capabilities_json = R"({"capabilities":{"alwaysMatch":{}}})");
  /// Deletes a session opened with new_session().
  void delete_session(const std::string& session_id);

 protected:
  /// Takes over a finished launch (the kinds' launch functions).
  explicit DriverService(std::unique_ptr<detail::LaunchState> state) noexcept;
};

}  // namespace foxport
