// `foxport run`: launch, run COMMAND with the endpoint in its environment, tear down, exit
// with COMMAND's status. For the browsers and the drivers it also serves a broker (FOXPORT_BROKER)
// from which every test process takes a launch of its own.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "cli/broker.hpp"
#include "cli/commands.hpp"
#include "cli/run_artifacts.hpp"
#include "foxport/error.hpp"
#include "foxport/pool.hpp"
#include "foxport/process.hpp"
#include "platform/process_tree.hpp"

namespace foxport::cli {
namespace {

using Clock = std::chrono::steady_clock;

// How long a command has to exit after the signal foxport passed on, before its tree is killed.
constexpr auto command_grace = std::chrono::seconds(5);
constexpr const char* another_signal = " (another signal: kill it now)";

// The exit code for a command that could not be started: 127 not found, 126 found but not
// executable (as a shell says), 69 when foxport's own guard failed.
int cannot_start(const std::error_code& ec) {
  if (ec == errc::binary_not_found) return exit_not_found;
  if (ec.category() == category() && ec != errc::binary_not_executable) return exit_launch_failed;
  return exit_cannot_execute;
}

}  // namespace

int run_command(const std::vector<std::string>& command, const Variables& variables,
                const platform::SignalWait& signals, const std::vector<std::filesystem::path>& owned,
                std::string* how) {
  // The command is a tree under a guard of its own: a signal goes to all of it, and it all
  // goes when foxport does, even by SIGKILL. It stays in foxport's process group, so that a
  // terminal treats it as the foreground job it is (reads, Ctrl-C, Ctrl-Z).
  int exited[2];
  if (::pipe2(exited, O_CLOEXEC) != 0) throw Error(std::error_code(errno, std::system_category()), "pipe2 failed");
  ProcessOptions options;
  options.executable = command.front();
  options.arguments.assign(command.begin() + 1, command.end());
  for (const auto& [name, value] : variables) options.environment[name] = value;
  options.owned_directories = owned;
  options.foreground = true;
  options.stop_policy = StopPolicy::forced();
  options.on_exit = [wake = exited[1]](const ExitStatus&) { ::close(wake); };
  Process process;
  try {
    process = Process::spawn(std::move(options));
  } catch (const Error& e) {
    ::close(exited[0]);
    ::close(exited[1]);
    std::fprintf(stderr, "foxport: %s\n", e.what());
    if (how != nullptr) *how = std::string("the command could not start: ") + e.what();
    return cannot_start(e.code());
  }
  // The guard's own end, in case it dies before it can say how the command ended.
  const int guard_fd = platform::open_exit_descriptor(process.guard_pid());
  int received = 0;                          // the first signal foxport got, which ends the run
  auto deadline = Clock::time_point::max();  // for the command's exit, once a signal came
  for (bool ended = false; !ended;) {
    int timeout = -1;
    if (deadline != Clock::time_point::max()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      timeout = static_cast<int>(std::max<long long>(left, 0));
    }
    if (guard_fd < 0 && (timeout < 0 || timeout > 200)) timeout = 200;  // no pidfd: look at the guard now and then
    pollfd fds[3] = {{exited[0], POLLIN, 0}, {signals.fd(), POLLIN, 0}, {guard_fd, POLLIN, 0}};
    if (::poll(fds, 3, timeout) < 0 && errno == EINTR) continue;
    ended = (fds[0].revents & (POLLIN | POLLHUP)) != 0 || (fds[2].revents & POLLIN) != 0 ||
            (guard_fd < 0 && !platform::alive(process.guard_pid()));
    if (fds[1].revents & POLLIN) {
      const auto taken = signals.take_with_origin();
      if (received == 0) {  // the whole tree gets it, with a bounded grace
        received = taken.number != 0 ? taken.number : SIGTERM;
        const char* name = ::sigabbrev_np(received);
        const auto grace = static_cast<long long>(command_grace.count());
        if (taken.from_terminal && received == SIGINT) {
          // Ctrl-C went to the terminal's foreground group, the command's included: a second
          // SIGINT from us would run its handlers twice.
          std::fprintf(stderr, "foxport: SIG%s from the terminal reached %s too; it has %lld s to exit%s\n", name,
                       command.front().c_str(), grace, another_signal);
        } else {
          received == SIGINT ? process.interrupt() : process.request_exit();
          std::fprintf(stderr, "foxport: SIG%s passed on to %s; it has %lld s to exit%s\n", name,
                       command.front().c_str(), grace, another_signal);
        }
        deadline = Clock::now() + command_grace;
      } else {  // a second signal: no more grace
        deadline = Clock::now();
      }
    }
    if (!ended && Clock::now() >= deadline) {
      std::fprintf(stderr, "foxport: %s is still running %lld s after SIG%s: killing its tree\n",
                   command.front().c_str(), static_cast<long long>(command_grace.count()), ::sigabbrev_np(received));
      process.terminate();
      deadline = Clock::time_point::max();
    }
  }
  if (guard_fd >= 0) ::close(guard_fd);
  ::close(exited[0]);
  const auto status = process.wait_for(std::chrono::seconds(1));  // from the guard, right after the end
  process.stop();  // whatever the command left running goes now, with the directories it was given
  if (how != nullptr) {
    *how = "the command ended: " + (status ? status->to_string() : std::string("unknown (its guard died)"));
    if (received != 0) *how += std::string(", after foxport got SIG") + ::sigabbrev_np(received);
  }
  if (received != 0) return signal_exit_code(received);
  if (!status) {
    const auto guard = process.guard_killed();
    std::fprintf(stderr,
                 "foxport: the guard of %s (foxport-guard, pid %d) %s; the command and its whole tree went with it\n",
                 command.front().c_str(), process.guard_pid(), guard ? ("was " + guard->to_string()).c_str() : "died");
    return exit_launch_failed;
  }
  return status->signal != 0 ? signal_exit_code(status->signal) : status->code;
}

namespace {

// A broker needs launches that can be repeated: not a remote endpoint, not a Grid (one per
// machine is plenty), not a fixed port.
bool serves_a_broker(const LaunchOptions& options, const Endpoint& endpoint) {
  return options.pool != 0 && options.port == 0 &&
         (endpoint.kind == EndpointKind::firefox || endpoint.kind == EndpointKind::geckodriver ||
          endpoint.kind == EndpointKind::chromedriver || endpoint.kind == EndpointKind::chromium);
}

// The endpoint dying under the command is a failure of the run, even if the command did not
// notice: says so (pid, signal or status, or the guard's death that took it down; last lines)
// and returns that line; "" while it runs.
std::string endpoint_death(const Launched& launched) {
  const auto* process = launched.process();
  if (process == nullptr || !process->valid()) return {};
  // Its status comes from the guard, a moment after the process has gone.
  auto status = process->exit_status();
  if (!status && !platform::alive(process->pid())) status = process->wait_for(std::chrono::seconds(2));
  const std::string name = to_string(launched.endpoint().kind);
  std::string how;
  if (const auto guard = process->guard_killed()) {  // the kernel then SIGKILLs the endpoint: its parent-death signal
    how = "its guard (foxport-guard, pid " + std::to_string(process->guard_pid()) + ") was " + guard->to_string() +
          (platform::alive(process->pid()) ? "; " + name + " is still running"
                                           : ", and " + name + " and its whole tree were SIGKILLed with it");
  } else if (status) {
    how = status->to_string();
  } else {
    return {};
  }
  const auto line = name + " (pid " + std::to_string(process->pid()) + ") ended while the command ran: " + how;
  std::fprintf(stderr, "foxport: %s\n  last output:\n%s", line.c_str(), process->last_lines_text(10).c_str());
  return line;
}

}  // namespace

int run(const LaunchOptions& given, const std::vector<std::string>& command, const platform::SignalWait& signals) {
  auto options = given;
  options.artifacts = artifacts_directory(given.artifacts);
  if (!options.artifacts.empty()) options.output = std::make_shared<OutputTail>();
  if (options.recycle && options.kind != "firefox") throw UsageError("--recycle applies to --firefox only");
  // A command that cannot run is found before anything is launched for it.
  std::error_code ec;
  std::string message;
  find_executable(command.front(), ec, &message);
  if (ec) {
    std::fprintf(stderr, "foxport: cannot run %s: %s\n", command.front().c_str(), message.c_str());
    return cannot_start(ec);
  }
  // The command's own endpoint first, as fast as a single launch: the pool warms up only
  // once a test process asks the broker.
  std::unique_ptr<Launched> own;
  try {
    own = launch_or_exit_on_signal(options, signals);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    if (!options.artifacts.empty()) save_failed_launch(options, command, e.what());
    throw;
  }
  Launched& launched = *own;
  options.output.reset();  // the launch's output is its process's from now on
  if (!options.quiet) std::fprintf(stderr, "%s\n", ready_line(launched.endpoint()).c_str());
  auto variables = launched.endpoint().to_environment();
  std::optional<Pool> pool;
  std::optional<Broker> broker;
  if (serves_a_broker(options, launched.endpoint())) {
    auto quiet = options;
    quiet.quiet = true;
    quiet.output.reset();
    pool.emplace(
        [quiet] {
          auto launch = std::make_shared<Launched>(quiet);
          return PooledLaunch{launch->endpoint(), launch};
        },
        options.pool < 0 ? 0 : static_cast<std::size_t>(options.pool), Pool::Warming::on_first_take,
        options.recycle ? Pool::Recycler([](PooledLaunch& launch) {
          auto* firefox = static_cast<Launched*>(launch.handle.get())->firefox();
          if (firefox != nullptr) firefox->recycle();
          return firefox != nullptr;
        })
                        : Pool::Recycler());
    broker.emplace(*pool, launched.endpoint().kind);
    variables.emplace_back("FOXPORT_BROKER", broker->socket().string());
  }
  // The broker's directory goes with the command's guard too, should foxport be SIGKILLed.
  std::vector<std::filesystem::path> owned;
  if (broker) owned.push_back(broker->socket().parent_path());
  // Test processes inside save bundles of their own (foxport::gtest) beside the run's.
  if (!options.artifacts.empty()) variables.emplace_back("FOXPORT_ARTIFACTS", options.artifacts);
  std::string how;
  int code = run_command(command, variables, signals, owned, &how);
  if (const auto death = endpoint_death(launched); !death.empty()) {
    how += "\n" + death;
    if (code == 0) code = exit_launch_failed;
  }
  if (code != 0 && !options.artifacts.empty()) save_failed_run(options, command, launched, how);  // before teardown
  if (pool) pool->stop();  // first: it wakes takers still waiting for a launch
  if (broker) broker->stop();
  launched.stop();
  return code;
}

}  // namespace foxport::cli
