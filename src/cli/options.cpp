#include "cli/options.hpp"

#include <signal.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "foxport/error.hpp"
#include "launch/launcher.hpp"

namespace foxport::cli {

void add_launch_options(Command& command, LaunchOptions& options) {
  auto kind = [&options](const char* name) {
    return [&options, name] {
      if (options.kind_given && options.kind != name) {
        throw UsageError("--" + std::string(name) + ": choose one kind: --" + options.kind + " and --" + name +
                         " were both given");
      }
      options.kind = name;
      options.kind_given = true;
    };
  };
  auto& list = command.options;
  list.push_back(heading("What to launch (default: --firefox)"));
  list.push_back(action("--firefox", "Firefox with Marionette", kind("firefox")));
  list.push_back(action("--geckodriver", "geckodriver (WebDriver for Firefox)", kind("geckodriver")));
  list.push_back(action("--chromedriver", "chromedriver (WebDriver for Chromium)", kind("chromedriver")));
  list.push_back(
      action("--chromium", "Chromium with the DevTools protocol (CDP_URL: the browser's websocket)", kind("chromium")));
  list.push_back(
      action("--grid", "a local Selenium Grid 4 standalone (--driver: java; jar from FOXPORT_GRID_JAR)", kind("grid")));
  list.push_back(
      text("--remote", "URL",
           "Launch nothing: use this remote WebDriver URL, http:// or https://, user:pass@ sent as Basic auth "
           "(default: $FOXPORT_REMOTE_URL when no kind is given; certificates: see docs/grid.md)",
           options.remote_url));
  list.push_back(heading("How"));
  list.push_back(text("--binary", "PATH",
                      "The browser binary: Firefox for --firefox and --geckodriver (default: $FOXPORT_FIREFOX, then "
                      "PATH), Chromium for --chromium and --chromedriver's headless wrapper (default: "
                      "$FOXPORT_CHROMIUM, then PATH)",
                      options.binary));
  list.push_back(text("--driver", "PATH",
                      "The driver binary (default: FOXPORT_GECKODRIVER / FOXPORT_CHROMEDRIVER, then PATH)",
                      options.driver));
  list.push_back(integer("--port", "PORT", "A fixed port (default: the child binds port 0)", options.port, 1, 65535));
  list.push_back(text("--port-range", "LO-HI", "Lease a fixed port from LO-HI", options.port_range));
  list.push_back({"--headless,!--no-headless",
                  {},
                  "Headless browser (default: on). For --geckodriver and --chromedriver too: sessions whose client "
                  "asks for nothing special are headless (MOZ_HEADLESS=1; a headless chromium wrapper)",
                  [&options](std::string_view value) {
                    options.headless = value == "true";
                    options.headless_given = true;
                  }});
  list.push_back(flag("--bidi",
                      "--firefox: WebDriver BiDi too, on a port of its own (exported as WEBDRIVER_BIDI_URL, "
                      "ws://127.0.0.1:PORT; clients open their session on it + /session)",
                      options.bidi));
  list.push_back(flag("--no-cache",
                      "Firefox on a fresh profile, not a copy of the cached template (also FOXPORT_NO_CACHE=1)",
                      options.no_cache));
  list.push_back(
      texts("--pref", "NAME=VALUE", "Firefox preference (repeatable; true/false/integers typed)", options.prefs));
  list.push_back(texts("--arg", "ARG", "An extra argument for the child (repeatable)", options.arguments));
  list.push_back(number("--timeout", "SECONDS", "Seconds to wait until ready (default 30)", options.timeout));
  list.push_back(
      text("--log", "FILE",
           "Append the child's output to FILE (all of it, until it stops; a FIFO: waits up to 10 s for its reader)",
           options.log));
  list.push_back(choice("--driver-log-level", "LEVEL",
                        "The driver's log level, its log going to --log / -v: geckodriver --log LEVEL; chromedriver "
                        "--verbose (trace) or --log-level=",
                        options.driver_log_level, {"trace", "debug", "config", "info", "warn", "error", "fatal"}));
  list.push_back(flag("-q,--quiet", "No progress lines", options.quiet));
  list.push_back(flag("-v,--verbose", "Echo the child's output to stderr", options.verbose));
  list.push_back({"--xvfb",
                  {},
                  "A private X display: Xvfb on a free display number it picks itself, DISPLAY exported to the "
                  "browser or driver (and to run's COMMAND), gone with the launch; implies --no-headless unless "
                  "--headless is given",
                  [&options](std::string_view) {
                    options.xvfb = true;
                    if (!options.headless_given) options.headless = false;
                  }});
}

void OutputTail::add(std::string_view line) {
  constexpr std::size_t kept = 1000;  // a launch's start, and more than an error quotes
  std::lock_guard lock(mutex_);
  lines_.emplace_back(line);
  if (lines_.size() > kept) lines_.pop_front();
}

std::string OutputTail::text() const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const auto& line : lines_) text += line + '\n';
  return text;
}

