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

/// The first of `pids` holding a socket with this inode, if any.
std::optional<int> socket_owner(unsigned long inode, const std::vector<int>& pids);

/// Every pid on the machine holding the socket (slow: looks at every process).
std::vector<int> socket_holders(unsigned long inode);

}  // namespace foxport::platform
