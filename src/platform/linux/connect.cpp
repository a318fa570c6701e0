#include "platform/connect.hpp"

#include <poll.h>

#include <cerrno>

namespace foxport::platform {

ConnectState connect_now(int fd, const sockaddr* address, socklen_t length, int& error) noexcept {
  error = 0;
  if (::connect(fd, address, length) == 0) return ConnectState::connected;
  if (errno != EINPROGRESS) {
    error = errno;
    return ConnectState::failed;
  }
  pollfd pfd{fd, POLLOUT, 0};
  if (::poll(&pfd, 1, 0) != 1) return ConnectState::in_progress;
  error = connect_result(fd);
  return error == 0 ? ConnectState::connected : ConnectState::failed;
}

int connect_result(int fd) noexcept {
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
  return error;
}

}  // namespace foxport::platform
