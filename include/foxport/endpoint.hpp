#pragma once
/// The endpoint contract: what a launch offers a test, and how `foxport run` hands it to
/// the command it runs (environment variables) and the GoogleTest integration reads it back.
///
///   FOXPORT_KIND     firefox | geckodriver | chromedriver | grid | remote | chromium
///   FOXPORT_PORT     the Marionette, WebDriver or DevTools port (not for remote)
///   FOXPORT_PID      the browser's or driver's pid (not for remote; optional when reading)
///   MARIONETTE_PORT, FOXPORT_PROFILE   (firefox)
///   WEBDRIVER_BIDI_URL                 (firefox launched with WebDriver BiDi: ws://127.0.0.1:PORT;
///                                       a BiDi client opens its session on it + "/session")
///   CDP_URL, FOXPORT_PROFILE           (chromium: the browser's DevTools websocket,
///                                       ws://127.0.0.1:PORT/devtools/browser/ID; its user data dir)
///   WEBDRIVER_URL                      (every other kind)

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "foxport/export.hpp"

namespace foxport {

/// What serves the endpoint.
enum class EndpointKind {
  firefox,       ///< Firefox itself: Marionette
  geckodriver,   ///< WebDriver for Firefox
  chromedriver,  ///< WebDriver for Chromium
  grid,          ///< a local Selenium Grid: WebDriver for any browser it has
  remote,        ///< a WebDriver URL foxport did not launch
  chromium,      ///< Chromium itself: the Chrome DevTools Protocol
};

/// "firefox", "geckodriver", "chromedriver", "grid", "remote", "chromium".
FOXPORT_EXPORT const char* to_string(EndpointKind kind) noexcept;
/// The kind a name stands for.
FOXPORT_EXPORT std::optional<EndpointKind> endpoint_kind_from_string(std::string_view name) noexcept;

/// Where a browser endpoint is.
struct FOXPORT_EXPORT Endpoint {
  EndpointKind kind = EndpointKind::firefox;  ///< what serves it
  std::uint16_t port = 0;  ///< Marionette (firefox), DevTools (chromium) or WebDriver port; 0 for remote
  int pid = -1;            ///< the browser's or driver's pid; -1 for remote
  /// The WebDriver URL (drivers, grid, remote) or the browser's DevTools websocket (chromium).
  std::string url{};
  std::filesystem::path profile{};  ///< the profile: Firefox's, Chromium's user data dir
  std::string bidi_url{};           ///< WebDriver BiDi, ws://127.0.0.1:PORT (firefox with bidi; else "")
  /// The X display it draws on when foxport started one for it (":N", --xvfb), exported as
  /// DISPLAY; else "" (it inherited the caller's DISPLAY, if any).
  std::string display{};

  /// Whether it speaks WebDriver over HTTP (every kind but firefox, which speaks Marionette,
  /// and chromium, which speaks the DevTools protocol).
  bool speaks_webdriver() const noexcept { return kind != EndpointKind::firefox && kind != EndpointKind::chromium; }
  /// The variables that describe it, as `foxport run` exports them.
  std::vector<std::pair<std::string, std::string>> to_environment() const;
  /// The endpoint this process's environment describes, if FOXPORT_KIND is set. Throws
  /// foxport::Error(protocol_error) naming the variable when the variables are unusable.
  static std::optional<Endpoint> from_environment();
  /// The same from a set of variables (e.g. a broker's reply).
  static std::optional<Endpoint> from_variables(const std::map<std::string, std::string>& variables);

 private:
  static std::optional<Endpoint> from_lookup(const std::function<std::string(const char*)>& variable);
};

}  // namespace foxport
