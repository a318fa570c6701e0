// Lease locks: an abstract Unix socket per name, flock on a file; the ephemeral range from
// /proc/sys.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <sstream>

#include "platform/files.hpp"
#include "platform/port_lock.hpp"

namespace foxport::platform {

std::optional<std::pair<std::uint16_t, std::uint16_t>> ephemeral_port_range() {
  std::istringstream in(read_small_file("/proc/sys/net/ipv4/ip_local_port_range"));
  unsigned low = 0;
  unsigned high = 0;
  if (!(in >> low >> high) || low > high || high > 65535) return std::nullopt;
  return std::pair{static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)};
}

FileLock try_lock_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return {};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    ::close(fd);
    return {-1, busy};
  }
  return {fd, false};
}

namespace {

// "\0name": abstract, so nothing on disk, no permissions, gone with its last descriptor.
socklen_t abstract_address(const std::string& name, sockaddr_un& address) {
  address = {};
  address.sun_family = AF_UNIX;
  const auto length = std::min(name.size(), sizeof address.sun_path - 1);
  std::memcpy(address.sun_path + 1, name.data(), length);
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + length);
}

}  // namespace

NameHold try_hold_name(const std::string& name) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_un address;
  const auto length = abstract_address(name, address);
  // Listening lets name_holder connect and read the holder's credentials; nobody accepts.
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd, 64) != 0) {
    const bool busy = errno == EADDRINUSE;
    ::close(fd);
    return {-1, busy};
  }
  return {fd, false};
}

std::optional<NameHolder> name_holder(const std::string& name) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_un address;
  const auto length = abstract_address(name, address);
  std::optional<NameHolder> holder;
  ucred credentials{};
  socklen_t size = sizeof credentials;
  // Non-blocking: a holder whose queue is full (it never accepts) makes this fail, not wait.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
      ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0) {
    holder = NameHolder{credentials.pid, credentials.uid};
  }
  ::close(fd);
  return holder;
}

}  // namespace foxport::platform
