#include "foxport/process.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "detail/no_throw.hpp"
#include "platform/process_tree.hpp"
#include "foxport/error.hpp"

extern char** environ;

namespace foxport {
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bp = boost::process::v2;
namespace fs = std::filesystem;

std::string ExitStatus::to_string() const {
  if (signal != 0) {
    const char* name = ::strsignal(signal);
    return "killed by signal " + std::to_string(signal) + (name != nullptr ? std::string(" (") + name + ")" : "");
  }
  return "exit status " + std::to_string(code);
}

fs::path find_executable(const fs::path& name, std::error_code& ec, std::string* message) {
  ec.clear();
  auto fail = [&](errc code, const std::string& text) {
    ec = code;
    if (message != nullptr) *message = text;
    return fs::path();
  };
  auto usable = [](const fs::path& path, bool& exists) {
    struct stat info{};
    exists = ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
    return exists && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) return fail(errc::binary_not_found, "no executable given");
  bool exists = false;
  if (name.string().find('/') != std::string::npos) {
    if (usable(name, exists)) return fs::absolute(name);
    return exists ? fail(errc::binary_not_executable, name.string() + " is not executable")
                  : fail(errc::binary_not_found, name.string() + " does not exist");
  }
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::string searched;
  fs::path not_executable;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) dir = ".";
    const auto candidate = fs::path(dir) / name;
    if (usable(candidate, exists)) return fs::absolute(candidate);
    if (exists && not_executable.empty()) not_executable = candidate;
    searched += (searched.empty() ? "" : ":") + dir;
  }
  if (!not_executable.empty()) return fail(errc::binary_not_executable, not_executable.string() + " is not executable");
  return fail(errc::binary_not_found, name.string() + " not found in PATH (" + searched + ")");
}

fs::path find_executable(const fs::path& name) {
  std::error_code ec;
  std::string message;
  auto path = find_executable(name, ec, &message);
  if (ec) throw Error(ec, message);
  return path;
}

fs::path make_temporary_directory(std::string_view purpose) {
  std::string pattern = (fs::temp_directory_path() / ("foxport-" + std::string(purpose) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {  // mkdtemp creates it 0700
    throw Error(std::error_code(errno, std::system_category()), "cannot create a temporary directory " + pattern);
  }
  return pattern;
}

namespace {

// The guard: $FOXPORT_GUARD, else beside the library or program, else where it was installed
// or built. The error lists every place tried.
fs::path find_guard(std::string& message) {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("FOXPORT_GUARD"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&find_guard), &info) != 0 && info.dli_fname != nullptr) {
      const auto dir = fs::path(info.dli_fname).parent_path();
      candidates.push_back(dir / "foxport-guard");
      candidates.push_back(dir / "../libexec/foxport-guard");
    }
    const auto self = platform::executable_of(::getpid()).parent_path();
    candidates.push_back(self / "foxport-guard");
    candidates.push_back(self / "../libexec/foxport-guard");
    candidates.emplace_back(FOXPORT_GUARD_INSTALL_PATH);
    candidates.emplace_back(FOXPORT_GUARD_BUILD_PATH);
  }
  for (const auto& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal();
  }
  message = "foxport-guard not found; tried";
  for (const auto& candidate : candidates) message += " " + candidate.lexically_normal().string();
  message += " (set FOXPORT_GUARD to its path)";
  return {};
}

// Boost.Process initialisers are found by signature: they must take Boost's path and
// error_code types exactly, or they are silently ignored.

// Boost.Process initialiser: the guard leads a new process group, so a Ctrl-C meant for the
// caller's group cannot kill it before it has cleaned up.
struct NewProcessGroup {
  template <typename Launcher>
  boost::system::error_code on_exec_setup(Launcher&, const boost::filesystem::path&, const char* const*) {
    if (::setpgid(0, 0) != 0) return {errno, boost::system::system_category()};
    return {};
  }
};

// Boost.Process initialiser: reaps the child when its exec failed (Boost leaves it a zombie
// otherwise: boostorg/process#445).
struct ReapOnError {
  template <typename Launcher>
  void on_error(Launcher& launcher, const boost::filesystem::path&, const char* const*, const boost::system::error_code&) {
    if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);
  }
};

// Boost.Process initialiser: passes `fds[i]` to the child as descriptor 3 + i.
struct PassDescriptors {
  std::array<int, 2> fds;

