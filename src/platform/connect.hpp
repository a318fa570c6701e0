#pragma once
// A TCP connect that does not wait. On loopback the kernel has usually finished the handshake
// by the time connect() returns (still "in progress" on a non-blocking socket), so a caller
// that asks at once can send without waiting for the event loop's next turn (#19).

#include <sys/socket.h>

namespace foxport::platform {

/// How a connect started by connect_now stands.
enum class ConnectState { connected, in_progress, failed };

/// Starts connecting the non-blocking socket `fd` to `address`; says whether it is done
/// already. `error` is the errno of a failed connect, else 0.
ConnectState connect_now(int fd, const sockaddr* address, socklen_t length, int& error) noexcept;

/// How a connect that was in progress ended, once `fd` is writable: 0, or its errno.
int connect_result(int fd) noexcept;

}  // namespace foxport::platform
