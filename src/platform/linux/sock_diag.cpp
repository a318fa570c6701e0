// Listening sockets from the kernel's sock_diag netlink interface, /proc/net/tcp as the
// fallback, and their owners from /proc/PID/fd.

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string_view>

#include "platform/linux/sock_diag.hpp"

#include "platform/files.hpp"
#include "platform/listeners.hpp"
#include "platform/process_tree.hpp"

namespace foxport::platform {

namespace {

std::string hex_address(const std::string& hex) {
  // /proc/net/tcp prints addresses as 32-bit words in host (little-endian) order.
  char text[64] = "?";
  if (hex.size() == 8) {
    const auto word = static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16));
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", word & 0xff, (word >> 8) & 0xff, (word >> 16) & 0xff, word >> 24);
    return text;
  }
  if (hex == "00000000000000000000000000000000") return "::";
  if (hex == "00000000000000000000000001000000") return "::1";
  if (hex == "0000000000000000FFFF00000100007F") return "::ffff:127.0.0.1";
  return "[" + hex + "]";
}

}  // namespace

// sock_diag walks only the listening hash, where reading /proc/net/tcp walks every
// connection bucket (milliseconds per read on this kernel).
namespace {

// One dump of `family`'s listeners on the netlink socket `fd`.
std::optional<std::vector<Listener>> dump_listeners(int fd, int family, int protocol, std::uint16_t port) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = static_cast<std::uint8_t>(family);
  message.request.sdiag_protocol = static_cast<std::uint8_t>(protocol);
  message.request.idiag_states = 1u << TCP_LISTEN;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return std::nullopt;
  std::vector<Listener> found;
  bool complete = false;  // only a clean NLMSG_DONE makes the answer whole
  alignas(nlmsghdr) char buffer[32768];
  for (bool done = false; !done;) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    auto length = static_cast<unsigned>(n);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(header, length);
         header = NLMSG_NEXT(header, length)) {
      if (header->nlmsg_type == NLMSG_ERROR || header->nlmsg_type == NLMSG_DONE) {
        // NLMSG_ERROR carries a negative errno (0 is an acknowledgement); a dump that failed
        // part-way says so in NLMSG_DONE's payload (an unknown protocol: -ENOENT).
        int error = -1;  // a truncated NLMSG_ERROR is an error too
        if (header->nlmsg_type == NLMSG_ERROR && header->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)))
          error = static_cast<const nlmsgerr*>(NLMSG_DATA(header))->error;
        if (header->nlmsg_type == NLMSG_DONE)
          error = header->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ? *static_cast<const int*>(NLMSG_DATA(header)) : 0;
        complete = error == 0;
        done = true;
        break;
      }
      const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
      if (ntohs(diag->id.idiag_sport) != port) continue;
      char text[INET6_ADDRSTRLEN] = "?";
      ::inet_ntop(family, diag->id.idiag_src, text, sizeof text);
      found.push_back({text, port, diag->idiag_inode});
    }
  }
  if (!complete) return std::nullopt;
  return found;
}

// A netlink socket for sock_diag queries, closed with its scope.
struct DiagSocket {
  int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  DiagSocket() = default;
  DiagSocket(const DiagSocket&) = delete;
  DiagSocket& operator=(const DiagSocket&) = delete;
  ~DiagSocket() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::optional<std::vector<Listener>> linux_sock_diag::listeners(int family, int protocol, std::uint16_t port) {
  const DiagSocket diag;
  if (diag.fd < 0) return std::nullopt;
  return dump_listeners(diag.fd, family, protocol, port);
}

std::optional<Listener> listener_reached(const std::string& address, std::uint16_t port) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  const int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (::inet_pton(family, address.c_str(), message.request.id.idiag_src) != 1) return std::nullopt;
  // Not a dump: the kernel looks the socket up as for a packet from the unspecified address to
  // address:port, which an established connection cannot match, and answers with the listener.
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.request.sdiag_family = static_cast<std::uint8_t>(family);
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1u << TCP_LISTEN;
  message.request.id.idiag_sport = htons(port);
  message.request.id.idiag_cookie[0] = message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  const DiagSocket diag;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (diag.fd < 0 ||
      ::sendto(diag.fd, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return std::nullopt;
  alignas(nlmsghdr) char buffer[1024];
  const auto n = ::recv(diag.fd, buffer, sizeof buffer, 0);
  const auto* header = reinterpret_cast<const nlmsghdr*>(buffer);
  if (n <= 0 || !NLMSG_OK(header, static_cast<unsigned>(n)) || header->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
      header->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg)))
    return std::nullopt;  // NLMSG_ERROR: ENOENT when nothing listens there
  const auto* diag_message = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
  if (diag_message->idiag_state != TCP_LISTEN) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = "?";
  ::inet_ntop(diag_message->idiag_family, diag_message->id.idiag_src, text, sizeof text);
  return Listener{text, port, diag_message->idiag_inode};
}

