// `foxport start`: launch, print the ready line (or JSON), stay until a signal or the end
// of stdin.

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>

#include "cli/commands.hpp"

namespace foxport::cli {

namespace json = boost::json;

std::string endpoint_json(const Endpoint& endpoint, const std::string& handshake) {
  if (endpoint.kind == EndpointKind::remote)
    return json::serialize(json::object{{"kind", "remote"}, {"url", endpoint.url}});
  json::object object{{"kind", to_string(endpoint.kind)}, {"port", endpoint.port}, {"pid", endpoint.pid}};
  if (endpoint.kind == EndpointKind::firefox) {
    object["profile"] = endpoint.profile.string();
    if (!endpoint.bidi_url.empty()) object["bidi_url"] = endpoint.bidi_url;
    boost::system::error_code ec;
    auto parsed = json::parse(handshake, ec);
    if (!ec) object["handshake"] = parsed;
  } else {
    object["url"] = endpoint.url;
  }
  if (!endpoint.display.empty()) object["display"] = endpoint.display;
  return json::serialize(object);
}

int wait_for_end(const platform::SignalWait& signals) {
  for (;;) {
    pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return 0;
    if (fds[0].revents & POLLIN) {
      const int sig = signals.take();
      return signal_exit_code(sig != 0 ? sig : SIGTERM);
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[4096];
      if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) return 0;  // input is ignored; its end counts
    }
  }
}

int start(const LaunchOptions& options, bool as_json, const platform::SignalWait& signals) {
  const auto own = launch_or_exit_on_signal(options, signals, [as_json](const Launched& launched) {
    const auto& endpoint = launched.endpoint();
    std::printf("%s\n", as_json ? endpoint_json(endpoint, launched.handshake()).c_str() : ready_line(endpoint).c_str());
    std::fflush(stdout);
  });
  Launched& launched = *own;
  const int code = wait_for_end(signals);
  launched.stop();
  return code;
}

}  // namespace foxport::cli
