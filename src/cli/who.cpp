// `foxport who PORT`: who listens, what it speaks, whether foxport launched it.

#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "foxport/inspect.hpp"
#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"

namespace foxport::cli {

using namespace std::chrono_literals;

namespace {

// Each probe's whole exchange (connect, handshake or request, answer): a listener that
// drips bytes or announces a huge frame gets a bounded, size-limited look.
constexpr auto probe_budget = 1s;

// What speaks on host:port, as the line to print; the reason each protocol did not answer.
std::string probe(const std::string& host, std::uint16_t port) {
  std::string marionette_error;
  try {
    auto marionette = Marionette::connect(host, port, probe_budget);
    return "speaks Marionette (applicationType " + marionette.handshake().application_type + ", protocol " +
           std::to_string(marionette.handshake().protocol) + ")";
  } catch (const std::exception& e) {
    marionette_error = e.what();
  }
  std::string webdriver_error;
  try {
    const auto status = WebDriverClient("http://" + host + ":" + std::to_string(port), probe_budget).status();
    return std::string("speaks WebDriver (ready: ") + (status.ready ? "true" : "false") +
           (status.message.empty() ? "" : ", ") + status.message + ")";
  } catch (const std::exception& e) {
    webdriver_error = e.what();
  }
  return "speaks neither Marionette nor WebDriver\n    Marionette: " + marionette_error +
         "\n    WebDriver: " + webdriver_error;
}

}  // namespace

int who(int port, const platform::SignalWait& signals) {
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
  std::fflush(stdout);
  const std::string host = listeners.front().address == "::1" ? "::1" : "127.0.0.1";
  std::string answer;
  finish_or_exit_on_signal(
      [&] { answer = probe(host, static_cast<std::uint16_t>(port)); }, signals,
      [port](int sig) { std::fprintf(stderr, "foxport: %s while probing port %d\n", ::strsignal(sig), port); });
  std::printf("  %s\n", answer.c_str());
  return 0;
}

}  // namespace foxport::cli