  template <typename Launcher>
  boost::system::error_code on_setup(Launcher& launcher, const boost::filesystem::path&, const char* const*) {
    for (int i = 0; i < 2; ++i) launcher.fd_whitelist.push_back(3 + i);
    return {};
  }
  template <typename Launcher>
  boost::system::error_code on_exec_setup(Launcher&, const boost::filesystem::path&, const char* const*) {
    // Move out of the way first, so that dup2 onto 3 cannot overwrite the source of 4.
    std::array<int, 2> high{};
    for (int i = 0; i < 2; ++i) {
      high[i] = ::fcntl(fds[i], F_DUPFD, 10);
      if (high[i] < 0) return {errno, boost::system::system_category()};
    }
    for (int i = 0; i < 2; ++i) {
      if (::dup2(high[i], 3 + i) < 0) return {errno, boost::system::system_category()};
    }
    return {};
  }
};

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(std::error_code(errno, std::system_category()), "pipe2 failed");
    read = fds[0];
    write = fds[1];
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() { if (read >= 0) ::close(std::exchange(read, -1)); }
  void close_write() { if (write >= 0) ::close(std::exchange(write, -1)); }
};

// The child's environment: ours, minus unset_environment, plus environment; as execve wants it.
class EnvironmentBlock {
 public:
  explicit EnvironmentBlock(const ProcessOptions& options) {
    std::map<std::string, std::string> vars;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string var = *entry;
      const auto eq = var.find('=');
      if (eq != std::string::npos) vars.emplace(var.substr(0, eq), var.substr(eq + 1));
    }
    for (const auto& name : options.unset_environment) vars.erase(name);
    for (const auto& [name, value] : options.environment) vars[name] = value;
    for (const auto& [name, value] : vars) vars_.push_back(name + "=" + value);
    for (const auto& var : vars_) pointers_.push_back(var.c_str());
    pointers_.push_back(nullptr);
  }
  const char* const* data() const { return pointers_.data(); }

 private:
  std::vector<std::string> vars_;
  std::vector<const char*> pointers_;
};

// Reads the guard's first status line ("started PID" or "failed ERRNO") before the I/O
// thread exists. Bounded: the guard forks and execs at once.
std::string read_first_status(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return {};
    char c = 0;
    const auto n = ::read(fd, &c, 1);  // one byte at a time: later lines belong to the I/O thread
    if (n <= 0) return line;
    line += c;
  }
  line.pop_back();
  return line;
}

}  // namespace

struct Process::Impl {
  ProcessOptions options;
  fs::path executable;
  asio::io_context io;
  bp::process guard{io};
  asio::readable_pipe out{io};
  asio::readable_pipe err{io};
  asio::readable_pipe status{io};
  int control = -1;  // write end; closing it (or our death) makes the guard clean up
  int pid = -1;
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::optional<ExitStatus> exit;
  bool guard_done = false;  // "done" or end of file on the status pipe
  int open_streams = 0;     // out and err until end of file
  std::deque<std::string> ring;
  std::ofstream log;
  bool stopped = false;
  bool guarded = true;  // options.use_guard: `guard` is foxport-guard, else the program itself

  explicit Impl(ProcessOptions opts) : options(std::move(opts)) {}

  void send(const std::string& line) {
    if (!guarded) return act_without_guard(line);
    if (control < 0) return;
    const std::string text = line + "\n";
    [[maybe_unused]] const auto n = ::write(control, text.data(), text.size());  // EPIPE: guard gone
  }

  // What the guard would do, done here: the group and the program's live descendants.
  void act_without_guard(const std::string& line) {
    const int sig = line == "cleanup" ? SIGKILL : line.rfind("signal ", 0) == 0 ? std::stoi(line.substr(7)) : 0;
    if (sig == 0 || pid <= 0) return;
    const auto descendants = platform::descendants_of(pid);
    ::kill(-pid, sig);
    for (const int descendant : descendants) ::kill(descendant, sig);
  }

  // Without a guard, the I/O thread reaps the program (the one place that does) and reports
  // its exit as the guard would.
  void watch_exit_without_guard() {
    guard.async_wait([this](boost::system::error_code, int) {
      const int raw = guard.native_exit_code();
      on_status_line(WIFSIGNALED(raw) ? "signaled " + std::to_string(WTERMSIG(raw))
                                      : "exited " + std::to_string(WEXITSTATUS(raw)));
      on_status_line("done");
    });
  }

  void add_line(Stream stream, std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (options.on_line) options.on_line(stream, line);
    std::lock_guard lock(mutex);
    if (log.is_open()) log << (stream == Stream::err ? "[err] " : "") << line << '\n' << std::flush;
    ring.push_back(std::move(line));
    while (ring.size() > std::max<std::size_t>(options.log_lines, 1)) ring.pop_front();
  }

