// `foxport take`: inside a `foxport run`, take a launch of its own from the run's broker, for
// COMMAND's lifetime (with the usual variables exported), or print it and hold it until a
// signal or the end of stdin. For suites that are not C++: `foxport take -- pytest ...`.

#include <cstdio>

#include "cli/commands.hpp"
#include "foxport/broker.hpp"
#include "foxport/error.hpp"

namespace foxport::cli {

int take(const std::vector<std::string>& command, bool as_json, double timeout, const platform::SignalWait& signals) {
  const auto broker = broker_from_environment();
  if (!broker) {
    throw UsageError(
        "take needs FOXPORT_BROKER and FOXPORT_KIND: run it inside `foxport run --firefox` (or --geckodriver, "
        "--chromedriver)");
  }
  if (!(timeout > 0)) throw UsageError("--timeout must be a positive number of seconds");
  auto lease = BrokerLease::take(broker->socket, broker->kind,
                                 std::chrono::milliseconds(static_cast<long long>(timeout * 1000)));
  if (command.empty()) {
    std::printf("%s\n", as_json ? endpoint_json(lease.endpoint(), "").c_str() : ready_line(lease.endpoint()).c_str());
    std::fflush(stdout);
    return wait_for_end(signals);
  }
  return run_command(command, lease.endpoint().to_environment(), signals);
}

}  // namespace foxport::cli
