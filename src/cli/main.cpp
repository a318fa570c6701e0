// foxport: run a command against a fresh browser endpoint, in one line.
//
//   foxport run   [LAUNCH OPTIONS] -- COMMAND [ARGS...]
//   foxport start [LAUNCH OPTIONS] [--json]
//   foxport take  [--json] [-- COMMAND [ARGS...]]
//   foxport port  [--count N] [--range LO-HI] [--hold]
//   foxport who   PORT
//
// Exit codes (README, "The command"): COMMAND's for run; 64 usage; 126 COMMAND cannot be
// executed; 127 not found; 69 launch or readiness failure; 124 ready timeout; 128+N after
// signal N; `who` 1 when nothing listens.
// This file parses and dispatches; each subcommand has a file of its own.

#include <signal.h>

#include <cstdio>
#include <iterator>
#include <string>
#include <string_view>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "foxport/error.hpp"
#include "guard/guard.hpp"
#include "process/pending_guard.hpp"

using namespace foxport::cli;

namespace {

constexpr std::string_view about =
    "foxport: launch Firefox (Marionette, WebDriver BiDi), Chromium (DevTools), geckodriver or chromedriver on a "
    "port nobody else has, wait until it is really ready, and take it all down afterwards.";

constexpr std::string_view examples =
    "Examples:\n"
    "  foxport run --firefox -- ctest                 Firefox for a test run, MARIONETTE_PORT exported\n"
    "  foxport run --chromedriver -- ./suite          WEBDRIVER_URL exported\n"
    "  foxport run --firefox --bidi -- ./suite        WEBDRIVER_BIDI_URL exported too (ws://127.0.0.1:PORT)\n"
    "  foxport run --chromium -- ./puppeteer-suite    Chromium, CDP_URL (its DevTools websocket) exported\n"
    "  foxport run --firefox -- ctest -j4             every test process takes a Firefox of its own\n"
    "  foxport run --firefox -- foxport take -- pytest  a suite that is not C++, with a Firefox of its own\n"
    "  coproc foxport start --json                     endpoint for the life of a shell script\n"
    "  foxport port --count 3 --hold                   reserve three ports until stdin closes\n"
    "  foxport who 4444                                what listens there, and what it speaks\n"
    "  foxport run --firefox --xvfb -- ./suite        a headful Firefox on a private X display, DISPLAY exported\n";

// The subcommands, in the order --help lists them.
struct Summary {
  std::string_view name, summary;
};
constexpr Summary subcommands[] = {
    {"run", "Launch, run COMMAND with the endpoint in its environment, tear down"},
    {"start", "Launch and stay until SIGINT/SIGTERM or until stdin closes"},
    {"take", "Inside foxport run: take a browser of your own from its broker, for COMMAND or until stdin closes"},
    {"port", "Lease and print free ports (a range the kernel never hands out)"},
    {"who", "What listens on PORT: process, protocol, and whether foxport launched it"},
};

std::string_view summary_of(std::string_view name) {
  for (const auto& each : subcommands) {
    if (each.name == name) return each.summary;
  }
  return {};
}

// "run, start, take, port or who", for the messages about a missing or unknown command.
std::string subcommand_names() {
  std::string names;
  for (std::size_t i = 0; i < std::size(subcommands); ++i)
    names += (i == 0 ? "" : i + 1 == std::size(subcommands) ? " or " : ", ") + std::string(subcommands[i].name);
  return names;
}

void print_overview() {
  std::printf("%s\n\nUsage: foxport COMMAND [OPTIONS]   (foxport COMMAND --help: its options)\n\nCommands:\n",
              wrap(about, 0).c_str());
  for (const auto& each : subcommands) {
    std::printf("  %-8.*s%s\n", static_cast<int>(each.name.size()), each.name.data(), wrap(each.summary, 10).c_str());
  }
  std::printf("\n%.*s", static_cast<int>(examples.size()), examples.data());
}

}  // namespace

