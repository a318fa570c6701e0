#include "platform/peer.hpp"

#include <sys/socket.h>

namespace foxport::platform {

std::optional<uid_t> peer_uid(int socket_fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return std::nullopt;
  return credentials.uid;
}

}  // namespace foxport::platform
