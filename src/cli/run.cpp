// `foxport run`: launch, run COMMAND with the endpoint in its environment, tear down, exit
// with COMMAND's status. For the browsers and the drivers it also serves a broker (FOXPORT_BROKER)
// from which every test process takes a launch of its own.

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "cli/broker.hpp"
#include "cli/commands.hpp"
#include "foxport/pool.hpp"
#include "platform/process_tree.hpp"

extern char** environ;

namespace foxport::cli {

int run_command(const std::vector<std::string>& command, const Variables& variables,
                const platform::SignalWait& signals) {
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) env_storage.emplace_back(*entry);
  for (const auto& [name, value] : variables) {
    std::erase_if(env_storage, [&](const std::string& var) { return var.rfind(name + "=", 0) == 0; });
    env_storage.push_back(name + "=" + value);
  }
  std::vector<char*> env;
  for (auto& var : env_storage) env.push_back(var.data());
  env.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  std::error_code ec;
  std::string message;
  const auto executable = find_executable(command.front(), ec, &message);
  if (ec) {
    std::fprintf(stderr, "foxport: cannot run %s: %s\n", command.front().c_str(), message.c_str());
    return exit_not_found;
  }
  // posix_spawn, not fork: foxport has threads by now, and the child must start with the
  // signals unblocked that foxport itself reads from its signal descriptor.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t child = -1;
  const int spawn_error = ::posix_spawn(&child, executable.c_str(), nullptr, &attributes, argv.data(), env.data());
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0) {
    std::fprintf(stderr, "foxport: cannot execute %s: %s\n", executable.c_str(), std::strerror(spawn_error));
    return 126;
  }
  const int child_fd = platform::open_exit_descriptor(child);
  int forwarded = 0;
  for (;;) {
    pollfd fds[2] = {{child_fd, POLLIN, 0}, {signals.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      const int sig = signals.take();
      forwarded = sig != 0 ? sig : SIGTERM;
      ::kill(child, SIGTERM);  // the command goes first, then the launch
    }
    if (fds[0].revents & POLLIN) break;
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(child_fd);
  if (forwarded != 0) return signal_exit_code(forwarded);
  return WIFEXITED(status) ? WEXITSTATUS(status) : signal_exit_code(WTERMSIG(status));
}

namespace {

// A broker needs launches that can be repeated: not a remote endpoint, not a Grid (one per
// machine is plenty), not a fixed port.
bool serves_a_broker(const LaunchOptions& options, const Endpoint& endpoint) {
  return options.pool != 0 && options.port == 0 &&
         (endpoint.kind == EndpointKind::firefox || endpoint.kind == EndpointKind::geckodriver ||
          endpoint.kind == EndpointKind::chromedriver || endpoint.kind == EndpointKind::chromium);
}

}  // namespace

int run(const LaunchOptions& options, const std::vector<std::string>& command, const platform::SignalWait& signals) {
  if (options.recycle && options.kind != "firefox") throw UsageError("--recycle applies to --firefox only");
  // A command that cannot run is found before anything is launched for it.
  std::error_code ec;
  std::string message;
  find_executable(command.front(), ec, &message);
  if (ec) {
    std::fprintf(stderr, "foxport: cannot run %s: %s\n", command.front().c_str(), message.c_str());
    return exit_not_found;
  }
  // The command's own endpoint first, as fast as a single launch: the pool warms up only
  // once a test process asks the broker.
  const auto own = launch_or_exit_on_signal(options, signals);
  Launched& launched = *own;
  if (!options.quiet) std::fprintf(stderr, "%s\n", ready_line(launched.endpoint()).c_str());
  auto variables = launched.endpoint().to_environment();
  std::optional<Pool> pool;
  std::optional<Broker> broker;
  if (serves_a_broker(options, launched.endpoint())) {
    auto quiet = options;
    quiet.quiet = true;
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
  int code = run_command(command, variables, signals);
  if (const auto* process = launched.process(); process != nullptr && process->valid()) {
    // The endpoint dying under the command is a failure of the run, even if the command did
    // not notice. Its status comes from the guard, a moment after the process has gone.
    auto status = process->exit_status();
    if (!status && !platform::alive(process->pid())) status = process->wait_for(std::chrono::seconds(2));
    if (status) {
      std::fprintf(stderr, "foxport: %s (pid %d) ended while the command ran: %s\n  last output:\n%s",
                   to_string(launched.endpoint().kind), process->pid(), status->to_string().c_str(),
                   process->last_lines_text(10).c_str());
      if (code == 0) code = exit_launch_failed;
    }
  }
  if (pool) pool->stop();  // first: it wakes takers still waiting for a launch
  if (broker) broker->stop();
  launched.stop();
  return code;
}

}  // namespace foxport::cli
