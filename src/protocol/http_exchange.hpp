#pragma once
// One HTTP request and its answer on a connected stream (plain or TLS), by a deadline: what
// the WebDriver client and the plain GET of `foxport who` share.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <string>

#include "foxport/export.hpp"
#include "protocol/blocking.hpp"

namespace foxport::detail {

/// Writes `request` and reads the answer by `deadline`; throws Error naming `what`. Beast caps
/// the answer (8 MB body, 8 KiB header by default).
template <typename Stream>
boost::beast::http::response<boost::beast::http::string_body> http_exchange(
    boost::asio::io_context& io, Stream& stream, boost::asio::ip::tcp::socket& socket,
    const boost::beast::http::request<boost::beast::http::string_body>& request, const Deadline& deadline,
    const std::string& what) {
  namespace http = boost::beast::http;
  run_until(io, socket, deadline, what, [&](boost::system::error_code& result) {
    http::async_write(stream, request, [&](boost::system::error_code e, std::size_t) { result = e; });
  });
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  run_until(io, socket, deadline, what, [&](boost::system::error_code& result) {
    http::async_read(stream, buffer, response, [&](boost::system::error_code e, std::size_t) { result = e; });
  });
  return response;
}

/// A plain-HTTP GET of `path` on host:port, connect to answer within `budget`; the answer's
/// status and body. Throws Error naming what was asked and what was seen.
struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};
FOXPORT_EXPORT HttpAnswer http_get(const std::string& host, std::uint16_t port, const std::string& path,
                                   std::chrono::milliseconds budget);

}  // namespace foxport::detail
