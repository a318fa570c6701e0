#include "foxport/chromedriver.hpp"

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

}  // namespace

Chromedriver Chromedriver::launch(ChromedriverOptions options) {
  auto plan = detail::driver_plan(EndpointKind::chromedriver, "chromedriver",
                                  detail::find_driver("chromedriver", "FOXPORT_CHROMEDRIVER", options.driver),
                                  PortReport::chromedriver, options);
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path&) {
    std::vector<std::string> args = {"--port=" + std::to_string(port)};
    if (!options.allowed_ips.empty()) args.push_back("--allowed-ips=" + comma_list(options.allowed_ips));
    if (!options.allowed_origins.empty()) args.push_back("--allowed-origins=" + comma_list(options.allowed_origins));
    if (!options.driver_log.empty()) args.push_back("--log-path=" + options.driver_log.string());
    process.arguments.insert(process.arguments.begin(), args.begin(), args.end());
  };
  return Chromedriver(detail::launch(std::move(plan)));
}

Chromedriver Chromedriver::launch(ChromedriverOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

}  // namespace foxport
