// Lease locks: flock on a file per port; the ephemeral range from /proc/sys.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
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

}  // namespace foxport::platform