namespace {

std::vector<Listener> proc_net_listeners(std::uint16_t port) {
  std::vector<Listener> found;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_small_file(table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
      const auto colon = local.find(':');
      if (state != "0A" || colon == std::string::npos || inode.empty()) continue;  // 0A = LISTEN
      if (std::stoul(local.substr(colon + 1), nullptr, 16) != port) continue;
      found.push_back({hex_address(local.substr(0, colon)), port, std::stoul(inode)});
    }
  }
  return found;
}

}  // namespace

std::vector<Listener> listeners_on(std::uint16_t port) {
  const DiagSocket diag;  // one socket for both dumps: the readiness check waits for them (#19)
  auto found = diag.fd >= 0 ? dump_listeners(diag.fd, AF_INET, IPPROTO_TCP, port) : std::nullopt;
  auto found6 = found ? dump_listeners(diag.fd, AF_INET6, IPPROTO_TCP, port) : std::nullopt;
  if (!found || !found6) return proc_net_listeners(port);
  found->insert(found->end(), found6->begin(), found6->end());
  return *found;
}

namespace {

// Whether `pid` holds the socket `wanted` ("socket:[INODE]"). The directory is read into the
// stack (opendir allocates 32 KiB) and each link relative to it, newest descriptor first: a
// listener is made late in a program's start, and the readiness check runs this while the
// program answers its probe, on the same two cores (#19).
bool holds(int pid, std::string_view wanted) {
  char directory[32];
  std::snprintf(directory, sizeof directory, "/proc/%d/fd", pid);
  const int fd = ::open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool found = false;
  alignas(dirent64) char entries[4096];
  std::array<std::uint16_t, sizeof entries / offsetof(dirent64, d_name)> offsets{};
  for (ssize_t n; !found && (n = ::getdents64(fd, entries, sizeof entries)) > 0;) {
    std::size_t count = 0;
    for (ssize_t at = 0; at < n; at += reinterpret_cast<const dirent64*>(entries + at)->d_reclen)
      offsets[count++] = static_cast<std::uint16_t>(at);
    while (count > 0 && !found) {
      const char* name = reinterpret_cast<const dirent64*>(entries + offsets[--count])->d_name;
      if (name[0] < '0' || name[0] > '9') continue;  // "." and ".."
      char target[64];
      const auto length = ::readlinkat(fd, name, target, sizeof target);
      found = length > 0 && std::string_view(target, static_cast<std::size_t>(length)) == wanted;
    }
  }
  ::close(fd);
  return found;
}

}  // namespace

std::optional<int> socket_owner(unsigned long inode, const std::vector<int>& pids) {
  char wanted[48];
  const int length = std::snprintf(wanted, sizeof wanted, "socket:[%lu]", inode);
  for (const int pid : pids) {
    if (holds(pid, std::string_view(wanted, static_cast<std::size_t>(length)))) return pid;
  }
  return std::nullopt;
}

std::vector<int> socket_holders(unsigned long inode) {
  std::vector<int> holders;
  for (const int pid : all_pids()) {
    if (socket_owner(inode, {pid})) holders.push_back(pid);
  }
  return holders;
}

}  // namespace foxport::platform