  // Reads one output stream until end of file, line by line; a very long line is cut.
  void read_lines(asio::readable_pipe& pipe, Stream stream, std::shared_ptr<std::string> buffer) {
    auto chunk = std::make_shared<std::array<char, 16384>>();
    pipe.async_read_some(asio::buffer(*chunk), [this, &pipe, stream, buffer, chunk](boost::system::error_code ec, std::size_t n) {
      buffer->append(chunk->data(), n);
      std::size_t start = 0;
      for (std::size_t eol; (eol = buffer->find('\n', start)) != std::string::npos; start = eol + 1)
        add_line(stream, buffer->substr(start, eol - start));
      buffer->erase(0, start);
      if (buffer->size() > 65536) add_line(stream, std::exchange(*buffer, {}));
      if (!ec) return read_lines(pipe, stream, buffer);
      if (!buffer->empty()) add_line(stream, std::exchange(*buffer, {}));
      std::lock_guard lock(mutex);
      --open_streams;
      changed.notify_all();
    });
  }

  void on_status_line(const std::string& line) {
    std::optional<ExitStatus> ended;
    if (line.rfind("exited ", 0) == 0) ended = ExitStatus{std::stoi(line.substr(7)), 0};
    if (line.rfind("signaled ", 0) == 0) ended = ExitStatus{-1, std::stoi(line.substr(9))};
    if (ended) {
      {
        std::lock_guard lock(mutex);
        exit = ended;
      }
      changed.notify_all();
      if (options.on_exit) options.on_exit(*ended);
    }
    if (line == "done") {
      std::lock_guard lock(mutex);
      guard_done = true;
      changed.notify_all();
    }
  }

  void read_status(std::shared_ptr<std::string> buffer) {
    auto chunk = std::make_shared<std::array<char, 512>>();
    status.async_read_some(asio::buffer(*chunk), [this, buffer, chunk](boost::system::error_code ec, std::size_t n) {
      buffer->append(chunk->data(), n);
      for (std::size_t eol; (eol = buffer->find('\n')) != std::string::npos;) {
        const auto line = buffer->substr(0, eol);
        buffer->erase(0, eol + 1);
        on_status_line(line);
      }
      if (!ec) return read_status(buffer);
      std::lock_guard lock(mutex);
      guard_done = true;  // the guard is gone, whatever it said
      changed.notify_all();
    });
  }

  void start_io() {
    open_streams = 2;
    read_lines(out, Stream::out, std::make_shared<std::string>());
    read_lines(err, Stream::err, std::make_shared<std::string>());
    if (guarded) {
      read_status(std::make_shared<std::string>());
    } else {
      watch_exit_without_guard();
    }
    thread = std::thread([this] { io.run(); });
  }

  template <typename Predicate>
  bool wait_until(std::chrono::steady_clock::time_point deadline, Predicate predicate) {
    std::unique_lock lock(mutex);
    return changed.wait_until(lock, deadline, predicate);
  }

  void remove_directories() {
    for (const auto& dir : options.owned_directories) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }

  void stop(const StopPolicy& policy) {
    if (stopped) return;
    stopped = true;
    for (const StopStep& step : {policy.first, policy.second, policy.third}) {
      if (step.action == StopAction::none || pid <= 0) continue;  // pid 0: the guard runs nothing
      {
        std::lock_guard lock(mutex);
        if (exit) break;
      }
      send("signal " + std::to_string(step.action == StopAction::interrupt      ? SIGINT
                                       : step.action == StopAction::request_exit ? SIGTERM
                                                                                  : SIGKILL));
      wait_until(std::chrono::steady_clock::now() + step.timeout, [this] { return exit.has_value(); });
    }
    // Whatever is left of the tree: SIGKILL, reap, remove the directories (the guard does it).
    send("cleanup");
    const bool clean = wait_until(std::chrono::steady_clock::now() + 12s, [this] { return guard_done; });
    boost::system::error_code ec;
    if (!clean) {
      guard.terminate(ec);  // a stuck guard: take the group down ourselves
      if (pid > 0) ::kill(-pid, SIGKILL);
    } else if (guarded) {
      guard.wait(ec);  // it exits right after "done"
    }
    remove_directories();
    ::close(std::exchange(control, -1));
    // The pipes end when the last writer in the tree is gone; do not wait on strangers.
    wait_until(std::chrono::steady_clock::now() + 500ms, [this] { return open_streams == 0; });
    io.stop();
    if (thread.joinable()) thread.join();
  }

