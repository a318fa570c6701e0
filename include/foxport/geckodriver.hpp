#pragma once
/// geckodriver (WebDriver for Firefox) on port 0 or a leased port, with --websocket-port 0
/// (each session's Firefox picks its WebDriver BiDi port) and a private --profile-root.

#include "foxport/driver_service.hpp"
#include "foxport/export.hpp"

namespace foxport {

/// geckodriver's own options on top of the common ones.
struct GeckodriverOptions : DriverOptions {
  /// --binary. Empty: $FOXPORT_FIREFOX if set (as for Firefox launches), else geckodriver's
  /// own search. A session's moz:firefoxOptions.binary still wins.
  std::filesystem::path firefox{};
  std::uint16_t marionette_port = 0;  ///< --marionette-port; 0: left to the system
};

/// geckodriver as a service.
class FOXPORT_EXPORT Geckodriver : public DriverService {
 public:
  /// Launches geckodriver and waits until /status says ready. Throws foxport::Error.
  static Geckodriver launch(GeckodriverOptions options = {});
  /// Non-throwing form; returns an empty handle on failure.
  static Geckodriver launch(GeckodriverOptions options, std::error_code& ec);
  /// The temporary --profile-root holding the rust_mozprofile* directories (removed at stop).
  const std::filesystem::path& profile_root() const noexcept { return directory(); }

  Geckodriver() noexcept = default;

 private:
  using DriverService::DriverService;
};

}  // namespace foxport
