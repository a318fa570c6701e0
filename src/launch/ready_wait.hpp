#pragma once
// The readiness wait shared by every launch kind. Event-driven in one Asio loop run by the
// caller's thread: output lines and the child's exit arrive from the process's I/O thread,
// the port file through inotify, the protocol probe and the deadline on the loop itself.
//
// Ready means: a port was reported (log line or port file), a listener on it belongs to the
// launched tree, and the protocol answered (Marionette handshake, WebDriver /status, BiDi
// session.status over a websocket, DevTools GET /json/version), and, when asked, a Marionette
// session could be created.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "foxport/port.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"

namespace foxport::detail {

enum class Probe {
  marionette,      // the handshake (and session_probe)
  webdriver,       // GET /status answers value.ready == true
  webdriver_bidi,  // a websocket on /session: session.status answers ready == true
  devtools,        // GET /json/version names the browser's webSocketDebuggerUrl
};

struct ReadySpec {
  std::string what;                 // "Firefox", "geckodriver": for messages
  PortReport report;                // which log line reports the port
  std::filesystem::path port_file;  // also watched when set (MarionetteActivePort)
  Probe probe = Probe::marionette;
  std::chrono::milliseconds timeout{30000};
  std::string host = "127.0.0.1";
  // Marionette only: after the handshake, create a session and end it. NewSession waits until
  // Firefox's start-up has finished, so once this has passed the caller's NewSession answers
  // at once instead of after ~1-2 s.
  bool session_probe = false;
  PortFile port_file_format = PortFile::marionette;  // how port_file says the port
};

class ReadyWait {
 public:
  explicit ReadyWait(ReadySpec spec);
  /// Takes the wait down: its connections and event loop (a successful run() leaves them).
  ~ReadyWait();
  ReadyWait(ReadyWait&&) noexcept;
  ReadyWait(const ReadyWait&) = delete;
  ReadyWait& operator=(const ReadyWait&) = delete;

  /// Chains the wait into the options' line and exit callbacks (keeping the caller's), and
  /// notes the spawn time. Call before the output is read: right before Process::spawn, or in
  /// PendingGuard::run's while_it_starts.
  void attach(ProcessOptions& options);

  /// Waits until ready; throws Error (exited_early, ready_timeout, protocol_error) with what
  /// was seen so far and the child's last lines. Once ready, the wait takes nothing more in;
  /// what is left of it goes with this object, which the launch keeps until the caller has
  /// the endpoint (LaunchState::waits).
  ReadyReport run(const Process& process);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace foxport::detail
