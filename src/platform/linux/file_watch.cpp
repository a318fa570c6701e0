// Directory watches through inotify.

#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

#include "platform/file_watch.hpp"

namespace foxport::platform {

int watch_directory(const std::filesystem::path& directory) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return -1;
  if (::inotify_add_watch(fd, directory.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::vector<std::string> changed_files(const char* events, std::size_t size) {
  std::vector<std::string> names;
  for (std::size_t offset = 0; offset + sizeof(inotify_event) <= size;) {
    inotify_event event{};
    std::memcpy(&event, events + offset, sizeof event);
    if (event.len > 0 && offset + sizeof event + event.len <= size)
      names.emplace_back(events + offset + sizeof event);  // NUL-padded
    offset += sizeof(inotify_event) + event.len;
  }
  return names;
}

}  // namespace foxport::platform
