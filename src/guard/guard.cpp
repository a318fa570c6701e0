// foxport-guard: sits between the caller and one launched process tree, and makes sure
// the tree and the launch's directories are gone when the caller is — even after SIGKILL.
//
//   foxport-guard [--dir PATH]... [--delete-url URL]... [--cwd DIR] [--group PGID] [-- EXECUTABLE [ARGS...]]
//   foxport-guard --await-run [--dir PATH]... [--group PGID]
//
// The program leads a process group of its own, or with --group joins the caller's (a
// foreground job: `foxport run`'s command stays in the terminal's foreground group).
//
// Without an executable it only watches: remote WebDriver sessions (--delete-url) are
// deleted at cleanup, so a Grid frees their slots even when the caller was SIGKILLed.
// With --await-run it watches until the caller sends the program ("run", with its working
// directory, arguments and environment): a launch starts its guard first, so the directory it
// then makes is owned from the start, and the guard's own start overlaps the caller's work.
//
// The caller passes fd 3 (control, caller -> guard) and fd 4 (status, guard -> caller).
// The guard is a child subreaper, so every descendant that double-forks or loses its
// parent re-parents to it: "the tree" is simply every descendant of the guard.
//
// The lines on both pipes are in guard/protocol.hpp. Control: `signal` goes to the child's
// group and every other descendant; `dir`/`delete` add a directory to remove / a URL to
// DELETE at cleanup; `cleanup` SIGKILLs the tree, reaps it, removes the directories, says
// `done` and exits; `detach` stops watching the caller (exit when the child does). End of
// file on control (the caller died) means cleanup.
//
// Plain POSIX on purpose: the guard must be small, start fast and have no dependencies.
// (foxport-guard loads OpenSSL at run time, only for an https DELETE: guard/tls.hpp.)

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "guard/guard.hpp"
#include "guard/http_delete.hpp"
#include "guard/protocol.hpp"
#include "platform/process_tree.hpp"
#include "platform/signal_wait.hpp"
#include "platform/spawn.hpp"
#include "platform/tree_owner.hpp"

extern char** environ;

namespace {

using foxport::guard::control_fd;
using foxport::guard::status_fd;
using Status = foxport::guard::Status;
using Control = foxport::guard::Control;

pid_t child = -1;
bool child_alive = false;
std::vector<std::string> directories;
std::vector<std::string> delete_urls;

void report(Status::Kind kind, int value = 0) {
  const std::string text = foxport::guard::format(Status{kind, value}) + "\n";
  // One write per line: a pipe write below PIPE_BUF is atomic. EPIPE means nobody listens.
  [[maybe_unused]] const auto written = ::write(status_fd, text.data(), text.size());
}

void signal_tree(int sig) {
  if (child_alive) ::kill(-child, sig);  // the child's process group
  for (const int pid : foxport::platform::descendants_of(::getpid())) ::kill(pid, sig);
}

void note_exit(pid_t pid, int status) {
  if (pid != child || !child_alive) return;
  child_alive = false;
  if (WIFEXITED(status)) {
    report(Status::Kind::exited, WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    report(Status::Kind::signaled, WTERMSIG(status));
  }
}

// Reaps what has exited; returns false once the guard has no children at all.
bool reap() {
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      note_exit(pid, status);
      continue;
    }
    return !(pid < 0 && errno == ECHILD);
  }
}

[[noreturn]] void cleanup_and_exit(const foxport::platform::SignalWait& signals, bool say_done) {
  // SIGKILL until nothing is left; processes may fork while we kill, so repeat. Bounded.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (reap() && std::chrono::steady_clock::now() < deadline) {
    signal_tree(SIGKILL);
    pollfd pfd{signals.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 50) > 0) signals.take();
  }
  for (const auto& url : delete_urls) foxport::guard::http_delete(url);
  for (const auto& dir : directories) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  if (say_done) report(Status::Kind::done);
  std::_Exit(0);
}

// Lets go of the tree's output pipes (and a foreground job's stdin), so the caller sees them
// end when the tree is gone.
void release_output() {
  if (const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC); null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::close(null);
  }
}

// What the child needs before exec; on the guard's own memory (platform::run_until_exec), so
// nothing here allocates.
struct ChildSetup {
  const foxport::platform::SignalsForExec& signals;
  char* const* argv;
  char* const* envp;
  const char* cwd;
  pid_t group;
  int error_fd;
};

