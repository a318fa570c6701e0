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

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.hpp"
#include "foxport/error.hpp"
#include "guard/guard.hpp"
#include "process/pending_guard.hpp"

using namespace foxport::cli;

namespace {

// Whether the command line chose this subcommand (nullptr: not built, so not chosen).
bool chosen(const CLI::App* subcommand) { return subcommand != nullptr && subcommand->parsed(); }

}  // namespace

int main(int argc, char** argv) {
  // The launch's guard, a fork of this process while it is single-threaded, starts now and is
  // ready before the command line is parsed and the launch prepared (#19, docs/benchmarks.md
  // section 9).
  const std::string_view subcommand = argc > 1 ? argv[1] : "";
  if (subcommand == "start" || subcommand == "run") foxport::detail::start_next_guard_early(foxport::guard::run);
  CLI::App app{
      "foxport: launch Firefox (Marionette, WebDriver BiDi), Chromium (DevTools), geckodriver or chromedriver on a "
      "port nobody else has, "
      "wait until it is really ready, and take it all down afterwards."};
  app.footer(
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
      "  foxport run --firefox --xvfb -- ./suite        a headful Firefox on a private X display, DISPLAY exported");
  app.set_version_flag("--version", std::string("foxport ") + FOXPORT_VERSION);
  app.require_subcommand(1);
  // Only the subcommand named is built (all of them for the top level's help): building
  // options is most of the command's own work before its launch (#19), and no subcommand's
  // help shows another's options.
  const std::string first = argc > 1 ? argv[1] : "";
  const auto wanted = [&first](std::string_view name) { return first.empty() || first[0] == '-' || first == name; };

  LaunchOptions run_options;
  std::vector<std::string> command;
  CLI::App* run = nullptr;
  if (wanted("run")) {
    run = app.add_subcommand("run", "Launch, run COMMAND with the endpoint in its environment, tear down");
    if (first == "run") add_launch_options(*run, run_options);
    run->add_option("command", command, "-- COMMAND [ARGS...]")->required();
    run->footer(
        "Exports FOXPORT_PORT, FOXPORT_PID, FOXPORT_KIND; MARIONETTE_PORT and FOXPORT_PROFILE (Firefox, and "
        "WEBDRIVER_BIDI_URL with --bidi), CDP_URL and FOXPORT_PROFILE (Chromium) or WEBDRIVER_URL (drivers); "
        "FOXPORT_BROKER, from which each test process takes a browser of its own (foxport::gtest does; other suites "
        "use foxport take); DISPLAY with --xvfb; FOXPORT_ARTIFACTS with --artifacts. Exits with COMMAND's status. "
        "SIGINT, SIGTERM or SIGHUP go to "
        "COMMAND's whole tree, which is SIGKILLed 5 s later (or at a second signal); exit 128+signal. COMMAND's tree "
        "goes when foxport does, even by SIGKILL. Exit codes: 64 usage, 69 launch failed, 124 not ready in time, 126 "
        "COMMAND cannot be executed, 127 not found.");
    run->positionals_at_end();
    run->add_option("--pool", run_options.pool,
                    "Launches the broker keeps warm for test processes (default: one per core; 0: no broker)")
        ->check(CLI::Range(0, 64));
    run->add_flag("--recycle", run_options.recycle,
                  "Firefox: the broker recycles a browser given back (site data cleared, one blank tab) instead of "
                  "relaunching");
    run->add_option("--artifacts", run_options.artifacts,
                    "When COMMAND fails or the launch does, save what the browser showed before teardown into "
                    "DIR/run-KIND-COMMAND-PID/ (screenshot.png, log.txt, tree.txt, ready.txt, failure.txt, Firefox's "
                    "crash dumps in crashes/) and list it in DIR/index.html; exported to COMMAND as FOXPORT_ARTIFACTS "
                    "(foxport::gtest saves a bundle per failed test there). Default: $FOXPORT_ARTIFACTS")
        ->type_name("DIR");
  }

  std::vector<std::string> take_command;
  bool take_json = false;
  double take_timeout = 120;
  CLI::App* take = nullptr;
  if (wanted("take")) {
    take = app.add_subcommand(
        "take", "Inside foxport run: take a browser of your own from its broker, for COMMAND or until stdin closes");
    take->add_option("command", take_command, "-- COMMAND [ARGS...]");
    take->add_flag("--json", take_json, "Print the endpoint as a JSON object (without COMMAND)");
    take->add_option("--timeout", take_timeout, "Seconds to wait for a launch (default 120)");
    take->positionals_at_end();
    take->footer("Exports the same variables as foxport run, for a launch that is COMMAND's alone.");
  }

  LaunchOptions start_options;
  bool as_json = false;
  CLI::App* start = nullptr;
  if (wanted("start")) {
    start = app.add_subcommand("start", "Launch and stay until SIGINT/SIGTERM or until stdin closes");
    if (first == "start") add_launch_options(*start, start_options);
    start->add_flag("--json", as_json, "Print the ready line as a JSON object");
  }

  int count = 1;
  std::string range_text;
  bool hold = false;
  CLI::App* port = nullptr;
  if (wanted("port")) {
    port = app.add_subcommand("port", "Lease and print free ports (a range the kernel never hands out)");
    port->add_option("--count", count, "How many ports")->check(CLI::Range(1, 4096));
    port->add_option("--range", range_text, "LO-HI (default: the dynamic range minus the kernel's ephemeral range)");
    port->add_flag("--hold", hold, "Keep the leases until stdin closes or a signal arrives");
  }

  int who_port = 0;
  CLI::App* who_command = nullptr;
  if (wanted("who")) {
    who_command = app.add_subcommand("who", "What listens on PORT: process, protocol, and whether foxport launched it");
    who_command->add_option("PORT", who_port, "The port")->required()->check(CLI::Range(1, 65535));
  }

  if (!first.empty() && first[0] != '-' && first != "run" && first != "start" && first != "port" && first != "who" &&
      first != "take") {
    std::fprintf(stderr, "foxport: unknown command '%s' (expected run, start, take, port or who; see foxport --help)\n",
                 argv[1]);
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
  if (chosen(run) && command.empty()) {
    std::fprintf(stderr, "foxport: run needs a command after -- (see foxport run --help)\n");
    return exit_usage;
  }

  // Before any thread exists, so that every thread inherits the blocked mask.
  const foxport::platform::SignalWait signals{SIGINT, SIGTERM, SIGHUP};
  try {
    if (chosen(who_command)) return who(who_port, signals);
    if (chosen(take)) return foxport::cli::take(take_command, take_json, take_timeout, signals);
    if (chosen(port)) return foxport::cli::port(count, range_text, hold, signals);
    const auto& options = chosen(run) ? run_options : start_options;
    check_launch_options(options);  // a bad timeout is a usage error before anything starts
    return chosen(run) ? foxport::cli::run(options, command, signals) : foxport::cli::start(options, as_json, signals);
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
