#include "foxport/firefox.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "foxport/error.hpp"
#include "launch/firefox_profile.hpp"
#include "launch/launcher.hpp"
#include "launch/profile_cache.hpp"
#include "platform/process_tree.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace fs = std::filesystem;

fs::path find_firefox(const fs::path& explicit_binary) {
  if (auto named = detail::named_binary(explicit_binary, "FOXPORT_FIREFOX", "Firefox"); !named.empty()) return named;
  std::string searched;
  for (const char* name : {"firefox", "firefox-esr"}) {
    std::error_code ec;
    std::string message;
    auto path = find_executable(name, ec, &message);
    if (!ec) return path;
    searched += "\n  " + message;
  }
  for (const char* path : {"/usr/lib/firefox-esr/firefox-esr", "/usr/lib/firefox/firefox", "/opt/firefox/firefox",
                           "/usr/local/firefox/firefox", "/snap/bin/firefox"}) {
    std::error_code ec;
    auto found = find_executable(path, ec);
    if (!ec) return found;
    searched += "\n  " + std::string(path) + " does not exist";
  }
  throw Error(errc::binary_not_found,
              "Firefox not found; set FirefoxOptions::binary or FOXPORT_FIREFOX. Searched:" + searched);
}

namespace {

// Firefox waits without a word when it cannot write its HOME (#15 item 14): a launch that
// failed says so when HOME (the launch's own, or ours) is not writable.
std::string home_hint(const FirefoxOptions& options) {
  const auto own = options.environment.find("HOME");
  const char* env = std::getenv("HOME");
  const std::string home = own != options.environment.end() ? own->second : env != nullptr ? env : "";
  std::error_code ec;
  if (home.empty() || (fs::is_directory(home, ec) && ::access(home.c_str(), W_OK) == 0)) return "";
  return "\n  hint: HOME=" + home +
         " is not a writable directory, and Firefox hangs at start-up without one: set HOME to a writable directory";
}

// The launch path every Firefox takes, the template build's included. `base`: the profile
// copied into the launch's; `directory`: the launch's directory if not a new temporary one.
std::unique_ptr<detail::LaunchState> launch_state(FirefoxOptions& options, const fs::path& binary, const fs::path& base,
                                                  bool base_is_cached, const fs::path& directory = {}) {
  detail::LaunchPlan plan;
  plan.kind = EndpointKind::firefox;
  plan.directory_purpose = "firefox-profile";
  plan.directory = directory;
  plan.binary = binary;
  plan.port = options.marionette_port;
  plan.lease_range = options.marionette_port_range;
  plan.tmpdir = detail::profile_tmpdir;  // Firefox's temporary files go with the launch, not into the caller's TMPDIR
  plan.ready = {"Firefox", PortReport::marionette, "MarionetteActivePort", detail::Probe::marionette,
                options.ready_timeout};
  plan.ready.session_probe = options.ready_for_session;
  plan.xvfb = options.xvfb;
  if (options.bidi) {
    plan.bidi = detail::ReadySpec{"Firefox's WebDriver BiDi", PortReport::webdriver_bidi, "WebDriverBiDiServer.json",
                                  detail::Probe::webdriver_bidi, options.ready_timeout};
    plan.bidi->port_file_format = PortFile::webdriver_bidi;
  }
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path& profile) {
    detail::prepare_profile(profile, options, port, base, base_is_cached);
    process.arguments = {"--marionette", "--no-remote", "--profile", profile.string()};
    if (options.headless) process.arguments.emplace_back("--headless");
    if (options.bidi) process.arguments.insert(process.arguments.end(), {"--remote-debugging-port", "0"});
    if (options.recyclable) process.arguments.emplace_back("--remote-allow-system-access");
    process.arguments.insert(process.arguments.end(), options.arguments.begin(), options.arguments.end());
    // No crash reporter unless asked: it adds a helper process to a test browser. Asked, it
    // writes minidumps into PROFILE/minidumps and neither sends nor shows anything.
    process.environment = {{"MOZ_NO_REMOTE", "1"}};
    if (options.crash_dumps)
      process.environment.insert({{"MOZ_CRASHREPORTER", "1"}, {"MOZ_CRASHREPORTER_NO_REPORT", "1"}});
    else
      process.environment["MOZ_CRASHREPORTER_DISABLE"] = "1";
    for (const auto& [name, value] : options.environment) process.environment[name] = value;
  };
  plan.process.log_file = options.log_file;
  plan.process.on_line = options.on_line;
  plan.process.stop_policy = options.stop_policy;
  try {
    return detail::launch(std::move(plan));
  } catch (const Error& e) {
    if (e.code() != errc::ready_timeout && e.code() != errc::exited_early) throw;
    throw Error(e.code(), e.what() + home_hint(options));
  }
}

