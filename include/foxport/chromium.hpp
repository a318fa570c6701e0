#pragma once
/// Chromium with the Chrome DevTools Protocol on a port nobody else can have: a move-only
/// handle that is ready when `GET /json/version` answers from a listener of its own tree, and
/// that takes Chromium's whole process tree and its profile with it when it goes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"
#include "foxport/launch_handle.hpp"
#include "foxport/port.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"

namespace foxport {

/// The Chromium a user would get: `explicit_browser` if given, else $FOXPORT_CHROMIUM, else
/// the first of chromium, chromium-browser, google-chrome in PATH. Empty when none is found
/// (an explicit or $FOXPORT_CHROMIUM browser that is not executable throws foxport::Error).
FOXPORT_EXPORT std::filesystem::path find_chromium(const std::filesystem::path& explicit_browser = {});

/// How to launch Chromium.
struct ChromiumOptions {
  std::filesystem::path binary{};  ///< empty: find_chromium()
  /// --headless=new. Either way: no first-run or default-browser prompts, no GPU process,
  /// no /dev/shm, and --no-sandbox when running as root (Chromium refuses root otherwise).
  bool headless = true;
  std::vector<std::string> arguments{};              ///< extra command-line arguments
  std::map<std::string, std::string> environment{};  ///< extra environment variables
  /// 0 (the default): Chromium binds port 0 (--remote-debugging-port=0) and reports what it
  /// got. Otherwise this port.
  std::uint16_t port = 0;
  /// When set (and port is 0): lease a fixed port from this range.
  std::optional<PortRange> port_range{};
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(30);  ///< spawn to ready
  /// Run on a private X display: Xvfb under a guard of its own, on a display number it picks
  /// itself (-displayfd), gone with the launch. Set headless = false to use it.
  bool xvfb = false;
  StopPolicy stop_policy{
      {StopAction::request_exit, std::chrono::seconds(5)}, {StopAction::terminate, std::chrono::seconds(2)}, {}};
  std::filesystem::path log_file{};                         ///< Chromium's output, appended
  std::function<void(Stream, std::string_view)> on_line{};  ///< every output line (I/O thread)
};

/// A running Chromium with the DevTools protocol. Move-only; destroying it stops Chromium.
/// From LaunchHandle: port() is the DevTools port, pid() Chromium's browser process, stop()
/// removes its directory (the user-data-dir's) too.
class FOXPORT_EXPORT Chromium : public LaunchHandle {
 public:
  /// Launches and waits until ready (ReadyReport): the DevTools port was reported (the
  /// "DevTools listening on" line or DevToolsActivePort), its listener is Chromium's, and
  /// GET /json/version names the browser's websocket. Throws foxport::Error.
  static Chromium launch(ChromiumOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static Chromium launch(ChromiumOptions options, std::error_code& ec);

  Chromium() noexcept;

  /// The browser's DevTools websocket, ws://127.0.0.1:PORT/devtools/browser/ID (the
  /// webSocketDebuggerUrl of /json/version): what Puppeteer's connect() and Playwright's
  /// connectOverCDP() take, and foxport::WebSocketClient.
  const std::string& cdp_url() const noexcept;
  /// Chromium's --user-data-dir, inside the launch's private directory (removed at stop).
  std::filesystem::path user_data_dir() const;
  /// Where it is, as `foxport run` exports it.
  Endpoint endpoint() const;

 private:
  explicit Chromium(std::unique_ptr<detail::LaunchState> state) noexcept;
  std::string cdp_url_;
};

}  // namespace foxport
