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
  std::string application_type;  ///< "gecko"
  int protocol = 0;              ///< 3
};

/// One Marionette connection. Move-only; every call is bounded by the timeout given at
/// connect. Firefox's errors throw foxport::Error(errc::remote_error) with Firefox's message.
class FOXPORT_EXPORT Marionette {
 public:
  /// Connects and reads the handshake. Throws foxport::Error naming host:port.
  static Marionette connect(const std::string& host, std::uint16_t port,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  Marionette() noexcept;
  Marionette(Marionette&&) noexcept;
  Marionette& operator=(Marionette&&) noexcept;
  ~Marionette();

  /// The handshake read at connect.
  const MarionetteHandshake& handshake() const;
  /// Sends `[0, id, name, params]`; returns the reply's result as JSON text.
  std::string command(std::string_view name, std::string_view params_json = "{}");
  /// WebDriver:NewSession; returns the session id.
  std::string new_session(std::string_view capabilities_json = "{}");
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
  /// Closes the connection (Marionette serves one client at a time).
  void close() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace foxport
