#pragma once
// The state of one readiness wait, shared by its two halves: where the port is and whose
// listener holds it (ready_wait.cpp), and whether the protocol answers (ready_probe.cpp).
// Every step is an Asio handler on the wait's own io_context; handlers hold the state.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "launch/ready_wait.hpp"
#include "platform/connect.hpp"
#include "platform/listeners.hpp"

namespace foxport::detail {

/// Short pauses between protocol attempts. They only matter in the rare case where the
/// listener exists but is not answering yet; every other step is driven by an event.
constexpr auto ready_retry_delay = std::chrono::milliseconds(20);

struct ReadyWait::State : std::enable_shared_from_this<ReadyWait::State> {
  using Clock = std::chrono::steady_clock;
  using tcp = boost::asio::ip::tcp;
  using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

  /// A probe's connection as it was started: connected, in progress or failed, and for an
  /// HTTP probe whose connect was done at once, whether the whole request went out with it.
  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    platform::ConnectState state = platform::ConnectState::failed;
    boost::system::error_code error;
    bool request_sent = false;
  };

  ReadySpec spec;
  boost::asio::io_context io;
  boost::asio::steady_timer deadline{io};
  boost::asio::steady_timer retry{io};
  std::optional<boost::asio::posix::stream_descriptor> watch;  // the port file's directory
  std::array<char, 4096> watch_buffer{};
  std::shared_ptr<tcp::socket> probe_socket;  // the probe in flight, closed at the end
  // The HTTP probe sent on the process's I/O thread as it read the port's line (send_early):
  // out while this wait's thread wakes to the port and looks for its owner (#19).
  bool early_claimed = false;  // the I/O thread's
  bool early_coming = false;   // this thread's: the port came with one, on its way to on_early
  const Process* process = nullptr;

  std::mutex feed_mutex;
  bool accepting = true;  // the process's callbacks post here only while the wait runs

  ReadyReport report;
  std::optional<ExitStatus> exited;
  std::string listener_state = "not checked";
  std::string probe_state = "not started";
  std::exception_ptr failure;
  bool finished = false;
  bool owner_looked_up = false;  // check_listener started
  bool probe_in_flight = false;

  explicit State(ReadySpec s) : spec(std::move(s)) {}

  template <typename Handler>
  void feed(Handler&& handler) {
    std::lock_guard lock(feed_mutex);
    if (accepting) boost::asio::post(io, std::forward<Handler>(handler));
  }

  // Where the port is and whose listener holds it (ready_wait.cpp).
  std::string seen() const;
  std::string subject() const;
  void finish(std::exception_ptr error);
  void fail(std::error_code code, const std::string& why);
  void shut_down();
  void quiesce();  // after success, until shut_down
  /// A line of the program reported `port`; `sent_early`: the I/O thread sends its probe.
  void on_reported_port(std::uint16_t port, bool sent_early);
  void on_exit(const ExitStatus& status);
  void watch_port_file();
  void read_watch();
  void check_port_file();
  void on_port(std::uint16_t port, const char* source);
  void look_up_owner();
  void check_listener();
  /// The listener clients reach at `where` is `owner_pid`'s, of the launched tree.
  void owned_by(int owner_pid, const std::string& where);
  void refuse_stranger(const platform::Listener& listener, const std::string& where);

  // Whether the protocol answers (ready_probe.cpp).
  void prepare_probe();  // while the program starts
  /// On the process's I/O thread, for a line that reported a port: whether the thread sends
  /// the probe itself (an HTTP probe's first port), and then its connection, request sent.
  bool claim_early();
  Connection send_early(std::uint16_t port);
  void on_early(Connection connection);             // on this wait's thread
  Connection start_connection(std::uint16_t port);  // any thread: reads only the spec
  void probe();
  void go_on(Connection connection);
  void connected(std::shared_ptr<tcp::socket> socket, boost::system::error_code ec);
  void bidi_status(std::shared_ptr<tcp::socket> socket);
  void read_handshake(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer);
  bool http_probe() const;  // WebDriver's GET /status or the DevTools' GET /json/version
  const char* http_target() const;
  std::string http_request(std::uint16_t port) const;
  void request_http(std::shared_ptr<tcp::socket> socket);
  void request_written(std::shared_ptr<tcp::socket> socket, const char* target, boost::system::error_code ec);
  bool answers_ready(const HttpResponse& response) const;
  void probe_session(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer);
  template <typename Next>
  void exchange(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer, std::int64_t id,
                const char* name, const char* params, Next next);
  template <typename Next>
  void await_reply(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer, std::int64_t id,
                   const char* name, Next next);
  void lost_probe(const std::string& why);
  void probe_again();
  void succeed();

  template <typename Step>
  void after_retry(Step step) {
    retry.expires_after(ready_retry_delay);
    retry.async_wait([self = shared_from_this(), step](boost::system::error_code ec) {
      if (!ec && !self->finished) step();
    });
  }
};

}  // namespace foxport::detail
