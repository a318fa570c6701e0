#pragma once
/// chromedriver (WebDriver for Chromium) on port 0 (retried when it lost the port) or a
/// leased port.

#include "foxport/chromium.hpp"
#include "foxport/driver_service.hpp"
#include "foxport/export.hpp"

namespace foxport {

/// chromedriver's own options on top of the common ones.
struct ChromedriverOptions : DriverOptions {
  std::vector<std::string> allowed_ips{};      ///< --allowed-ips
  std::vector<std::string> allowed_origins{};  ///< --allowed-origins
  std::filesystem::path driver_log{};          ///< --log-path (chromedriver's own log file)
  /// The browser the headless wrapper runs (see DriverOptions::headless). Empty:
  /// find_chromium().
  std::filesystem::path chromium{};
};

/// chromedriver as a service.
class FOXPORT_EXPORT Chromedriver : public DriverService {
 public:
  /// Launches chromedriver and waits until /status says ready. Throws foxport::Error.
  static Chromedriver launch(ChromedriverOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static Chromedriver launch(ChromedriverOptions options, std::error_code& ec);

  Chromedriver() noexcept = default;

 private:
  using DriverService::DriverService;
};

}  // namespace foxport
