// `foxport who PORT`: who listens, what it speaks, whether foxport launched it.

#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "foxport/inspect.hpp"
#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"
#include "foxport/websocket.hpp"
#include "protocol/framing.hpp"
#include "protocol/http_exchange.hpp"

namespace foxport::cli {

using namespace std::chrono_literals;

namespace {

// Each probe's whole exchange (connect, handshake or request, answer): a listener that
// drips bytes or announces a huge frame gets a bounded, size-limited look.
constexpr auto probe_budget = 1s;

std::string authority(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// The protocols foxport's endpoints speak, tried in turn: each says what answered, or throws
// saying what it saw.
std::string marionette_probe(const std::string& host, std::uint16_t port) {
  auto marionette = Marionette::connect(host, port, probe_budget);
  return "speaks Marionette (applicationType " + marionette.handshake().application_type + ", protocol " +
         std::to_string(marionette.handshake().protocol) + ")";
}

std::string webdriver_probe(const std::string& host, std::uint16_t port) {
  const auto status = WebDriverClient("http://" + authority(host, port), probe_budget).status();
  return std::string("speaks WebDriver (ready: ") + (status.ready ? "true" : "false") +
         (status.message.empty() ? "" : ", ") + status.message + ")";
}

std::string devtools_probe(const std::string& host, std::uint16_t port) {
  const auto answer = detail::http_get(host, port, "/json/version", probe_budget);
  const auto url = answer.status == 200 ? detail::parse_devtools_version(answer.body) : std::nullopt;
  if (!url) {
    throw std::runtime_error("GET /json/version answered " + std::to_string(answer.status) +
                             " without a webSocketDebuggerUrl: " + answer.body.substr(0, 120));
  }
  return "speaks the DevTools protocol (" + *url + ")";
}

std::string bidi_probe(const std::string& host, std::uint16_t port) {
  auto bidi = WebSocketClient::connect("ws://" + authority(host, port) + "/session", probe_budget);
  const auto status = detail::parse_bidi_status(bidi.command("session.status"));
  if (!status) throw std::runtime_error("session.status answered no status");
  return std::string("speaks WebDriver BiDi (ready: ") + (status->ready ? "true" : "false") +
         (status->message.empty() ? "" : ", ") + status->message + ")";
}

// What speaks on host:port, as the line to print; the reason each protocol did not answer.
std::string probe(const std::string& host, std::uint16_t port) {
  const std::pair<const char*, std::string (*)(const std::string&, std::uint16_t)> probes[] = {
      {"Marionette", marionette_probe},
      {"WebDriver", webdriver_probe},
      {"DevTools", devtools_probe},
      {"WebDriver BiDi", bidi_probe}};
  std::string reasons;
  for (const auto& [name, try_it] : probes) {
    try {
      return try_it(host, port);
    } catch (const std::exception& e) {
      reasons += std::string("\n    ") + name + ": " + e.what();
    }
  }
  return "speaks none of Marionette, WebDriver, DevTools, WebDriver BiDi" + reasons;
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
