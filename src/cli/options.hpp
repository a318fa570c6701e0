#pragma once
// What `run` and `start` share: the launch options, the launch they make, and the command's
// exit codes and usage errors.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "foxport/chromium.hpp"
#include "foxport/driver.hpp"
#include "foxport/endpoint.hpp"
#include "foxport/firefox.hpp"
#include "platform/signal_wait.hpp"

namespace foxport::cli {

inline constexpr int exit_usage = 64;
inline constexpr int exit_launch_failed = 69;  ///< also: the endpoint died while the command ran
inline constexpr int exit_not_found = 127;
inline constexpr int exit_cannot_execute = 126;  ///< the command was found but could not be executed
inline constexpr int exit_timeout = 124;

/// A usage error: one clear line, exit 64.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The child's last output lines as they come, for the bundle of a launch that failed (there is
/// no process left to ask then).
class OutputTail {
 public:
  void add(std::string_view line);
  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> lines_;
};

struct LaunchOptions {
  std::string kind = "firefox";
  bool kind_given = false;
  std::string remote_url;
  std::string binary;
  std::string driver;
  int port = 0;
  std::string port_range;
  bool headless = true;
  bool headless_given = false;  ///< --headless or --no-headless: --xvfb leaves it as given
  std::string driver_log_level;
  bool no_cache = false;
  std::vector<std::string> prefs;
  std::vector<std::string> arguments;
  double timeout = 30;
  std::string log;
  bool quiet = false;
  bool verbose = false;
  int pool = -1;         ///< run: launches the broker keeps warm; -1 one per core, 0 no broker
  bool recycle = false;  ///< run --firefox: the broker recycles given-back Firefoxes
  bool xvfb = false;     ///< a private Xvfb display for the launch (headful unless --headless)
  bool bidi = false;     ///< --firefox: WebDriver BiDi too (WEBDRIVER_BIDI_URL)
  /// run --artifacts (or $FOXPORT_ARTIFACTS): where a failed run's bundle goes; "" none. Firefox
  /// runs with its crash reporter on, writing minidumps for the bundle.
  std::string artifacts;
  std::shared_ptr<OutputTail> output;  ///< when set, gets every output line of the launch
};

struct Command;
/// Adds the launch options to `command` (run and start).
void add_launch_options(Command& command, LaunchOptions& options);

/// What was launched (nothing for a remote endpoint) and where it is.
class Launched {
 public:
  /// Launches what the options ask for, or takes the remote URL. Throws UsageError or Error.
  explicit Launched(const LaunchOptions& options);
  const Endpoint& endpoint() const noexcept { return endpoint_; }
  /// The launch's handshake (Firefox), for `start --json`.
  const std::string& handshake() const noexcept { return handshake_; }
  /// Stops what was launched.
  void stop();
  /// The Firefox launched, if that is what was launched.
  Firefox* firefox() noexcept;
  /// The launched process tree; null for a remote endpoint.
  const Process* process() const noexcept;
  /// How it became ready; null for a remote endpoint.
  const ReadyReport* ready_report() const noexcept;

 private:
  std::optional<std::variant<Firefox, Geckodriver, Chromedriver, SeleniumGrid, Chromium>> handle_;
  Endpoint endpoint_;
  std::string handshake_;
};

/// Launches on another thread while this one watches `signals`: a signal during the launch
/// ends foxport at once with 128+signal, before any command starts (the guard then takes the
/// half-started launch down, as it does whenever foxport dies). `on_ready` runs on the
/// launching thread once the launch is ready, before it is handed back: the ready line goes out
/// without waiting for that hand-over (#19). Throws what Launched throws.
std::unique_ptr<Launched> launch_or_exit_on_signal(const LaunchOptions& options, const platform::SignalWait& signals,
                                                   const std::function<void(const Launched&)>& on_ready = {});

/// Checks what can be checked before anything starts (timeout, port range).
void check_launch_options(const LaunchOptions& options);

/// The exit code for a launch error.
int exit_code_for(const std::system_error& e);

/// "foxport: ready: firefox on port N (pid P), profile DIR" and the like.
std::string ready_line(const Endpoint& endpoint);

}  // namespace foxport::cli
