#pragma once
// Waits for tests, event-driven where the kernel tells: a pidfd becomes readable when its
// process exits, so tests wait for "gone" without sleeping. A thread starting to wait for a
// FIFO's reader is told by nothing: that one polls /proc, boundedly.

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>

namespace foxport::testing {

/// kill(pid, 0) fails with ESRCH: no such process (not even a zombie).
inline bool gone(int pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

/// Waits until `pid` has exited (or is already gone); false on timeout. A zombie counts as
/// exited; whether it gets reaped is the leak check's business.
inline bool wait_exited(int pid, std::chrono::milliseconds timeout) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd pfd{fd, POLLIN, 0};
  const int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  ::close(fd);
  return ready > 0;
}

/// Whether a thread of `pid` waits in open(2) for a reader of a FIFO (a log given as --log).
inline bool blocked_opening_a_fifo(int pid) {
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream wchan(task.path() / "wchan");
    std::string where;
    if (std::getline(wchan, where) && where == "wait_for_partner") return true;
  }
  return false;
}

/// Waits until a thread of `pid` waits for a reader of a FIFO; false on timeout. Bounded
/// polling of /proc: nothing else tells when a thread starts waiting there.
inline bool wait_blocked_opening_a_fifo(int pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!blocked_opening_a_fifo(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace foxport::testing
