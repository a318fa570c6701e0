#include "foxport/webdriver.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstdlib>

#include "foxport/error.hpp"
#include "platform/name_services.hpp"
#include "protocol/framing.hpp"
#include "protocol/http_exchange.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

namespace ssl = asio::ssl;

bool insecure_tls() {
  const char* value = std::getenv("FOXPORT_REMOTE_INSECURE");
  return value != nullptr && std::string_view(value) == "1";
}

}  // namespace

WebDriverClient::WebDriverClient(std::string base_url, std::chrono::milliseconds timeout)
    : base_url_(std::move(base_url)), timeout_(timeout) {
  auto parsed = boost::urls::parse_uri(base_url_);
  if (!parsed ||
      (parsed->scheme_id() != boost::urls::scheme::http && parsed->scheme_id() != boost::urls::scheme::https) ||
      !parsed->has_authority()) {
    const bool secret = base_url_.find('@') != std::string::npos;
    throw Error(std::make_error_code(std::errc::invalid_argument),
                "not an http:// or https:// WebDriver URL: " + (secret ? "(has credentials, not shown)" : base_url_));
  }
  tls_ = parsed->scheme_id() == boost::urls::scheme::https;
  host_ = parsed->host_address();
  port_ = parsed->has_port() ? std::string(parsed->port()) : tls_ ? "443" : "80";
  host_header_ = std::string(parsed->encoded_host_and_port());
  prefix_ = std::string(parsed->encoded_path());
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  if (parsed->has_userinfo()) {
    const std::string credentials = parsed->user() + ":" + parsed->password();
    authorization_.resize(boost::beast::detail::base64::encoded_size(credentials.size()));
    authorization_.resize(
        boost::beast::detail::base64::encode(authorization_.data(), credentials.data(), credentials.size()));
    authorization_.insert(0, "Basic ");
  }
  // Messages name the endpoint without its password.
  boost::urls::url shown(*parsed);
  if (shown.has_password()) shown.set_password("***");
  shown_url_ = std::string(shown.buffer());
}

std::string WebDriverClient::request(std::string_view method, std::string_view path, std::string_view body) {
  const std::string what = std::string(method) + " " + shown_url_ + std::string(path);
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  platform::prepare_name_lookup();
  const auto endpoints = resolver.resolve(host_, port_, ec);
  if (ec) throw Error(std::error_code(ec), what + ": cannot resolve " + host_);

  http::request<http::string_body> req(http::string_to_verb(method), prefix_ + std::string(path), 11);
  req.set(http::field::host, host_header_);
  req.set(http::field::connection, "close");
  if (!authorization_.empty()) req.set(http::field::authorization, authorization_);
  if (req.method() == http::verb::post) {
    // geckodriver rejects any other content type, and a POST always carries a JSON body.
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.body() = body.empty() ? "{}" : std::string(body);
  }
  req.prepare_payload();

  // One deadline for the whole request: connect, TLS, write, read.
  const auto deadline = detail::Deadline::after(timeout_);
  http::response<http::string_body> response;
  if (!tls_) {
    tcp::socket socket(io);
    detail::run_until(io, socket, deadline, what, [&](boost::system::error_code& result) {
      asio::async_connect(socket, endpoints, [&](boost::system::error_code e, const tcp::endpoint&) { result = e; });
    });
    response = detail::http_exchange(io, socket, socket, req, deadline, what);
  } else {
    ssl::context context(ssl::context::tls_client);
    const bool insecure = insecure_tls();
    if (!insecure) {
      context.set_default_verify_paths();  // the system's CAs, or SSL_CERT_FILE / SSL_CERT_DIR
      context.set_verify_mode(ssl::verify_peer);
    } else {
      context.set_verify_mode(ssl::verify_none);
    }
    ssl::stream<tcp::socket> stream(io, context);
    boost::system::error_code not_ip;
    asio::ip::make_address(host_, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(stream.native_handle(), host_.c_str());  // SNI for names only
    if (!insecure) stream.set_verify_callback(ssl::host_name_verification(host_));
    auto& socket = stream.next_layer();
    detail::run_until(io, socket, deadline, what, [&](boost::system::error_code& result) {
      asio::async_connect(socket, endpoints, [&](boost::system::error_code e, const tcp::endpoint&) { result = e; });
    });
    try {
      detail::run_until(io, socket, deadline, what + ": TLS handshake", [&](boost::system::error_code& result) {
        stream.async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) { result = e; });
      });
    } catch (const Error& e) {
      throw Error(e.code(), std::string(e.what()) +
                                " (a certificate of your own: SSL_CERT_FILE=its PEM file; no verification at all: "
                                "FOXPORT_REMOTE_INSECURE=1)");
    }
    response = detail::http_exchange(io, stream, socket, req, deadline, what);
  }
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
    throw Error(errc::protocol_error, "GET " + shown_url_ + "/status: not a WebDriver status: " + body.substr(0, 200));
  return *parsed;
}

WebDriverStatus WebDriverClient::status(std::error_code& ec) {
  return detail::no_throw(ec, [&] { return status(); });
}

std::string WebDriverClient::new_session(std::string_view capabilities_json) {
  const auto value = json::parse(request("POST", "/session", capabilities_json));
  const auto* id = value.is_object() ? value.as_object().if_contains("sessionId") : nullptr;
  if (id == nullptr || !id->is_string())
    throw Error(errc::protocol_error, "POST " + shown_url_ + "/session answered no sessionId");
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
