#include "launch/ready_wait.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstring>
#include <mutex>
#include <optional>

#include "foxport/error.hpp"
#include "inspect/reached.hpp"
#include "platform/file_watch.hpp"
#include "platform/files.hpp"
#include "platform/listeners.hpp"
#include "platform/process_tree.hpp"
#include "protocol/framing.hpp"
#include "protocol/websocket.hpp"

namespace foxport::detail {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Short pauses between protocol attempts. They only matter in the rare case where the
// listener exists but is not answering yet; every other step is driven by an event.
constexpr auto retry_delay = std::chrono::milliseconds(20);

}  // namespace

struct ReadyWait::State : std::enable_shared_from_this<ReadyWait::State> {
  ReadySpec spec;
  asio::io_context io;
  asio::steady_timer deadline{io};
  asio::steady_timer retry{io};
  std::optional<asio::posix::stream_descriptor> watch;  // the port file's directory
  std::array<char, 4096> watch_buffer{};
  std::shared_ptr<tcp::socket> probe_socket;  // the probe in flight, closed at the end
  const Process* process = nullptr;

  std::mutex feed_mutex;
  bool accepting = true;  // the process's callbacks post here only while the wait runs

  ReadyReport report;
  std::optional<ExitStatus> exited;
  std::string listener_state = "not checked";
  std::string probe_state = "not started";
  std::exception_ptr failure;
  bool finished = false;

  explicit State(ReadySpec s) : spec(std::move(s)) {}

  template <typename Handler>
  void feed(Handler&& handler) {
    std::lock_guard lock(feed_mutex);
    if (accepting) asio::post(io, std::forward<Handler>(handler));
  }

  std::string seen() const {
    std::string text = process != nullptr && !exited ? "process running (pid " + std::to_string(process->pid()) + ")"
                                                     : "process not running";
    text += "; port reported: ";
    text += report.port != 0 ? std::to_string(report.port) + " (" + report.port_source + ")" : "no";
    if (!spec.port_file.empty() && report.port == 0) text += ", no " + spec.port_file.filename().string() + " yet";
    text += "; listener: " + listener_state + "; protocol: " + probe_state;
    return text;
  }

  std::string subject() const {
    return spec.what + " (" + process->executable().string() + ", pid " + std::to_string(process->pid()) + ")";
  }

  void finish(std::exception_ptr error) {
    if (finished) return;
    finished = true;
    failure = error;
    io.stop();
  }

  void fail(std::error_code code, const std::string& why) {
    if (process != nullptr) process->wait_output_closed(std::chrono::milliseconds(200));
    finish(std::make_exception_ptr(Error(code, why + "\n  seen: " + seen() + "\n  last output:\n" +
                                                   (process != nullptr ? process->last_lines_text() : ""))));
  }

  // Handlers hold the state (shared_from_this): close every I/O object and let every handler
  // run out, so no handler outlives the wait holding the state and its io_context alive.
  void shut_down() {
    {
      std::lock_guard lock(feed_mutex);
      accepting = false;
    }
    finished = true;
    boost::system::error_code ignored;
    deadline.cancel();
    retry.cancel();
    if (watch) watch->close(ignored);
    if (probe_socket) probe_socket->close(ignored);
    io.restart();
    io.run();
  }

  void on_line(const std::string& line) {
    if (finished || report.port != 0) return;
    if (const auto port = parse_port_report(spec.report, line)) on_port(*port, "log line");
  }

  void on_exit(const ExitStatus& status) {
    if (finished) return;
    exited = status;
    fail(errc::exited_early, subject() + " exited before it was ready: " + status.to_string());
  }

  void watch_port_file() {
    const int fd = platform::watch_directory(spec.port_file.parent_path());
    if (fd < 0) return;  // the log line still reports the port
    watch.emplace(io, fd);
    read_watch();
    check_port_file();  // it may have appeared before the watch
  }

