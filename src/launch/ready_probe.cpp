// The protocol half of a readiness wait: the endpoint is ready when its protocol answers on
// the listener the wait found (Marionette's handshake, and a session when asked; WebDriver's
// GET /status; the DevTools' GET /json/version; BiDi's session.status).

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "foxport/error.hpp"
#include "launch/ready_wait_state.hpp"
#include "platform/connect.hpp"
#include "protocol/framing.hpp"
#include "protocol/websocket.hpp"

namespace foxport::detail {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Beast builds its table of header names at its first parse (21 us measured): for an HTTP
// probe, that is done now, while the program starts, not once it has answered (#19).
void ReadyWait::State::prepare_probe() {
  if (http_probe()) (void)http::string_to_field("host");
}

ReadyWait::State::Connection ReadyWait::State::start_connection(std::uint16_t port) {
  Connection connection;
  connection.socket = std::make_shared<tcp::socket>(io);
  auto& socket = *connection.socket;
  const auto address = asio::ip::make_address(spec.host, connection.error);  // no throw: also on the I/O thread
  if (connection.error) return connection;
  const tcp::endpoint endpoint(address, port);
  socket.open(endpoint.protocol(), connection.error);
  if (!connection.error) socket.non_blocking(true, connection.error);
  if (connection.error) return connection;
  int error = 0;
  connection.state =
      platform::connect_now(socket.native_handle(), endpoint.data(), static_cast<socklen_t>(endpoint.size()), error);
  connection.error = boost::system::error_code(error, boost::system::system_category());
  return connection;
}

bool ReadyWait::State::claim_early() { return http_probe() && !std::exchange(early_claimed, true); }

ReadyWait::State::Connection ReadyWait::State::send_early(std::uint16_t port) {
  auto connection = start_connection(port);
  if (connection.state == platform::ConnectState::connected) {
    // All of it or none: a request cut short is a failed connection, probed anew.
    const auto request = http_request(port);
    const auto sent = connection.socket->write_some(asio::buffer(request), connection.error);
    if (!connection.error && sent != request.size()) connection.error = asio::error::would_block;
    if (connection.error) connection.state = platform::ConnectState::failed;
    connection.request_sent = !connection.error;
  }
  return connection;
}

void ReadyWait::State::on_early(Connection connection) {
  // Dropped (and closed) when the wait's port came from elsewhere first, or it is over.
  if (finished || !std::exchange(early_coming, false)) return;
  probe_in_flight = true;
  go_on(std::move(connection));
}

void ReadyWait::State::probe() {
  probe_in_flight = true;
  go_on(start_connection(report.port));
}

void ReadyWait::State::go_on(Connection connection) {
  auto socket = connection.socket;
  probe_socket = socket;
  switch (connection.state) {
    case platform::ConnectState::connected:  // at once, as on loopback it usually is: the protocol starts now (#19)
      return connection.request_sent ? request_written(socket, http_target(), {}) : connected(socket, {});
    case platform::ConnectState::failed:
      return connected(socket, connection.error);
    case platform::ConnectState::in_progress:
      break;
  }
  socket->async_wait(tcp::socket::wait_write, [self = shared_from_this(), socket](boost::system::error_code wait_ec) {
    if (!wait_ec) {
      if (const int result = platform::connect_result(socket->native_handle()); result != 0)
        wait_ec = boost::system::error_code(result, boost::system::system_category());
    }
    self->connected(socket, wait_ec);
  });
}

void ReadyWait::State::connected(std::shared_ptr<tcp::socket> socket, boost::system::error_code ec) {
  if (finished) return;
  if (ec) {
    probe_state = "connect: " + ec.message();
    return probe_again();
  }
  switch (spec.probe) {
    case Probe::marionette:
      return read_handshake(socket, std::make_shared<std::string>());
    case Probe::webdriver_bidi:
      return bidi_status(socket);
    case Probe::webdriver:
    case Probe::devtools:
      return request_http(socket);
  }
}

// BiDi's session.status on a websocket to /session, the path Firefox serves BiDi-only
// sessions on; ready == false (a session is active) is retried like a refused connection.
void ReadyWait::State::bidi_status(std::shared_ptr<tcp::socket> socket) {
  const auto host = spec.host + ":" + std::to_string(report.port);
  detail::async_websocket_exchange(
      *socket, host, "/session", socket_command_json(1, "session.status", "{}"),
      [self = shared_from_this(), socket](boost::system::error_code ec, const std::string& text) {
        if (self->finished) return;
        if (ec) {
          self->probe_state = "BiDi session.status: " + ec.message();
          return self->probe_again();
        }
        try {
          const auto message = parse_socket_message(text);
          const auto status = message.error ? std::nullopt : parse_bidi_status(message.result_json);
          if (status && status->ready) {
            self->report.protocol_answer = message.result_json;
            self->report.answered = Clock::now();
            return self->succeed();
          }
        } catch (const Error&) {
          // not JSON: said below, retried like any other answer that is not ready
        }
        self->probe_state = "BiDi session.status answered " + text.substr(0, 200);
        self->probe_again();
      });
}

void ReadyWait::State::read_handshake(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer) {
  auto chunk = std::make_shared<std::array<char, 512>>();
  socket->async_read_some(asio::buffer(*chunk), [self = shared_from_this(), socket, buffer, chunk](
                                                    boost::system::error_code ec, std::size_t n) {
    if (self->finished) return;
    buffer->append(chunk->data(), n);
    try {
      if (auto frame = take_frame(*buffer, max_handshake_frame)) {
        const auto handshake = parse_handshake(*frame);
        if (handshake.application_type != "gecko") {
          return self->fail(errc::protocol_error, "Marionette on port " + std::to_string(self->report.port) +
                                                      " says applicationType " + handshake.application_type);
        }
        self->report.protocol_answer = *frame;
        self->report.answered = Clock::now();
        if (self->spec.session_probe) return self->probe_session(socket, buffer);
        return self->succeed();  // the socket closes with this handler: we never hold Marionette
      }
    } catch (const Error& e) {
      return self->fail(e.code(), std::string("bad Marionette handshake: ") + e.what());
    }
    if (!ec) return self->read_handshake(socket, buffer);
    self->probe_state = "connection closed before the handshake (" + ec.message() + ")";
    self->probe_again();
  });
}

// WebDriver's GET /status, or the DevTools' GET /json/version.
bool ReadyWait::State::http_probe() const { return spec.probe == Probe::webdriver || spec.probe == Probe::devtools; }

const char* ReadyWait::State::http_target() const {
  return spec.probe == Probe::devtools ? "/json/version" : "/status";
}

std::string ReadyWait::State::http_request(std::uint16_t port) const {
  return std::string("GET ") + http_target() + " HTTP/1.1\r\nHost: " + spec.host + ":" + std::to_string(port) +
         "\r\nConnection: close\r\n\r\n";
}

// The request fits a new connection's send buffer, so it is written at once, without a turn
// of the loop (#19).
void ReadyWait::State::request_http(std::shared_ptr<tcp::socket> socket) {
  const char* target = http_target();
  auto request = std::make_shared<std::string>(http_request(report.port));
  boost::system::error_code ec;
  const auto sent = socket->write_some(asio::buffer(*request), ec);  // the socket does not block
  if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
  if (ec || sent == request->size()) return request_written(socket, target, ec);
  asio::async_write(
      *socket, asio::buffer(*request) + sent,
      [self = shared_from_this(), socket, request, target](boost::system::error_code write_ec, std::size_t) {
        self->request_written(socket, target, write_ec);
      });
}

void ReadyWait::State::request_written(std::shared_ptr<tcp::socket> socket, const char* target,
                                       boost::system::error_code ec) {
  if (finished) return;
  if (ec) {
    probe_state = std::string("GET ") + target + ": " + ec.message();
    return probe_again();
  }
  // The GET is out: the listener's owner is looked up while the endpoint answers.
  look_up_owner();
  if (finished) return;
  auto buffer = std::make_shared<boost::beast::flat_buffer>();
  auto response = std::make_shared<HttpResponse>();
  http::async_read(
      *socket, *buffer, *response,
      [self = shared_from_this(), socket, buffer, response, target](boost::system::error_code read_ec, std::size_t) {
        if (self->finished) return;
        if (read_ec) {
          self->probe_state = std::string("GET ") + target + ": " + read_ec.message();
          return self->probe_again();
        }
        if (self->answers_ready(*response)) {
          self->report.protocol_answer = response->body();
          self->report.answered = Clock::now();
          self->probe_in_flight = false;
          // Counts once the listener is found in the tree (check_listener).
          if (self->report.owned == ReadyReport::time_point{}) return;
          return self->succeed();
        }
        self->probe_state = std::string("GET ") + target + " answered " + std::to_string(response->result_int()) + " " +
                            response->body().substr(0, 200);
        self->probe_again();
      });
}

bool ReadyWait::State::answers_ready(const HttpResponse& response) const {
  if (spec.probe == Probe::devtools)
    return response.result() == http::status::ok && parse_devtools_version(response.body()).has_value();
  const auto status = parse_status(response.body());
  return status && status->ready;
}

// A session of our own, created and ended. Its DeleteSession's answer is awaited: Marionette
// refuses the next client until the session is gone.
void ReadyWait::State::probe_session(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer) {
  probe_state = "handshake answered, creating a session";
  exchange(socket, buffer, 1, "WebDriver:NewSession", R"({"capabilities":{}})",
           [self = shared_from_this(), socket, buffer] {
             self->report.session = Clock::now();
             self->probe_state = "session created, ending it";
             self->exchange(socket, buffer, 2, "WebDriver:DeleteSession", "{}", [self] { self->succeed(); });
           });
}

// Sends one command on the probe's connection and calls `next` once its reply arrived.
template <typename Next>
void ReadyWait::State::exchange(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer,
                                std::int64_t id, const char* name, const char* params, Next next) {
  auto data = std::make_shared<std::string>(frame(command_json(id, name, params)));
  asio::async_write(
      *socket, asio::buffer(*data),
      [self = shared_from_this(), socket, buffer, data, id, name, next](boost::system::error_code ec, std::size_t) {
        if (self->finished) return;
        if (ec) return self->lost_probe(std::string(name) + ": " + ec.message());
        self->await_reply(socket, buffer, id, name, next);
      });
}

template <typename Next>
void ReadyWait::State::await_reply(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer,
                                   std::int64_t id, const char* name, Next next) {
  try {
    while (auto text = take_frame(*buffer, max_reply_frame)) {
      const auto reply = parse_reply(*text);
      if (reply.id != id) continue;
      if (reply.error) {
        return fail(errc::protocol_error,
                    "Marionette on port " + std::to_string(report.port) + " refused " + name + ": " + *reply.error);
      }
      return next();
    }
  } catch (const Error& e) {
    return fail(e.code(), std::string("bad Marionette reply to ") + name + ": " + e.what());
  }
  auto chunk = std::make_shared<std::array<char, 4096>>();
  socket->async_read_some(asio::buffer(*chunk), [self = shared_from_this(), socket, buffer, chunk, id, name, next](
                                                    boost::system::error_code ec, std::size_t n) {
    if (self->finished) return;
    buffer->append(chunk->data(), n);
    if (ec && n == 0) return self->lost_probe(std::string(name) + ": " + ec.message());
    self->await_reply(socket, buffer, id, name, next);
  });
}

// The probe's connection broke: Firefox exiting is reported by on_exit; otherwise start over.
void ReadyWait::State::lost_probe(const std::string& why) {
  probe_state = "connection lost during " + why;
  probe_again();
}

// No ready answer: probed again after a pause once the listener is known to be the tree's;
// an early GET's failure leaves it to check_listener, which probes once it finds the listener.
void ReadyWait::State::probe_again() {
  probe_in_flight = false;
  if (report.owned == ReadyReport::time_point{}) return look_up_owner();
  after_retry([self = shared_from_this()] { self->probe(); });
}

void ReadyWait::State::succeed() {
  report.ready = Clock::now();
  if (report.session == ReadyReport::time_point{}) report.session = report.answered;
  probe_state = "answered";
  finish(nullptr);
}

}  // namespace foxport::detail
