#include "launch/launcher.hpp"

#include "foxport/error.hpp"
#include "process/locate.hpp"
#include "process/pending_guard.hpp"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

namespace foxport::detail {

void LaunchState::stop() noexcept {
  if (auto step = std::exchange(before_stop, nullptr)) {
    try {
      if (process.valid() && process.running()) step(*this);
    } catch (...) {
      // Busy or unresponsive: the stop policy below takes over.
    }
  }
  sessions.clear();
  waits.clear();
  try {
    process.stop();
    if (display) display->server.stop();  // its clients are gone: nothing is left to save
  } catch (...) {
    // Process::stop is bounded and ends with SIGKILL: nothing is left to try.
  }
  leases.clear();  // only once the process is gone
}

DetachedProcess LaunchState::detach() {
  before_stop = nullptr;  // the caller owns the sessions too
  sessions.clear();
  waits.clear();
  auto record = process.detach();
  if (display) {  // the tree keeps its display: the caller owns both now
    record.display = display->display;
    record.display_pid = display->server.detach().pid;
  }
  leases.clear();
  return record;
}

bool lost_port_race(const Process& process) {
  process.wait_output_closed(std::chrono::milliseconds(200));
  for (const auto& line : process.last_lines()) {
    if (line.find("Address in use") != std::string::npos || line.find("Address already in use") != std::string::npos ||
        line.find("port not available") != std::string::npos)
      return true;
  }
  return false;
}

namespace {

// Programs make Unix sockets in their TMPDIR, and a socket's path holds at most 107 bytes:
// Chromium's <TMPDIR>/org.chromium.Chromium.XXXXXX/SingletonSocket needs 44 beyond TMPDIR.
// A private TMPDIR nested in a long one goes to /tmp instead, rather than break sessions.
constexpr std::size_t socket_path_max = 107;
constexpr std::size_t socket_room = 44;

// The launches of this process under way, for a signal that ends the process during one
// (remove_launch_directories_before_exit): their directories are removed before it ends, not
// by their guards just after, so they are gone once the process is.
struct UnderWay {
  std::timed_mutex busy;  // held while the launch makes and fills its directory and starts its child
  std::filesystem::path directory;
  int group = 0;  // the child's process group, once started
};
std::mutex under_way_mutex;
std::set<std::shared_ptr<UnderWay>> under_way;

// One launch's entry, busy from its construction until started().
class LaunchUnderWay {
 public:
  LaunchUnderWay() : entry_(std::make_shared<UnderWay>()), busy_(entry_->busy) {
    std::lock_guard lock(under_way_mutex);
    under_way.insert(entry_);
  }
  ~LaunchUnderWay() {
    if (busy_.owns_lock()) busy_.unlock();
    std::lock_guard lock(under_way_mutex);
    under_way.erase(entry_);
  }
  LaunchUnderWay(const LaunchUnderWay&) = delete;
  LaunchUnderWay& operator=(const LaunchUnderWay&) = delete;

  void made(const std::filesystem::path& directory) { entry_->directory = directory; }
  void started(int group) {
    entry_->group = group;
    busy_.unlock();
  }

