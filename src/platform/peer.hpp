#pragma once
// Who is at the other end of a local (Unix-domain) connection. Linux: SO_PEERCRED.

#include <sys/types.h>
#include <optional>

namespace foxport::platform {

/// The user id of the process that connected `socket_fd`, if the kernel tells.
std::optional<uid_t> peer_uid(int socket_fd);

}  // namespace foxport::platform
