// foxport: run a command against a fresh browser endpoint, in one line.
//
//   foxport run   [LAUNCH OPTIONS] -- COMMAND [ARGS...]
//   foxport start [LAUNCH OPTIONS] [--json]
//   foxport port  [--count N] [--range LO-HI] [--hold]
//   foxport who   PORT
//
// Exit codes: COMMAND's for run; 64 usage; 127 binary not found; 69 launch or readiness
// failure; 124 ready timeout; 130/143 after SIGINT/SIGTERM; `who` 1 when nothing listens.

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "foxport/driver.hpp"
#include "foxport/error.hpp"
#include "foxport/firefox.hpp"
#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"
#include "platform/listeners.hpp"
#include "platform/process_tree.hpp"
#include "platform/signal_wait.hpp"

extern char** environ;

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int exit_usage = 64;
constexpr int exit_launch_failed = 69;
constexpr int exit_not_found = 127;
constexpr int exit_timeout = 124;

struct LaunchOptions {
  std::string kind = "firefox";
  bool kind_given = false;
  std::string remote_url;
  std::string binary;
  std::string driver;
  int port = 0;
  std::string port_range;
  bool headless = true;
  std::vector<std::string> prefs;
  std::vector<std::string> arguments;
  double timeout = 30;
  std::string log;
  bool quiet = false;
  bool verbose = false;
};

using Launch = std::variant<foxport::Firefox, foxport::Geckodriver, foxport::Chromedriver, foxport::SeleniumGrid>;

// A usage error: one clear line, exit 64.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void add_launch_options(CLI::App& app, LaunchOptions& options) {
  auto* kinds = app.add_option_group("kind", "What to launch (default: --firefox)");
  auto kind = [&options](const char* name) {
    return [&options, name] {
      options.kind = name;
      options.kind_given = true;
    };
  };
  kinds->add_flag_callback("--firefox", kind("firefox"), "Firefox with Marionette");
  kinds->add_flag_callback("--geckodriver", kind("geckodriver"), "geckodriver (WebDriver for Firefox)");
  kinds->add_flag_callback("--chromedriver", kind("chromedriver"), "chromedriver (WebDriver for Chromium)");
  kinds->add_flag_callback("--grid", kind("grid"),
                           "a local Selenium Grid 4 standalone (--driver: java; jar from FOXPORT_GRID_JAR)");
  app.add_option("--remote", options.remote_url,
                 "Launch nothing: use this remote WebDriver URL (default: $FOXPORT_REMOTE_URL when no kind is given)");
  app.add_option("--binary", options.binary, "The browser binary (Firefox for --firefox and --geckodriver)");
  app.add_option("--driver", options.driver, "The driver binary (default: FOXPORT_GECKODRIVER / FOXPORT_CHROMEDRIVER, then PATH)");
  auto* port = app.add_option("--port", options.port, "A fixed port (default: the child binds port 0)")->check(CLI::Range(1, 65535));
  app.add_option("--port-range", options.port_range, "Lease a fixed port from LO-HI")->excludes(port);
  app.add_flag("--headless,!--no-headless", options.headless, "Headless browser (default: on)");
  app.add_option("--pref", options.prefs, "NAME=VALUE Firefox preference (repeatable; true/false/integers typed)");
  app.add_option("--arg", options.arguments, "An extra argument for the child (repeatable)")->allow_extra_args(false);
  app.add_option("--timeout", options.timeout, "Seconds to wait until ready (default 30)");
  app.add_option("--log", options.log, "Append the child's output to FILE");
  app.add_flag("-q,--quiet", options.quiet, "No progress lines");
  app.add_flag("-v,--verbose", options.verbose, "Echo the child's output to stderr");
}

foxport::PrefValue pref_value(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  try {
    std::size_t used = 0;
    const int number = std::stoi(text, &used);
    if (used == text.size()) return number;
  } catch (const std::exception&) {
  }
  return text;
}

std::chrono::milliseconds timeout_of(const LaunchOptions& options) {
  if (!(options.timeout > 0)) throw UsageError("--timeout must be a positive number of seconds");
  return std::chrono::milliseconds(static_cast<long long>(options.timeout * 1000));
}

std::optional<foxport::PortRange> range_of(const LaunchOptions& options) {
  if (options.port_range.empty()) return std::nullopt;
  std::error_code ec;
  auto range = foxport::PortRange::parse(options.port_range, ec);
  if (ec) throw UsageError("--port-range " + options.port_range + ": " + ec.message() + " (expected LO-HI, 1-65535)");
  return range;
}