  void read_watch() {
    watch->async_read_some(asio::buffer(watch_buffer),
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             if (ec) return;
                             for (const auto& name : platform::changed_files(self->watch_buffer.data(), n)) {
                               if (name == self->spec.port_file.filename().string()) self->check_port_file();
                             }
                             self->read_watch();
                           });
  }

  void check_port_file() {
    if (finished || report.port != 0) return;
    if (const auto port = parse_port_file(spec.port_file_format, platform::read_small_file(spec.port_file)))
      on_port(*port, "port file");
  }

  void on_port(std::uint16_t port, const char* source) {
    if (report.port != 0) return;
    report.port = port;
    report.port_source = source;
    report.reported = Clock::now();
    check_listener();
  }

  // The listeners a client of the endpoint reaches (on its exact address) must belong to the
  // launched tree: a port reported by a stale file, or taken on that address by a stranger
  // while the child listens on another one, is not our child's.
  void check_listener() {
    const auto where = spec.host + ":" + std::to_string(report.port);
    const auto all = platform::listeners_on(report.port);
    const auto listeners = listeners_reached(all, spec.host);
    if (listeners.empty()) {
      listener_state = "nothing listens on " + where + " yet";
      for (const auto& other : all) listener_state += " (one listens on " + other.address + ")";
      return after_retry([this] { check_listener(); });
    }
    // Almost always the program itself holds the listener: check it before walking /proc.
    std::vector<int> tree{process->pid()};
    bool whole_tree = false;
    int owner_pid = -1;
    for (const auto& listener : listeners) {
      auto owner = platform::socket_owner(listener.inode, tree);
      if (!owner && !whole_tree) {
        tree = platform::descendants_of(process->guard_pid());
        whole_tree = true;
        owner = platform::socket_owner(listener.inode, tree);
      }
      if (!owner) return refuse_stranger(listener, where);
      owner_pid = *owner;
    }
    report.listener_pid = owner_pid;
    report.owned = Clock::now();
    listener_state = "pid " + std::to_string(owner_pid) + " on " + where;
    probe();
  }

  void refuse_stranger(const platform::Listener& listener, const std::string& where) {
    std::string holders;
    for (const int pid : platform::socket_holders(listener.inode))
      holders += " pid " + std::to_string(pid) + " (" + platform::command_line(pid).substr(0, 80) + ")";
    listener_state = listener.address + " held by" + (holders.empty() ? std::string(" an unknown process") : holders);
    fail(std::make_error_code(std::errc::address_in_use),
         "port " + std::to_string(report.port) + " reported by " + subject() +
             " is not held by the launched tree: " + where + ", where its clients connect, is held by" +
             (holders.empty() ? std::string(" a process foxport cannot see") : holders));
  }

  template <typename Step>
  void after_retry(Step step) {
    retry.expires_after(retry_delay);
    retry.async_wait([self = shared_from_this(), step](boost::system::error_code ec) {
      if (!ec && !self->finished) step();
    });
  }

  void probe() {
    auto socket = std::make_shared<tcp::socket>(io);
    probe_socket = socket;
    const tcp::endpoint endpoint(asio::ip::make_address(spec.host), report.port);
    socket->async_connect(endpoint, [self = shared_from_this(), socket](boost::system::error_code ec) {
      if (self->finished) return;
      if (ec) {
        self->probe_state = "connect: " + ec.message();
        return self->after_retry([self] { self->probe(); });
      }
      switch (self->spec.probe) {
        case Probe::marionette:
          return self->read_handshake(socket, std::make_shared<std::string>());
        case Probe::webdriver_bidi:
          return self->bidi_status(socket);
        case Probe::webdriver:
        case Probe::devtools:
          return self->request_http(socket);
      }
    });
  }

  // BiDi's session.status on a websocket to /session, the path Firefox serves BiDi-only
  // sessions on; ready == false (a session is active) is retried like a refused connection.
  void bidi_status(std::shared_ptr<tcp::socket> socket) {
    const auto host = spec.host + ":" + std::to_string(report.port);
    detail::async_websocket_exchange(
        *socket, host, "/session", socket_command_json(1, "session.status", "{}"),
        [self = shared_from_this(), socket](boost::system::error_code ec, const std::string& text) {
          if (self->finished) return;
          if (ec) {
            self->probe_state = "BiDi session.status: " + ec.message();
            return self->after_retry([self] { self->probe(); });
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
          self->after_retry([self] { self->probe(); });
        });
  }

  void read_handshake(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer) {
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
      self->after_retry([self] { self->probe(); });
    });
  }

  // WebDriver's GET /status, or the DevTools' GET /json/version.
  void request_http(std::shared_ptr<tcp::socket> socket) {
    const char* target = spec.probe == Probe::devtools ? "/json/version" : "/status";
    auto request = std::make_shared<http::request<http::empty_body>>(http::verb::get, target, 11);
    request->set(http::field::host, spec.host + ":" + std::to_string(report.port));
    request->set(http::field::connection, "close");
    http::async_write(*socket, *request,
                      [self = shared_from_this(), socket, request, target](boost::system::error_code ec, std::size_t) {
                        if (self->finished) return;
                        if (ec) {
                          self->probe_state = std::string("GET ") + target + ": " + ec.message();
                          return self->after_retry([self] { self->probe(); });
                        }
                        auto buffer = std::make_shared<boost::beast::flat_buffer>();
                        auto response = std::make_shared<http::response<http::string_body>>();
                        http::async_read(
                            *socket, *buffer, *response,
                            [self, socket, buffer, response, target](boost::system::error_code read_ec, std::size_t) {
                              if (self->finished) return;
                              if (read_ec) {
                                self->probe_state = std::string("GET ") + target + ": " + read_ec.message();
                                return self->after_retry([self] { self->probe(); });
                              }
                              if (self->answers_ready(*response)) {
                                self->report.protocol_answer = response->body();
                                self->report.answered = Clock::now();
                                return self->succeed();
                              }
                              self->probe_state = std::string("GET ") + target + " answered " +
                                                  std::to_string(response->result_int()) + " " +
                                                  response->body().substr(0, 200);
                              self->after_retry([self] { self->probe(); });
                            });
                      });
  }

  bool answers_ready(const http::response<http::string_body>& response) const {
    if (spec.probe == Probe::devtools)
      return response.result() == http::status::ok && parse_devtools_version(response.body()).has_value();
    const auto status = parse_status(response.body());
    return status && status->ready;
  }

  // A session of our own, created and ended. Its DeleteSession's answer is awaited: Marionette
  // refuses the next client until the session is gone.
  void probe_session(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer) {
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
  void exchange(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer, std::int64_t id,
                const char* name, const char* params, Next next) {
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
  void await_reply(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> buffer, std::int64_t id,
                   const char* name, Next next) {
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
  void lost_probe(const std::string& why) {
    probe_state = "connection lost during " + why;
    after_retry([self = shared_from_this()] { self->probe(); });
  }

  void succeed() {
    report.ready = Clock::now();
    if (report.session == ReadyReport::time_point{}) report.session = report.answered;
    probe_state = "answered";
    finish(nullptr);
  }
};

ReadyWait::ReadyWait(ReadySpec spec) : state_(std::make_shared<State>(std::move(spec))) {}

ReadyWait::~ReadyWait() { state_->shut_down(); }

void ReadyWait::attach(ProcessOptions& options) {
  std::weak_ptr<State> weak = state_;
  options.on_line = [weak, user = std::move(options.on_line)](Stream stream, std::string_view line) {
    if (user) user(stream, line);
    if (auto state = weak.lock()) state->feed([state, text = std::string(line)] { state->on_line(text); });
  };
  options.on_exit = [weak, user = std::move(options.on_exit)](const ExitStatus& status) {
    if (user) user(status);
    if (auto state = weak.lock()) state->feed([state, status] { state->on_exit(status); });
  };
  state_->report.spawned = Clock::now();
}

ReadyReport ReadyWait::run(const Process& process) {
  auto& state = *state_;
  state.process = &process;
  // From the spawn: a second wait (Firefox's BiDi, run after Marionette's) shares the launch's time.
  state.deadline.expires_at(state.report.spawned + state.spec.timeout);
  state.deadline.async_wait([&state](boost::system::error_code ec) {
    if (ec) return;
    state.fail(errc::ready_timeout,
               state.subject() + " was not ready within " + std::to_string(state.spec.timeout.count()) + " ms");
  });
  if (!state.spec.port_file.empty()) state.watch_port_file();
  state.io.run();
  const bool done = state.finished;
  state.shut_down();
  if (state.failure) std::rethrow_exception(state.failure);
  if (!done) throw Error(errc::protocol_error, "readiness wait ended without a result");
  return state.report;
}

}  // namespace foxport::detail
