// The Process handle and its stop machine. Starting lives in guard_launch.cpp and
// direct_launch.cpp, output in output.cpp.

#include "foxport/process.hpp"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cstring>

#include "foxport/error.hpp"
#include "platform/pipe_write.hpp"
#include "platform/process_tree.hpp"
#include "process/process_impl.hpp"
#include "support/no_throw.hpp"

namespace foxport {
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using Control = guard::Control;

std::string ExitStatus::to_string() const {
  if (signal != 0) {
    const char* name = ::strsignal(signal);
    return "killed by signal " + std::to_string(signal) + (name != nullptr ? std::string(" (") + name + ")" : "");
  }
  return "exit status " + std::to_string(code);
}

Process::Impl::Impl(ProcessOptions opts)
    : options(std::move(opts)), output(options.log_lines, std::move(options.on_line)) {}

Process::Impl::~Impl() {
  if (thread.joinable()) {
    io.stop();
    thread.join();
  }
  if (control >= 0) ::close(control);
}

void Process::Impl::control_tree(const Control& command) {
  if (!guarded) return act_directly(command);
  if (control < 0) return;
  const std::string text = guard::format(command) + "\n";
  platform::send_without_sigpipe(control, text);  // false: the guard is gone, and stop() copes
}

void Process::Impl::on_status(const guard::Status& status) {
  using Kind = guard::Status::Kind;
  if (status.kind == Kind::exited || status.kind == Kind::signaled) {
    const ExitStatus ended = status.kind == Kind::exited ? ExitStatus{status.value, 0} : ExitStatus{-1, status.value};
    {
      std::lock_guard lock(mutex);
      exit = ended;
    }
    changed.notify_all();
    if (options.on_exit) options.on_exit(ended);
  }
  if (status.kind == Kind::done) {
    std::lock_guard lock(mutex);
    guard_done = true;
    changed.notify_all();
  }
}

void Process::Impl::start_io(std::string status_read) {
  output.start(out, err);
  if (guarded) {
    // Lines already read are handled on the I/O thread, as every later one.
    asio::post(io, [this, pending = std::make_shared<std::string>(std::move(status_read))] { read_status(pending); });
  } else {
    watch_direct_exit();
  }
  thread = std::thread([this] {
    // A thread's first allocation makes its malloc arena (glibc: mmap, munmap, mprotect):
    // made now, while the program starts, not as its first line is on its way (#19).
    void* volatile first = ::operator new(1);
    ::operator delete(first);
    io.run();
  });
}

void Process::Impl::stop(const StopPolicy& policy) {
  if (stopped) return;
  stopped = true;
  for (const StopStep& step : {policy.first, policy.second, policy.third}) {
    if (step.action == StopAction::none || pid <= 0) continue;  // pid 0: the guard runs nothing
    {
      std::lock_guard lock(mutex);
      if (exit || guard_done) break;  // a guard that is gone can neither signal nor report
    }
    const int sig = step.action == StopAction::interrupt      ? SIGINT
                    : step.action == StopAction::request_exit ? SIGTERM
                                                              : SIGKILL;
    control_tree({Control::Kind::signal, sig, {}});
    wait_until(std::chrono::steady_clock::now() + step.timeout, [this] { return exit.has_value() || guard_done; });
  }
  // Whatever is left of the tree: SIGKILL, reap, remove the directories (the guard does it).
  control_tree({Control::Kind::cleanup, 0, {}});
  const bool clean = wait_until(std::chrono::steady_clock::now() + 12s, [this] { return guard_done; });
  boost::system::error_code ec;
  if (!clean) {
    child.terminate(ec);  // a stuck guard: take the group down ourselves
    if (pid > 0) ::kill(-pid, SIGKILL);
  } else if (guarded) {
    child.wait(ec);  // it exits right after "done"
  }
  for (const auto& dir : options.owned_directories) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  ::close(std::exchange(control, -1));
  // The pipes end when the last writer in the tree is gone; do not wait on strangers.
  output.wait_closed(std::chrono::steady_clock::now() + 500ms);
  io.stop();
  if (thread.joinable()) thread.join();
}

Process::Process() noexcept = default;
Process::Process(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    try {
      stop();
    } catch (...) {}
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Process::~Process() {
  try {
    stop();
  } catch (...) {}
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
  auto process = spawn_owned(std::move(options), nullptr);
  cleanup.armed = false;
  return process;
}

Process Process::spawn(ProcessOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return spawn(std::move(options)); });
}