Launch launch(const LaunchOptions& options) {
  auto echo = [verbose = options.verbose](foxport::Stream, std::string_view line) {
    if (verbose) std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };
  if (options.kind == "firefox") {
    foxport::FirefoxOptions firefox;
    firefox.binary = options.binary;
    firefox.headless = options.headless;
    for (const auto& pref : options.prefs) {
      const auto eq = pref.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--pref " + pref + ": expected NAME=VALUE");
      firefox.prefs[pref.substr(0, eq)] = pref_value(pref.substr(eq + 1));
    }
    firefox.arguments = options.arguments;
    firefox.marionette_port = static_cast<std::uint16_t>(options.port);
    firefox.marionette_port_range = range_of(options);
    firefox.ready_timeout = timeout_of(options);
    firefox.log_file = options.log;
    firefox.on_line = echo;
    return foxport::Firefox::launch(std::move(firefox));
  }
  if (!options.prefs.empty()) throw UsageError("--pref applies to --firefox only");
  auto common = [&](foxport::DriverOptions& driver) {
    driver.driver = options.driver;
    driver.port = static_cast<std::uint16_t>(options.port);
    driver.port_range = range_of(options);
    driver.arguments = options.arguments;
    driver.ready_timeout = timeout_of(options);
    driver.log_file = options.log;
    driver.on_line = echo;
  };
  if (options.kind == "geckodriver") {
    foxport::GeckodriverOptions gecko;
    common(gecko);
    gecko.firefox = options.binary;
    return foxport::Geckodriver::launch(std::move(gecko));
  }
  if (options.kind == "grid") {
    foxport::GridOptions grid;
    common(grid);
    if (options.timeout == 30) grid.ready_timeout = std::chrono::seconds(90);  // a JVM's start, unless asked
    return foxport::SeleniumGrid::launch(std::move(grid));
  }
  foxport::ChromedriverOptions chrome;
  common(chrome);
  return foxport::Chromedriver::launch(std::move(chrome));
}

struct Endpoint {
  std::string kind;
  std::uint16_t port = 0;
  int pid = -1;
  std::string url;      // drivers
  std::string profile;  // Firefox
  std::string handshake;
};

Endpoint endpoint_of(const Launch& launched) {
  return std::visit(
      [](const auto& handle) {
        Endpoint endpoint;
        endpoint.port = handle.port();
        endpoint.pid = handle.pid();
        using Handle = std::decay_t<decltype(handle)>;
        if constexpr (std::is_same_v<Handle, foxport::Firefox>) {
          endpoint.kind = "firefox";
          endpoint.profile = handle.profile_dir().string();
          endpoint.handshake = handle.ready_report().protocol_answer;
        } else {
          endpoint.kind = std::is_same_v<Handle, foxport::Geckodriver>    ? "geckodriver"
                          : std::is_same_v<Handle, foxport::SeleniumGrid> ? "grid"
                                                                          : "chromedriver";
          endpoint.url = handle.url();
        }
        return endpoint;
      },
      launched);
}

// The remote WebDriver URL to use instead of launching: --remote, or $FOXPORT_REMOTE_URL when
// no kind was asked for.
std::string remote_of(const LaunchOptions& options) {
  if (!options.remote_url.empty()) return options.remote_url;
  const char* env = std::getenv("FOXPORT_REMOTE_URL");
  return !options.kind_given && env != nullptr ? env : "";
}

std::vector<std::pair<std::string, std::string>> environment_of(const Endpoint& endpoint) {
  if (endpoint.kind == "remote") return {{"FOXPORT_KIND", "remote"}, {"WEBDRIVER_URL", endpoint.url}};
  std::vector<std::pair<std::string, std::string>> vars = {{"FOXPORT_PORT", std::to_string(endpoint.port)},
                                                           {"FOXPORT_PID", std::to_string(endpoint.pid)},
                                                           {"FOXPORT_KIND", endpoint.kind}};
  if (endpoint.kind == "firefox") {
    vars.emplace_back("MARIONETTE_PORT", std::to_string(endpoint.port));
    vars.emplace_back("FOXPORT_PROFILE", endpoint.profile);
  } else {
    vars.emplace_back("WEBDRIVER_URL", endpoint.url);
  }
  return vars;
}

std::string ready_line(const Endpoint& endpoint) {
  if (endpoint.kind == "remote") return "foxport: using the remote WebDriver endpoint " + endpoint.url;
  std::string line = "foxport: ready: " + endpoint.kind + " on port " + std::to_string(endpoint.port) + " (pid " +
                     std::to_string(endpoint.pid) + ")";
  line += endpoint.kind == "firefox" ? ", profile " + endpoint.profile : ", " + endpoint.url;
  return line;
}

using foxport::platform::SignalWait;

int signal_exit_code(int sig) { return 128 + sig; }

