#pragma once
/// Who listens on a port, and whether foxport launched it: what `foxport who` prints, for
/// programs and tests that need the same facts.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "foxport/export.hpp"

namespace foxport {

/// A process holding a listening socket.
struct SocketHolder {
  int pid = -1;                        ///< the process
  std::filesystem::path executable{};  ///< what it runs ("" if unknown)
  std::string command_line{};          ///< argv joined by spaces
  int guard_pid = -1;                  ///< the foxport-guard among its ancestors; -1: not launched by foxport
};

/// One listening socket on the port.
struct PortListener {
  std::string address{};                ///< "127.0.0.1", "::1", "0.0.0.0", "::"
  std::uint16_t port = 0;               ///< the port
  std::vector<SocketHolder> holders{};  ///< every process holding it (usually one)
};

/// Every listening TCP socket on `port`, IPv4 and IPv6, with its holders. Looks at every
/// process: meant for diagnostics, not hot paths.
FOXPORT_EXPORT std::vector<PortListener> listeners_on(std::uint16_t port);

/// Every live descendant of `pid` (children, grandchildren, ...), not `pid` itself.
FOXPORT_EXPORT std::vector<int> descendants_of(int pid);

}  // namespace foxport