  ~Impl() {
    if (thread.joinable()) {
      io.stop();
      thread.join();
    }
    if (control >= 0) ::close(control);
  }
};

Process::Process() noexcept = default;
Process::Process(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    try {
      stop();
    } catch (...) {
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Process::~Process() {
  try {
    stop();
  } catch (...) {
  }
}

Process Process::spawn(ProcessOptions options) {
  // The launch owns its directories from the start: a spawn that fails removes them too.
  struct RemoveOnFailure {
    std::vector<fs::path> directories;
    bool armed = true;
    ~RemoveOnFailure() {
      if (!armed) return;
      std::error_code ec;
      for (const auto& dir : directories) fs::remove_all(dir, ec);
    }
  } cleanup{options.owned_directories};
  auto process = spawn_owned(std::move(options));
  cleanup.armed = false;
  return process;
}

Process Process::spawn_owned(ProcessOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  auto& opts = impl->options;

  std::error_code ec;
  std::string message;
  const bool watch_only = opts.executable.empty();
  if (!watch_only) {
    impl->executable = find_executable(opts.executable, ec, &message);
    if (ec) throw Error(ec, "cannot start " + opts.executable.string() + ": " + message);
  }
  if (!opts.log_file.empty()) {
    impl->log.open(opts.log_file, std::ios::app);
    if (!impl->log) throw Error(std::make_error_code(std::errc::io_error), "cannot open log file " + opts.log_file.string());
  }
  impl->guarded = opts.use_guard || watch_only;
  if (!impl->guarded) return spawn_without_guard(std::move(impl));
  const auto guard_path = find_guard(message);
  if (guard_path.empty()) throw Error(errc::guard_missing, message);

  Pipe out, err, status, control;
  std::vector<std::string> args;
  for (const auto& dir : opts.owned_directories) args.insert(args.end(), {"--dir", dir.string()});
  for (const auto& url : opts.delete_urls) args.insert(args.end(), {"--delete-url", url});
  if (!opts.working_directory.empty()) args.insert(args.end(), {"--cwd", opts.working_directory.string()});
  if (!watch_only) {
    args.emplace_back("--");
    args.push_back(impl->executable.string());
    args.insert(args.end(), opts.arguments.begin(), opts.arguments.end());
  }

  const EnvironmentBlock env(opts);
  bp::posix::default_launcher launcher;
  launcher.env = env.data();
  boost::system::error_code launch_error;
  impl->guard = launcher(impl->io, launch_error, boost::filesystem::path(guard_path.string()), args,
                         bp::process_stdio{nullptr, out.write, err.write}, NewProcessGroup{},
                         PassDescriptors{{control.read, status.write}}, ReapOnError{});
  if (launch_error) {
    throw Error(std::error_code(launch_error.value(), std::system_category()),
                "cannot start the guard " + guard_path.string() + ": " + launch_error.message());
  }
  out.close_write();
  err.close_write();
  status.close_write();
  control.close_read();

  const auto first = read_first_status(status.read, 10s);
  if (first.rfind("started ", 0) != 0) {
    boost::system::error_code ignored;
    if (first.rfind("failed ", 0) == 0) {
      impl->guard.wait(ignored);  // it exits right after reporting a failed exec
      const int err_no = std::stoi(first.substr(7));
      throw Error(std::error_code(err_no, std::system_category()),
                  "cannot execute " + impl->executable.string() + ": " + std::strerror(err_no));
    }
    impl->guard.terminate(ignored);  // silent or confused: do not wait on it
    throw Error(errc::guard_failed, "the guard " + guard_path.string() + " did not start " +
                                        impl->executable.string() + " (it said \"" + first + "\")");
  }
  impl->pid = std::stoi(first.substr(8));
  impl->out.assign(std::exchange(out.read, -1));
  impl->err.assign(std::exchange(err.read, -1));
  impl->status.assign(std::exchange(status.read, -1));
  impl->control = std::exchange(control.write, -1);
  impl->start_io();
  return Process(std::move(impl));
}

Process Process::spawn_without_guard(std::unique_ptr<Impl> impl) {
  auto& opts = impl->options;
  Pipe out, err;
  const EnvironmentBlock env(opts);
  bp::posix::default_launcher launcher;
  launcher.env = env.data();
  boost::system::error_code launch_error;
  const auto start_dir = opts.working_directory.empty() ? fs::current_path() : opts.working_directory;
  impl->guard = launcher(impl->io, launch_error, boost::filesystem::path(impl->executable.string()), opts.arguments,
                         bp::process_stdio{nullptr, out.write, err.write}, bp::process_start_dir(start_dir.string()),
                         NewProcessGroup{}, ReapOnError{});
  if (launch_error) {
    throw Error(std::error_code(launch_error.value(), std::system_category()),
                "cannot execute " + impl->executable.string() + ": " + launch_error.message());
  }
  impl->pid = impl->guard.id();
  impl->out.assign(std::exchange(out.read, -1));
  impl->err.assign(std::exchange(err.read, -1));
  out.close_write();
  err.close_write();
  impl->start_io();
  return Process(std::move(impl));
}

Process Process::spawn(ProcessOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return spawn(std::move(options)); });
}

