#include "foxport/webdriver.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "foxport/error.hpp"
#include "protocol/blocking.hpp"
#include "protocol/framing.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

WebDriverClient::WebDriverClient(std::string base_url, std::chrono::milliseconds timeout)
    : base_url_(std::move(base_url)), timeout_(timeout) {
  std::string_view rest = base_url_;
  if (rest.rfind("http://", 0) == 0) rest.remove_prefix(7);
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  prefix_ = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos || authority.find(']', colon) != std::string_view::npos) {
    host_ = std::string(authority);
    port_ = "80";
  } else {
    host_ = std::string(authority.substr(0, colon));
    port_ = std::string(authority.substr(colon + 1));
  }
  if (host_.size() > 2 && host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);
}

std::string WebDriverClient::request(std::string_view method, std::string_view path, std::string_view body) {
  const std::string what = std::string(method) + " " + base_url_ + std::string(path);
  asio::io_context io;
  tcp::socket socket(io);
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto endpoints = resolver.resolve(host_, port_, ec);
  if (ec) throw Error(std::error_code(ec.value(), std::system_category()), what + ": cannot resolve " + host_);
  detail::run_with_timeout(io, socket, timeout_, what, [&](boost::system::error_code& result) {
    asio::async_connect(socket, endpoints, [&](boost::system::error_code e, const tcp::endpoint&) { result = e; });
  });

  http::request<http::string_body> req(http::string_to_verb(method), prefix_ + std::string(path), 11);
  req.set(http::field::host, host_ + ":" + port_);
  req.set(http::field::connection, "close");
  if (req.method() == http::verb::post) {
    // geckodriver rejects any other content type, and a POST always carries a JSON body.
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.body() = body.empty() ? "{}" : std::string(body);
  }
  req.prepare_payload();
  detail::run_with_timeout(io, socket, timeout_, what, [&](boost::system::error_code& result) {
    http::async_write(socket, req, [&](boost::system::error_code e, std::size_t) { result = e; });
  });
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  detail::run_with_timeout(io, socket, timeout_, what, [&](boost::system::error_code& result) {
    http::async_read(socket, buffer, response, [&](boost::system::error_code e, std::size_t) { result = e; });
  });

  const auto reply = json::parse(response.body(), ec);
  const auto* object = ec ? nullptr : reply.if_object();
  const auto* value = object != nullptr ? object->if_contains("value") : nullptr;
  if (value == nullptr) {
    throw Error(errc::protocol_error, what + ": answered " + std::to_string(response.result_int()) +
                                          " without a JSON value: " + response.body().substr(0, 200));
  }
  if (response.result_int() >= 400) {
    auto field = [&](const char* key) {
      const auto* found = value->is_object() ? value->as_object().if_contains(key) : nullptr;
      return found != nullptr && found->is_string() ? std::string(found->as_string()) : std::string();
    };
    throw Error(errc::remote_error,
                what + ": " + std::to_string(response.result_int()) + " " + field("error") + ": " + field("message"));
  }
  return json::serialize(*value);
}

WebDriverStatus WebDriverClient::status() {
  const std::string body = "{\"value\":" + request("GET", "/status") + "}";
  auto parsed = detail::parse_status(body);
  if (!parsed)
    throw Error(errc::protocol_error, "GET " + base_url_ + "/status: not a WebDriver status: " + body.substr(0, 200));
  return *parsed;
}

WebDriverStatus WebDriverClient::status(std::error_code& ec) {
  return detail::no_throw(ec, [&] { return status(); });
}

std::string WebDriverClient::new_session(std::string_view capabilities_json) {
  const auto value = json::parse(request("POST", "/session", capabilities_json));
  const auto* id = value.is_object() ? value.as_object().if_contains("sessionId") : nullptr;
  if (id == nullptr || !id->is_string())
    throw Error(errc::protocol_error, "POST " + base_url_ + "/session answered no sessionId");
  return std::string(id->as_string());
}

void WebDriverClient::navigate(std::string_view session_id, std::string_view url) {
  request("POST", "/session/" + std::string(session_id) + "/url",
          json::serialize(json::object{{"url", json::string(url)}}));
}

std::string WebDriverClient::title(std::string_view session_id) {
  const auto value = json::parse(request("GET", "/session/" + std::string(session_id) + "/title"));
  if (!value.is_string()) throw Error(errc::protocol_error, "GET title answered no string");
  return std::string(value.as_string());
}

void WebDriverClient::delete_session(std::string_view session_id) {
  request("DELETE", "/session/" + std::string(session_id));
}

}  // namespace foxport
