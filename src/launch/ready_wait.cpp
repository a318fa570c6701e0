#include "launch/ready_wait.hpp"

#include "foxport/error.hpp"
#include "inspect/reached.hpp"
#include "launch/ready_wait_state.hpp"
#include "platform/file_watch.hpp"
#include "platform/files.hpp"
#include "platform/listeners.hpp"
#include "platform/process_tree.hpp"
#include "protocol/framing.hpp"

namespace foxport::detail {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::string ReadyWait::State::seen() const {
  std::string text = process != nullptr && !exited ? "process running (pid " + std::to_string(process->pid()) + ")"
                                                   : "process not running";
  text += "; port reported: ";
  text += report.port != 0 ? std::to_string(report.port) + " (" + report.port_source + ")" : "no";
  if (!spec.port_file.empty() && report.port == 0) text += ", no " + spec.port_file.filename().string() + " yet";
  text += "; listener: " + listener_state + "; protocol: " + probe_state;
  return text;
}

std::string ReadyWait::State::subject() const {
  return spec.what + " (" + process->executable().string() + ", pid " + std::to_string(process->pid()) + ")";
}

void ReadyWait::State::finish(std::exception_ptr error) {
  if (finished) return;
  finished = true;
  failure = error;
  io.stop();
}

void ReadyWait::State::fail(std::error_code code, const std::string& why) {
  if (process != nullptr) process->wait_output_closed(std::chrono::milliseconds(200));
  finish(std::make_exception_ptr(Error(code, why + "\n  seen: " + seen() + "\n  last output:\n" +
                                                 (process != nullptr ? process->last_lines_text() : ""))));
}

// Handlers hold the state (shared_from_this): close every I/O object and let every handler
// run out, so no handler outlives the wait holding the state and its io_context alive.
void ReadyWait::State::shut_down() {
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

// Ready: nothing reaches the wait any more. Marionette serves one client at a time and the
// caller's next is the one that counts, and the port file's directory is the program's busy
// profile: those go now. An HTTP probe's spent connection and the wait's event loop go with
// the wait, after the caller has the endpoint (#19: 0.02 ms sooner).
void ReadyWait::State::quiesce() {
  {
    std::lock_guard lock(feed_mutex);
    accepting = false;
  }
  boost::system::error_code ignored;
  if (watch) watch->close(ignored);
  if (probe_socket && !http_probe()) probe_socket->close(ignored);
}

void ReadyWait::State::on_reported_port(std::uint16_t port, bool sent_early) {
  if (finished || report.port != 0) return;
  early_coming = sent_early;
  on_port(port, "log line");
}

void ReadyWait::State::on_exit(const ExitStatus& status) {
  if (finished) return;
  exited = status;
  fail(errc::exited_early, subject() + " exited before it was ready: " + status.to_string());
}

void ReadyWait::State::watch_port_file() {
  const int fd = platform::watch_directory(spec.port_file.parent_path());
  if (fd < 0) return;  // the log line still reports the port
  watch.emplace(io, fd);
  read_watch();
  check_port_file();  // it may have appeared before the watch
}

void ReadyWait::State::read_watch() {
  watch->async_read_some(asio::buffer(watch_buffer),
                         [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                           if (ec) return;
                           for (const auto& name : platform::changed_files(self->watch_buffer.data(), n)) {
                             if (name == self->spec.port_file.filename().string()) self->check_port_file();
                           }
                           self->read_watch();
                         });
}

void ReadyWait::State::check_port_file() {
  if (finished || report.port != 0) return;
  if (const auto port = parse_port_file(spec.port_file_format, platform::read_small_file(spec.port_file)))
    on_port(*port, "port file");
}

void ReadyWait::State::on_port(std::uint16_t port, const char* source) {
  if (report.port != 0) return;
  report.port = port;
  report.port_source = source;
  report.reported = Clock::now();
  // An HTTP GET only reads: it goes out first (from the I/O thread, when the port came in a
  // line), and the listener's owner is looked up while the endpoint answers (#19). Its answer
  // counts once the listener is found in the tree. The other protocols are spoken only to a
  // listener known to be the tree's.
  if (http_probe() && !early_coming) return probe();
  look_up_owner();
}

void ReadyWait::State::look_up_owner() {
  if (owner_looked_up) return;
  owner_looked_up = true;
  check_listener();
}

// The listeners a client of the endpoint reaches (on its exact address) must belong to the
// launched tree: a port reported by a stale file, or taken on that address by a stranger
// while the child listens on another one, is not our child's.
void ReadyWait::State::check_listener() {
  const auto where = spec.host + ":" + std::to_string(report.port);
  // The usual case in one query (#19): the kernel names the listener a client reaches, and the
  // program itself holds it. (Sharing it with a stranger through SO_REUSEPORT would need the
  // program to set that; none of the programs foxport launches does.) Anything else is looked
  // at in full below.
  if (const auto reached = platform::listener_reached(spec.host, report.port)) {
    if (const auto owner = platform::socket_owner(reached->inode, {process->pid()})) return owned_by(*owner, where);
  }
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
  owned_by(owner_pid, where);
}

void ReadyWait::State::owned_by(int owner_pid, const std::string& where) {
  report.listener_pid = owner_pid;
  report.owned = Clock::now();
  listener_state = "pid " + std::to_string(owner_pid) + " on " + where;
  if (report.answered != ReadyReport::time_point{}) return succeed();  // the early GET's answer
  if (!probe_in_flight && !early_coming) probe();
}

void ReadyWait::State::refuse_stranger(const platform::Listener& listener, const std::string& where) {
  std::string holders;
  for (const int pid : platform::socket_holders(listener.inode))
    holders += " pid " + std::to_string(pid) + " (" + platform::command_line(pid).substr(0, 80) + ")";
  listener_state = listener.address + " held by" + (holders.empty() ? std::string(" an unknown process") : holders);
  fail(std::make_error_code(std::errc::address_in_use),
       "port " + std::to_string(report.port) + " reported by " + subject() +
           " is not held by the launched tree: " + where + ", where its clients connect, is held by" +
           (holders.empty() ? std::string(" a process foxport cannot see") : holders));
}

ReadyWait::ReadyWait(ReadySpec spec) : state_(std::make_shared<State>(std::move(spec))) {}

ReadyWait::ReadyWait(ReadyWait&&) noexcept = default;

ReadyWait::~ReadyWait() {
  if (state_) state_->shut_down();
}

void ReadyWait::attach(ProcessOptions& options) {
  std::weak_ptr<State> weak = state_;
  options.on_line = [weak, user = std::move(options.on_line)](Stream stream, std::string_view line) {
    // Only the line that reports the port wakes the wait's thread (a program says much else as
    // it starts, on the same cores). That thread looks for the listener's owner while this one
    // sends an HTTP probe's GET (#19), and what takes longer starts first: chromedriver answers
    // its first GET 0.16-0.2 ms after it, later than the lookup ends, so its GET goes out
    // before the wake-up (which costs this thread 0.015 ms); a driver that answers at once
    // waits on the lookup instead, which then starts sooner.
    const auto state = weak.lock();
    if (const auto port = state ? parse_port_report(state->spec.report, line) : std::nullopt) {
      const bool early = state->claim_early();
      const bool request_first = early && state->spec.report == PortReport::chromedriver;
      auto connection = request_first ? state->send_early(*port) : ReadyWait::State::Connection{};
      state->feed([state, port = *port, early] { state->on_reported_port(port, early); });
      if (early && !request_first) connection = state->send_early(*port);
      if (early) state->feed([state, connection] { state->on_early(connection); });
    }
    if (user) user(stream, line);
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
  state.prepare_probe();
  state.io.run();
  if (state.finished && !state.failure) {
    state.quiesce();
    return state.report;
  }
  const bool done = state.finished;
  state.shut_down();
  if (state.failure) std::rethrow_exception(state.failure);
  if (!done) throw Error(errc::protocol_error, "readiness wait ended without a result");
  return state.report;
}

}  // namespace foxport::detail