bool Process::valid() const noexcept { return impl_ != nullptr && !impl_->stopped; }
int Process::pid() const noexcept { return impl_ ? impl_->pid : -1; }
int Process::guard_pid() const noexcept { return impl_ ? impl_->child.id() : -1; }
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
  impl_->wait_until(std::chrono::steady_clock::now() + timeout,
                    [this] { return impl_->exit.has_value() || impl_->guard_killed.has_value(); });
  return exit_status();
}

std::optional<ExitStatus> Process::guard_killed() const {
  if (!impl_) return std::nullopt;
  std::lock_guard lock(impl_->mutex);
  return impl_->guard_killed;
}

bool Process::wait_output_closed(std::chrono::milliseconds timeout) const {
  if (!impl_) return true;
  return impl_->output.wait_closed(std::chrono::steady_clock::now() + timeout);
}

std::vector<int> Process::tree() const {
  if (!valid()) return {};
  return platform::descendants_of(guard_pid());
}

std::vector<std::string> Process::last_lines() const {
  if (!impl_) return {};
  return impl_->output.lines();
}

std::string Process::last_lines_text(std::size_t count) const {
  const auto lines = last_lines();
  if (lines.empty()) return "  (no output)\n";
  std::string text;
  for (auto i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
    text += "  | " + lines[i] + "\n";
  return text;
}

void Process::own_directory(const fs::path& directory) {
  if (!valid()) return;
  impl_->options.owned_directories.push_back(directory);
  impl_->control_tree({Control::Kind::dir, 0, directory.string()});
}

void Process::delete_at_cleanup(const std::string& url) {
  if (!valid()) return;
  impl_->options.delete_urls.push_back(url);
  impl_->control_tree({Control::Kind::delete_url, 0, url});
}

void Process::interrupt() {
  if (valid()) impl_->control_tree({Control::Kind::signal, SIGINT, {}});
}
void Process::request_exit() {
  if (valid()) impl_->control_tree({Control::Kind::signal, SIGTERM, {}});
}
void Process::terminate() {
  if (valid()) impl_->control_tree({Control::Kind::signal, SIGKILL, {}});
}

void Process::stop() {
  if (impl_) impl_->stop(impl_->options.stop_policy);
}

void Process::stop(const StopPolicy& policy) {
  if (impl_) impl_->stop(policy);
}

DetachedProcess Process::detach() {
  if (!valid()) throw Error(errc::stopped, "detach: this process handle owns no launch");
  DetachedProcess record;
  record.pid = impl_->pid;
  record.guard_pid = impl_->child.id();
  record.directories = impl_->options.owned_directories;
  impl_->control_tree({Control::Kind::detach, 0, {}});  // the guard stops watching us and exits with the program
  ::close(std::exchange(impl_->control, -1));
  impl_->stopped = true;
  // The tree keeps writing: the I/O thread drains its output until the tree is gone, then
  // the guard is reaped. The caller's callbacks are dropped on that thread, in order.
  Impl* impl = impl_.release();
  asio::post(impl->io, [impl] {
    impl->output.drop_callback();
    impl->options.on_exit = nullptr;
  });
  std::thread([impl] {
    impl->thread.join();
    boost::system::error_code ec;
    impl->child.wait(ec);
    delete impl;
  }).detach();
  return record;
}

}  // namespace foxport
