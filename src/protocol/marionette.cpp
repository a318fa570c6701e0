#include "foxport/marionette.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "foxport/error.hpp"
#include "protocol/blocking.hpp"
#include "protocol/framing.hpp"

namespace foxport {
namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct Marionette::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  std::string where;  // "Marionette at 127.0.0.1:PORT"
  std::chrono::milliseconds timeout{};
  std::string buffer;
  MarionetteHandshake handshake;
  std::int64_t next_id = 1;

  std::string read_frame() {
    for (;;) {
      if (auto frame = detail::take_frame(buffer)) return *frame;
      std::array<char, 65536> chunk{};
      std::size_t received = 0;
      detail::run_with_timeout(io, socket, timeout, where, [&](boost::system::error_code& result) {
        socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
          result = ec;
          received = n;
        });
      });
      buffer.append(chunk.data(), received);
    }
  }

  void write_frame(const std::string& text) {
    const auto data = detail::frame(text);
    detail::run_with_timeout(io, socket, timeout, where, [&](boost::system::error_code& result) {
      asio::async_write(socket, asio::buffer(data), [&](boost::system::error_code ec, std::size_t) { result = ec; });
    });
  }

  json::value command(std::string_view name, std::string_view params_json) {
    boost::system::error_code ec;
    auto params = json::parse(params_json.empty() ? "{}" : params_json, ec);
    if (ec)
      throw Error(errc::protocol_error,
                  "Marionette " + std::string(name) + ": parameters are not JSON: " + std::string(params_json));
    const auto id = next_id++;
    write_frame(json::serialize(json::array{0, id, json::string(name), params}));
    for (;;) {
      const auto text = read_frame();
      const auto reply = json::parse(text, ec);
      const auto* fields = ec ? nullptr : reply.if_array();
      if (fields == nullptr || fields->size() != 4 || !(*fields)[1].is_int64())
        throw Error(errc::protocol_error, where + ": unexpected frame " + text.substr(0, 200));
      if ((*fields)[1].as_int64() != id) continue;  // not ours: a late reply to an abandoned command
      if (const auto* error = (*fields)[2].if_object()) {
        auto field = [&](const char* key) {
          const auto* value = error->if_contains(key);
          return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
        };
        throw Error(errc::remote_error,
                    where + ": " + std::string(name) + " failed: " + field("error") + ": " + field("message"));
      }
      return (*fields)[3];
    }
  }
};

Marionette::Marionette() noexcept = default;
Marionette::Marionette(Marionette&&) noexcept = default;
Marionette& Marionette::operator=(Marionette&&) noexcept = default;
Marionette::~Marionette() = default;

Marionette Marionette::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  Marionette client;
  client.impl_ = std::make_unique<Impl>();
  auto& impl = *client.impl_;
  impl.where = "Marionette at " + host + ":" + std::to_string(port);
  impl.timeout = timeout;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw Error(std::make_error_code(std::errc::invalid_argument), impl.where + ": not an IP address");
  detail::run_with_timeout(
      impl.io, impl.socket, timeout, "cannot connect to " + impl.where, [&](boost::system::error_code& result) {
        impl.socket.async_connect(tcp::endpoint(address, port), [&](boost::system::error_code e) { result = e; });
      });
  impl.handshake = detail::parse_handshake(impl.read_frame());
  return client;
}

const MarionetteHandshake& Marionette::handshake() const {
  if (!impl_) throw Error(errc::stopped, "Marionette: not connected");
  return impl_->handshake;
}

std::string Marionette::command(std::string_view name, std::string_view params_json) {
  if (!impl_) throw Error(errc::stopped, "Marionette: not connected");
  return json::serialize(impl_->command(name, params_json));
}

std::string Marionette::new_session(std::string_view capabilities_json) {
  json::object params;
  params["capabilities"] = json::parse(capabilities_json.empty() ? "{}" : capabilities_json);
  const auto result = json::parse(command("WebDriver:NewSession", json::serialize(params)));
  const auto* id = result.is_object() ? result.as_object().if_contains("sessionId") : nullptr;
  if (id == nullptr || !id->is_string())
    throw Error(errc::protocol_error, "WebDriver:NewSession answered no sessionId");
  return std::string(id->as_string());
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

void Marionette::delete_session() { command("WebDriver:DeleteSession"); }

void Marionette::quit() {
  try {
    command("Marionette:Quit", R"({"flags":["eForceQuit"]})");
  } catch (const Error& e) {
    if (e.code() == errc::remote_error) throw;  // e.g. "invalid session id": Firefox keeps running
    // The connection closing under us is Firefox quitting.
  }
  close();
}

void Marionette::close() noexcept {
  if (!impl_) return;
  boost::system::error_code ignored;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ignored);
  impl_->socket.close(ignored);
}

}  // namespace foxport