[[noreturn]] void run_child(const foxport::platform::SignalsForExec& signals, char* const* argv, char* const* envp,
                            const char* cwd, pid_t group, int error_fd) {
  // A clean signal state: the caller may have blocked or ignored signals (foxport's own
  // command blocks SIGTERM to read it from a signalfd), and exec would pass that on.
  signals.reset();
  ::setpgid(0, group);  // 0: a group of its own
  foxport::platform::die_with_parent(SIGKILL);
  if (::getppid() == 1) std::_Exit(127);  // the guard is already gone
  ::close(control_fd);
  ::close(status_fd);
  if (cwd != nullptr && ::chdir(cwd) != 0) {
    const int err = errno;
    [[maybe_unused]] const auto n = ::write(error_fd, &err, sizeof err);
    std::_Exit(127);
  }
  ::execve(argv[0], argv, envp);
  const int err = errno;
  [[maybe_unused]] const auto n = ::write(error_fd, &err, sizeof err);
  std::_Exit(127);
}

// Forks and execs the program, and says "started PID" or "failed ERRNO". False when it failed
// (the failed child is reaped).
bool start_child(const foxport::platform::SignalsForExec& signals, char* const* argv, char* const* envp,
                 const char* cwd, pid_t group) {
  int exec_error[2];
  if (::pipe2(exec_error, O_CLOEXEC) != 0) {
    report(Status::Kind::failed, errno);
    return false;
  }
  // No fork: the guard's memory is borrowed until the exec instead of copied (#19).
  ChildSetup setup{signals, argv, envp, cwd, group, exec_error[1]};
  child = foxport::platform::run_until_exec(
      [](void* data) {
        const auto* s = static_cast<const ChildSetup*>(data);
        run_child(s->signals, s->argv, s->envp, s->cwd, s->group, s->error_fd);
      },
      &setup);
  ::close(exec_error[1]);
  if (child < 0) {
    report(Status::Kind::failed, -child);
    ::close(exec_error[0]);
    return false;
  }
  // Also here, so the group exists before anyone signals it. In the caller's group, the
  // child is no group leader: signal_tree's kill(-child) then reaches nobody, never the
  // caller, and the descendants are signalled one by one.
  ::setpgid(child, group == 0 ? child : group);
  child_alive = true;
  int err = 0;
  const bool failed = ::read(exec_error[0], &err, sizeof err) == static_cast<ssize_t>(sizeof err);
  ::close(exec_error[0]);
  if (failed) {
    ::waitpid(child, nullptr, 0);  // a failed exec leaves no zombie
    child_alive = false;
    report(Status::Kind::failed, err);
    return false;
  }
  release_output();
  report(Status::Kind::started, child);
  return true;
}

// Until when a guard awaiting "run" polls its control pipe without sleeping (#19). The launch
// that started it sends the program a fraction of a millisecond later, and a process asleep
// on another core takes that core's wake-up to see it (0.02 to 0.04 ms on a VM, whose idle
// cores halt), besides the sender's 0.015 ms to wake it. Bounded (a launch that writes a
// profile first sends it later), and never with one core, whose time the launch needs.
std::chrono::steady_clock::time_point stay_awake_until(bool await_run) {
  if (!await_run || ::sysconf(_SC_NPROCESSORS_ONLN) < 2) return {};
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
}

// The program of a "run" message, as execve wants it.
struct RunVectors {
  foxport::guard::Run run;
  std::vector<char*> argv;
  std::vector<char*> envp;
  explicit RunVectors(foxport::guard::Run r) : run(std::move(r)) {
    for (auto& arg : run.argv) argv.push_back(arg.data());
    argv.push_back(nullptr);
    for (auto& var : run.env) envp.push_back(var.data());
    envp.push_back(nullptr);
  }
};

}  // namespace

