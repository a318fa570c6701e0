#include "foxport/firefox.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/no_throw.hpp"
#include "launch/ready_wait.hpp"
#include "foxport/error.hpp"
#include "platform/process_tree.hpp"

namespace foxport {
namespace fs = std::filesystem;

const std::map<std::string, PrefValue>& default_firefox_prefs() {
  // What a test browser needs to start quietly and fast, after geckodriver's and mozbase's
  // lists. Marionette applies its own recommended prefs on top (remote.prefs.recommended).
  static const std::map<std::string, PrefValue> prefs = {
      // Marionette: the port is set by launch(); 0 lets Firefox bind an OS-assigned port.
      {"marionette.port", 0},
      // First run and startup pages: none of them.
      {"browser.shell.checkDefaultBrowser", false},
      {"browser.startup.homepage_override.mstone", std::string("ignore")},
      {"browser.startup.page", 0},
      {"browser.startup.homepage", std::string("about:blank")},
      {"startup.homepage_welcome_url", std::string("about:blank")},
      {"startup.homepage_welcome_url.additional", std::string("")},
      {"browser.aboutwelcome.enabled", false},
      {"trailhead.firstrun.didSeeAboutWelcome", true},
      {"browser.newtabpage.enabled", false},
      {"browser.sessionstore.resume_from_crash", false},
      {"toolkit.startup.max_resumed_crashes", -1},
      {"browser.warnOnQuit", false},
      {"browser.tabs.warnOnClose", false},
      // Updates of the browser, add-ons and plugins: off.
      {"app.update.disabledForTesting", true},
      {"app.update.auto", false},
      {"app.update.checkInstallTime", false},
      {"extensions.update.enabled", false},
      {"extensions.update.notifyUser", false},
      {"extensions.getAddons.cache.enabled", false},
      {"extensions.blocklist.enabled", false},
      {"media.gmp-manager.updateEnabled", false},
      // Telemetry and data reporting: off.
      {"datareporting.policy.dataSubmissionEnabled", false},
      {"datareporting.healthreport.uploadEnabled", false},
      {"toolkit.telemetry.enabled", false},
      {"toolkit.telemetry.reportingpolicy.firstRun", false},
      {"toolkit.telemetry.shutdownPingSender.enabled", false},
      {"toolkit.telemetry.newProfilePing.enabled", false},
      {"toolkit.telemetry.firstShutdownPing.enabled", false},
      {"app.normandy.enabled", false},
      {"messaging-system.rsexperimentloader.enabled", false},
      // Background network: nothing that phones out on its own (CI machines may be offline).
      {"network.connectivity-service.enabled", false},
      {"network.captive-portal-service.enabled", false},
      {"network.dns.disablePrefetch", true},
      {"network.prefetch-next", false},
      {"network.http.speculative-parallel-limit", 0},
      {"browser.safebrowsing.malware.enabled", false},
      {"browser.safebrowsing.phishing.enabled", false},
      {"browser.safebrowsing.downloads.enabled", false},
      {"browser.safebrowsing.blockedURIs.enabled", false},
      {"browser.search.update", false},
      {"browser.region.update.enabled", false},
      {"browser.region.network.url", std::string("")},
      {"geo.provider.network.url", std::string("")},
      {"services.settings.server", std::string("data:,#remote-settings-dummy/v1")},
      {"identity.fxaccounts.enabled", false},
      {"dom.push.connection.enabled", false},
      {"browser.topsites.contile.enabled", false},
      {"browser.newtabpage.activity-stream.feeds.system.topstories", false},
  };
  return prefs;
}

namespace {

std::string user_js_line(const std::string& name, const PrefValue& value) {
  std::ostringstream line;
  line << "user_pref(\"" << name << "\", ";
  if (const auto* flag = std::get_if<bool>(&value)) {
    line << (*flag ? "true" : "false");
  } else if (const auto* number = std::get_if<int>(&value)) {
    line << *number;
  } else {
    line << '"';
    for (const char c : std::get<std::string>(value)) {
      if (c == '"' || c == '\\') line << '\\';
      line << c;
    }
    line << '"';
  }
  line << ");\n";
  return line.str();
}

// A fresh profile: a copy of the template if any, never trusting its MarionetteActivePort
// or lock files, plus foxport's prefs appended to user.js (later lines win).
void prepare_profile(const fs::path& profile, const FirefoxOptions& options, std::uint16_t port) {
  if (!options.profile_template.empty()) {
    std::error_code ec;
    fs::copy(options.profile_template, profile, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec) throw Error(ec, "cannot copy the profile " + options.profile_template.string() + " to " + profile.string());
    for (const char* stale : {"MarionetteActivePort", "lock", ".parentlock", "WebDriverBiDiServer.json"})
      fs::remove(profile / stale, ec);
  }
  std::ofstream user_js(profile / "user.js", std::ios::app);
  user_js << "// written by foxport\n";
  auto prefs = default_firefox_prefs();
  for (const auto& [name, value] : options.prefs) prefs[name] = value;
  prefs["marionette.port"] = static_cast<int>(port);
  for (const auto& [name, value] : prefs) user_js << user_js_line(name, value);
  if (!user_js) throw Error(std::make_error_code(std::errc::io_error), "cannot write " + (profile / "user.js").string());
}

}  // namespace

fs::path find_firefox(const fs::path& explicit_binary) {
  const char* env = std::getenv("FOXPORT_FIREFOX");
  const fs::path chosen = !explicit_binary.empty() ? explicit_binary : env != nullptr ? fs::path(env) : fs::path();
  if (!chosen.empty()) {
    std::error_code ec;
    std::string message;
    auto path = find_executable(chosen, ec, &message);
    if (ec) throw Error(ec, std::string("Firefox binary ") + (explicit_binary.empty() ? "from FOXPORT_FIREFOX: " : "") + message);
    return path;
  }
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

Firefox Firefox::launch(FirefoxOptions options) {
  Firefox firefox;
  const auto binary = find_firefox(options.binary);
  std::uint16_t port = options.marionette_port;
  if (port == 0 && options.marionette_port_range) {
    firefox.lease_ = PortLease::acquire(*options.marionette_port_range);
    port = firefox.lease_->port();
  }
  firefox.profile_ = make_temporary_directory("firefox-profile");
  try {
    prepare_profile(firefox.profile_, options, port);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(firefox.profile_, ec);
    throw;
  }

  ProcessOptions process;
  process.executable = binary;
  process.arguments = {"--marionette", "--no-remote", "--profile", firefox.profile_.string()};
  if (options.headless) process.arguments.emplace_back("--headless");
  process.arguments.insert(process.arguments.end(), options.arguments.begin(), options.arguments.end());
  // No crash reporter: it would add a helper process and dialogs to a test browser.
  process.environment = {{"MOZ_CRASHREPORTER_DISABLE", "1"}, {"MOZ_NO_REMOTE", "1"}};
  for (const auto& [name, value] : options.environment) process.environment[name] = value;
  process.owned_directories = {firefox.profile_};
  process.log_file = options.log_file;
  process.on_line = std::move(options.on_line);
  process.stop_policy = options.stop_policy;

  detail::ReadyWait wait({"Firefox", PortReport::marionette, firefox.profile_ / "MarionetteActivePort",
                          detail::Probe::marionette, options.ready_timeout});
  wait.attach(process);
  firefox.process_ = Process::spawn(std::move(process));  // owns the profile from here
  firefox.report_ = wait.run(firefox.process_);  // on failure, ~Firefox takes the tree down
  firefox.quit_via_marionette_ = options.quit_via_marionette;
  if (port != 0 && firefox.report_.port != port) {
    throw Error(errc::protocol_error, "Firefox reported Marionette port " + std::to_string(firefox.report_.port) +
                                          " but was given " + std::to_string(port));
  }
  return firefox;
}

Firefox Firefox::launch(FirefoxOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

Firefox& Firefox::operator=(Firefox&& other) noexcept {
  if (this != &other) {
    stop();
    lease_ = std::move(other.lease_);
    profile_ = std::move(other.profile_);
    report_ = other.report_;
    quit_via_marionette_ = other.quit_via_marionette_;
    process_ = std::move(other.process_);
  }
  return *this;
}

Firefox::~Firefox() { stop(); }

void Firefox::stop() {
  if (quit_via_marionette_ && process_.running()) {
    try {
      auto client = marionette(std::chrono::seconds(10));  // a loaded machine answers slowly
      client.new_session();  // Marionette:Quit needs a session
      client.quit();
      process_.wait_for(std::chrono::seconds(10));
    } catch (const std::exception&) {
      // Busy or unresponsive: the stop policy below takes over.
    }
  }
  process_.stop();  // removes the profile too: it is an owned directory
  lease_.reset();
}

DetachedProcess Firefox::detach() {
  auto record = process_.detach();
  lease_.reset();
  return record;
}

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
