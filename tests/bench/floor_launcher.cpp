// The least a launcher with foxport's guarantees adds to a driver's start, for the start
// benchmark (#19): it tells what those guarantees cost on this machine from what is foxport's
// own. One launch of a geckodriver-like DRIVER, plain POSIX and written out on its own (it
// links nothing of foxport's, as fast_driver.cpp does not), no messages (an exit code says
// what failed), nothing foxport does beyond this:
//   - a guard is forked first, a subreaper leading a group of its own; it is handed the launch
//     directory, runs the driver with a parent-death signal, and once the control pipe ends
//     (the launcher is gone) SIGKILLs the tree and removes the directory;
//   - the port comes from the driver's "Listening on" line; the endpoint is ready once its
//     listener is found among the driver's descriptors (sock_diag, /proc/PID/fd) and GET
//     /status answers ready.
//
//   foxport-bench-floor-launcher DRIVER [chromedriver]   (prints a JSON line when ready; stops
//   when stdin ends). With "chromedriver": DRIVER --port=0 and its "started successfully on port"
//   line, to tell what of chromedriver's start under foxport is the guarantees' cost.

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// The launcher's pipes: control (to the guard), status (from it), the driver's output.
struct Pipes {
  int control[2], status[2], out[2];
};

// The guard: owns the directory it is sent, runs the driver, cleans up when control ends.
[[noreturn]] void guard(const char* driver, bool chromedriver, const Pipes& pipes) {
  const int control = pipes.control[0], status = pipes.status[1], out = pipes.out[1];
  for (const int launchers : {pipes.control[1], pipes.status[0], pipes.out[0]}) ::close(launchers);
  ::setpgid(0, 0);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  char directory[256];
  const auto n = ::read(control, directory, sizeof directory - 1);
  if (n <= 0) ::_exit(0);
  directory[n] = '\0';
  const pid_t child = ::vfork();
  if (child == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(out, STDOUT_FILENO);
    const char* gecko[] = {driver, "--port", "0", nullptr};
    const char* chrome[] = {driver, "--port=0", nullptr};
    ::execv(driver, const_cast<char* const*>(chromedriver ? chrome : gecko));
    ::_exit(127);
  }
  ::close(out);  // the driver's alone: its end is the output's end
  const std::string started = "started " + std::to_string(child) + "\n";
  if (child < 0 || ::write(status, started.data(), started.size()) < 0) ::_exit(1);
  for (char ignored; ::read(control, &ignored, 1) > 0;) {}
  ::kill(-child, SIGKILL);
  while (::wait(nullptr) > 0) {}
  ::rmdir(directory);
  ::_exit(0);
}

// The port of the driver's "Listening on 127.0.0.1:PORT" line (chromedriver's "started
// successfully on port PORT"); 0 if its output ends first.
int reported_port(int out, bool chromedriver) {
  const std::string said = chromedriver ? "started successfully on port " : "Listening on 127.0.0.1:";
  std::string text;
  for (char buffer[4096];;) {
    const auto n = ::read(out, buffer, sizeof buffer);
    if (n <= 0) return 0;
    text.append(buffer, static_cast<std::size_t>(n));
    const auto at = text.find(said);
    if (at != std::string::npos && text.find('\n', at) != std::string::npos)
      return std::atoi(text.c_str() + at + said.size());
  }
}

// A connection to the port with GET /status written; -1 if it failed.
int send_status_request(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request =
      "GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
    return -1;
  return fd;
}

// The inode of the IPv4 listener on the port (sock_diag); 0 if there is none.
unsigned long listener_inode(int port) {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1u << TCP_LISTEN;
  unsigned long inode = 0;
  if (fd < 0 || ::send(fd, &message, sizeof message, 0) < 0) return 0;
  alignas(nlmsghdr) char buffer[16384];
  for (bool done = false; !done;) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    auto length = static_cast<unsigned>(n);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(header, length);
         header = NLMSG_NEXT(header, length)) {
      if ((done = header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR)) break;
      const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
      if (ntohs(diag->id.idiag_sport) == port) inode = diag->idiag_inode;
    }
  }
  ::close(fd);
  return inode;
}

// Whether process `pid` holds the socket `inode`.
bool holds(int pid, unsigned long inode) {
  const std::string directory = "/proc/" + std::to_string(pid) + "/fd";
  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  DIR* fds = ::opendir(directory.c_str());
  bool found = false;
  while (fds != nullptr && !found) {
    const dirent* entry = ::readdir(fds);
    if (entry == nullptr) break;
    char target[64];
    const auto n = ::readlinkat(::dirfd(fds), entry->d_name, target, sizeof target);
    found = n > 0 && wanted == std::string(target, static_cast<std::size_t>(n));
  }
  if (fds != nullptr) ::closedir(fds);
  return found;
}

bool answers_ready(int http) {
  // Until the body's Content-Length is in (chromedriver keeps the connection open), or the end.
  std::string response;
  for (char buffer[4096];;) {
    const auto n = ::read(http, buffer, sizeof buffer);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
    const auto body = response.find("\r\n\r\n");
    auto length = response.find("ontent-Length:");
    if (length == std::string::npos) length = response.find("ontent-length:");
    if (body != std::string::npos && length != std::string::npos && length < body &&
        response.size() >= body + 4 + std::strtoul(response.c_str() + length + 14, nullptr, 10))
      break;
  }
  ::close(http);
  return response.find("\"ready\":true") != std::string::npos;
}

}  // namespace

// Ends the launch: the guard cleans up once control ends, and is waited for.
int finish(int control, pid_t guard_pid, int code) {
  ::close(control);
  ::waitpid(guard_pid, nullptr, 0);
  return code;
}

int main(int argc, char** argv) {
  const bool chromedriver = argc == 3 && std::string(argv[2]) == "chromedriver";
  if (argc != 2 && !chromedriver) return 64;
  Pipes pipes;
  if (::pipe2(pipes.control, O_CLOEXEC) != 0 || ::pipe2(pipes.status, O_CLOEXEC) != 0 ||
      ::pipe2(pipes.out, O_CLOEXEC) != 0)
    return 71;
  const pid_t guard_pid = ::fork();
  if (guard_pid < 0) return 71;
  if (guard_pid == 0) guard(argv[1], chromedriver, pipes);
  const int control = pipes.control[1], status = pipes.status[0], out = pipes.out[0];
  for (const int guards : {pipes.control[0], pipes.status[1], pipes.out[1]}) ::close(guards);
  const char* tmp = std::getenv("TMPDIR");
  std::string directory = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/foxport-floor-XXXXXX";
  if (::mkdtemp(directory.data()) == nullptr || ::write(control, directory.data(), directory.size()) < 0)
    return finish(control, guard_pid, 71);
  char started[64];
  const auto n = ::read(status, started, sizeof started - 1);
  if (n <= 8) return finish(control, guard_pid, 69);
  started[n] = '\0';
  const int pid = std::atoi(started + 8);
  const int port = reported_port(out, chromedriver);
  const int http = port > 0 ? send_status_request(port) : -1;
  // The listener is looked up while the driver answers, as foxport does.
  if (http < 0 || !holds(pid, listener_inode(port)) || !answers_ready(http)) return finish(control, guard_pid, 69);
  std::printf("{\"kind\":\"%s\",\"port\":%d,\"pid\":%d,\"url\":\"http://127.0.0.1:%d\"}\n",
              chromedriver ? "chromedriver" : "geckodriver", port, pid, port);
  std::fflush(stdout);
  for (char ignored; ::read(STDIN_FILENO, &ignored, 1) > 0;) {}
  return finish(control, guard_pid, 0);
}
