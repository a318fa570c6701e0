#include "foxport/chromedriver.hpp"

#include <cstdlib>

#include "foxport/error.hpp"
#include "launch/driver_plan.hpp"
#include "launch/headless_driver.hpp"
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

}  // namespace

Chromedriver Chromedriver::launch(ChromedriverOptions options) {
  const auto log_argument = chromedriver_log_argument(detail::checked_log_level(options.log_level));
  const auto chromium = options.headless ? find_chromium(options.chromium) : fs::path();
  auto plan = detail::driver_plan(EndpointKind::chromedriver, "chromedriver",
                                  detail::find_driver("chromedriver", "FOXPORT_CHROMEDRIVER", options.driver),
                                  PortReport::chromedriver, options);
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path& dir) {
    // No browser found: chromedriver as installed, which says so at the first session.
    if (!chromium.empty()) process.executable = detail::headless_driver(process.executable, chromium, dir);
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
