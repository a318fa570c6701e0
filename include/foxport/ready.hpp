#pragma once
/// What "ready" meant for a launch, as observed: the port, who reported it, who holds the
/// listener, what the protocol answered, and when each of these happened.

#include <chrono>
#include <cstdint>
#include <string>

#include "foxport/export.hpp"

namespace foxport {

/// The evidence behind a successful readiness wait.
struct FOXPORT_EXPORT ReadyReport {
  using time_point = std::chrono::steady_clock::time_point;

  std::uint16_t port = 0;         ///< the port that answers
  std::string port_source{};      ///< "log line" or "port file": how foxport learnt the port
  int listener_pid = -1;          ///< the process of the launched tree that holds the listener
  std::string protocol_answer{};  ///< the Marionette handshake or the WebDriver /status body
  time_point spawned{};           ///< just before the child was started
  time_point reported{};          ///< when the child reported its port
  time_point owned{};             ///< when the listener was found in the launched tree
  time_point answered{};          ///< when the protocol answered (handshake, /status)
  /// Firefox: when a session of foxport's own was created and ended, i.e. Firefox's start-up
  /// had finished (Marionette's NewSession waits for it). Otherwise equal to answered.
  time_point session{};
  /// Firefox with FirefoxOptions::bidi: WebDriver BiDi's port (0 otherwise), and when its
  /// listener was found in the tree and session.status answered ready, after Marionette.
  std::uint16_t bidi_port = 0;
  time_point bidi{};   ///< when BiDi's session.status answered
  time_point ready{};  ///< when every check had passed

  /// "port 312 ms, listener 313 ms, protocol 330 ms, session 1650 ms, bidi 1660 ms": each
  /// phase's time since spawn.
  std::string phases() const;

  /// Spawn to ready.
  std::chrono::microseconds startup() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(ready - spawned);
  }
};

}  // namespace foxport
