#include "foxport/marionette.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <optional>
#include <thread>

#include "foxport/error.hpp"
#include "protocol/blocking.hpp"
#include "protocol/framing.hpp"

namespace foxport {
namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Ending a session on close is a courtesy to the next client: never wait long for it.
constexpr auto close_timeout = std::chrono::milliseconds(2000);
// Between connection attempts while Marionette is still ending another client's session.
constexpr auto reconnect_pause = std::chrono::milliseconds(20);

// Marionette accepted the connection, then closed it before its handshake.
bool closed_before_handshake(const Error& e) {
  const std::error_code eof = boost::system::error_code(asio::error::eof);
  return e.code() == eof || e.code() == std::errc::connection_reset || e.code() == std::errc::broken_pipe;
}

}  // namespace

struct Marionette::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  std::string where;  // "Marionette at 127.0.0.1:PORT"
  std::chrono::milliseconds timeout{};
  std::string buffer;
  MarionetteHandshake handshake;
  std::string session;
  std::int64_t next_id = 1;

  // One frame, read by the deadline however the peer splits it.
  std::string read_frame(const detail::Deadline& deadline, std::size_t max_size) {
    for (;;) {
      try {
        if (auto frame = detail::take_frame(buffer, max_size)) return *frame;
      } catch (const Error& e) {
        throw Error(e.code(), where + ": " + e.what());
      }
      std::array<char, 65536> chunk{};
      std::size_t received = 0;
      detail::run_until(io, socket, deadline, where, [&](boost::system::error_code& result) {
        socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
          result = ec;
          received = n;
        });
      });
      buffer.append(chunk.data(), received);
    }
  }

  void write_frame(const std::string& text, const detail::Deadline& deadline) {
    const auto data = detail::frame(text);
    detail::run_until(io, socket, deadline, where, [&](boost::system::error_code& result) {
      asio::async_write(socket, asio::buffer(data), [&](boost::system::error_code ec, std::size_t) { result = ec; });
    });
  }

  // Connects once and reads the handshake, both by the deadline.
  void open(const asio::ip::address& address, std::uint16_t port, const detail::Deadline& deadline) {
    boost::system::error_code ignored;
    socket.close(ignored);
    buffer.clear();
    detail::run_until(io, socket, deadline, "cannot connect to " + where, [&](boost::system::error_code& result) {
      socket.async_connect(tcp::endpoint(address, port), [&](boost::system::error_code e) { result = e; });
    });
    handshake = detail::parse_handshake(read_frame(deadline, detail::max_handshake_frame));
  }

  std::string command(std::string_view name, std::string_view params_json) {
    const auto id = next_id++;
    const auto deadline = detail::Deadline::after(timeout);  // the command and its answer
    write_frame(detail::command_json(id, name, params_json), deadline);
    for (;;) {
      const auto reply = detail::parse_reply(read_frame(deadline, detail::max_reply_frame));
      if (reply.id != id) continue;  // not ours: a late reply to an abandoned command
      if (reply.error) throw Error(errc::remote_error, where + ": " + std::string(name) + " failed: " + *reply.error);
      return reply.result_json;
    }
  }
};

Marionette::Marionette() noexcept = default;
Marionette::Marionette(Marionette&&) noexcept = default;

