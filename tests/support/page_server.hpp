#pragma once
// A tiny HTTP server for tests: serves one HTML page with a given title on 127.0.0.1 (port
// chosen by the kernel), so browser tests load something real that the test itself controls.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>

#include "support/sockets.hpp"

namespace foxport::testing {

class PageServer {
 public:
  /// Serves <title>title</title>; an empty title gets a random one (nothing hard-coded to match).
  explicit PageServer(std::string title = {}) : title_(title.empty() ? random_title() : std::move(title)) {
    fd_ = listen_on_loopback();
    port_ = local_port(fd_);
    thread_ = std::thread([this] { serve(); });
  }
  PageServer(const PageServer&) = delete;
  PageServer& operator=(const PageServer&) = delete;
  ~PageServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  const std::string& title() const { return title_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/page.html"; }
  int requests() const { return requests_; }

 private:
  static std::string random_title() {
    std::random_device random;
    return "foxport test page " + std::to_string(random());
  }

  void serve() {
    while (!stop_) {
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 50) <= 0) continue;  // wakes to notice stop_
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      char request[4096];
      [[maybe_unused]] const auto n = ::recv(client, request, sizeof request, 0);
      const std::string body =
          "<!doctype html><html><head><title>" + title_ + "</title></head><body>foxport</body></html>";
      const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      [[maybe_unused]] const auto sent = ::send(client, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(client);
      ++requests_;
    }
  }

  std::string title_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace foxport::testing
