// Starting a program under foxport-guard, and reading what the guard says.

#include <poll.h>
#include <sys/wait.h>

#include <boost/asio/read.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "platform/process_tree.hpp"
#include "platform/random.hpp"
#include "platform/spawn.hpp"
#include "process/locate.hpp"
#include "process/pending_guard.hpp"
#include "process/process_impl.hpp"
#include "process/spawn_support.hpp"

namespace foxport {
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bp = boost::process::v2;
namespace fs = std::filesystem;

namespace {

constexpr const char* tree_mark_variable = "FOXPORT_TREE";

// Reads the guard's first status line ("started PID" or "failed ERRNO") before the I/O
// thread exists; whatever the read took beyond it goes to `rest`, for the I/O thread (the
// guard writes each line at once, so this is one read, not one per byte: #19). Bounded: the
// guard forks and execs at once.
std::string read_first_status(int fd, std::chrono::milliseconds timeout, std::string& rest) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t eol = std::string::npos;
  while ((eol = text.find('\n')) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return {};
    char buffer[512];
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  rest = text.substr(eol + 1);
  text.resize(eol);
  return text;
}

std::vector<std::string> guard_arguments(const ProcessOptions& options, const fs::path& executable) {
  std::vector<std::string> args;
  for (const auto& dir : options.owned_directories) args.insert(args.end(), {"--dir", dir.string()});
  for (const auto& url : options.delete_urls) args.insert(args.end(), {"--delete-url", url});
  if (!options.working_directory.empty()) args.insert(args.end(), {"--cwd", options.working_directory.string()});
  if (options.foreground) args.insert(args.end(), {"--group", std::to_string(::getpgrp())});
  if (!executable.empty()) {
    args.emplace_back("--");
    args.push_back(executable.string());
    args.insert(args.end(), options.arguments.begin(), options.arguments.end());
  }
  return args;
}

// The mark of a new launch: random, appended to the marks the caller inherited, so that a
// launch inside another launch's tree carries both.
std::string new_tree_mark() {
  char mark[17];
  std::snprintf(mark, sizeof mark, "%016llx", static_cast<unsigned long long>(platform::random_bits()));
  return mark;
}

std::vector<int> processes_marked(const std::string& mark) {
  std::vector<int> marked;
  for (const int pid : platform::all_pids()) {
    const auto marks = platform::environment_value(pid, tree_mark_variable);
    if (marks && (":" + *marks + ":").find(":" + mark + ":") != std::string::npos) marked.push_back(pid);
  }
  return marked;
}

// How `guard` (our child) ended, if a signal ended it; waits a moment for it to end, and leaves
// it for stop() to reap.
std::optional<ExitStatus> killed_by_signal(int guard) {
  if (const int fd = platform::open_exit_descriptor(guard); fd >= 0) {
    pollfd pfd{fd, POLLIN, 0};
    ::poll(&pfd, 1, 1000);
    ::close(fd);
  }
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(guard), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != guard)
    return std::nullopt;
  if (info.si_code != CLD_KILLED && info.si_code != CLD_DUMPED) return std::nullopt;
  return ExitStatus{-1, info.si_status};
}

}  // namespace

void Process::Impl::read_status(std::shared_ptr<std::string> pending) {
  for (std::size_t eol; (eol = pending->find('\n')) != std::string::npos;) {
    if (const auto line = guard::parse_status(std::string_view(*pending).substr(0, eol))) on_status(*line);
    pending->erase(0, eol + 1);
  }
  auto chunk = std::make_shared<std::array<char, 512>>();
  status_pipe.async_read_some(asio::buffer(*chunk),
                              [this, pending, chunk](boost::system::error_code ec, std::size_t n) {
                                pending->append(chunk->data(), n);
                                if (!ec) return read_status(pending);
                                // The guard is gone, whatever it said. Killed, it could not clean up.
                                const auto killed = killed_by_signal(child.id());
                                if (killed) take_over_tree();
                                std::lock_guard lock(mutex);
                                guard_killed = killed;
                                guard_done = true;
                                changed.notify_all();
                              });
}

void Process::Impl::take_over_tree() {
  // The kernel SIGKILLed the program (its parent-death signal). The rest of the tree has
  // re-parented to init: its group, and whatever carries the launch's mark. Processes may
  // fork meanwhile, so repeat until none is left; bounded.
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  do {
    if (!options.foreground && pid > 0) ::kill(-pid, SIGKILL);
    const auto marked = processes_marked(tree_mark);
    if (marked.empty()) return;
    for (const int marked_pid : marked) ::kill(marked_pid, SIGKILL);
    std::this_thread::sleep_for(10ms);  // let them die before looking again
  } while (std::chrono::steady_clock::now() < deadline);
}