// The template: Firefox started on an empty profile with the launch's prefs, one page
// loaded, then Marionette:Quit, so that Firefox itself writes its caches and closes its
// databases (exit status 0 in ~0.5 s). Never on a template: warm_profile is off for it.
void build_template(const FirefoxOptions& options, const fs::path& binary, const fs::path& profile,
                    const std::function<void(const fs::path&)>& done) {
  FirefoxOptions build;
  build.headless = options.headless;
  build.xvfb = options.xvfb;  // a headful template build needs the display too
  build.prefs = options.prefs;
  build.environment = options.environment;
  build.ready_timeout = options.ready_timeout;
  build.warm_profile = false;
  build.on_line = options.on_line;
  auto state = launch_state(build, binary, {}, false, profile);
  const auto executable = platform::executable_of(state->process.pid());
  {
    auto client = Marionette::connect(state->host, state->report.port, std::chrono::seconds(10));
    client.new_session();
    client.navigate("data:text/html,<title>t</title>");
    client.title();
    client.quit();
  }
  const auto status = state->process.wait_for(std::chrono::seconds(30));
  if (!status || status->code != 0)
    throw Error(errc::exited_early, "Firefox did not quit cleanly after Marionette:Quit (" +
                                        (status ? status->to_string() : std::string("still running")) + ")");
  done(executable);
  state->stop();  // the tree's stragglers; the profile has moved into the cache
}

// FirefoxOptions::quit_via_marionette, before the stop policy (LaunchState::before_stop).
void quit_via_marionette(detail::LaunchState& state) {
  auto client =
      Marionette::connect(state.host, state.report.port, std::chrono::seconds(10));  // a loaded machine answers slowly
  client.new_session();                                                              // Marionette:Quit needs a session
  client.quit();
  state.process.wait_for(std::chrono::seconds(10));
}

}  // namespace

Firefox Firefox::launch(FirefoxOptions options) {
  const auto binary = find_firefox(options.binary);
  const auto warm = detail::warm_template(binary, options, [&](const fs::path& profile, const auto& done) {
    build_template(options, binary, profile, done);
  });
  auto note = [&options](const std::string& text) {
    if (options.on_line) options.on_line(Stream::err, "foxport: " + text);
  };
  if (!warm.note.empty()) note(warm.note);
  if (warm.built) note("built the template profile " + warm.profile.string());
  const bool cached = !warm.profile.empty();
  auto state = launch_state(options, binary, cached ? warm.profile : options.profile_template, cached);
  if (options.quit_via_marionette) state->before_stop = quit_via_marionette;
  Firefox firefox(std::move(state));
  if (!warm.cache.empty()) detail::remember_install_dir(binary, platform::executable_of(firefox.pid()), warm.cache);
  return firefox;
}

Firefox Firefox::launch(FirefoxOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

Firefox::Firefox() noexcept : LaunchHandle("Firefox") {}
Firefox::Firefox(std::unique_ptr<detail::LaunchState> state) noexcept : LaunchHandle("Firefox", std::move(state)) {}

const fs::path& Firefox::profile_dir() const noexcept { return launch_directory(); }

std::string Firefox::bidi_url() const {
  if (!state() || state()->report.bidi_port == 0) return {};
  return "ws://" + state()->host + ":" + std::to_string(state()->report.bidi_port);
}

Endpoint Firefox::endpoint() const {
  return {EndpointKind::firefox, port(), pid(), {}, profile_dir(), bidi_url(), display()};
}

const fs::path& Firefox::binary() const noexcept { return process().executable(); }

std::string Firefox::version() const {
  // The running binary, not the path we started: Debian's /usr/bin/firefox is a script that
  // execs firefox-esr.
  const auto binary = platform::executable_of(pid());
  std::ifstream ini(binary.parent_path() / "application.ini");
  for (std::string line; std::getline(ini, line);) {
    if (line.rfind("Version=", 0) == 0) return line.substr(8);
  }
  return {};
}

Marionette Firefox::marionette(std::chrono::milliseconds timeout) const {
  if (!valid()) throw Error(errc::stopped, "Firefox::marionette: this handle owns no running Firefox");
  return Marionette::connect("127.0.0.1", port(), timeout);
}

}  // namespace foxport
