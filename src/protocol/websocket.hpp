#pragma once
// The websocket exchange the readiness probe makes (asynchronous, on the wait's loop): the
// same handshake and messages as foxport::WebSocketClient, which makes them blocking.

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

namespace foxport::detail {

/// On a connected socket: the websocket handshake (Host `host`, path `target`), one text
/// message sent, the first message received; then `done(error, message)`. The caller keeps
/// the socket open until `done` runs; closing it cancels the exchange.
void async_websocket_exchange(boost::asio::ip::tcp::socket& socket, std::string host, std::string target,
                              std::string message, std::function<void(boost::system::error_code, std::string)> done);

}  // namespace foxport::detail
