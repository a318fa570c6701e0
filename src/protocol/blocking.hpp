#pragma once
// Blocking calls with a deadline on top of Asio: start an asynchronous operation, run the
// io_context for at most the time left, and close the socket if it did not finish. Shared
// by the Marionette and WebDriver clients, which must never hang.

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>

#include "foxport/error.hpp"

namespace foxport::detail {

/// Runs `start(result)` (which starts one asynchronous operation that stores its error code
/// in `result`) to completion or until `timeout`; throws Error naming `what` on failure.
template <typename Start>
void run_with_timeout(boost::asio::io_context& io, boost::asio::ip::tcp::socket& socket,
                      std::chrono::milliseconds timeout, const std::string& what, Start start) {
  boost::system::error_code result = boost::asio::error::would_block;
  start(result);
  io.restart();
  io.run_for(timeout);
  if (result == boost::asio::error::would_block) {
    boost::system::error_code ignored;
    socket.close(ignored);  // cancels the operation; let its handler run before we return
    io.restart();
    io.run();
    throw Error(std::make_error_code(std::errc::timed_out),
                what + ": no answer within " + std::to_string(timeout.count()) + " ms");
  }
  // Boost converts its codes to std ones keeping the category (asio's end of file stays eof).
  if (result) throw Error(std::error_code(result), what + ": " + result.message());
}

}  // namespace foxport::detail
