#include "foxport/port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <utility>

#include "foxport/error.hpp"
#include "platform/name_services.hpp"
#include "platform/port_lock.hpp"
#include "platform/random.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace {

// IANA's dynamic (private) port range.
constexpr std::uint16_t dynamic_first = 49152;
constexpr std::uint16_t dynamic_last = 65535;

std::optional<std::uint16_t> to_port(std::string_view digits) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// The digits right after `marker` (up to the first non-digit), as a port.
std::optional<std::uint16_t> port_after(std::string_view line, std::string_view marker, std::string_view tail = {}) {
  const auto at = line.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = line.substr(at + marker.size());
  std::size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  if (trim(rest.substr(digits)) != tail) return std::nullopt;
  return to_port(rest.substr(0, digits));
}

// Binding without SO_REUSEADDR fails for a port that is listened on or still in use by a
// connection, which is what we want: such a port would fail the child's bind too.
bool bindable(int family, std::uint16_t port) {
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return family == AF_INET6;  // no IPv6 here: nothing to collide with
  int result = -1;
  int err = 0;
  if (family == AF_INET) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    result = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    addr.sin6_addr = in6addr_loopback;
    int v6only = 1;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    result = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  err = errno;
  ::close(fd);
  if (result == 0) return true;
  return family == AF_INET6 && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT);  // no ::1 here
}

// One name per port for every user on the machine: lock files in a per-user directory let
// two users lease the same port.
std::string lease_name(std::uint16_t port) { return "foxport-port-" + std::to_string(port); }

// "pid 123, user nobody (uid 65534)", as far as the kernel tells.
std::string holder_of(std::uint16_t port) {
  const auto holder = platform::name_holder(lease_name(port));
  if (!holder) return "holder unknown";
  std::string user = "uid " + std::to_string(holder->uid);
  passwd entry{};
  passwd* found = nullptr;
  char names[1024];
  platform::prepare_name_lookup();
  if (::getpwuid_r(holder->uid, &entry, names, sizeof names, &found) == 0 && found != nullptr)
    user = "user " + std::string(found->pw_name) + " (" + user + ")";
  return (holder->pid > 0 ? "pid " + std::to_string(holder->pid) + ", " : std::string()) + user;
}

}  // namespace

std::optional<std::uint16_t> parse_port_report(PortReport kind, std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  switch (kind) {
    case PortReport::geckodriver: {
      if (line.find("\tgeckodriver\t") == std::string_view::npos) return std::nullopt;
      const auto at = line.find("Listening on ");
      const auto colon = line.rfind(':');
      if (at == std::string_view::npos || colon == std::string_view::npos || colon < at) return std::nullopt;
      return to_port(trim(line.substr(colon + 1)));
    }
    case PortReport::marionette:
      if (line.find("\tMarionette\t") == std::string_view::npos) return std::nullopt;
      return port_after(line, "Listening on port ");
    case PortReport::chromedriver:
      return port_after(line, "ChromeDriver was started successfully on port ", ".");
    case PortReport::selenium_grid: {
      const auto at = line.find("Started Selenium ");
      const auto colon = line.rfind(':');
      if (at == std::string_view::npos || line.find("): http", at) == std::string_view::npos || colon < at)
        return std::nullopt;
      auto port = line.substr(colon + 1);
      while (!port.empty() && port.back() == '/') port.remove_suffix(1);
      return to_port(trim(port));
    }
    case PortReport::devtools: {
      const auto at = line.find("DevTools listening on ws://");
      if (at == std::string_view::npos) return std::nullopt;
      auto address = line.substr(at + 27);
      address = address.substr(0, address.find('/'));
      const auto colon = address.rfind(':');
      if (colon == std::string_view::npos) return std::nullopt;
      return to_port(address.substr(colon + 1));
    }
    case PortReport::webdriver_bidi: {
      const auto at = line.find("WebDriver BiDi listening on ws://");
      const auto colon = line.rfind(':');
      if (at == std::string_view::npos || colon == std::string_view::npos || colon < at) return std::nullopt;
      return to_port(trim(line.substr(colon + 1)));
    }
  }
  return std::nullopt;
}

std::optional<std::uint16_t> parse_port_file(std::string_view content) { return to_port(trim(content)); }

