#pragma once
// Pure parsing for the protocols, shared by the clients and the readiness probes: Marionette,
// WebDriver over HTTP, and the JSON messages of WebDriver BiDi and the DevTools protocol.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "foxport/export.hpp"
#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"

namespace foxport::detail {

/// The largest frame a reader accepts. A frame's length comes first, so a reader refuses an
/// oversized frame before reading (or allocating) any of it.
/// A handshake is about 50 bytes ({"applicationType":"gecko","marionetteProtocol":3}): 16 KiB
/// leaves room for fields a later Marionette may add.
constexpr std::size_t max_handshake_frame = 16 * 1024;
/// A command's answer can be big: a page source, or a screenshot as base64 PNG (a 4K window's
/// is up to ~45 MB). 64 MiB holds those; a peer announcing more is not a Firefox we drive.
constexpr std::size_t max_reply_frame = 64 * 1024 * 1024;

/// Takes one complete "<len>:<json>" frame off the front of `buffer`, if there is one.
/// Throws Error(protocol_error) when the length prefix is malformed or announces more than
/// `max_size` bytes (as soon as the prefix is complete, before the frame's bytes arrive).
std::optional<std::string> take_frame(std::string& buffer, std::size_t max_size);

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

/// {"id":<id>,"method":<method>,"params":<params>} (and "sessionId" when given: the DevTools
/// protocol's flat sessions): a WebDriver BiDi or DevTools command. Throws Error(protocol_error)
/// when `params_json` is not a JSON object.
std::string socket_command_json(std::int64_t id, std::string_view method, std::string_view params_json,
                                std::string_view session_id = {});

/// A WebDriver BiDi or DevTools message: a command's reply (an id) or an event (none).
struct SocketMessage {
  std::optional<std::int64_t> id;    ///< the command it answers; none for an event
  std::optional<std::string> error;  ///< "<error>: <message>" (BiDi) or "<message> (<code>)" (DevTools)
  std::string result_json;           ///< the reply's result as JSON text ("null" with an error or an event)
};

/// Parses a message; throws Error(protocol_error) when it is not a JSON object.
SocketMessage parse_socket_message(std::string_view text);

/// BiDi's session.status result ({"ready":..,"message":..}), if it is one.
FOXPORT_EXPORT std::optional<WebDriverStatus> parse_bidi_status(std::string_view result_json);

/// The browser's websocket URL in a DevTools `GET /json/version` body (webSocketDebuggerUrl),
/// if it has one.
FOXPORT_EXPORT std::optional<std::string> parse_devtools_version(std::string_view body);

}  // namespace foxport::detail
