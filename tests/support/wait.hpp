#pragma once
// Event-driven waits for tests: a pidfd becomes readable when its process exits, so tests
// wait for "gone" without sleeping.

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

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

}  // namespace foxport::testing
