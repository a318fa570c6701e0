#pragma once
/// Ports that never collide. The default strategy is that the child binds port 0 and
/// reports what it got (parse_port_report / parse_port_file read that report). Where a fixed
/// port is needed, PortLease holds one from a range the kernel never hands out as an
/// ephemeral port, under a cross-process lock.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "foxport/export.hpp"

namespace foxport {

/// Which program's "I am listening" line reports the port.
enum class PortReport {
  geckodriver,     ///< "<ms>\tgeckodriver\tINFO\tListening on 127.0.0.1:<port>"
  marionette,      ///< "<ms>\tMarionette\tINFO\tListening on port <port>"
  chromedriver,    ///< "ChromeDriver was started successfully on port <port>."
  webdriver_bidi,  ///< "WebDriver BiDi listening on ws://<host>:<port>"
  selenium_grid,   ///< "... Started Selenium Standalone 4.48.0 (revision ...): http://<host>:<port>"
  devtools,        ///< "DevTools listening on ws://<host>:<port>/devtools/browser/<id>" (Chromium)
};

/// The port this output line reports, if it is that program's report.
FOXPORT_EXPORT std::optional<std::uint16_t> parse_port_report(PortReport kind, std::string_view line);

/// The port in a MarionetteActivePort file's content (decimal, no newline).
FOXPORT_EXPORT std::optional<std::uint16_t> parse_port_file(std::string_view content);

/// Which program's port file.
enum class PortFile {
  marionette,      ///< MarionetteActivePort: "<port>"
  devtools,        ///< Chromium's DevToolsActivePort: "<port>\n/devtools/browser/<id>"
  webdriver_bidi,  ///< Firefox's WebDriverBiDiServer.json: {"ws_host": "127.0.0.1", "ws_port": <port>}
};

/// The port in that kind of port file's content.
FOXPORT_EXPORT std::optional<std::uint16_t> parse_port_file(PortFile kind, std::string_view content);

/// An inclusive range of TCP ports.
struct FOXPORT_EXPORT PortRange {
  std::uint16_t first = 0;  ///< lowest port
  std::uint16_t last = 0;   ///< highest port

  /// "LO-HI" or a single "N". Throws foxport::Error(errc::port_range_invalid).
  static PortRange parse(std::string_view text);
  /// Non-throwing form.
  static PortRange parse(std::string_view text, std::error_code& ec);
  /// IANA's dynamic range 49152–65535 minus the range the kernel hands out as ephemeral
  /// ports (here 61000–65535); 49152–65535 when the system does not say. Throws when the
  /// kernel's range covers all of it.
  static PortRange default_range();
  /// The larger part of IANA's dynamic range outside `ephemeral`. Throws when there is none.
  static PortRange outside_ephemeral(const PortRange& ephemeral);

  /// Number of ports in the range.
  std::size_t size() const noexcept { return static_cast<std::size_t>(last) - first + 1; }
  /// Whether `port` lies in the range.
  bool contains(std::uint16_t port) const noexcept { return port >= first && port <= last; }
  /// "LO-HI".
  std::string to_string() const;
};

/// A port held for this process against every foxport process of every user on the machine:
/// the abstract Unix socket name "foxport-port-<port>" (per network namespace, as ports are;
/// released by the kernel if the process dies), verified free by a bind test on 127.0.0.1
/// and ::1. Move-only.
class FOXPORT_EXPORT PortLease {
 public:
  /// Leases a free port from `range`, starting at a random port and probing upwards.
  /// Throws foxport::Error(errc::ports_exhausted) naming the range, and a port another
  /// foxport process holds with its holder's pid and user, when none is free.
  static PortLease acquire(const PortRange& range = PortRange::default_range());
  /// Non-throwing form; returns an invalid lease on failure.
  static PortLease acquire(const PortRange& range, std::error_code& ec);

  PortLease() noexcept = default;
  PortLease(PortLease&& other) noexcept;
  PortLease& operator=(PortLease&& other) noexcept;
  PortLease(const PortLease&) = delete;
  PortLease& operator=(const PortLease&) = delete;
  ~PortLease() { release(); }

  /// The leased port (0 when invalid).
  std::uint16_t port() const noexcept { return port_; }
  /// Whether this object holds a lease.
  bool valid() const noexcept { return lock_fd_ >= 0; }
  /// Gives the port back. Idempotent.
  void release() noexcept;

 private:
  PortLease(std::uint16_t port, int lock_fd) noexcept : port_(port), lock_fd_(lock_fd) {}
  std::uint16_t port_ = 0;
  int lock_fd_ = -1;
};

}  // namespace foxport