namespace {

PrefValue pref_value(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  try {
    std::size_t used = 0;
    const int number = std::stoi(text, &used);
    if (used == text.size()) return number;
  } catch (const std::exception&) {}
  return text;
}

std::chrono::milliseconds timeout_of(const LaunchOptions& options) {
  // Bounded so that the milliseconds fit and a typo does not make a wait endless.
  constexpr double week = 7 * 24 * 3600;
  if (!std::isfinite(options.timeout) || !(options.timeout >= 0.001) || options.timeout > week) {
    char given[64];
    std::snprintf(given, sizeof given, "%g", options.timeout);
    throw UsageError(std::string("--timeout must be a number of seconds from 0.001 to 604800 (7 days), not ") + given);
  }
  return std::chrono::milliseconds(static_cast<long long>(options.timeout * 1000));
}

std::optional<PortRange> range_of(const LaunchOptions& options) {
  if (options.port_range.empty()) return std::nullopt;
  std::error_code ec;
  auto range = PortRange::parse(options.port_range, ec);
  if (ec) throw UsageError("--port-range " + options.port_range + ": " + ec.message() + " (expected LO-HI, 1-65535)");
  return range;
}

// The remote WebDriver URL to use instead of launching: --remote, or $FOXPORT_REMOTE_URL when
// no kind was asked for.
std::string remote_of(const LaunchOptions& options) {
  if (!options.remote_url.empty()) return options.remote_url;
  const char* env = std::getenv("FOXPORT_REMOTE_URL");
  return !options.kind_given && env != nullptr ? env : "";
}

DriverOptions driver_options(const LaunchOptions& options, const std::function<void(Stream, std::string_view)>& echo) {
  DriverOptions driver;
  driver.driver = options.driver;
  driver.port = static_cast<std::uint16_t>(options.port);
  driver.port_range = range_of(options);
  driver.arguments = options.arguments;
  driver.ready_timeout = timeout_of(options);
  driver.log_file = options.log;
  driver.on_line = echo;
  driver.headless = options.headless;
  driver.log_level = options.driver_log_level;
  driver.xvfb = options.xvfb;
  return driver;
}

}  // namespace

void check_launch_options(const LaunchOptions& options) {
  // The word after --remote is its value, even "--" or another option.
  if (!options.remote_url.empty() && options.remote_url[0] == '-')
    throw UsageError("--remote needs a URL (--remote http://HOST:4444), not \"" + options.remote_url + "\"");
  timeout_of(options);
  range_of(options);
  if (options.port != 0 && !options.port_range.empty())
    throw UsageError("--port and --port-range exclude each other: give one");
  if (!options.driver_log_level.empty() && options.kind != "geckodriver" && options.kind != "chromedriver")
    throw UsageError("--driver-log-level applies to --geckodriver and --chromedriver only");
  if (options.xvfb && !options.remote_url.empty())
    throw UsageError("--xvfb starts a display for a launch, not for --remote");
  if (options.bidi && options.kind != "firefox") throw UsageError("--bidi applies to --firefox only");
}

