// foxport-test-target: one helper executable with modes, started by the tests as a child
// (the idea of Boost.Process's test/v2/target.cpp). Each mode does one observable thing.
//
//   sleep SECONDS               sleep, then exit 0
//   exit N                      exit with status N at once
//   ignore-term SECONDS         ignore SIGTERM, print "ready", then sleep
//   grandchild SECONDS          double-fork a grandchild into its own process group that
//                               ignores SIGTERM; print "grandchild PID", then sleep
//   spew BYTES                  write BYTES of numbered lines to stdout, print "done", exit 0
//   listen PORT [TEXT]          listen on 127.0.0.1:PORT (0 = any), print
//                               "Listening on port N", answer each connection with TEXT
//   print LINE...               print each LINE on stdout ("err:" prefix -> stderr), then sleep
//   env NAME                    print NAME's value, exit 0
//   descriptors                 print "fds N N ..." (its open descriptors) and "leader yes|no"
//                               (whether it leads its process group), then copy one line
//                               from descriptor 3 to descriptor 4 and exit 0

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void sleep_seconds(int seconds) {
  for (int left = seconds; left > 0;) left = static_cast<int>(::sleep(static_cast<unsigned>(left)));
}

int descriptors_mode() {
  std::string fds;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.' && std::atoi(entry->d_name) != ::dirfd(dir)) fds += std::string(" ") + entry->d_name;
    }
    ::closedir(dir);
  }
  std::printf("fds%s\nleader %s\n", fds.c_str(), ::getpgid(0) == ::getpid() ? "yes" : "no");
  char line[256];
  const auto n = ::read(3, line, sizeof line);
  return n > 0 && ::write(4, line, static_cast<std::size_t>(n)) == n ? 0 : 1;
}

int listen_mode(int port, const char* text) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    std::fprintf(stderr, "bind() failed: %s\n", std::strerror(errno));
    return 69;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("Listening on port %d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  for (;;) {
    const int client = ::accept(fd, nullptr, nullptr);
    if (client < 0) continue;
    if (text != nullptr) (void)!::write(client, text, std::strlen(text));
    ::close(client);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODE [ARGS...]\n", argv[0]);
    return 64;
  }
  const std::string mode = argv[1];
  const int arg = argc > 2 ? std::atoi(argv[2]) : 0;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  if (mode == "sleep") {
    sleep_seconds(arg);
    return 0;
  }
  if (mode == "exit") return arg;
  if (mode == "ignore-term") {
    ::signal(SIGTERM, SIG_IGN);
    std::printf("ready\n");
    sleep_seconds(arg);
    return 0;
  }
  if (mode == "grandchild") {
    const pid_t middle = ::fork();
    if (middle == 0) {
      ::setsid();
      const pid_t grandchild = ::fork();
      if (grandchild == 0) {
        ::signal(SIGTERM, SIG_IGN);
        std::printf("grandchild %d\n", static_cast<int>(::getpid()));
        std::fflush(stdout);
        sleep_seconds(arg);
        ::_exit(0);
      }
      ::_exit(0);  // the grandchild is orphaned: it leaves our process group and parent
    }
    int status = 0;
    ::waitpid(middle, &status, 0);
    sleep_seconds(arg);
    return 0;
  }
  if (mode == "spew") {
    long long written = 0;
    for (long long line = 0; written < arg; ++line) {
      written += std::printf("line %lld of a child that writes a lot of output\n", line);
    }
    std::printf("done\n");
    return 0;
  }
  if (mode == "listen") return listen_mode(arg, argc > 3 ? argv[3] : nullptr);
  if (mode == "print") {
    for (int i = 2; i < argc; ++i) {
      if (std::strncmp(argv[i], "err:", 4) == 0) {
        std::fprintf(stderr, "%s\n", argv[i] + 4);
      } else {
        std::printf("%s\n", argv[i]);
      }
    }
    std::fflush(stdout);
    sleep_seconds(3600);
    return 0;
  }
  if (mode == "descriptors") return descriptors_mode();
  if (mode == "env") {
    const char* value = argc > 2 ? std::getenv(argv[2]) : nullptr;
    std::printf("%s\n", value != nullptr ? value : "");
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 64;
}
