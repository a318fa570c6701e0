// `foxport who PORT`: who listens, what it speaks, whether foxport launched it.

#include <cstdio>

#include "cli/commands.hpp"
#include "foxport/inspect.hpp"
#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"

namespace foxport::cli {

using namespace std::chrono_literals;

int who(int port) {
  const auto listeners = listeners_on(static_cast<std::uint16_t>(port));
  if (listeners.empty()) {
    std::printf("nothing listens on port %d\n", port);
    return 1;
  }
  for (const auto& listener : listeners) {
    std::printf("port %d on %s\n", port, listener.address.c_str());
    for (const auto& holder : listener.holders) {
      std::printf("  pid %d  %s\n  command  %s\n", holder.pid, holder.executable.c_str(),
                  holder.command_line.substr(0, 300).c_str());
      if (holder.guard_pid > 0) std::printf("  launched by foxport (guard pid %d)\n", holder.guard_pid);
    }
  }
  const std::string host = listeners.front().address == "::1" ? "::1" : "127.0.0.1";
  try {
    auto marionette = Marionette::connect(host, static_cast<std::uint16_t>(port), 1s);
    std::printf("  speaks Marionette (applicationType %s, protocol %d)\n",
                marionette.handshake().application_type.c_str(), marionette.handshake().protocol);
    return 0;
  } catch (const std::exception&) {}
  std::error_code ec;
  const auto status = WebDriverClient("http://" + host + ":" + std::to_string(port), 1s).status(ec);
  if (!ec) {
    std::printf("  speaks WebDriver (ready: %s%s%s)\n", status.ready ? "true" : "false",
                status.message.empty() ? "" : ", ", status.message.c_str());
  } else {
    std::printf("  speaks neither Marionette nor WebDriver\n");
  }
  return 0;
}

}  // namespace foxport::cli
