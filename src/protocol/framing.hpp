#pragma once
// Pure parsing for the two protocols, shared by the clients and the readiness probes.

#include <cstdint>
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

/// "[0,<id>,<name>,<params>]": a command frame's JSON. Throws Error(protocol_error) when
/// `params_json` is not JSON.
std::string command_json(std::int64_t id, std::string_view name, std::string_view params_json);

/// A reply, "[1,<id>,<error>,<result>]".
struct MarionetteReply {
  std::int64_t id = 0;
  std::optional<std::string> error;  ///< "<error>: <message>" when Firefox answered an error
  std::string result_json;           ///< the result, as JSON text ("null" with an error)
};

/// Parses a reply frame; throws Error(protocol_error) when it is not one.
MarionetteReply parse_reply(std::string_view json);

/// A WebDriver /status body ({"value":{"ready":..,"message":..}}), if it is one.
std::optional<WebDriverStatus> parse_status(std::string_view body);

}  // namespace foxport::detail
