#pragma once
// The guard's wire protocol, one line per message, shared by the guard and the library.
//
//   status  (guard -> caller, fd 4):  started PID | failed ERRNO | exited CODE | signaled SIG | done
//   control (caller -> guard, fd 3):  signal SIG | dir PATH | delete URL | cleanup | detach
//
// Each line is written with one write(2) below PIPE_BUF, so it arrives whole. Header-only
// and Boost-free: the guard includes it.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace foxport::guard {

/// The descriptors the guard is started with.
inline constexpr int control_fd = 3;
inline constexpr int status_fd = 4;

/// A line from the guard.
struct Status {
  enum class Kind { started, failed, exited, signaled, done };
  Kind kind = Kind::done;
  int value = 0;  ///< the pid, errno, exit code or signal; 0 for done
};

/// A line to the guard.
struct Control {
  enum class Kind { signal, dir, delete_url, cleanup, detach };
  Kind kind = Kind::cleanup;
  int signal = 0;        ///< for signal
  std::string argument;  ///< the path or URL for dir and delete_url
};

namespace wire {

inline std::optional<int> number_after(std::string_view line, std::string_view word) {
  if (line.substr(0, word.size()) != word) return std::nullopt;
  const auto digits = line.substr(word.size());
  int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return value;
}

}  // namespace wire

/// The status line for `status`, without its newline.
inline std::string format(const Status& status) {
  switch (status.kind) {
    case Status::Kind::started:
      return "started " + std::to_string(status.value);
    case Status::Kind::failed:
      return "failed " + std::to_string(status.value);
    case Status::Kind::exited:
      return "exited " + std::to_string(status.value);
    case Status::Kind::signaled:
      return "signaled " + std::to_string(status.value);
    case Status::Kind::done:
      return "done";
  }
  return "done";
}

/// The status a line says; nullopt for anything malformed.
inline std::optional<Status> parse_status(std::string_view line) {
  using Kind = Status::Kind;
  if (line == "done") return Status{Kind::done, 0};
  for (const auto& [word, kind] : {std::pair{"started ", Kind::started}, std::pair{"failed ", Kind::failed},
                                   std::pair{"exited ", Kind::exited}, std::pair{"signaled ", Kind::signaled}}) {
    if (const auto value = wire::number_after(line, word)) return Status{kind, *value};
  }
  return std::nullopt;
}

/// The control line for `control`, without its newline.
inline std::string format(const Control& control) {
  switch (control.kind) {
    case Control::Kind::signal:
      return "signal " + std::to_string(control.signal);
    case Control::Kind::dir:
      return "dir " + control.argument;
    case Control::Kind::delete_url:
      return "delete " + control.argument;
    case Control::Kind::cleanup:
      return "cleanup";
    case Control::Kind::detach:
      return "detach";
  }
  return "cleanup";
}

/// The command a control line says; nullopt for anything malformed (the guard ignores it).
inline std::optional<Control> parse_control(std::string_view line) {
  using Kind = Control::Kind;
  if (line == "cleanup") return Control{Kind::cleanup, 0, {}};
  if (line == "detach") return Control{Kind::detach, 0, {}};
  if (const auto sig = wire::number_after(line, "signal ")) {
    if (*sig <= 0 || *sig >= 65) return std::nullopt;
    return Control{Kind::signal, *sig, {}};
  }
  for (const auto& [word, kind] :
       {std::pair{std::string_view("dir "), Kind::dir}, std::pair{std::string_view("delete "), Kind::delete_url}}) {
    if (line.substr(0, word.size()) == word && line.size() > word.size())
      return Control{kind, 0, std::string(line.substr(word.size()))};
  }
  return std::nullopt;
}

}  // namespace foxport::guard