namespace foxport::guard {

int run(int argc, char** argv) {
  const char* cwd = nullptr;
  pid_t group = 0;  // the child's process group: 0 for its own, else the caller's
  bool await_run = false;
  int first = 1;
  for (; first < argc; ++first) {
    const std::string arg = argv[first];
    if (arg == "--") {
      ++first;
      break;
    }
    if (arg == "--dir" && first + 1 < argc) {
      directories.emplace_back(argv[++first]);
    } else if (arg == "--delete-url" && first + 1 < argc) {
      delete_urls.emplace_back(argv[++first]);
    } else if (arg == "--cwd" && first + 1 < argc) {
      cwd = argv[++first];
    } else if (arg == "--group" && first + 1 < argc) {
      group = static_cast<pid_t>(std::atoi(argv[++first]));
    } else if (arg == "--await-run") {
      await_run = true;
    } else {
      std::fprintf(stderr, "foxport-guard: unknown argument %s\n", arg.c_str());
      return 64;
    }
  }
  if (::fcntl(control_fd, F_GETFD) < 0 || ::fcntl(status_fd, F_GETFD) < 0 || (await_run && first < argc)) {
    std::fprintf(stderr,
                 "usage: foxport-guard [--dir PATH]... [--delete-url URL]... [--cwd DIR] [--group PGID] "
                 "[-- EXECUTABLE [ARGS...]]\n"
                 "       foxport-guard --await-run [--dir PATH]... [--group PGID]\n"
                 "       (started by the foxport library with fds 3 and 4 open)\n");
    return 64;
  }
  ::fcntl(control_fd, F_SETFD, FD_CLOEXEC);
  ::fcntl(status_fd, F_SETFD, FD_CLOEXEC);
  ::signal(SIGPIPE, SIG_IGN);
  const foxport::platform::SignalsForExec signals_for_exec;  // SIGPIPE among them: looked up now, not at the run
  foxport::platform::become_subreaper();
  const foxport::platform::SignalWait signals{SIGCHLD, SIGTERM, SIGINT, SIGHUP};
  if (signals.fd() < 0) {
    report(Status::Kind::failed, errno);
    return 1;
  }
  if (await_run) {
    // Says nothing until the program is known ("run"); keeps the output pipes for it.
  } else if (first >= argc) {  // nothing to run: only watch the caller
    release_output();
    report(Status::Kind::started, 0);
  } else if (!start_child(signals_for_exec, argv + first, environ, cwd, group)) {
    return 1;
  }

  bool detached = false;
  std::string pending;
  const auto awake_until = stay_awake_until(await_run);
  for (;;) {
    pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {detached ? -1 : control_fd, POLLIN, 0}};
    const bool awake = await_run && std::chrono::steady_clock::now() < awake_until;
    if (::poll(fds, 2, awake ? 0 : -1) < 0) {
      if (errno == EINTR) continue;
      cleanup_and_exit(signals, false);
    }
    if (fds[0].revents & POLLIN) {
      if (const int sig = signals.take(); sig != 0 && sig != SIGCHLD) {
        cleanup_and_exit(signals, false);  // someone asked the guard itself to go
      }
      reap();
      if (detached && !child_alive) return 0;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[4096];
      const ssize_t n = ::read(control_fd, buffer, sizeof buffer);
      if (n <= 0) cleanup_and_exit(signals, false);  // the caller is gone
      pending.append(buffer, static_cast<size_t>(n));
      for (size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
        const std::string line = pending.substr(0, eol);
        if (const auto header = foxport::guard::parse_run_header(line)) {
          if (pending.size() < eol + 1 + header->bytes) break;  // the rest is on its way
          auto run = foxport::guard::parse_run(*header, std::string_view(pending).substr(eol + 1, header->bytes));
          pending.erase(0, eol + 1 + header->bytes);
          if (!await_run || !run) continue;  // once, and only when awaited
          await_run = false;
          const RunVectors program(std::move(*run));
          if (!start_child(signals_for_exec, program.argv.data(), program.envp.data(),
                           program.run.cwd.empty() ? nullptr : program.run.cwd.c_str(), group)) {
            cleanup_and_exit(signals, false);  // nothing runs: the directories go now
          }
          continue;
        }
        pending.erase(0, eol + 1);
        const auto control = foxport::guard::parse_control(line);
        if (!control) continue;  // not ours to guess at
        switch (control->kind) {
          case Control::Kind::signal:
            signal_tree(control->signal);
            break;
          case Control::Kind::dir:
            directories.push_back(control->argument);
            break;
          case Control::Kind::delete_url:
            delete_urls.push_back(control->argument);
            break;
          case Control::Kind::cleanup:
            cleanup_and_exit(signals, true);
          case Control::Kind::detach:
            detached = true;
            ::close(control_fd);
            if (!child_alive) return 0;
            break;
        }
      }
    }
  }
}

}  // namespace foxport::guard
