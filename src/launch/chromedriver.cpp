#include "foxport/chromedriver.hpp"

#include <cstdlib>
#include <fstream>

#include "foxport/error.hpp"
#include "launch/chromium_arguments.hpp"
#include "launch/driver_plan.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace fs = std::filesystem;

namespace {

std::string comma_list(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

// chromedriver's words for DriverOptions::log_level.
std::string chromedriver_log_argument(const std::string& level) {
  if (level.empty()) return {};
  if (level == "trace") return "--verbose";
  if (level == "debug") return "--log-level=DEBUG";
  if (level == "config" || level == "info") return "--log-level=INFO";
  if (level == "warn") return "--log-level=WARNING";
  return "--log-level=SEVERE";  // error, fatal
}

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Debian's chromium is a shell script that resets CHROMIUM_FLAGS, and chromedriver looks for
// its browser beside itself first (chromium, then chromium-browser; upstream builds also
// google-chrome and chrome). So: the driver linked (or copied) into DIR/bin, and beside it a
// wrapper that runs the real browser headless. Returns the driver to run.
fs::path headless_driver(const fs::path& driver, const fs::path& chromium, const fs::path& dir) {
  const auto bin = dir / "bin";
  fs::create_directories(bin);
  // The file itself, not a symlink to it: chromedriver finds "beside itself" through
  // /proc/self/exe, which resolves links.
  const auto real = fs::canonical(driver);
  const auto linked = bin / real.filename();
  std::error_code ec;
  fs::create_hard_link(real, linked, ec);  // fails across file systems or on protected_hardlinks
  if (ec) fs::copy_file(real, linked);
  const auto wrapper = bin / "chromium";
  {
    std::ofstream script(wrapper);
    script << "#!/bin/sh\n# foxport: chromedriver's default browser, headless (DriverOptions::headless)\nexec "
           << shell_quoted(chromium.string());
    for (const auto& argument : detail::chromium_arguments(true)) script << ' ' << argument;
    script << " \"$@\"\n";
    if (!script.flush()) throw Error(std::make_error_code(std::errc::io_error), "cannot write " + wrapper.string());
  }
  fs::permissions(wrapper, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  for (const char* alias : {"chromium-browser", "google-chrome", "chrome"}) fs::create_symlink("chromium", bin / alias);
  return linked;
}

}  // namespace

Chromedriver Chromedriver::launch(ChromedriverOptions options) {
  const auto log_argument = chromedriver_log_argument(detail::checked_log_level(options.log_level));
  const auto chromium = options.headless ? find_chromium(options.chromium) : fs::path();
  auto plan = detail::driver_plan(EndpointKind::chromedriver, "chromedriver",
                                  detail::find_driver("chromedriver", "FOXPORT_CHROMEDRIVER", options.driver),
                                  PortReport::chromedriver, options);
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path& dir) {
    // No browser found: chromedriver as installed, which says so at the first session.
    if (!chromium.empty()) process.executable = headless_driver(process.executable, chromium, dir);
    std::vector<std::string> args = {"--port=" + std::to_string(port)};
    if (!options.allowed_ips.empty()) args.push_back("--allowed-ips=" + comma_list(options.allowed_ips));
    if (!options.allowed_origins.empty()) args.push_back("--allowed-origins=" + comma_list(options.allowed_origins));
    if (!options.driver_log.empty()) args.push_back("--log-path=" + options.driver_log.string());
    if (!log_argument.empty()) args.push_back(log_argument);
    process.arguments.insert(process.arguments.begin(), args.begin(), args.end());
  };
  return Chromedriver(detail::launch(std::move(plan)));
}

Chromedriver Chromedriver::launch(ChromedriverOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

}  // namespace foxport
