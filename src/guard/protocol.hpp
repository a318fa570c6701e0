#pragma once
// The guard's wire protocol, one line per message, shared by the guard and the library.
//
//   status  (guard -> caller, fd 4):  started PID | failed ERRNO | exited CODE | signaled SIG | done
//   control (caller -> guard, fd 3):  signal SIG | dir PATH | delete URL | cleanup | detach
//                                     | run ARGC ENVC BYTES (then BYTES bytes: see Run)
//
// Each line is written with one write(2) below PIPE_BUF, so it arrives whole. Header-only
// and Boost-free: the guard includes it.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// The program a guard started with --await-run runs, sent once on control: the line
/// "run ARGC ENVC BYTES", then BYTES bytes: the working directory (empty: the guard's), the
/// ARGC arguments (the first is the executable's path) and the ENVC environment entries, each
/// ended by a NUL, so that any of them may hold a newline.
struct Run {
  std::string cwd;
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

/// The numbers of a "run" line.
struct RunHeader {
  std::size_t argc = 0;
  std::size_t envc = 0;
  std::size_t bytes = 0;
};

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

/// The whole "run" message for `run`: its line, newline included, and its bytes.
inline std::string format(const Run& run) {
  std::string payload = run.cwd + '\0';
  for (const auto* fields : {&run.argv, &run.env}) {
    for (const auto& field : *fields) payload.append(field).push_back('\0');
  }
  return "run " + std::to_string(run.argv.size()) + " " + std::to_string(run.env.size()) + " " +
         std::to_string(payload.size()) + "\n" + payload;
}

/// The numbers of a "run" line; nullopt for any other line or a malformed one.
inline std::optional<RunHeader> parse_run_header(std::string_view line) {
  constexpr std::size_t most_bytes = std::size_t{64} << 20;  // far above what exec takes
  if (line.substr(0, 4) != "run ") return std::nullopt;
  line.remove_prefix(4);
  std::size_t numbers[3] = {};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto end = i < 2 ? line.find(' ') : line.size();
    if (end == std::string_view::npos) return std::nullopt;
    const auto [at, ec] = std::from_chars(line.data(), line.data() + end, numbers[i]);
    if (ec != std::errc() || at != line.data() + end || end == 0) return std::nullopt;
    line.remove_prefix(i < 2 ? end + 1 : end);
  }
  const RunHeader header{numbers[0], numbers[1], numbers[2]};
  if (header.argc == 0 || header.bytes > most_bytes || header.argc + header.envc >= header.bytes) return std::nullopt;
  return header;
}

/// The program a "run" message's bytes name; nullopt unless they hold exactly the fields the
/// header counts.
inline std::optional<Run> parse_run(const RunHeader& header, std::string_view bytes) {
  std::vector<std::string> fields;
  while (!bytes.empty()) {
    const auto end = bytes.find('\0');
    if (end == std::string_view::npos) return std::nullopt;
    fields.emplace_back(bytes.substr(0, end));
    bytes.remove_prefix(end + 1);
  }
  if (fields.size() != 1 + header.argc + header.envc) return std::nullopt;
  Run run;
  run.cwd = std::move(fields[0]);
  run.argv.assign(fields.begin() + 1, fields.begin() + 1 + static_cast<std::ptrdiff_t>(header.argc));
  run.env.assign(fields.begin() + 1 + static_cast<std::ptrdiff_t>(header.argc), fields.end());
  return run;
}

}  // namespace foxport::guard
