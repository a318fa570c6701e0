#pragma once
// The subcommands, one file each. Each returns the command's exit code.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cli/options.hpp"
#include "platform/signal_wait.hpp"

namespace foxport::cli {

/// `foxport run`: launch, run COMMAND with the endpoint in its environment, tear down.
int run(const LaunchOptions& options, const std::vector<std::string>& command, const platform::SignalWait& signals);
/// `foxport start`: launch, print the ready line, stay until a signal or the end of stdin.
int start(const LaunchOptions& options, bool as_json, const platform::SignalWait& signals);
/// `foxport port`: lease and print ports, optionally holding them.
int port(int count, const std::string& range, bool hold, const platform::SignalWait& signals);
/// `foxport who`: who listens on PORT and what it speaks; each probe is bounded, a signal ends it.
int who(int port, const platform::SignalWait& signals);

/// `foxport take`: take a launch from the enclosing run's broker, for COMMAND's lifetime or, with
/// no command, until a signal or the end of stdin.
int take(const std::vector<std::string>& command, bool as_json, double timeout, const platform::SignalWait& signals);

/// Environment variables to set for a command.
using Variables = std::vector<std::pair<std::string, std::string>>;
/// Runs COMMAND with `variables` added to foxport's environment, as a foreground job under a
/// guard of its own that also removes `owned`; returns its exit code (126/127 when it cannot
/// start), or 128+signal after passing a signal foxport received on to its whole tree (SIGKILL
/// after a grace of 5 s). `how`, when given, gets how it ended in words (the signal named).
int run_command(const std::vector<std::string>& command, const Variables& variables,
                const platform::SignalWait& signals, const std::vector<std::filesystem::path>& owned = {},
                std::string* how = nullptr);

/// The endpoint as `start --json` prints it.
std::string endpoint_json(const Endpoint& endpoint, const std::string& handshake);

/// Waits until a signal arrives or stdin closes; returns the exit code for the reason.
int wait_for_end(const platform::SignalWait& signals);
/// 128 + the signal.
inline int signal_exit_code(int sig) { return 128 + sig; }

/// Runs `work` on the calling thread and returns once it is done (rethrowing what it threw).
/// A signal first runs `on_signal(sig)`, then ends foxport at once with 128 + the signal:
/// `work` is abandoned mid-way, so it must own nothing that exiting (and the guard) leaves behind.
void finish_or_exit_on_signal(const std::function<void()>& work, const platform::SignalWait& signals,
                              const std::function<void(int)>& on_signal);

}  // namespace foxport::cli
