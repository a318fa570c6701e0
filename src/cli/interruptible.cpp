// Work that a signal may cut short: it runs on the calling thread while a thread of its own
// waits for a signal or for the work's end, in one poll. The work keeps the calling thread, so
// a launch never waits for a new thread to be scheduled before it starts (#19).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>

#include "cli/commands.hpp"
#include "foxport/error.hpp"
#include "platform/spawn.hpp"

namespace foxport::cli {

void finish_or_exit_on_signal(const std::function<void()>& work, const platform::SignalWait& signals,
                              const std::function<void(int)>& on_signal) {
  int done[2];
  if (::pipe2(done, O_CLOEXEC) != 0) throw Error(std::error_code(errno, std::system_category()), "pipe2 failed");
  std::thread watcher;
  // The watcher waits on this core until the work blocks: starting it wakes no other (#19).
  platform::start_threads_on_this_core([&] {
    watcher = std::thread([&] {
      for (;;) {
        pollfd fds[2] = {{done[0], POLLIN, 0}, {signals.fd(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno == EINTR) continue;
        if (fds[1].revents & POLLIN) {
          const int taken = signals.take();
          const int sig = taken != 0 ? taken : SIGTERM;
          on_signal(sig);
          std::fflush(stdout);
          std::fflush(stderr);
          std::_Exit(signal_exit_code(sig));  // the work is abandoned mid-way, by design
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) return;
      }
    });
  });
  std::exception_ptr failure;
  try {
    work();
  } catch (...) {
    failure = std::current_exception();
  }
  ::close(done[1]);  // ends the watcher, unless a signal came first: then it ends the process
  watcher.join();
  ::close(done[0]);
  if (failure) std::rethrow_exception(failure);
}

}  // namespace foxport::cli
