// The sock_diag query behind listeners_on (#15 item 14): a dump the kernel refuses is not an
// empty answer, so that the /proc/net fallback runs. And listener_reached: the listener the
// kernel hands a client's connection to, as the readiness check's first look (#19).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/linux/sock_diag.hpp"

namespace {

// A listener on 127.0.0.1 and a port the kernel chose.
struct Listening {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  std::uint16_t port = 0;
  Listening() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 && ::listen(fd, 1) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
      port = ntohs(address.sin_port);
  }
  ~Listening() { ::close(fd); }
};

// An IPv6 listener on `address` ("::" or "::1") and `port` (0: the kernel chooses).
struct Listening6 {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  std::uint16_t port = 0;
  Listening6(const char* text, std::uint16_t wanted, bool v6_only) {
    const int only = v6_only ? 1 : 0;
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(wanted);
    socklen_t length = sizeof address;
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only) == 0 &&
        ::inet_pton(AF_INET6, text, &address.sin6_addr) == 1 &&
        ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 && ::listen(fd, 1) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
      port = ntohs(address.sin6_port);
  }
  ~Listening6() { ::close(fd); }
};

// The inode of the socket at `fd`, as /proc/self/fd names it.
unsigned long inode_of(int fd) {
  struct stat status {};
  return ::fstat(fd, &status) == 0 ? status.st_ino : 0;
}

}  // namespace

using foxport::platform::linux_sock_diag::listeners;

TEST(SockDiag, FindsAListener) {
  const Listening listening;
  ASSERT_NE(listening.port, 0);
  const auto found = listeners(AF_INET, IPPROTO_TCP, listening.port);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().address, "127.0.0.1");
}

TEST(SockDiag, ARefusedDumpIsAnErrorNotAnEmptyAnswer) {
  const Listening listening;
  ASSERT_NE(listening.port, 0);
  // An unknown family: the kernel answers NLMSG_ERROR (EINVAL).
  EXPECT_FALSE(listeners(AF_UNSPEC + 99, IPPROTO_TCP, listening.port).has_value());
  // A protocol without a sock_diag handler: the error comes in NLMSG_DONE (ENOENT).
  EXPECT_FALSE(listeners(AF_INET, IPPROTO_ICMP, listening.port).has_value());
}

using foxport::platform::listener_reached;

TEST(SockDiag, TheListenerReachedIsTheOneAClientConnectsTo) {
  const Listening listening;
  ASSERT_NE(listening.port, 0);
  const auto reached = listener_reached("127.0.0.1", listening.port);
  ASSERT_TRUE(reached.has_value());
  EXPECT_EQ(reached->address, "127.0.0.1");
  EXPECT_EQ(reached->port, listening.port);
  EXPECT_EQ(reached->inode, inode_of(listening.fd));
  // On another address of that port, nothing listens.
  EXPECT_FALSE(listener_reached("::1", listening.port).has_value());
}

TEST(SockDiag, ADualStackListenerIsReachedOverIPv4AndIPv6) {
  const Listening6 listening("::", 0, false);
  ASSERT_NE(listening.port, 0);
  for (const char* address : {"127.0.0.1", "::1"}) {
    const auto reached = listener_reached(address, listening.port);
    ASSERT_TRUE(reached.has_value()) << address;
    EXPECT_EQ(reached->address, "::") << address;
    EXPECT_EQ(reached->inode, inode_of(listening.fd)) << address;
  }
}

TEST(SockDiag, EachAddressReachesItsOwnListenerOfAPort) {
  const Listening v4;
  ASSERT_NE(v4.port, 0);
  const Listening6 v6("::1", v4.port, true);
  ASSERT_EQ(v6.port, v4.port);
  EXPECT_EQ(listener_reached("127.0.0.1", v4.port).value_or(foxport::platform::Listener{}).inode, inode_of(v4.fd));
  EXPECT_EQ(listener_reached("::1", v4.port).value_or(foxport::platform::Listener{}).inode, inode_of(v6.fd));
}

TEST(SockDiag, NothingIsReachedOnAFreePortOrAtANameThatIsNoAddress) {
  std::uint16_t port = 0;
  {
    const Listening listening;
    port = listening.port;
  }
  ASSERT_NE(port, 0);
  EXPECT_FALSE(listener_reached("127.0.0.1", port).has_value());
  EXPECT_FALSE(listener_reached("localhost", port).has_value());
}
