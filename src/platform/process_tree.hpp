#pragma once
// Facts about processes: the tree below a pid, parents, liveness, command lines. What stop
// ("is anything of the tree left?"), readiness and `foxport who` rest on. Boost-free: the
// guard compiles it too. Linux: /proc (platform/linux/procfs.cpp).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace foxport::platform {

/// Every pid on the machine.
std::vector<int> all_pids();

/// Every live descendant of `root` (children, grandchildren, ...), not `root` itself.
std::vector<int> descendants_of(int root);

/// Parent pid, or -1 when the process is gone.
int parent_of(int pid);

/// True while `pid` exists and is not a zombie.
bool alive(int pid);

/// argv joined by spaces ("" when unreadable).
std::string command_line(int pid);

/// The value of `name` in the process's environment, if readable and set.
std::optional<std::string> environment_value(int pid, const std::string& name);

/// The executable a process runs (empty when unknown).
std::filesystem::path executable_of(int pid);

/// A descriptor that polls readable when `pid` (a child of ours) exits, or -1 where the
/// system has none (Linux: pidfd).
int open_exit_descriptor(int pid);

}  // namespace foxport::platform