Launched::Launched(const LaunchOptions& options) {
  if (const auto remote = remote_of(options); !remote.empty()) {
    endpoint_ = {EndpointKind::remote, 0, -1, remote, {}, {}, {}};
    return;
  }
  if (!options.quiet) std::fprintf(stderr, "foxport: launching %s...\n", options.kind.c_str());
  auto echo = [verbose = options.verbose, output = options.output](Stream, std::string_view line) {
    if (verbose) std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    if (output) output->add(line);
  };
  if (options.kind == "firefox") {
    FirefoxOptions firefox;
    firefox.binary = options.binary;
    firefox.headless = options.headless;
    firefox.warm_profile = !options.no_cache;
    for (const auto& pref : options.prefs) {
      const auto eq = pref.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--pref " + pref + ": expected NAME=VALUE");
      firefox.prefs[pref.substr(0, eq)] = pref_value(pref.substr(eq + 1));
    }
    firefox.arguments = options.arguments;
    firefox.marionette_port = static_cast<std::uint16_t>(options.port);
    firefox.marionette_port_range = range_of(options);
    firefox.ready_timeout = timeout_of(options);
    firefox.recyclable = options.recycle;
    firefox.bidi = options.bidi;
    firefox.log_file = options.log;
    firefox.on_line = echo;
    firefox.xvfb = options.xvfb;
    firefox.crash_dumps = !options.artifacts.empty();
    auto& handle = handle_.emplace(Firefox::launch(std::move(firefox)));
    endpoint_ = std::get<Firefox>(handle).endpoint();
    handshake_ = std::get<Firefox>(handle).ready_report().protocol_answer;
    return;
  }
  if (!options.prefs.empty()) throw UsageError("--pref applies to --firefox only");
  if (options.kind == "chromium") {
    ChromiumOptions chromium;
    chromium.binary = options.binary;
    chromium.headless = options.headless;
    chromium.xvfb = options.xvfb;
    chromium.arguments = options.arguments;
    chromium.port = static_cast<std::uint16_t>(options.port);
    chromium.port_range = range_of(options);
    chromium.ready_timeout = timeout_of(options);
    chromium.log_file = options.log;
    chromium.on_line = echo;
    handle_.emplace(Chromium::launch(std::move(chromium)));
  } else if (options.kind == "geckodriver") {
    GeckodriverOptions gecko;
    static_cast<DriverOptions&>(gecko) = driver_options(options, echo);
    gecko.firefox = options.binary;
    handle_.emplace(Geckodriver::launch(std::move(gecko)));
  } else if (options.kind == "grid") {
    GridOptions grid;
    static_cast<DriverOptions&>(grid) = driver_options(options, echo);
    if (options.timeout == 30) grid.ready_timeout = std::chrono::seconds(90);  // a JVM's start, unless asked
    handle_.emplace(SeleniumGrid::launch(std::move(grid)));
  } else {
    ChromedriverOptions chrome;
    static_cast<DriverOptions&>(chrome) = driver_options(options, echo);
    chrome.chromium = options.binary;
    handle_.emplace(Chromedriver::launch(std::move(chrome)));
  }
  endpoint_ = std::visit([](const auto& handle) { return handle.endpoint(); }, *handle_);
}

Firefox* Launched::firefox() noexcept { return handle_ ? std::get_if<Firefox>(&*handle_) : nullptr; }

const Process* Launched::process() const noexcept {
  if (!handle_) return nullptr;
  return std::visit([](const auto& handle) { return &handle.process(); }, *handle_);
}

const ReadyReport* Launched::ready_report() const noexcept {
  if (!handle_) return nullptr;
  return std::visit([](const auto& handle) { return &handle.ready_report(); }, *handle_);
}

void Launched::stop() {
  if (handle_) std::visit([](auto& handle) { handle.stop(); }, *handle_);
}

std::unique_ptr<Launched> launch_or_exit_on_signal(const LaunchOptions& options, const platform::SignalWait& signals,
                                                   const std::function<void(const Launched&)>& on_ready) {
  std::unique_ptr<Launched> launched;
  finish_or_exit_on_signal(
      [&] {
        launched = std::make_unique<Launched>(options);
        if (on_ready) on_ready(*launched);
      },
      signals,
      [](int sig) {
        std::fprintf(stderr, "foxport: %s while launching: nothing was started\n", ::strsignal(sig));
        detail::remove_launch_directories_before_exit();  // now, not by their guards just after
      });                                                 // then the guard sees us go and cleans up the rest
  return launched;
}

int exit_code_for(const std::system_error& e) {
  if (e.code() == errc::binary_not_found || e.code() == errc::binary_not_executable) return exit_not_found;
  if (e.code() == errc::ready_timeout) return exit_timeout;
  if (e.code() == errc::port_range_invalid) return exit_usage;
  return exit_launch_failed;
}

std::string ready_line(const Endpoint& endpoint) {
  if (endpoint.kind == EndpointKind::remote) return "foxport: using the remote WebDriver endpoint " + endpoint.url;
  std::string line = std::string("foxport: ready: ") + to_string(endpoint.kind) + " on port " +
                     std::to_string(endpoint.port) + " (pid " + std::to_string(endpoint.pid) + ")";
  line += endpoint.kind == EndpointKind::firefox ? ", profile " + endpoint.profile.string() : ", " + endpoint.url;
  if (!endpoint.bidi_url.empty()) line += ", WebDriver BiDi " + endpoint.bidi_url;
  if (!endpoint.display.empty()) line += ", display " + endpoint.display;
  return line;
}

}  // namespace foxport::cli
