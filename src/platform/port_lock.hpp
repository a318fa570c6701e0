#pragma once
// What port leases rest on: the kernel's ephemeral range and exclusive holds that the kernel
// drops when their holder dies: a name machine-wide, a lock file per user.
// Linux: /proc/sys, abstract Unix sockets, flock.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
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

/// Outcome of try_hold_name.
struct NameHold {
  int fd = -1;        ///< holds the name while open; -1 when not held
  bool busy = false;  ///< someone else holds it
};

/// Takes `name` exclusively without waiting, for every user of the machine (of its network
/// namespace, where ports live too). Linux: an abstract Unix socket, bound and listening so that
/// name_holder can ask who holds it; the kernel releases it when the descriptor is closed or the
/// process dies.
NameHold try_hold_name(const std::string& name);

/// The process holding a name taken by try_hold_name, as the kernel tells (SO_PEERCRED).
struct NameHolder {
  pid_t pid = -1;
  uid_t uid = 0;
};

/// Who holds `name`, if someone does and the kernel tells.
std::optional<NameHolder> name_holder(const std::string& name);

}  // namespace foxport::platform
