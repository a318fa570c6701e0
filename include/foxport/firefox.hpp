#pragma once
/// Firefox with Marionette on a port nobody else can have: a move-only handle that is ready
/// when the Marionette handshake answers, and that takes Firefox's whole process tree and
/// its temporary profile with it when it goes.

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
#include <variant>
#include <vector>

#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"
#include "foxport/launch_handle.hpp"
#include "foxport/marionette.hpp"
#include "foxport/port.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"

namespace foxport {

/// A Firefox preference value, as written to user.js.
using PrefValue = std::variant<bool, int, std::string>;

/// How to launch Firefox.
struct FirefoxOptions {
  /// Empty: $FOXPORT_FIREFOX, then firefox and firefox-esr in PATH, then the usual install
  /// directories.
  std::filesystem::path binary{};
  bool headless = true;  ///< --headless
  /// Run on a private X display: Xvfb under a guard of its own, on a free display number it
  /// picks itself, exported as DISPLAY to Firefox; stopped with the launch, and gone when the
  /// caller dies. Set headless = false too, or Firefox draws nothing on it.
  bool xvfb = false;
  std::map<std::string, PrefValue> prefs{};          ///< on top of foxport's test prefs
  std::vector<std::string> arguments{};              ///< extra command-line arguments
  std::map<std::string, std::string> environment{};  ///< extra environment variables
  /// Copied into the temporary profile (never following symlinks, without the state of a
  /// Firefox that ran on it: lock, port files, session store). Turns warm_profile off.
  std::filesystem::path profile_template{};
  /// Warm start: copy a cached template profile made once per Firefox build and pref set (a
  /// Firefox started on an empty profile, one page, Marionette:Quit) into the launch's
  /// profile: Firefox finds its start-up caches and databases made and reaches its first page
  /// about twice as fast (docs/benchmarks.md). The first launch for a build and pref set makes
  /// the template (a Firefox start and quit more). The cache is $XDG_CACHE_HOME/foxport/profiles
  /// (default ~/.cache/foxport/profiles, 0700). Off with false, FOXPORT_NO_CACHE=1 or
  /// `foxport run --no-cache`; a cache that cannot be used means a fresh profile, never a failure.
  bool warm_profile = true;
  /// 0 (the default): Firefox binds port 0 and reports what it got. Otherwise this port.
  std::uint16_t marionette_port = 0;
  /// When set (and marionette_port is 0): lease a fixed port from this range.
  std::optional<PortRange> marionette_port_range{};
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(30);  ///< spawn to ready
  /// Ready only once a session can be created at once: foxport creates and ends one of its
  /// own. Firefox's first NewSession waits for its start-up to finish (~1-2 s after the
  /// Marionette handshake); this moves that wait into the launch, where the ready report shows
  /// it. false: ready at the handshake.
  bool ready_for_session = true;
  /// WebDriver BiDi too: Firefox's remote agent on a port of its own (--remote-debugging-port 0,
  /// beside Marionette), ready once its listener is in the tree and a BiDi session.status
  /// answers ready; bidi_url() and the endpoint's WEBDRIVER_BIDI_URL say where. Firefox serves
  /// one WebDriver session at a time, Marionette's and BiDi's together.
  bool bidi = false;
  /// Allow recycle() (starts Firefox with --remote-allow-system-access, which opens
  /// Marionette's chrome context to its clients: for test browsers only).
  bool recyclable = false;
  /// SIGTERM takes Firefox's tree down in ~40 ms (measured; docs/benchmarks.md), a
  /// Marionette:Quit needs a session and ~0.5 s; so the default is SIGTERM, then SIGKILL.
  StopPolicy stop_policy{
      {StopAction::request_exit, std::chrono::seconds(5)}, {StopAction::terminate, std::chrono::seconds(2)}, {}};
  /// Before the stop policy, ask Firefox to quit through a Marionette session of foxport's
  /// own (lets Firefox flush its profile; ~0.5 s). Skipped when Marionette is busy with the
  /// user's session: Marionette serves one client at a time.
  bool quit_via_marionette = false;
  /// Firefox's crash reporter on (MOZ_CRASHREPORTER=1, MOZ_CRASHREPORTER_NO_REPORT=1): a crash
  /// of any of its processes leaves a minidump (.dmp) and its notes (.extra) in
  /// profile_dir()/minidumps, sent nowhere; save them before stop() removes the profile
  /// (save_artifacts copies them). Off (the default), the crash reporter is disabled.
  bool crash_dumps = false;
  std::filesystem::path log_file{};                         ///< Firefox's output, appended
  std::function<void(Stream, std::string_view)> on_line{};  ///< every output line (I/O thread)
};

/// The preferences foxport writes into every profile (before FirefoxOptions::prefs).
FOXPORT_EXPORT const std::map<std::string, PrefValue>& default_firefox_prefs();

/// The Firefox binary that launch() would use; the error lists everything searched.
FOXPORT_EXPORT std::filesystem::path find_firefox(const std::filesystem::path& explicit_binary = {});

/// A running Firefox with Marionette. Move-only; destroying it stops Firefox. From
/// LaunchHandle: port() is the Marionette port, pid() Firefox's main process, stop() asks
/// Firefox to quit first with FirefoxOptions::quit_via_marionette and removes the profile.
class FOXPORT_EXPORT Firefox : public LaunchHandle {
 public:
  /// Launches and waits until ready (ReadyReport): the Marionette handshake answers and,
  /// with ready_for_session, a session can start at once. Throws foxport::Error.
  static Firefox launch(FirefoxOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static Firefox launch(FirefoxOptions options, std::error_code& ec);

  Firefox() noexcept;

  /// WebDriver BiDi's URL, "ws://127.0.0.1:PORT" as Firefox prints it ("" without
  /// FirefoxOptions::bidi). A BiDi client opens its session on URL + "/session".
  std::string bidi_url() const;
  /// The temporary profile directory (removed at stop).
  const std::filesystem::path& profile_dir() const noexcept;
  /// Where it is, as `foxport run` exports it.
  Endpoint endpoint() const;
  /// The Firefox binary that runs.
  const std::filesystem::path& binary() const noexcept;
  /// Firefox's version from application.ini beside the binary ("" if unknown).
  std::string version() const;
  /// A new Marionette connection. Marionette serves one client at a time: close it before
  /// another one connects.
  Marionette marionette(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  /// Makes a used Firefox fit for the next test without relaunching it (~0.2 s): closes every
  /// window and tab but one, loads about:blank, clears all site data (cookies, storage,
  /// caches, permissions, service workers) and checks that no cookie is left. Needs
  /// FirefoxOptions::recyclable and no other Marionette client. Throws foxport::Error; a
  /// Firefox that failed to recycle should be stopped, not reused.
  void recycle(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  explicit Firefox(std::unique_ptr<detail::LaunchState> state) noexcept;
};

}  // namespace foxport
