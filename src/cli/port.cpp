// `foxport port`: lease ports from a range the kernel never hands out, print them, and
// optionally hold them until stdin closes or a signal arrives.

#include <cstdio>

#include "cli/commands.hpp"
#include "foxport/port.hpp"

namespace foxport::cli {

int port(int count, const std::string& range_text, bool hold, const platform::SignalWait& signals) {
  std::optional<PortRange> range;
  if (!range_text.empty()) {
    std::error_code ec;
    range = PortRange::parse(range_text, ec);
    if (ec) throw UsageError("--range " + range_text + ": " + ec.message() + " (expected LO-HI, 1-65535)");
  }
  std::vector<PortLease> leases;
  for (int i = 0; i < count; ++i) {
    leases.push_back(PortLease::acquire(range ? *range : PortRange::default_range()));
    std::printf("%d\n", leases.back().port());
  }
  std::fflush(stdout);
  if (hold) wait_for_end(signals);  // the leases end with this process
  return 0;
}

}  // namespace foxport::cli