int main(int argc, char** argv) {
  // The launch's guard, a fork of this process while it is single-threaded, starts now and is
  // ready before the command line is parsed and the launch prepared (#19, docs/benchmarks.md
  // section 9).
  const std::string_view name = argc > 1 ? argv[1] : "";
  if (name == "start" || name == "run") foxport::detail::start_next_guard_early(foxport::guard::run);
  if (name == "--version") {
    std::printf("foxport %s\n", FOXPORT_VERSION);
    return 0;
  }
  if (name == "--help" || name == "-h") {
    print_overview();
    return 0;
  }
  const auto summary = summary_of(name);
  if (summary.empty()) {
    if (name.empty())
      std::fprintf(stderr, "foxport: a command is needed: %s (see foxport --help)\n", subcommand_names().c_str());
    else
      std::fprintf(stderr, "foxport: unknown command '%s' (expected %s; see foxport --help)\n", argv[1],
                   subcommand_names().c_str());
    return exit_usage;
  }

  Command command{name, summary, {}, {}, {}, nullptr, {}};
  LaunchOptions launch;
  std::vector<std::string> words;
  bool as_json = false;
  double take_timeout = 120;
  int count = 1;
  std::string range_text;
  bool hold = false;
  int who_port = 0;
  if (name == "run") {
    command.operands = "-- COMMAND [ARGS...]";
    command.rest = &words;
    add_launch_options(command, launch);
    command.options.push_back(heading("The run"));
    command.options.push_back(integer("--pool", "N",
                                      "Launches the broker keeps warm for test processes (default: one per core; 0: "
                                      "no broker)",
                                      launch.pool, 0, 64));
    command.options.push_back(flag("--recycle",
                                   "Firefox: the broker recycles a browser given back (site data cleared, one blank "
                                   "tab) instead of relaunching",
                                   launch.recycle));
    command.options.push_back(
        text("--artifacts", "DIR",
             "When COMMAND fails or the launch does, save what the browser showed before teardown into "
             "DIR/run-KIND-COMMAND-PID/ (screenshot.png, log.txt, tree.txt, ready.txt, failure.txt, Firefox's "
             "crash dumps in crashes/) and list it in DIR/index.html; exported to COMMAND as FOXPORT_ARTIFACTS "
             "(foxport::gtest saves a bundle per failed test there). Default: $FOXPORT_ARTIFACTS",
             launch.artifacts));
    command.footer =
        "Exports FOXPORT_PORT, FOXPORT_PID, FOXPORT_KIND; MARIONETTE_PORT and FOXPORT_PROFILE (Firefox, and "
        "WEBDRIVER_BIDI_URL with --bidi), CDP_URL and FOXPORT_PROFILE (Chromium) or WEBDRIVER_URL (drivers); "
        "FOXPORT_BROKER, from which each test process takes a browser of its own (foxport::gtest does; other suites "
        "use foxport take); DISPLAY with --xvfb; FOXPORT_ARTIFACTS with --artifacts. Exits with COMMAND's status. "
        "SIGINT, SIGTERM or SIGHUP go to COMMAND's whole tree, which is SIGKILLed 5 s later (or at a second "
        "signal); exit 128+signal. COMMAND's tree goes when foxport does, even by SIGKILL. Exit codes: 64 usage, 69 "
        "launch failed, 124 not ready in time, 126 COMMAND cannot be executed, 127 not found.";
  } else if (name == "start") {
    add_launch_options(command, launch);
    command.options.push_back(heading("Output"));
    command.options.push_back(flag("--json", "Print the ready line as a JSON object", as_json));
  } else if (name == "take") {
    command.operands = "[-- COMMAND [ARGS...]]";
    command.rest = &words;
    command.options.push_back(flag("--json", "Print the endpoint as a JSON object (without COMMAND)", as_json));
    command.options.push_back(
        number("--timeout", "SECONDS", "Seconds to wait for a launch (default 120)", take_timeout));
    command.footer = "Exports the same variables as foxport run, for a launch that is COMMAND's alone.";
  } else if (name == "port") {
    command.options.push_back(integer("--count", "N", "How many ports", count, 1, 4096));
    command.options.push_back(
        text("--range", "LO-HI", "LO-HI (default: the dynamic range minus the kernel's ephemeral range)", range_text));
    command.options.push_back(flag("--hold", "Keep the leases until stdin closes or a signal arrives", hold));
  } else {  // who
    command.operands = "PORT";
    command.operand = integer("PORT", "PORT", "", who_port, 1, 65535).take;
  }

  try {
    if (!parse(command, std::vector<std::string_view>(argv + 2, argv + argc))) {
      std::fputs(help(command).c_str(), stdout);
      return 0;
    }
    if (name == "run" && words.empty()) throw UsageError("run needs a command after -- (see foxport run --help)");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "foxport: %s\n", e.what());
    return exit_usage;
  }

  // Before any thread exists, so that every thread inherits the blocked mask.
  const foxport::platform::SignalWait signals{SIGINT, SIGTERM, SIGHUP};
  try {
    if (name == "who") return who(who_port, signals);
    if (name == "take") return foxport::cli::take(words, as_json, take_timeout, signals);
    if (name == "port") return foxport::cli::port(count, range_text, hold, signals);
    check_launch_options(launch);  // a bad timeout is a usage error before anything starts
    return name == "run" ? foxport::cli::run(launch, words, signals) : foxport::cli::start(launch, as_json, signals);
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
