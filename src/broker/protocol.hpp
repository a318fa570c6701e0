#pragma once
// The broker's wire format, shared by the server (`foxport run`) and the client (the library).
// One request line, one reply line, then the connection stays open: it is the lease. When
// the taker closes it or dies, the broker stops that launch.
//
//   -> take firefox\n
//   <- {"FOXPORT_KIND":"firefox","FOXPORT_PORT":"40123",...}\n     (the endpoint's variables)
//   <- {"error":"..."}\n                                             (and the broker hangs up)

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "foxport/endpoint.hpp"

namespace foxport::detail {

/// Longer requests are refused: a request is one short line.
inline constexpr std::size_t max_broker_request = 256;

/// "take <kind>\n".
std::string take_request(EndpointKind kind);

/// The kind a request line (without its newline) asks for, or why it is not a request.
std::variant<EndpointKind, std::string> parse_take_request(std::string_view line);

/// The reply carrying `endpoint`, newline included.
std::string endpoint_reply(const Endpoint& endpoint);

/// The reply carrying an error, newline included.
std::string error_reply(std::string_view message);

/// The endpoint a reply line carries, or the broker's error text.
std::variant<Endpoint, std::string> parse_broker_reply(std::string_view line);

}  // namespace foxport::detail
