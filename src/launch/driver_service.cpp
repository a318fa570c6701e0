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

namespace {

std::string url_of(const detail::LaunchState& state) {
  const bool ipv6 = state.host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + state.host + "]" : state.host) + ":" + std::to_string(state.report.port);
}

// Deletes the sessions opened through the handle before the stop policy (LaunchState::before_stop):
// a deleted session lets the driver quit its browser cleanly.
void delete_sessions(detail::LaunchState& state) {
  for (const auto& id : state.sessions) {
    try {
      WebDriverClient(url_of(state), std::chrono::seconds(5)).delete_session(id);
    } catch (...) {}
  }
}

}  // namespace

DriverService::DriverService() noexcept : LaunchHandle("DriverService") {}

DriverService::DriverService(std::unique_ptr<detail::LaunchState> state) noexcept
    : LaunchHandle("DriverService", std::move(state)) {
  if (auto* launch = this->state()) launch->before_stop = delete_sessions;
}

const fs::path& DriverService::directory() const noexcept { return launch_directory(); }

Endpoint DriverService::endpoint() const {
  if (!state()) return {EndpointKind::remote, 0, -1, {}, {}, {}, {}};
  return {state()->kind, port(), pid(), url(), {}, {}, display()};
}

std::string DriverService::url() const { return state() ? url_of(*state()) : std::string(); }

WebDriverClient DriverService::client(std::chrono::milliseconds timeout) const {
  if (!valid()) throw Error(errc::stopped, "this driver handle owns no running driver");
  return WebDriverClient(url(), timeout);
}

std::string DriverService::new_session(std::string_view capabilities_json) {
  auto id = client().new_session(capabilities_json);
  state()->sessions.push_back(id);
  return id;
}

void DriverService::delete_session(const std::string& session_id) {
  client().delete_session(session_id);
  std::erase(state()->sessions, session_id);
}

}  // namespace foxport
