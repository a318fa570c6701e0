#pragma once
// Listening TCP sockets and who holds them: "is the port ours?" (readiness) and `foxport who`.
// Linux: sock_diag netlink, /proc/net/tcp as the fallback, /proc/PID/fd for owners.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace foxport::platform {

/// A listening TCP socket.
struct Listener {
  std::string address;  ///< "127.0.0.1", "::1", "0.0.0.0", "::"
  std::uint16_t port = 0;
  unsigned long inode = 0;
};

/// Every listening TCP socket on `port` (IPv4 and IPv6).
std::vector<Listener> listeners_on(std::uint16_t port);

/// The listening socket that a TCP client connecting to `address`:`port` reaches, found by the
/// kernel's own lookup (the exact address before the wildcard, IPv4 before a dual-stack "::"),
/// in one query (listeners_on walks every listener twice); nullopt when none is, or when the
/// system cannot say (listeners_on then tells). `address` is numeric ("127.0.0.1", "::1").
std::optional<Listener> listener_reached(const std::string& address, std::uint16_t port);

/// The first of `pids` holding a socket with this inode, if any.
std::optional<int> socket_owner(unsigned long inode, const std::vector<int>& pids);

/// Every pid on the machine holding the socket (slow: looks at every process).
std::vector<int> socket_holders(unsigned long inode);

}  // namespace foxport::platform
