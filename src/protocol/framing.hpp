#pragma once
// Pure parsing for the two protocols, shared by the clients and the readiness probes.

#include <optional>
#include <string>
#include <string_view>

#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"

namespace foxport::detail {

/// Takes one complete "<len>:<json>" frame off the front of `buffer`, if there is one.
/// Throws Error(protocol_error) when the length prefix is malformed.
std::optional<std::string> take_frame(std::string& buffer);

/// "<len>:<json>".
std::string frame(std::string_view json);

/// {"applicationType":..,"marionetteProtocol":..}; throws Error(protocol_error) otherwise.
MarionetteHandshake parse_handshake(std::string_view json);

/// A WebDriver /status body ({"value":{"ready":..,"message":..}}), if it is one.
std::optional<WebDriverStatus> parse_status(std::string_view body);

}  // namespace foxport::detail
