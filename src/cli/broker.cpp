#include "cli/broker.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include "broker/protocol.hpp"
#include "foxport/error.hpp"
#include "foxport/process.hpp"
#include "platform/peer.hpp"

namespace foxport::cli {
namespace {

// A request is one short line: a taker that sends nothing useful this long is dropped.
constexpr int request_timeout_ms = 5000;
// How long a taker may wait for a launch to become ready.
constexpr auto take_timeout = std::chrono::seconds(120);

void send_all(int fd, const std::string& text) { (void)!::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

}  // namespace

struct Broker::State {
  Pool& pool;
  EndpointKind kind;
  std::filesystem::path directory;
  std::filesystem::path socket;
  int listener = -1;
  int wake[2] = {-1, -1};  // written once at stop: every thread polls its read end
  std::thread acceptor;
  struct Connection {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex mutex;
  std::list<Connection> connections;
  bool stopped = false;

  State(Pool& p, EndpointKind k) : pool(p), kind(k) {}

  // Waits until `fd` is readable; false when the broker stops or `timeout_ms` passes first.
  bool wait_readable(int fd, int timeout_ms) const {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    for (;;) {
      const int n = ::poll(fds, 2, timeout_ms);
      if (n < 0 && errno == EINTR) continue;
      return n > 0 && (fds[1].revents & POLLIN) == 0;
    }
  }

  void accept_loop() {
    for (;;) {
      if (!wait_readable(listener, -1)) return;
      const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      std::lock_guard lock(mutex);
      connections.remove_if([](Connection& each) {
        if (!each.done) return false;
        each.thread.join();
        return true;
      });
      auto& connection = connections.emplace_back();
      connection.thread = std::thread([this, client, &connection] {
        serve(client);
        ::close(client);
        connection.done = true;
      });
    }
  }

  // One taker: check who it is, read its request, hand it a launch, hold it until it hangs up.
  void serve(int client) {
    const auto uid = platform::peer_uid(client);
    if (!uid || *uid != ::getuid()) {
      return send_all(client, detail::error_reply("this broker serves uid " + std::to_string(::getuid()) +
                                                  " only; peer uid " + (uid ? std::to_string(*uid) : "unknown")));
    }
    std::string request;
    while (request.find('\n') == std::string::npos) {
      if (request.size() > detail::max_broker_request) return send_all(client, detail::error_reply("request too long"));
      if (!wait_readable(client, request_timeout_ms))
        return send_all(client, detail::error_reply("no request within 5000 ms"));
      char buffer[512];
      const auto n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    const auto asked = detail::parse_take_request(request.substr(0, request.find('\n')));
    if (const auto* error = std::get_if<std::string>(&asked)) return send_all(client, detail::error_reply(*error));
    if (std::get<EndpointKind>(asked) != kind) {
      return send_all(client, detail::error_reply(std::string("this broker serves ") + to_string(kind) + ", not " +
                                                  to_string(std::get<EndpointKind>(asked))));
    }
    Pool::Lease lease;
    try {
      lease = pool.take(take_timeout);
    } catch (const std::exception& e) {
      return send_all(client, detail::error_reply(e.what()));
    }
    send_all(client, detail::endpoint_reply(lease.endpoint()));
    // The connection is the lease: anything more the taker sends is ignored; its end (a close,
    // or the kernel's close when it dies) ends the lease.
    char ignored[512];
    while (wait_readable(client, -1) && ::recv(client, ignored, sizeof ignored, 0) > 0) {}
  }
};

Broker::Broker(Pool& pool, EndpointKind kind) : state_(std::make_unique<State>(pool, kind)) {
  auto& state = *state_;
  state.directory = make_temporary_directory("broker");  // 0700: only this user reaches the socket
  state.socket = state.directory / "broker.sock";
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (state.socket.native().size() >= sizeof address.sun_path) {
    std::filesystem::remove_all(state.directory);
    throw Error(std::make_error_code(std::errc::filename_too_long),
                "the broker's socket path is too long: " + state.socket.string() + " (set a shorter TMPDIR)");
  }
  std::memcpy(address.sun_path, state.socket.c_str(), state.socket.native().size());
  state.listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (state.listener < 0 || ::bind(state.listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(state.listener, 64) != 0 || ::pipe2(state.wake, O_CLOEXEC) != 0) {
    const std::error_code ec(errno, std::system_category());
    stop();
    throw Error(ec, "cannot serve the broker at " + state_->socket.string());
  }
  state.acceptor = std::thread([&state] { state.accept_loop(); });
}

Broker::~Broker() { stop(); }

const std::filesystem::path& Broker::socket() const noexcept { return state_->socket; }

void Broker::stop() noexcept {
  if (!state_) return;
  auto& state = *state_;
  {
    std::lock_guard lock(state.mutex);
    if (state.stopped) return;
    state.stopped = true;
  }
  if (state.wake[1] >= 0) (void)!::write(state.wake[1], "x", 1);
  if (state.acceptor.joinable()) state.acceptor.join();
  for (auto& connection : state.connections) connection.thread.join();  // the acceptor is gone: no new ones
  for (int fd : {state.listener, state.wake[0], state.wake[1]}) {
    if (fd >= 0) ::close(fd);
  }
  std::error_code ignored;
  std::filesystem::remove_all(state.directory, ignored);
}

}  // namespace foxport::cli
