#pragma once
// Which of a port's listeners a client reaches: the exported endpoint is HOST:PORT, and a
// listener of ours on another address of the same port (say ::1 while a stranger holds
// 127.0.0.1) would not serve it.

#include <string>
#include <vector>

#include "platform/listeners.hpp"

namespace foxport::detail {

/// The listeners that can take a connection to `host` (an IP address) on their port: those
/// bound to exactly that address if there are any, else the wildcards that cover it (0.0.0.0,
/// then ::, which takes IPv4 too unless IPV6_V6ONLY), as the kernel picks. An unspecified host
/// (0.0.0.0, ::) means loopback, as it does for connect(). Empty when nothing serves `host`.
std::vector<platform::Listener> listeners_reached(const std::vector<platform::Listener>& listeners,
                                                  const std::string& host);

}  // namespace foxport::detail