Marionette& Marionette::operator=(Marionette&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

Marionette::~Marionette() { close(); }

Marionette Marionette::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  Marionette client;
  client.impl_ = std::make_unique<Impl>();
  auto& impl = *client.impl_;
  impl.where = "Marionette at " + host + ":" + std::to_string(port);
  impl.timeout = timeout;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw Error(std::make_error_code(std::errc::invalid_argument), impl.where + ": not an IP address");
  // Marionette accepts the next client only once the previous one's session has ended; until
  // then it closes new connections before the handshake.
  const auto deadline = detail::Deadline::after(timeout);
  std::optional<Error> closed;  // the last connection Marionette closed before its handshake
  for (;;) {
    try {
      impl.open(address, port, deadline);
      return client;
    } catch (const Error& e) {
      const bool closed_now = closed_before_handshake(e);
      if (closed_now) closed = e;
      // Out of time on the attempt after a closed one counts as the closing going on.
      const bool out_of_time = closed && e.code() == std::errc::timed_out;
      if (!closed_now && !out_of_time) throw;
      if (out_of_time || Clock::now() + reconnect_pause >= deadline.at) {
        throw Error(closed->code(), impl.where + " closed every connection before its handshake for " +
                                        std::to_string(timeout.count()) +
                                        " ms (is another client's session still open?); last: " + closed->what());
      }
    }
    std::this_thread::sleep_for(reconnect_pause);
  }
}

const MarionetteHandshake& Marionette::handshake() const {
  if (!impl_) throw Error(errc::stopped, "Marionette: not connected");
  return impl_->handshake;
}

void Marionette::set_timeout(std::chrono::milliseconds timeout) {
  if (!impl_) throw Error(errc::stopped, "Marionette: not connected");
  impl_->timeout = timeout;
}

std::string Marionette::command(std::string_view name, std::string_view params_json) {
  if (!impl_) throw Error(errc::stopped, "Marionette: not connected");
  return impl_->command(name, params_json);
}

std::string Marionette::new_session(std::string_view capabilities_json) {
  json::object params;
  params["capabilities"] = json::parse(capabilities_json.empty() ? "{}" : capabilities_json);
  const auto result = json::parse(command("WebDriver:NewSession", json::serialize(params)));
  const auto* id = result.is_object() ? result.as_object().if_contains("sessionId") : nullptr;
  if (id == nullptr || !id->is_string())
    throw Error(errc::protocol_error, "WebDriver:NewSession answered no sessionId");
  impl_->session = std::string(id->as_string());
  return impl_->session;
}

const std::string& Marionette::session_id() const noexcept {
  static const std::string none;
  return impl_ ? impl_->session : none;
}

void Marionette::navigate(std::string_view url) {
  command("WebDriver:Navigate", json::serialize(json::object{{"url", json::string(url)}}));
}

std::string Marionette::title() {
  const auto result = json::parse(command("WebDriver:GetTitle"));
  const auto* value = result.is_object() ? result.as_object().if_contains("value") : nullptr;
  if (value == nullptr || !value->is_string())
    throw Error(errc::protocol_error, "WebDriver:GetTitle answered no string");
  return std::string(value->as_string());
}

std::string Marionette::execute_script(std::string_view script, std::string_view args_json) {
  json::object params{{"script", json::string(script)}, {"args", json::parse(args_json.empty() ? "[]" : args_json)}};
  const auto result = json::parse(command("WebDriver:ExecuteScript", json::serialize(params)));
  const auto* value = result.is_object() ? result.as_object().if_contains("value") : nullptr;
  return value != nullptr ? json::serialize(*value) : "null";
}

void Marionette::delete_session() {
  command("WebDriver:DeleteSession");
  impl_->session.clear();
}

void Marionette::quit() {
  try {
    command("Marionette:Quit", R"({"flags":["eForceQuit"]})");
  } catch (const Error& e) {
    if (e.code() == errc::remote_error) throw;  // e.g. "invalid session id": Firefox keeps running
    // The connection closing under us is Firefox quitting.
  }
  if (impl_) impl_->session.clear();
  close();
}

void Marionette::close() noexcept {
  if (!impl_) return;
  if (!impl_->session.empty() && impl_->socket.is_open()) {
    impl_->timeout = std::min(impl_->timeout, std::chrono::milliseconds(close_timeout));
    try {
      delete_session();
    } catch (...) {
      // Firefox gone or busy: closing the connection ends the session too, only later.
    }
    impl_->session.clear();
  }
  boost::system::error_code ignored;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ignored);
  impl_->socket.close(ignored);
}

}  // namespace foxport
