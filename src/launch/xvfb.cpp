#include "launch/xvfb.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include "foxport/error.hpp"

namespace foxport::detail {

namespace {

// What the I/O thread has seen: the display number Xvfb wrote to -displayfd, or its exit.
struct Report {
  std::mutex mutex;
  std::condition_variable changed;
  std::string display;
  std::optional<ExitStatus> exited;
};

}  // namespace

XDisplay start_xvfb(std::chrono::milliseconds timeout) {
  auto report = std::make_shared<Report>();
  ProcessOptions options;
  options.executable = find_executable("Xvfb");
  // -displayfd 1: the number on stdout (Xvfb logs on stderr). -nolisten unix: the abstract
  // socket only, so nothing stays in /tmp when Xvfb is killed; -nolisten tcp: no network.
  options.arguments = {"-displayfd", "1", "-nolisten", "tcp", "-nolisten", "unix", "-screen", "0", "1280x1024x24"};
  options.on_line = [report](Stream stream, std::string_view line) {
    if (stream != Stream::out || line.empty() || line.find_first_not_of("0123456789") != std::string_view::npos) return;
    std::lock_guard lock(report->mutex);
    if (report->display.empty()) report->display = ":" + std::string(line);
    report->changed.notify_all();
  };
  options.on_exit = [report](const ExitStatus& status) {
    std::lock_guard lock(report->mutex);
    report->exited = status;
    report->changed.notify_all();
  };
  // SIGTERM first: Xvfb then ends its clients' connections; ~10 ms.
  options.stop_policy = {{StopAction::request_exit, std::chrono::seconds(2)}, {}, {}};
  XDisplay result{Process::spawn(std::move(options)), {}};
  std::unique_lock lock(report->mutex);
  report->changed.wait_for(lock, timeout, [&] { return !report->display.empty() || report->exited.has_value(); });
  if (!report->display.empty()) {
    result.display = report->display;
    return result;
  }
  const auto exited = report->exited;
  lock.unlock();
  result.server.wait_output_closed(std::chrono::milliseconds(200));
  const auto pid = std::to_string(result.server.pid());
  const auto lines = result.server.last_lines_text();
  result.server.stop();
  if (exited)
    throw Error(errc::exited_early, "Xvfb (pid " + pid + ") exited before it reported a display (" +
                                        exited->to_string() + "); its last lines:\n" + lines);
  throw Error(errc::ready_timeout, "Xvfb (pid " + pid + ") reported no display within " +
                                       std::to_string(timeout.count()) + " ms; its last lines:\n" + lines);
}

}  // namespace foxport::detail
