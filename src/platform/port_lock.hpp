#pragma once
// What port leases rest on: the kernel's ephemeral range and an exclusive lock on a file
// that the kernel drops when its holder dies. Linux: /proc/sys and flock.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <utility>

namespace foxport::platform {

/// The range the kernel hands out as ephemeral (outgoing) ports, if it can be read.
std::optional<std::pair<std::uint16_t, std::uint16_t>> ephemeral_port_range();

/// Outcome of try_lock_file.
struct FileLock {
  int fd = -1;        ///< holds the lock while open; -1 when not locked
  bool busy = false;  ///< someone else holds it
};

/// Opens (creating it 0600, never through a symlink) and locks `path` exclusively without
/// waiting. The lock goes when the descriptor is closed or the process dies.
FileLock try_lock_file(const std::filesystem::path& path);

}  // namespace foxport::platform
