#pragma once
/// A small websocket client for the JSON command protocols browsers speak on a websocket:
/// WebDriver BiDi (Firefox, `Firefox::bidi_url()` + "/session") and the Chrome DevTools
/// Protocol (Chromium, `Chromium::cdp_url()`). Both send {"id":N,"method":..,"params":..} and
/// answer with the same id; events in between are skipped.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "foxport/export.hpp"

namespace foxport {

/// One websocket connection. Move-only; every call is bounded by the timeout (set at connect,
/// changed with set_timeout). Errors throw foxport::Error: remote_error with the browser's
/// message when it answers a command with an error.
class FOXPORT_EXPORT WebSocketClient {
 public:
  /// Connects to `url` (ws://HOST:PORT/PATH) and completes the websocket handshake. Throws
  /// foxport::Error naming the URL.
  static WebSocketClient connect(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  WebSocketClient() noexcept;
  WebSocketClient(WebSocketClient&&) noexcept;
  /// Closes this connection before taking the other one.
  WebSocketClient& operator=(WebSocketClient&&) noexcept;
  /// close().
  ~WebSocketClient();

  /// Bounds every later call.
  void set_timeout(std::chrono::milliseconds timeout);
  /// Sends {"id":N,"method":method,"params":params} ("sessionId" too when given: a DevTools
  /// flat session) and returns the result of the reply with that id, as JSON text.
  std::string command(std::string_view method, std::string_view params_json = "{}", std::string_view session_id = {});
  /// Sends one text message.
  void send(std::string_view text);
  /// Receives one message.
  std::string receive();
  /// Sends a close frame and closes (bounded by the timeout, at most 2 s); never throws.
  void close() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace foxport
