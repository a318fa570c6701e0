#pragma once
// What /proc says about processes and sockets: the facts readiness ("is the listener
// ours?"), stop ("is anything of the tree left?") and `foxport who` rest on.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace foxport::detail {

/// The whole content of a (small) file, "" if it cannot be read. Never throws: /proc files
/// vanish or fail with ESRCH while a process exits, which makes std::ifstream throw.
std::string read_text_file(const std::string& path);

/// Every live descendant of `root` (children, grandchildren, ...), not `root` itself.
std::vector<int> descendants_of(int root);

/// Parent pid, or -1 when the process is gone.
int parent_of(int pid);

/// True while `pid` exists and is not a zombie.
bool alive(int pid);

/// A listening TCP socket from /proc/net/tcp{,6}.
struct Listener {
  std::string address;   ///< "127.0.0.1", "::1", "0.0.0.0", "::"
  std::uint16_t port = 0;
  unsigned long inode = 0;
};

/// Every listening TCP socket on `port` (IPv4 and IPv6).
std::vector<Listener> listeners_on(std::uint16_t port);

/// The first of `pids` holding a socket with this inode, if any.
std::optional<int> socket_owner(unsigned long inode, const std::vector<int>& pids);

/// Every pid on the machine holding the socket (slow: scans all of /proc).
std::vector<int> socket_holders(unsigned long inode);

/// argv joined by spaces ("" when unreadable).
std::string command_line(int pid);

/// The value of `name` in the process's environment, if readable and set.
std::optional<std::string> environment_value(int pid, const std::string& name);

}  // namespace foxport::detail
