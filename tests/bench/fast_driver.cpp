// A WebDriver server that starts as fast as a program can: it binds --port (0: any port) on
// 127.0.0.1, prints geckodriver's "Listening on" line and answers every request with a ready
// status. For the start benchmark (#19): what foxport adds to a driver's start, with no
// driver start-up in the way. Takes and ignores geckodriver's other options. Plain POSIX.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0) port = std::atoi(argv[i + 1]);
  }
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 64) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("fast driver: cannot listen");
    return 1;
  }
  std::printf("1700000000000\tgeckodriver\tINFO\tListening on 127.0.0.1:%d\n", ntohs(address.sin_port));
  std::fflush(stdout);
  static const char body[] = R"({"value":{"message":"","ready":true}})";
  char response[256];
  const int size = std::snprintf(response, sizeof response,
                                 "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n"
                                 "content-length: %zu\r\nconnection: close\r\n\r\n%s",
                                 sizeof body - 1, body);
  for (;;) {
    const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    char request[4096];
    if (::read(client, request, sizeof request) > 0 && ::write(client, response, static_cast<size_t>(size)) < 0) {
      std::perror("fast driver: write");
    }
    ::close(client);
  }
}
