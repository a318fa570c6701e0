#pragma once
// A process of its own holding a port lease, for the tests of what another holder sees: the
// lease's exclusion and the error that names the holder. It is SIGKILLed when destroyed.

#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <system_error>

#include "foxport/port.hpp"

namespace foxport::testing {

class LeaseHolder {
 public:
  /// Leases from `range` in a fork, as the user `uid` (its group too) when given: root only.
  explicit LeaseHolder(const PortRange& range, std::optional<uid_t> uid = std::nullopt) {
    int ready[2];
    if (::pipe(ready) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      char leased = '0';
      if (!uid || become(*uid)) {
        std::error_code ec;
        const auto lease = PortLease::acquire(range, ec);
        leased = lease.valid() ? '1' : '0';
        (void)!::write(ready[1], &leased, 1);
        if (lease.valid()) ::pause();  // holds the lease until killed
      }
      (void)!::write(ready[1], &leased, 1);
      ::_exit(0);
    }
    ::close(ready[1]);
    char leased = '0';
    leased_ = pid_ > 0 && ::read(ready[0], &leased, 1) == 1 && leased == '1';
    ::close(ready[0]);
  }
  LeaseHolder(const LeaseHolder&) = delete;
  LeaseHolder& operator=(const LeaseHolder&) = delete;
  ~LeaseHolder() { kill(); }

  bool leased() const { return leased_; }
  pid_t pid() const { return pid_; }
  /// SIGKILLs and reaps it: its lease ends with it.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  static bool become(uid_t uid) {
    // With that user's lock directory, where the old per-user locks lived.
    ::unsetenv("XDG_RUNTIME_DIR");
    ::unsetenv("FOXPORT_LOCK_DIR");
    return ::setgroups(0, nullptr) == 0 && ::setgid(uid) == 0 && ::setuid(uid) == 0;
  }

  pid_t pid_ = -1;
  bool leased_ = false;
};

}  // namespace foxport::testing