 private:
  std::shared_ptr<UnderWay> entry_;
  std::unique_lock<std::timed_mutex> busy_;
};

// Where the launch's directory goes: TMPDIR, or /tmp when the directory is the child's TMPDIR
// (the drivers: Chromium makes its SingletonSocket there) and a Unix socket path inside it
// would be too long (make_temporary_directory's name: foxport-PURPOSE-XXXXXX).
std::filesystem::path launch_parent(const LaunchPlan& plan) {
  auto parent = temporary_root();
  if (!plan.tmpdir || !plan.tmpdir->empty()) return parent;
  const auto tmpdir = parent / ("foxport-" + plan.directory_purpose + "-XXXXXX");
  return tmpdir.native().size() + socket_room <= socket_path_max ? parent : std::filesystem::path("/tmp");
}

ReadySpec in_directory(ReadySpec spec, const std::filesystem::path& directory) {
  if (!spec.port_file.empty()) spec.port_file = directory / spec.port_file;
  return spec;
}

}  // namespace

std::filesystem::path named_binary(const std::filesystem::path& explicit_binary, const char* env_var,
                                   const std::string& what) {
  const char* env = std::getenv(env_var);
  const std::filesystem::path chosen = !explicit_binary.empty() ? explicit_binary
                                       : env != nullptr         ? std::filesystem::path(env)
                                                                : std::filesystem::path();
  if (chosen.empty()) return {};
  std::error_code ec;
  std::string message;
  auto path = find_executable(chosen, ec, &message);
  if (ec) {
    throw Error(ec,
                what + " binary " + (explicit_binary.empty() ? std::string("from ") + env_var + ": " : "") + message);
  }
  return path;
}

void remove_launch_directories_before_exit() noexcept {
  // Locked for good: the process ends right after, and no launch may start meanwhile.
  under_way_mutex.lock();
  for (const auto& entry : under_way) {
    // A launch still writing into its directory or starting its child is waited for, boundedly
    // (it may block on a FIFO given as its log): removing under a writer can leave the directory.
    // Never unlocked either: that launch goes no further. The entry is read only once locked.
    if (!entry->busy.try_lock_for(std::chrono::seconds(2))) continue;  // its guard removes it then
    if (entry->group > 0) ::kill(-entry->group, SIGKILL);              // its child writes there too
    if (entry->directory.empty()) continue;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    std::error_code ec;
    while (std::filesystem::remove_all(entry->directory, ec),
           std::filesystem::exists(entry->directory, ec) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the killed child's last writes
  }
}

std::unique_ptr<LaunchState> launch(LaunchPlan plan) {
  const bool leased = plan.port == 0 && plan.lease_range.has_value();
  const int attempts = std::max(1, plan.attempts);
  for (int attempt = 1;; ++attempt) {
    auto state = std::make_unique<LaunchState>();
    state->kind = plan.kind;
    state->host = plan.ready.host;
    std::uint16_t port = plan.port;
    if (leased) {
      state->leases.push_back(PortLease::acquire(*plan.lease_range));
      port = state->leases.back().port();
    }
    ProcessOptions process = plan.process;
    process.executable = plan.binary;
    if (plan.xvfb) state->display = start_xvfb(plan.ready.timeout);
    // Everything the child puts in its directory goes with the launch. Its guard starts first
    // and owns the directory from the moment it exists: a SIGKILL before the child runs leaves
    // nothing (docs/architecture.md); the same guard then runs the child.
    PendingGuard guard;
    // A FIFO given as the log may wait for its reader: before the launch is under way, so that
    // a signal to foxport's command meanwhile ends it at once, with no directory yet.
    if (!plan.process.log_file.empty()) guard.open_log(plan.process.log_file);
    LaunchUnderWay under_way_here;  // a signal to foxport's command removes the directory before it ends
    if (plan.directory.empty()) {
      state->directory = guard.make_directory(plan.directory_purpose, launch_parent(plan));
    } else {
      state->directory = plan.directory;
      guard.own_directory(plan.directory);
    }
    under_way_here.made(state->directory);
    process.owned_directories.push_back(state->directory);
    try {
      plan.configure(process, port, state->directory);
      if (plan.tmpdir) {
        auto tmpdir = state->directory;
        if (!plan.tmpdir->empty()) {  // else the launch directory itself, made above
          tmpdir /= *plan.tmpdir;
          std::filesystem::create_directory(tmpdir);
        }
        process.environment["TMPDIR"] = tmpdir.string();
      }
      if (state->display) process.environment["DISPLAY"] = state->display->display;
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove_all(state->directory, ignored);
      throw;
    }
    // The waits are made while the guard starts the program (#19), and see its output from
    // the first line. The second one's lines queue up while the first one runs.
    std::optional<ReadyWait> wait, bidi;
    state->process = guard.run(std::move(process), [&](ProcessOptions& started) {
      wait.emplace(in_directory(plan.ready, state->directory)).attach(started);
      if (plan.bidi) bidi.emplace(in_directory(*plan.bidi, state->directory)).attach(started);
    });
    under_way_here.started(state->process.pid());
    try {
      state->report = wait->run(state->process);
      if (bidi) {
        const auto seen = bidi->run(state->process);
        state->report.bidi_port = seen.port;
        state->report.bidi = seen.answered;
        state->report.ready = seen.ready;
      }
      if (port != 0 && state->report.port != port) {
        throw Error(errc::protocol_error, plan.ready.what + " reported port " + std::to_string(state->report.port) +
                                              " but was given " + std::to_string(port));
      }
      state->waits.push_back(std::move(*wait));
      if (bidi) state->waits.push_back(std::move(*bidi));
      return state;
    } catch (const Error& e) {
      if (attempt >= attempts || e.code() != errc::exited_early || !lost_port_race(state->process)) throw;
      // Someone outside foxport's leases took the port between our bind test and the
      // child's bind: try another one. Said in the child's log, like any of its lines.
      const std::string note = "foxport: port " + (leased ? std::to_string(port) : "chosen by " + plan.ready.what) +
                               " was taken before " + plan.ready.what +
                               " could bind it; retrying on another port (attempt " + std::to_string(attempt + 1) +
                               " of " + std::to_string(attempts) + ")";
      if (plan.process.on_line) plan.process.on_line(Stream::err, note);
    }
  }
}

}  // namespace foxport::detail
