#include "foxport/inspect.hpp"

#include "platform/listeners.hpp"
#include "platform/process_tree.hpp"

namespace foxport {

namespace {

// Launched by foxport: one of its ancestors is a foxport guard.
int guard_ancestor(int pid) {
  for (int ancestor = platform::parent_of(pid); ancestor > 1; ancestor = platform::parent_of(ancestor)) {
    if (platform::command_line(ancestor).find("foxport-guard") != std::string::npos) return ancestor;
  }
  return -1;
}

}  // namespace

std::vector<PortListener> listeners_on(std::uint16_t port) {
  std::vector<PortListener> found;
  for (const auto& listener : platform::listeners_on(port)) {
    PortListener entry{listener.address, listener.port, {}};
    for (const int pid : platform::socket_holders(listener.inode))
      entry.holders.push_back({pid, platform::executable_of(pid), platform::command_line(pid), guard_ancestor(pid)});
    found.push_back(std::move(entry));
  }
  return found;
}

std::vector<int> descendants_of(int pid) { return platform::descendants_of(pid); }

}  // namespace foxport
