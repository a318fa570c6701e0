// The sock_diag query behind listeners_on (#15 item 14): a dump the kernel refuses is not an
// empty answer, so that the /proc/net fallback runs.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
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
