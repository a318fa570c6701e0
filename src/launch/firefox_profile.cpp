#include "launch/firefox_profile.hpp"

#include <cstdio>
#include <fstream>
#include <set>
#include <vector>

#include "foxport/error.hpp"

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

// A JavaScript string literal: quotes, backslashes and every control character escaped, so
// no value can end the line or the statement early.
std::string js_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      quoted += escaped;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

}  // namespace

namespace detail {

std::string user_js_line(const std::string& name, const PrefValue& value) {
  std::string line = "user_pref(" + js_string(name) + ", ";
  if (const auto* flag = std::get_if<bool>(&value)) {
    line += *flag ? "true" : "false";
  } else if (const auto* number = std::get_if<int>(&value)) {
    line += std::to_string(*number);
  } else {
    line += js_string(std::get<std::string>(value));
  }
  return line + ");\n";
}

bool skipped_in_copy(const std::string& name, bool skip_user_js) {
  // What belongs to the Firefox that ran on the profile, not to the profile: its locks, the
  // port files it wrote, its crash guard, session store and TMPDIR. compatibility.ini stays: without
  // it Firefox throws its start-up caches away.
  static const std::set<std::string> state = {"lock",
                                              ".parentlock",
                                              ".startup-incomplete",
                                              "MarionetteActivePort",
                                              "WebDriverBiDiServer.json",
                                              "sessionstore.jsonlz4",
                                              "sessionstore-backups",
                                              "sessionCheckpoints.json",
                                              profile_tmpdir};
  return state.contains(name) || (skip_user_js && (name == "user.js" || name == "foxport-template"));
}

void copy_profile(const fs::path& from, const fs::path& to, bool skip_user_js) {
  std::error_code ec;
  const auto fail = [&](const fs::path& what) {
    throw Error(ec, "cannot copy the profile " + from.string() + " to " + to.string() + " (" + what.string() + ")");
  };
  if (!fs::is_directory(fs::symlink_status(from, ec))) {
    if (!ec) ec = std::make_error_code(std::errc::not_a_directory);
    fail(from);
  }
  // Depth first, by hand: recursive_directory_iterator would have to be told not to follow
  // links, and entries at the top level are filtered by name.
  std::vector<std::pair<fs::path, fs::path>> pending{{from, to}};
  while (!pending.empty()) {
    const auto [source, target] = pending.back();
    pending.pop_back();
    for (fs::directory_iterator it(source, ec), end; !ec && it != end; it.increment(ec)) {
      const auto& entry = it->path();
      if (source == from && skipped_in_copy(entry.filename().string(), skip_user_js)) continue;
      const auto type = it->symlink_status(ec).type();
      if (ec) fail(entry);
      if (type == fs::file_type::directory) {
        fs::create_directory(target / entry.filename(), ec);
        if (ec) fail(entry);
        pending.emplace_back(entry, target / entry.filename());
      } else if (type == fs::file_type::regular) {
        fs::copy_file(entry, target / entry.filename(), fs::copy_options::overwrite_existing, ec);
        if (ec) fail(entry);
      }
      // Symlinks, sockets, fifos: never followed, never copied.
    }
    if (ec) fail(source);
  }
}

std::map<std::string, PrefValue> profile_prefs(const FirefoxOptions& options) {
  auto prefs = default_firefox_prefs();
  for (const auto& [name, value] : options.prefs) prefs[name] = value;
  prefs.erase("marionette.port");
  return prefs;
}

// A fresh profile: a copy of the base if any (never its MarionetteActivePort or locks), plus
// foxport's prefs appended to user.js (later lines win).
void prepare_profile(const fs::path& profile, const FirefoxOptions& options, std::uint16_t port, const fs::path& base,
                     bool base_is_cached) {
  if (!base.empty() && !base_is_cached) copy_profile(base, profile, false);
  if (!base.empty() && base_is_cached) {
    try {
      copy_profile(base, profile, true);
    } catch (const Error&) {
      // The cached template went away under us (rebuilt for a new Firefox): start fresh.
      std::error_code ec;
      for (fs::directory_iterator it(profile, ec), end; !ec && it != end; it.increment(ec)) fs::remove_all(*it, ec);
    }
  }
  std::ofstream user_js(profile / "user.js", std::ios::app);
  user_js << "// written by foxport\n";
  auto prefs = profile_prefs(options);
  prefs["marionette.port"] = static_cast<int>(port);
  for (const auto& [name, value] : prefs) user_js << user_js_line(name, value);
  if (!user_js)
    throw Error(std::make_error_code(std::errc::io_error), "cannot write " + (profile / "user.js").string());
}

}  // namespace detail
}  // namespace foxport
