#include "foxport/driver_service.hpp"

#include <cstdlib>

#include "foxport/error.hpp"
#include "launch/driver_plan.hpp"

namespace foxport {
namespace fs = std::filesystem;

namespace detail {

fs::path find_driver(const char* name, const char* env, const fs::path& explicit_driver) {
  if (!explicit_driver.empty()) return find_executable(explicit_driver);
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return find_executable(value);
  std::error_code ec;
  std::string message;
  auto path = find_executable(name, ec, &message);
  if (ec) throw Error(ec, std::string(name) + " not found: " + message + "; set " + env + " or the driver option");
  return path;
}

const std::string& checked_log_level(const std::string& level) {
  for (const char* known : {"", "trace", "debug", "config", "info", "warn", "error", "fatal"})
    if (level == known) return level;
  throw Error(std::make_error_code(std::errc::invalid_argument),
              "driver log level " + level + ": expected trace, debug, config, info, warn, error or fatal");
}

LaunchPlan driver_plan(EndpointKind kind, const char* name, fs::path binary, PortReport report,
                       const DriverOptions& options) {
  LaunchPlan plan;
  plan.kind = kind;
  plan.directory_purpose = name;
  plan.binary = std::move(binary);
  plan.port = options.port;
  plan.lease_range = options.port_range;
  // Port 0 is retried too: chromedriver binds IPv6 and IPv4 one after the other on the
  // same number, and exits when the second family's port is taken (seen under load).
  plan.attempts = options.port == 0 ? options.bind_attempts : 1;
  plan.tmpdir = fs::path();  // the driver's and its browsers' temporary profiles go with the launch
  plan.ready = {name, report, {}, Probe::webdriver, options.ready_timeout, options.host};
  plan.xvfb = options.xvfb;
  plan.process.arguments = options.arguments;  // after the kind's own, see configure below
  plan.process.environment = options.environment;
  plan.process.log_file = options.log_file;
  plan.process.on_line = options.on_line;
  plan.process.stop_policy = options.stop_policy;
  return plan;
}

}  // namespace detail

DriverService::DriverService() noexcept = default;
DriverService::DriverService(DriverService&&) noexcept = default;
DriverService::DriverService(std::unique_ptr<detail::LaunchState> state) noexcept : state_(std::move(state)) {}

DriverService& DriverService::operator=(DriverService&& other) noexcept {
  if (this != &other) {
    stop();
    state_ = std::move(other.state_);
    sessions_ = std::move(other.sessions_);
  }
  return *this;
}

DriverService::~DriverService() { stop(); }

bool DriverService::valid() const noexcept { return state_ && state_->process.valid(); }
std::uint16_t DriverService::port() const noexcept { return state_ ? state_->report.port : 0; }
int DriverService::pid() const noexcept { return state_ ? state_->process.pid() : -1; }

const ReadyReport& DriverService::ready_report() const noexcept {
  static const ReadyReport none;
  return state_ ? state_->report : none;
}

const Process& DriverService::process() const noexcept {
  static const Process none;
  return state_ ? state_->process : none;
}

const fs::path& DriverService::directory() const noexcept {
  static const fs::path none;
  return state_ ? state_->directory : none;
}

Endpoint DriverService::endpoint() const {
  if (!state_) return {EndpointKind::remote, 0, -1, {}, {}, {}, {}};
  return {state_->kind, port(), pid(), url(), {}, {}, display()};
}

std::string DriverService::display() const {
  return state_ && state_->display ? state_->display->display : std::string();
}

std::string DriverService::url() const {
  if (!state_) return {};
  const bool ipv6 = state_->host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + state_->host + "]" : state_->host) + ":" + std::to_string(port());
}

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

void DriverService::stop() noexcept {
  if (!state_) return;
  if (valid() && state_->process.running()) {
    // Graceful first: a deleted session lets the driver quit its browser cleanly.
    for (const auto& id : sessions_) {
      try {
        WebDriverClient(url(), std::chrono::seconds(5)).delete_session(id);
      } catch (...) {}
    }
  }
  sessions_.clear();
  state_->stop();  // the browsers too: they are the driver's descendants
}

DetachedProcess DriverService::detach() {
  if (!state_) throw Error(errc::stopped, "detach: this driver handle owns no running driver");
  sessions_.clear();
  return state_->detach();
}

}  // namespace foxport
