#pragma once
// What the driver kinds share on top of the launcher: finding the binary and the plan that
// every WebDriver service starts from.

#include <filesystem>
#include <string>

#include "foxport/driver_service.hpp"
#include "launch/launcher.hpp"

namespace foxport::detail {

/// The driver binary: the explicit one, else $ENV, else `name` in PATH; the error says how
/// to point foxport at it.
std::filesystem::path find_driver(const char* name, const char* env, const std::filesystem::path& explicit_driver);

/// The log level if it is one of DriverOptions::log_level's (trace ... fatal, or empty);
/// throws std::errc::invalid_argument otherwise.
const std::string& checked_log_level(const std::string& level);

/// A plan for a WebDriver service: the binary, port strategy, /status readiness, its private
/// directory as TMPDIR, and the common options. The kind adds its argv in `configure`.
LaunchPlan driver_plan(EndpointKind kind, const char* name, std::filesystem::path binary, PortReport report,
                       const DriverOptions& options);

}  // namespace foxport::detail