std::optional<std::uint16_t> parse_port_file(PortFile kind, std::string_view content) {
  switch (kind) {
    case PortFile::marionette:
      return parse_port_file(content);
    case PortFile::devtools:
      // Chromium writes the file whole once it listens; a partial read has no newline yet.
      if (content.find('\n') == std::string_view::npos) return std::nullopt;
      return to_port(trim(content.substr(0, content.find('\n'))));
    case PortFile::webdriver_bidi: {
      // {"ws_host": "127.0.0.1", "ws_port": 44995}: the one number we need, without a JSON
      // library in this layer; anything else (a half-written file) is no port yet.
      const auto key = content.find("\"ws_port\"");
      if (key == std::string_view::npos) return std::nullopt;
      auto rest = trim(content.substr(key + 9));
      if (rest.empty() || rest.front() != ':') return std::nullopt;
      rest = trim(rest.substr(1));
      std::size_t digits = 0;
      while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
      const auto tail = trim(rest.substr(digits));
      if (tail.empty() || (tail.front() != ',' && tail.front() != '}')) return std::nullopt;
      return to_port(rest.substr(0, digits));
    }
  }
  return std::nullopt;
}

PortRange PortRange::parse(std::string_view text, std::error_code& ec) {
  ec.clear();
  const auto dash = text.find('-');
  const auto first = to_port(trim(text.substr(0, dash)));
  const auto last = dash == std::string_view::npos ? first : to_port(trim(text.substr(dash + 1)));
  if (!first || !last || *first > *last) {
    ec = errc::port_range_invalid;
    return {};
  }
  return {*first, *last};
}

PortRange PortRange::parse(std::string_view text) {
  std::error_code ec;
  auto range = parse(text, ec);
  if (ec) {
    throw Error(ec,
                "invalid port range \"" + std::string(text) + "\": expected LO-HI or N with 1 <= LO <= HI <= 65535");
  }
  return range;
}

PortRange PortRange::default_range() {
  const auto ephemeral = platform::ephemeral_port_range();
  if (!ephemeral) return {dynamic_first, dynamic_last};
  return outside_ephemeral({ephemeral->first, ephemeral->second});
}

PortRange PortRange::outside_ephemeral(const PortRange& ephemeral) {
  const unsigned low = ephemeral.first;
  const unsigned high = ephemeral.last;
  if (low > high) return {dynamic_first, dynamic_last};
  // The larger part of the dynamic range that the kernel's ephemeral range leaves free.
  const unsigned above_first = std::max<unsigned>(high + 1, dynamic_first);
  const unsigned below_last = std::min<unsigned>(low == 0 ? 0 : low - 1, dynamic_last);
  const unsigned above = above_first <= dynamic_last ? dynamic_last - above_first + 1 : 0;
  const unsigned below = below_last >= dynamic_first ? below_last - dynamic_first + 1 : 0;
  if (above == 0 && below == 0) {
    throw Error(errc::port_range_invalid, "the kernel's ephemeral port range " + std::to_string(low) + "-" +
                                              std::to_string(high) +
                                              " covers all of 49152-65535: give a port range explicitly");
  }
  if (above >= below) return {static_cast<std::uint16_t>(above_first), dynamic_last};
  return {dynamic_first, static_cast<std::uint16_t>(below_last)};
}

std::string PortRange::to_string() const { return std::to_string(first) + "-" + std::to_string(last); }

PortLease PortLease::acquire(const PortRange& range, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return acquire(range); });
}

PortLease PortLease::acquire(const PortRange& range) {
  if (range.first == 0 || range.first > range.last) {
    throw Error(errc::port_range_invalid, "cannot lease from the empty port range " + range.to_string());
  }
  // Random start, linear probe (RFC 6056's simple algorithm): parallel jobs start apart.
  const auto offset = static_cast<std::size_t>(platform::random_bits() % range.size());
  std::size_t leased_by_others = 0;
  std::size_t busy = 0;
  std::string first_holder;
  for (std::size_t i = 0; i < range.size(); ++i) {
    const auto port = static_cast<std::uint16_t>(range.first + (offset + i) % range.size());
    const auto hold = platform::try_hold_name(lease_name(port));
    if (hold.fd < 0) {
      if (hold.busy && leased_by_others++ == 0) first_holder = "port " + std::to_string(port) + ": " + holder_of(port);
      continue;
    }
    if (bindable(AF_INET, port) && bindable(AF_INET6, port)) return PortLease(port, hold.fd);
    ::close(hold.fd);
    ++busy;
  }
  throw Error(errc::ports_exhausted, "no free port in " + range.to_string() + ": " + std::to_string(leased_by_others) +
                                         " leased by other foxport processes" +
                                         (first_holder.empty() ? "" : " (" + first_holder + ")") + ", " +
                                         std::to_string(busy) + " in use by others");
}

PortLease::PortLease(PortLease&& other) noexcept
    : port_(std::exchange(other.port_, 0)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

PortLease& PortLease::operator=(PortLease&& other) noexcept {
  if (this != &other) {
    release();
    port_ = std::exchange(other.port_, 0);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

void PortLease::release() noexcept {
  if (lock_fd_ >= 0) ::close(std::exchange(lock_fd_, -1));  // closing releases the name
  port_ = 0;
}

}  // namespace foxport
