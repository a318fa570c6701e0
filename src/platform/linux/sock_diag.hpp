#pragma once
// The sock_diag netlink query under platform::listeners_on, on its own so that a test can
// make the kernel refuse it (an unknown family or protocol).

#include <cstdint>
#include <optional>
#include <vector>

#include "platform/listeners.hpp"

namespace foxport::platform::linux_sock_diag {

/// The listening sockets of `family` (AF_INET, AF_INET6) and `protocol` on `port`; nullopt
/// when netlink is unavailable or the kernel answers the dump with an error (NLMSG_ERROR, or
/// an error in NLMSG_DONE), so that the caller falls back to /proc.
std::optional<std::vector<Listener>> listeners(int family, int protocol, std::uint16_t port);

}  // namespace foxport::platform::linux_sock_diag
