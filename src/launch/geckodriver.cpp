#include "foxport/geckodriver.hpp"

#include <cstdlib>

#include "foxport/firefox.hpp"
#include "launch/driver_plan.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace fs = std::filesystem;

Geckodriver Geckodriver::launch(GeckodriverOptions options) {
  const auto& log_level = detail::checked_log_level(options.log_level);
  // Checked now, so a wrong Firefox fails the launch rather than each session. FOXPORT_FIREFOX
  // names the Firefox of every foxport launch, the driver's sessions included.
  const char* env = std::getenv("FOXPORT_FIREFOX");
  if (!options.firefox.empty() || (env != nullptr && *env != '\0')) options.firefox = find_firefox(options.firefox);
  auto plan = detail::driver_plan(EndpointKind::geckodriver, "geckodriver",
                                  detail::find_driver("geckodriver", "FOXPORT_GECKODRIVER", options.driver),
                                  PortReport::geckodriver, options);
  // Firefox inherits geckodriver's environment: MOZ_HEADLESS makes every session headless
  // unless it asks for a display, so a client with default options works without one.
  if (options.headless) {
    plan.process.environment.insert_or_assign("MOZ_HEADLESS", std::string(1, '1'));  // not = "1": GCC 12 -Wrestrict
  } else {
    plan.process.environment.erase("MOZ_HEADLESS");
    plan.process.unset_environment.emplace_back("MOZ_HEADLESS");
  }
  // --websocket-port defaults to 9222 for every geckodriver, and parallel sessions that ask
  // for WebDriver BiDi would collide there. 0 lets each session's Firefox bind a free port
  // and name it in the session's webSocketUrl (as Firefox launches use port 0 for BiDi).
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path& dir) {
    std::vector<std::string> args = {"--port", std::to_string(port), "--host",    options.host, "--websocket-port",
                                     "0",      "--profile-root",     dir.string()};
    if (!options.firefox.empty()) args.insert(args.end(), {"--binary", options.firefox.string()});
    if (options.marionette_port != 0)
      args.insert(args.end(), {"--marionette-port", std::to_string(options.marionette_port)});
    if (!log_level.empty()) args.insert(args.end(), {"--log", log_level});
    process.arguments.insert(process.arguments.begin(), args.begin(), args.end());
  };
  return Geckodriver(detail::launch(std::move(plan)));
}

Geckodriver Geckodriver::launch(GeckodriverOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

}  // namespace foxport
