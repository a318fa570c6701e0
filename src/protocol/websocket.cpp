#include "protocol/websocket.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>

#include "foxport/error.hpp"
#include "foxport/websocket.hpp"
#include "platform/name_services.hpp"
#include "protocol/blocking.hpp"
#include "protocol/framing.hpp"

namespace foxport {
namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

namespace detail {

void async_websocket_exchange(tcp::socket& socket, std::string host, std::string target, std::string message,
                              std::function<void(boost::system::error_code, std::string)> done) {
  struct Exchange {
    websocket::stream<tcp::socket&> ws;
    std::string host, target, message;
    boost::beast::flat_buffer buffer;
    std::function<void(boost::system::error_code, std::string)> done;
  };
  auto x = std::make_shared<Exchange>(Exchange{websocket::stream<tcp::socket&>(socket),
                                               std::move(host),
                                               std::move(target),
                                               std::move(message),
                                               {},
                                               std::move(done)});
  x->ws.async_handshake(x->host, x->target, [x](boost::system::error_code ec) {
    if (ec) return x->done(ec, {});
    x->ws.text(true);
    x->ws.async_write(asio::buffer(x->message), [x](boost::system::error_code write_ec, std::size_t) {
      if (write_ec) return x->done(write_ec, {});
      x->ws.async_read(x->buffer, [x](boost::system::error_code read_ec, std::size_t) {
        x->done(read_ec, read_ec ? std::string() : boost::beast::buffers_to_string(x->buffer.data()));
      });
    });
  });
}

}  // namespace detail

struct WebSocketClient::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  websocket::stream<tcp::socket&> ws{socket};
  std::chrono::milliseconds timeout;
  std::string url;
  std::int64_t next_id = 1;

  explicit Impl(std::chrono::milliseconds t) : timeout(t) {}

  template <typename Start>
  void run(const std::string& what, Start start, std::chrono::milliseconds within = std::chrono::milliseconds(-1)) {
    detail::run_until(io, socket, detail::Deadline::after(within.count() >= 0 ? within : timeout), url + ": " + what,
                      start);
  }

  std::string receive(std::chrono::milliseconds within) {
    boost::beast::flat_buffer buffer;
    run(
        "receive",
        [&](boost::system::error_code& result) {
          ws.async_read(buffer, [&](boost::system::error_code e, std::size_t) { result = e; });
        },
        within);
    return boost::beast::buffers_to_string(buffer.data());
  }
};

WebSocketClient WebSocketClient::connect(const std::string& url, std::chrono::milliseconds timeout) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "ws" || !parsed->has_authority() || !parsed->has_port()) {
    throw Error(std::make_error_code(std::errc::invalid_argument), "not a ws://HOST:PORT/PATH URL: " + url);
  }
  WebSocketClient client;
  client.impl_ = std::make_unique<Impl>(timeout);
  auto& impl = *client.impl_;
  impl.url = url;
  boost::system::error_code ec;
  tcp::resolver resolver(impl.io);
  platform::prepare_name_lookup();
  const auto endpoints = resolver.resolve(std::string(parsed->host_address()), std::string(parsed->port()), ec);
  if (ec)
    throw Error(std::error_code(ec), url + ": cannot resolve " + std::string(parsed->host()) + ": " + ec.message());
  impl.run("connect", [&](boost::system::error_code& result) {
    asio::async_connect(impl.socket, endpoints, [&](boost::system::error_code e, const tcp::endpoint&) { result = e; });
  });
  const std::string target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_target());
  impl.run("websocket handshake", [&](boost::system::error_code& result) {
    impl.ws.async_handshake(std::string(parsed->encoded_host_and_port()), target,
                            [&](boost::system::error_code e) { result = e; });
  });
  impl.ws.text(true);
  return client;
}

WebSocketClient::WebSocketClient() noexcept = default;
WebSocketClient::WebSocketClient(WebSocketClient&&) noexcept = default;

WebSocketClient& WebSocketClient::operator=(WebSocketClient&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

WebSocketClient::~WebSocketClient() { close(); }

void WebSocketClient::set_timeout(std::chrono::milliseconds timeout) {
  if (impl_) impl_->timeout = timeout;
}

void WebSocketClient::send(std::string_view text) {
  if (!impl_) throw Error(errc::stopped, "WebSocketClient: not connected");
  impl_->run("send", [&](boost::system::error_code& result) {
    impl_->ws.async_write(asio::buffer(text.data(), text.size()),
                          [&](boost::system::error_code e, std::size_t) { result = e; });
  });
}

std::string WebSocketClient::receive() {
  if (!impl_) throw Error(errc::stopped, "WebSocketClient: not connected");
  return impl_->receive(impl_->timeout);
}

std::string WebSocketClient::command(std::string_view method, std::string_view params_json,
                                     std::string_view session_id) {
  if (!impl_) throw Error(errc::stopped, "WebSocketClient: not connected");
  const auto id = impl_->next_id++;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + impl_->timeout;
  send(detail::socket_command_json(id, method, params_json, session_id));
  for (;;) {  // events and other replies until ours, all within the one timeout
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto message = detail::parse_socket_message(impl_->receive(std::max(left, std::chrono::milliseconds(0))));
    if (message.id != id) continue;
    if (message.error) throw Error(errc::remote_error, impl_->url + " " + std::string(method) + ": " + *message.error);
    return message.result_json;
  }
}

void WebSocketClient::close() noexcept {
  if (!impl_) return;
  auto impl = std::move(impl_);
  if (!impl->socket.is_open()) return;
  try {
    const auto saved = impl->timeout;
    impl->timeout = std::min(saved, std::chrono::milliseconds(2000));
    impl->run("close", [&](boost::system::error_code& result) {
      impl->ws.async_close(websocket::close_code::normal, [&](boost::system::error_code e) { result = e; });
    });
  } catch (const std::exception&) {
    // The peer is gone or slow: the socket closes below either way.
  }
  boost::system::error_code ignored;
  impl->socket.close(ignored);
}

}  // namespace foxport