bool Process::valid() const noexcept { return impl_ != nullptr && !impl_->stopped; }
int Process::pid() const noexcept { return impl_ ? impl_->pid : -1; }
int Process::guard_pid() const noexcept { return impl_ ? impl_->guard.id() : -1; }
const fs::path& Process::executable() const noexcept {
  static const fs::path none;
  return impl_ ? impl_->executable : none;
}

bool Process::running() const {
  if (!impl_ || impl_->stopped || impl_->pid <= 0) return false;
  std::lock_guard lock(impl_->mutex);
  return !impl_->exit.has_value();
}

std::optional<ExitStatus> Process::exit_status() const {
  if (!impl_) return std::nullopt;
  std::lock_guard lock(impl_->mutex);
  return impl_->exit;
}

std::optional<ExitStatus> Process::wait_for(std::chrono::milliseconds timeout) const {
  if (!impl_) return std::nullopt;
  impl_->wait_until(std::chrono::steady_clock::now() + timeout, [this] { return impl_->exit.has_value(); });
  return exit_status();
}

bool Process::wait_output_closed(std::chrono::milliseconds timeout) const {
  if (!impl_) return true;
  return impl_->wait_until(std::chrono::steady_clock::now() + timeout, [this] { return impl_->open_streams == 0; });
}

std::vector<int> Process::tree() const {
  if (!valid()) return {};
  return platform::descendants_of(guard_pid());
}

std::vector<std::string> Process::last_lines() const {
  if (!impl_) return {};
  std::lock_guard lock(impl_->mutex);
  return {impl_->ring.begin(), impl_->ring.end()};
}

std::string Process::last_lines_text(std::size_t count) const {
  const auto lines = last_lines();
  if (lines.empty()) return "  (no output)\n";
  std::string text;
  for (auto i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) text += "  | " + lines[i] + "\n";
  return text;
}

void Process::own_directory(const fs::path& directory) {
  if (!valid()) return;
  impl_->options.owned_directories.push_back(directory);
  impl_->send("dir " + directory.string());
}

void Process::delete_at_cleanup(const std::string& url) {
  if (!valid()) return;
  impl_->options.delete_urls.push_back(url);
  impl_->send("delete " + url);
}

void Process::interrupt() { if (valid()) impl_->send("signal " + std::to_string(SIGINT)); }
void Process::request_exit() { if (valid()) impl_->send("signal " + std::to_string(SIGTERM)); }
void Process::terminate() { if (valid()) impl_->send("signal " + std::to_string(SIGKILL)); }

void Process::stop() {
  if (impl_) impl_->stop(impl_->options.stop_policy);
}

void Process::stop(const StopPolicy& policy) {
  if (impl_) impl_->stop(policy);
}

DetachedProcess Process::detach() {
  if (!valid()) throw Error(errc::stopped, "detach: this process handle owns no launch");
  DetachedProcess record{impl_->pid, impl_->guard.id(), impl_->options.owned_directories};
  impl_->send("detach");  // the guard stops watching us and exits with the program
  ::close(std::exchange(impl_->control, -1));
  impl_->stopped = true;
  // The tree keeps writing: the I/O thread drains its output until the tree is gone, then
  // the guard is reaped. The caller's callbacks are dropped on that thread, in order.
  Impl* impl = impl_.release();
  asio::post(impl->io, [impl] {
    impl->options.on_line = nullptr;
    impl->options.on_exit = nullptr;
  });
  std::thread([impl] {
    impl->thread.join();
    boost::system::error_code ec;
    impl->guard.wait(ec);
    delete impl;
  }).detach();
  return record;
}

}  // namespace foxport
