#pragma once
// Blocking calls with a deadline on top of Asio: start an asynchronous operation, run the
// io_context until the deadline, and close the socket if it did not finish. Shared by the
// Marionette and WebDriver clients, which must never hang. One deadline bounds a whole
// exchange (connect, write, every read of the answer): a peer that drips one byte at a time
// cannot stretch it, as a timeout per read would let it.

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>

#include "foxport/error.hpp"

namespace foxport::detail {

/// When an exchange must be over, and the budget it was given (for messages).
struct Deadline {
  std::chrono::steady_clock::time_point at;
  std::chrono::milliseconds budget{};

  static Deadline after(std::chrono::milliseconds budget) {
    return {std::chrono::steady_clock::now() + budget, budget};
  }
  std::chrono::milliseconds left() const {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(at - std::chrono::steady_clock::now()));
  }
};

/// Runs `start(result)` (which starts one asynchronous operation that stores its error code
/// in `result`) to completion or until the deadline; throws Error naming `what` on failure.
template <typename Start>
void run_until(boost::asio::io_context& io, boost::asio::ip::tcp::socket& socket, const Deadline& deadline,
               const std::string& what, Start start) {
  boost::system::error_code result = boost::asio::error::would_block;
  start(result);
  io.restart();
  io.run_for(deadline.left());
  if (result == boost::asio::error::would_block) {
    boost::system::error_code ignored;
    socket.close(ignored);  // cancels the operation; let its handler run before we return
    io.restart();
    io.run();
    throw Error(std::make_error_code(std::errc::timed_out),
                what + ": no answer within " + std::to_string(deadline.budget.count()) + " ms");
  }
  // Boost converts its codes to std ones keeping the category (asio's end of file stays eof).
  if (result) throw Error(std::error_code(result), what + ": " + result.message());
}

}  // namespace foxport::detail