// One pending signal (SIGTERM if the read failed).
int read_signal(const SignalWait& signals) {
  const int sig = signals.take();
  return sig != 0 ? sig : SIGTERM;
}

// Runs COMMAND with the endpoint in its environment; returns its exit code, or 128+signal
// after forwarding a signal foxport received.
int run_command(const std::vector<std::string>& command, const Endpoint& endpoint, const SignalWait& signals) {
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) env_storage.emplace_back(*entry);
  for (const auto& [name, value] : environment_of(endpoint)) {
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
  const auto executable = foxport::find_executable(command.front(), ec, &message);
  if (ec) {
    std::fprintf(stderr, "foxport: cannot run %s: %s\n", command.front().c_str(), message.c_str());
    return exit_not_found;
  }
  // posix_spawn, not fork: foxport has threads by now, and the child must start with the
  // signals unblocked that foxport itself reads from its signalfd.
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
  const int child_fd = foxport::platform::open_exit_descriptor(child);
  int forwarded = 0;
  for (;;) {
    pollfd fds[2] = {{child_fd, POLLIN, 0}, {signals.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      forwarded = read_signal(signals);
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

// Waits until a signal arrives or stdin closes; returns the exit code for the reason.
int wait_for_end(const SignalWait& signals) {
  for (;;) {
    pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return 0;
    if (fds[0].revents & POLLIN) return signal_exit_code(read_signal(signals));
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[4096];
      if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) return 0;  // input is ignored; its end counts
    }
  }
}

int exit_code_for(const std::system_error& e) {
  if (e.code() == foxport::errc::binary_not_found || e.code() == foxport::errc::binary_not_executable) return exit_not_found;
  if (e.code() == foxport::errc::ready_timeout) return exit_timeout;
  if (e.code() == foxport::errc::port_range_invalid) return exit_usage;
  return exit_launch_failed;
}

std::string handshake_json(const Endpoint& endpoint) {
  json::object object{{"kind", endpoint.kind}, {"port", endpoint.port}, {"pid", endpoint.pid}};
  if (endpoint.kind == "remote") {
    object = {{"kind", "remote"}, {"url", endpoint.url}};
  } else if (endpoint.kind == "firefox") {
    object["profile"] = endpoint.profile;
    boost::system::error_code ec;
    auto handshake = json::parse(endpoint.handshake, ec);
    if (!ec) object["handshake"] = handshake;
  } else {
    object["url"] = endpoint.url;
  }
  return json::serialize(object);
}

// `foxport who PORT`: who listens, what it speaks, whether foxport launched it.
int who(int port) {
  const auto listeners = foxport::platform::listeners_on(static_cast<std::uint16_t>(port));
  if (listeners.empty()) {
    std::printf("nothing listens on port %d\n", port);
    return 1;
  }
  for (const auto& listener : listeners) {
    std::printf("port %d on %s\n", port, listener.address.c_str());
    for (const int pid : foxport::platform::socket_holders(listener.inode)) {
      const auto exe = foxport::platform::executable_of(pid);
      std::printf("  pid %d  %s\n  command  %s\n", pid, exe.c_str(), foxport::platform::command_line(pid).substr(0, 300).c_str());
      // Launched by foxport: one of its ancestors is a foxport guard.
      for (int ancestor = foxport::platform::parent_of(pid); ancestor > 1; ancestor = foxport::platform::parent_of(ancestor)) {
        const auto name = foxport::platform::command_line(ancestor);
        if (name.find("foxport-guard") != std::string::npos) {
          std::printf("  launched by foxport (guard pid %d)\n", ancestor);
          break;
        }
      }
    }
  }
  const std::string host = listeners.front().address == "::1" ? "::1" : "127.0.0.1";
  try {
    auto marionette = foxport::Marionette::connect(host, static_cast<std::uint16_t>(port), 1s);
    std::printf("  speaks Marionette (applicationType %s, protocol %d)\n", marionette.handshake().application_type.c_str(),
                marionette.handshake().protocol);
    return 0;
  } catch (const std::exception&) {
  }
  std::error_code ec;
  const auto status = foxport::WebDriverClient("http://" + host + ":" + std::to_string(port), 1s).status(ec);
  if (!ec) {
    std::printf("  speaks WebDriver (ready: %s%s%s)\n", status.ready ? "true" : "false",
                status.message.empty() ? "" : ", ", status.message.c_str());
  } else {
    std::printf("  speaks neither Marionette nor WebDriver\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"foxport: launch Firefox (Marionette), geckodriver or chromedriver on a port nobody else has, "
               "wait until it is really ready, and take it all down afterwards."};
  app.footer(
      "Examples:\n"
      "  foxport run --firefox -- ctest                 Firefox for a test run, MARIONETTE_PORT exported\n"
      "  foxport run --chromedriver -- ./suite          WEBDRIVER_URL exported\n"
      "  coproc foxport start --json                     endpoint for the life of a shell script\n"
      "  foxport port --count 3 --hold                   reserve three ports until stdin closes\n"
      "  foxport who 4444                                what listens there, and what it speaks");
  app.set_version_flag("--version", std::string("foxport ") + FOXPORT_VERSION);
  app.require_subcommand(1);

  LaunchOptions run_options;
  std::vector<std::string> command;
  auto* run = app.add_subcommand("run", "Launch, run COMMAND with the endpoint in its environment, tear down");
  add_launch_options(*run, run_options);
  run->add_option("command", command, "-- COMMAND [ARGS...]")->required();
  run->footer("Exports FOXPORT_PORT, FOXPORT_PID, FOXPORT_KIND; MARIONETTE_PORT and FOXPORT_PROFILE (Firefox) or "
              "WEBDRIVER_URL (drivers). Exits with COMMAND's status.");
  run->positionals_at_end();

  LaunchOptions start_options;
  bool as_json = false;
  auto* start = app.add_subcommand("start", "Launch and stay until SIGINT/SIGTERM or until stdin closes");
  add_launch_options(*start, start_options);
  start->add_flag("--json", as_json, "Print the ready line as a JSON object");

  int count = 1;
  std::string range_text;
  bool hold = false;
  auto* port = app.add_subcommand("port", "Lease and print free ports (a range the kernel never hands out)");
  port->add_option("--count", count, "How many ports")->check(CLI::Range(1, 4096));
  port->add_option("--range", range_text, "LO-HI (default: the dynamic range minus the kernel's ephemeral range)");
  port->add_flag("--hold", hold, "Keep the leases until stdin closes or a signal arrives");

  int who_port = 0;
  auto* who_command = app.add_subcommand("who", "What listens on PORT: process, protocol, and whether foxport launched it");
  who_command->add_option("PORT", who_port, "The port")->required()->check(CLI::Range(1, 65535));

  const std::string first = argc > 1 ? argv[1] : "";
  if (!first.empty() && first[0] != '-' && first != "run" && first != "start" && first != "port" && first != "who") {
    std::fprintf(stderr, "foxport: unknown command '%s' (expected run, start, port or who; see foxport --help)\n", argv[1]);
    return exit_usage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "foxport: %s (see foxport --help)\n", e.what());
    return exit_usage;
  }
  if (*run && command.empty()) {
    std::fprintf(stderr, "foxport: run needs a command after -- (see foxport run --help)\n");
    return exit_usage;
  }

  const SignalWait signals{SIGINT, SIGTERM, SIGHUP};
  try {
    if (*who_command) return who(who_port);

    if (*port) {
      std::optional<foxport::PortRange> range;
      if (!range_text.empty()) {
        std::error_code ec;
        range = foxport::PortRange::parse(range_text, ec);
        if (ec) throw UsageError("--range " + range_text + ": " + ec.message() + " (expected LO-HI, 1-65535)");
      }
      std::vector<foxport::PortLease> leases;
      for (int i = 0; i < count; ++i) {
        leases.push_back(foxport::PortLease::acquire(range ? *range : foxport::PortRange::default_range()));
        std::printf("%d\n", leases.back().port());
      }
      std::fflush(stdout);
      if (hold) wait_for_end(signals);  // the leases end with this process
      return 0;
    }

    const auto& options = *run ? run_options : start_options;
    timeout_of(options);  // a bad timeout is a usage error before anything starts
    range_of(options);
    std::optional<Launch> launched;
    Endpoint endpoint;
    if (const auto remote = remote_of(options); !remote.empty()) {
      endpoint.kind = "remote";
      endpoint.url = remote;
    } else {
      if (!options.quiet) std::fprintf(stderr, "foxport: launching %s...\n", options.kind.c_str());
      launched = launch(options);
      endpoint = endpoint_of(*launched);
    }
    auto stop = [&launched] {
      if (launched) std::visit([](auto& handle) { handle.stop(); }, *launched);
    };
    if (*start) {
      std::printf("%s\n", as_json ? handshake_json(endpoint).c_str() : ready_line(endpoint).c_str());
      std::fflush(stdout);
      const int code = wait_for_end(signals);
      stop();
      return code;
    }
    if (!options.quiet) std::fprintf(stderr, "%s\n", ready_line(endpoint).c_str());
    const int code = run_command(command, endpoint, signals);
    stop();
    return code;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "foxport: %s\n", e.what());
    return exit_usage;
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "foxport: %s\n", e.what());
    return exit_code_for(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "foxport: %s\n", e.what());
    return exit_launch_failed;
  }
}
