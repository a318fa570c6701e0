#include <boost/asio/connect.hpp>

#include "protocol/http_exchange.hpp"

namespace foxport::detail {

HttpAnswer http_get(const std::string& host, std::uint16_t port, const std::string& path,
                    std::chrono::milliseconds budget) {
  namespace http = boost::beast::http;
  using tcp = boost::asio::ip::tcp;
  const auto deadline = Deadline::after(budget);
  const bool v6 = host.find(':') != std::string::npos;
  const std::string authority = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  const std::string what = "GET http://" + authority + path;
  boost::asio::io_context io;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) throw Error(std::error_code(ec), what + ": not an IP address: " + host);
  tcp::socket socket(io);
  run_until(io, socket, deadline, what, [&](boost::system::error_code& result) {
    socket.async_connect({address, port}, [&](boost::system::error_code e) { result = e; });
  });
  http::request<http::string_body> request(http::verb::get, path, 11);
  request.set(http::field::host, authority);
  request.set(http::field::connection, "close");
  auto response = http_exchange(io, socket, socket, request, deadline, what);
  return {response.result_int(), std::move(response.body())};
}

}  // namespace foxport::detail
