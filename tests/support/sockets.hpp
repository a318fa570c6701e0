#pragma once
// Loopback listeners for tests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <thread>

namespace foxport::testing {

/// A socket listening on 127.0.0.1:port (0: the kernel picks), or -1 if that port is taken.
inline int listen_on_loopback(std::uint16_t port = 0, int backlog = 16) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, backlog) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// The local port of a bound socket.
inline std::uint16_t local_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

/// A TCP peer on 127.0.0.1 serving `connections` connections one after the other on a thread
/// of its own, each by `serve(client_fd, index)`.
class FakePeer {
 public:
  explicit FakePeer(std::function<void(int)> serve) : FakePeer([serve](int fd, int) { serve(fd); }, 1) {}
  FakePeer(std::function<void(int, int)> serve, int connections) {
    fd_ = listen_on_loopback(0, 4);
    port_ = local_port(fd_);
    thread_ = std::thread([this, serve, connections] {
      for (int index = 0; index < connections; ++index) {
        const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) return;
        serve(client, index);
        ::close(client);
      }
    });
  }
  ~FakePeer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept() if nobody came
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace foxport::testing
