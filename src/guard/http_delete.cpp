#include "guard/http_delete.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "guard/tls.hpp"
#include "platform/name_services.hpp"

namespace foxport::guard {

namespace {

constexpr int step_ms = 5000;  // each of connect, TLS handshake, send and every read

// A connected, blocking socket with send/receive timeouts; -1 when none of the addresses answered.
int connect_to(const HttpUrl& url) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  platform::prepare_name_lookup();
  if (::getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found) != 0) return -1;
  int connected = -1;
  for (const addrinfo* address = found; address != nullptr && connected < 0; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    if (::connect(fd, address->ai_addr, address->ai_addrlen) == 0 || errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      int error = 0;
      socklen_t length = sizeof error;
      if (::poll(&pfd, 1, step_ms) > 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        const timeval timeout{step_ms / 1000, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        connected = fd;
        continue;
      }
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return connected;
}

std::string request_for(const HttpUrl& url) {
  std::string request = "DELETE " + url.path + " HTTP/1.1\r\nHost: " + url.authority + "\r\n";
  if (!url.user_info.empty()) request += "Authorization: Basic " + base64(url.user_info) + "\r\n";
  return request + "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

void delete_plain(int fd, const std::string& request) {
  [[maybe_unused]] const auto sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buffer[4096];
  while (::read(fd, buffer, sizeof buffer) > 0) {}
}

void delete_tls(int fd, const HttpUrl& url, const std::string& request) {
  const Tls* tls = guard::tls();
  if (tls == nullptr) return;  // no OpenSSL here: nothing we can do
  SSL_CTX* context = tls->ctx_new(tls->client_method());
  if (context == nullptr) return;
  const char* insecure = std::getenv("FOXPORT_REMOTE_INSECURE");
  if (insecure != nullptr && std::string_view(insecure) == "1") {
    tls->set_verify(context, SSL_VERIFY_NONE, nullptr);
  } else {
    tls->default_verify_paths(context);  // the system's CAs, or SSL_CERT_FILE / SSL_CERT_DIR
    tls->set_verify(context, SSL_VERIFY_PEER, nullptr);
  }
  if (SSL* ssl = tls->ssl_new(context); ssl != nullptr) {
    in6_addr ip;
    const bool literal =
        ::inet_pton(AF_INET, url.host.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, url.host.c_str(), &ip) == 1;
    const bool named = literal ? tls->set1_ip(tls->get0_param(ssl), url.host.c_str()) == 1
                               : tls->ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                           const_cast<char*>(url.host.c_str())) == 1 &&
                                     tls->set1_host(ssl, url.host.c_str()) == 1;
    if (named && tls->set_fd(ssl, fd) == 1 && tls->connect(ssl) == 1) {
      tls->write(ssl, request.data(), static_cast<int>(request.size()));
      char buffer[4096];
      while (tls->read(ssl, buffer, sizeof buffer) > 0) {}
      tls->shutdown(ssl);
    }
    tls->ssl_free(ssl);
  }
  tls->ctx_free(context);
}

}  // namespace

void http_delete(const std::string& text) {
  const auto url = parse_http_url(text);
  if (!url) return;
  const int fd = connect_to(*url);
  if (fd < 0) return;
  const auto request = request_for(*url);
  if (url->tls) {
    delete_tls(fd, *url, request);
  } else {
    delete_plain(fd, request);
  }
  ::close(fd);
}

}  // namespace foxport::guard
