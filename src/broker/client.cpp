#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "broker/protocol.hpp"
#include "foxport/broker.hpp"
#include "foxport/error.hpp"

namespace foxport {
namespace {

using Clock = std::chrono::steady_clock;

std::error_code last_error() { return {errno, std::system_category()}; }

// Reads one reply line, bounded by `deadline`.
std::string read_line(int fd, Clock::time_point deadline, const std::string& where) {
  std::string line;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd poll_fd{fd, POLLIN, 0};
    const int ready = left > 0 ? ::poll(&poll_fd, 1, static_cast<int>(left)) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw Error(last_error(), where + ": poll failed");
    if (ready == 0) throw Error(errc::ready_timeout, where + ": no launch was ready in time");
    char buffer[4096];
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(last_error(), where + ": cannot read the reply");
    if (n == 0) throw Error(errc::protocol_error, where + ": the broker hung up without a reply");
    line.append(buffer, static_cast<std::size_t>(n));
    if (const auto newline = line.find('\n'); newline != std::string::npos) return line.substr(0, newline);
    if (line.size() > 64 * 1024) throw Error(errc::protocol_error, where + ": the reply is too long");
  }
}

}  // namespace

BrokerLease BrokerLease::take(const std::filesystem::path& socket, EndpointKind kind,
                              std::chrono::milliseconds timeout) {
  const std::string where = "the foxport broker at " + socket.string();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket.native().size() >= sizeof address.sun_path)
    throw Error(std::make_error_code(std::errc::filename_too_long), where + ": the path is too long");
  std::memcpy(address.sun_path, socket.c_str(), socket.native().size());
  BrokerLease lease;
  // CLOEXEC: a child of the taker must not keep the lease alive after the taker dies.
  lease.fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lease.fd_ < 0) throw Error(last_error(), where + ": cannot create a socket");
  if (::connect(lease.fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw Error(last_error(), "cannot connect to " + where + " (did its foxport run end?)");
  const auto request = detail::take_request(kind);
  if (::send(lease.fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    throw Error(last_error(), where + ": cannot send the request");
  const auto reply = detail::parse_broker_reply(read_line(lease.fd_, Clock::now() + timeout, where));
  if (const auto* error = std::get_if<std::string>(&reply))
    throw Error(errc::remote_error, where + " could not give a " + to_string(kind) + ": " + *error);
  lease.endpoint_ = std::get<Endpoint>(reply);
  return lease;
}

BrokerLease::BrokerLease(BrokerLease&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), endpoint_(std::move(other.endpoint_)) {}

BrokerLease& BrokerLease::operator=(BrokerLease&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    endpoint_ = std::move(other.endpoint_);
  }
  return *this;
}

BrokerLease::~BrokerLease() { release(); }

void BrokerLease::release() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<BrokerAddress> broker_from_environment() {
  const char* socket = std::getenv("FOXPORT_BROKER");
  const char* kind = std::getenv("FOXPORT_KIND");
  if (socket == nullptr || *socket == '\0' || kind == nullptr) return std::nullopt;
  const auto parsed = endpoint_kind_from_string(kind);
  if (!parsed) return std::nullopt;
  return BrokerAddress{socket, *parsed};
}

}  // namespace foxport