Process Process::spawn_owned(ProcessOptions options, detail::PendingGuard* pending) {
  std::error_code ec;
  std::string message;
  fs::path executable;
  const bool watch_only = options.executable.empty();
  if (!watch_only) {
    executable = find_executable(options.executable, ec, &message);
    if (ec) throw Error(ec, "cannot start " + options.executable.string() + ": " + message);
  }
  // Until the handle takes them: closed (the guard then cleans up) if anything throws first.
  struct Unclaimed {
    int log = -1;
    detail::GuardEnds ends;
    ~Unclaimed() {
      if (log >= 0) ::close(log);
      ends.close_and_wait();
    }
  } unclaimed;
  if (pending != nullptr && pending->log_ >= 0) {
    unclaimed.log = std::exchange(pending->log_, -1);  // opened before the launch was under way
  } else if (!options.log_file.empty()) {
    unclaimed.log = detail::open_log_file(options.log_file);
  }
  const bool guarded = options.use_guard || watch_only || pending != nullptr;
  std::string tree_mark;
  if (guarded) {
    // Every process of the tree inherits the launch's mark: what outlives a killed guard is
    // found by it (take_over_tree).
    tree_mark = new_tree_mark();
    const char* inherited = std::getenv(tree_mark_variable);
    options.environment[tree_mark_variable] =
        inherited != nullptr && *inherited != '\0' ? std::string(inherited) + ":" + tree_mark : tree_mark;
  }
  fs::path guard_path;
  if (pending != nullptr) {
    unclaimed.ends = pending->hand_over(options, executable);
    // The guard is starting the program meanwhile (#19): the caller's work is done and the
    // handle made now, before the output is read (start_io).
    if (pending->while_it_starts_) pending->while_it_starts_(options);
  } else if (guarded) {
    guard_path = detail::find_guard(message);
    if (guard_path.empty()) throw Error(errc::guard_missing, message);
    const detail::EnvironmentBlock env(options);
    unclaimed.ends =
        detail::start_guard(guard_path, guard_arguments(options, executable), env.data(), options.foreground);
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->executable = std::move(executable);
  impl->guarded = guarded;
  impl->tree_mark = std::move(tree_mark);
  if (unclaimed.log >= 0) impl->output.use_log(std::exchange(unclaimed.log, -1));
  if (!guarded) return spawn_without_guard(std::move(impl));
  auto& ends = unclaimed.ends;
  impl->child = bp::process(impl->io.get_executor(), ends.pid);
  ends.pid = -1;  // the handle owns it now
  impl->control = std::exchange(ends.control, -1);
  impl->out.assign(std::exchange(ends.out, -1));
  impl->err.assign(std::exchange(ends.err, -1));
  impl->status_pipe.assign(std::exchange(ends.status, -1));

  std::string rest;
  const auto first_line = read_first_status(impl->status_pipe.native_handle(), 10s, rest);
  const auto first = guard::parse_status(first_line);
  if (!first || first->kind != guard::Status::Kind::started) {
    boost::system::error_code ignored;
    if (first && first->kind == guard::Status::Kind::failed) {
      impl->child.wait(ignored);  // it exits right after reporting a failed exec
      throw Error(std::error_code(first->value, std::system_category()),
                  detail::cannot_execute(impl->executable, first->value));
    }
    // Killed between starting the program and saying so (it said nothing: each line is one
    // write): the program runs on, unknown but marked. It goes as it would had the guard been
    // killed later.
    const int guard_pid = impl->child.id();
    if (const auto killed = first_line.empty() ? killed_by_signal(guard_pid) : std::nullopt) {
      impl->take_over_tree();
      impl->child.wait(ignored);
      throw Error(errc::guard_failed, "the guard of " + impl->executable.string() + " (foxport-guard, pid " +
                                          std::to_string(guard_pid) + ") was " + killed->to_string() +
                                          " before it reported the start; " + impl->executable.string() +
                                          " and its whole tree went with it");
    }
    impl->child.terminate(ignored);  // silent or confused: do not wait on it
    // An early guard's program is looked up only for this message, off the way to the run (#19).
    if (pending != nullptr) guard_path = pending->guard_path();
    throw Error(errc::guard_failed, "the guard " + guard_path.string() + " did not start " + impl->executable.string() +
                                        " (it said \"" + first_line + "\")");
  }
  impl->pid = first->value;
  impl->start_io(std::move(rest));
  return Process(std::move(impl));
}

}  // namespace foxport
