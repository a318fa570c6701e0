#include "foxport/geckodriver.hpp"

#include "launch/driver_plan.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace fs = std::filesystem;

Geckodriver Geckodriver::launch(GeckodriverOptions options) {
  auto plan = detail::driver_plan(EndpointKind::geckodriver, "geckodriver",
                                  detail::find_driver("geckodriver", "FOXPORT_GECKODRIVER", options.driver),
                                  PortReport::geckodriver, options);
  // --websocket-port defaults to 9222 for every geckodriver: parallel jobs would collide.
  auto websocket = PortLease::acquire(PortRange::default_range());
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path& dir) {
    std::vector<std::string> args = {"--port",         std::to_string(port), "--host",
                                     options.host,     "--websocket-port",   std::to_string(websocket.port()),
                                     "--profile-root", dir.string()};
    if (!options.firefox.empty()) args.insert(args.end(), {"--binary", options.firefox.string()});
    if (options.marionette_port != 0)
      args.insert(args.end(), {"--marionette-port", std::to_string(options.marionette_port)});
    if (!options.log_level.empty()) args.insert(args.end(), {"--log", options.log_level});
    process.arguments.insert(process.arguments.begin(), args.begin(), args.end());
  };
  auto state = detail::launch(std::move(plan));
  state->leases.push_back(std::move(websocket));
  return Geckodriver(std::move(state));
}

Geckodriver Geckodriver::launch(GeckodriverOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

}  // namespace foxport
