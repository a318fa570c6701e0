#pragma once
/// A small Marionette client: connect, read the handshake, send commands and await their
/// replies (`<len>:<json>` framing), with typed helpers for what tests need.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "foxport/export.hpp"

namespace foxport {

/// What Marionette says when a client connects.
struct MarionetteHandshake {
  std::string application_type{};  ///< "gecko"
  int protocol = 0;                ///< 3
};

/// One Marionette connection, and the session it opens. Move-only; every call is bounded by
/// the timeout (set at connect, changed with set_timeout). Firefox's errors throw
/// foxport::Error(errc::remote_error) with Firefox's message.
///
/// Marionette serves one client at a time and refuses the next one until the session ends, so
/// the connection is RAII: closing it (close(), the destructor, a move onto it) first ends the
/// session it opened and awaits Firefox's answer. A test that stops at an ASSERT leaves
/// Firefox ready for the next one.
class FOXPORT_EXPORT Marionette {
 public:
  /// Connects and reads the handshake. A connection that Marionette closes before its
  /// handshake (it is still ending the previous client's session) is retried until `timeout`.
  /// Throws foxport::Error naming host:port.
  static Marionette connect(const std::string& host, std::uint16_t port,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  Marionette() noexcept;
  Marionette(Marionette&&) noexcept;
  /// Closes this connection (ending its session) before taking the other one.
  Marionette& operator=(Marionette&&) noexcept;
  /// close().
  ~Marionette();

  /// The handshake read at connect.
  const MarionetteHandshake& handshake() const;
  /// Bounds every later call.
  void set_timeout(std::chrono::milliseconds timeout);
  /// Sends `[0, id, name, params]`; returns the reply's result as JSON text.
  std::string command(std::string_view name, std::string_view params_json = "{}");
  /// WebDriver:NewSession; returns the session id. The session belongs to this connection.
  std::string new_session(std::string_view capabilities_json = "{}");
  /// The session this connection opened and has not ended; empty if none.
  const std::string& session_id() const noexcept;
  /// WebDriver:Navigate.
  void navigate(std::string_view url);
  /// WebDriver:GetTitle.
  std::string title();
  /// WebDriver:ExecuteScript; returns the script's value as JSON text.
  std::string execute_script(std::string_view script, std::string_view args_json = "[]");
  /// WebDriver:DeleteSession.
  void delete_session();
  /// Marionette:Quit with eForceQuit (needs a session); the connection closing counts as done.
  void quit();
  /// Ends this connection's session if one is open (awaiting the answer, at most the timeout
  /// or 2 s), then closes the connection.
  void close() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace foxport
