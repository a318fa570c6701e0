#include "foxport/ready.hpp"

namespace foxport {

std::string ReadyReport::phases() const {
  std::string text;
  auto add = [&](const char* name, time_point when) {
    if (when == time_point{}) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when - spawned).count();
    text += (text.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(ms) + " ms";
  };
  add("port", reported);
  add("listener", owned);
  add("protocol", answered);
  if (session != answered) add("session", session);
  add("bidi", bidi);
  add("ready", ready);
  return text;
}

}  // namespace foxport
