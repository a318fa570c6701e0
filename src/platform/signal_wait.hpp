#pragma once
// Termination signals read as data: blocked before any thread exists and read from a
// descriptor, so that waiting for a signal, a child and input is one poll. Boost-free: the
// guard uses it too. Linux: signalfd.

#include <initializer_list>

namespace foxport::platform {

class SignalWait {
 public:
  /// Blocks `signals` in this thread (threads started later inherit the mask) and opens
  /// the descriptor they are read from.
  explicit SignalWait(std::initializer_list<int> signals);
  ~SignalWait();
  SignalWait(const SignalWait&) = delete;
  SignalWait& operator=(const SignalWait&) = delete;

  /// Polls readable when one of the signals is pending; -1 if it could not be opened.
  int fd() const noexcept { return fd_; }
  /// One signal taken: its number (0 when none was pending) and whether a terminal sent it.
  struct Taken {
    int number = 0;
    /// Sent by the kernel, not by a process's kill(): a SIGINT so sent is a terminal's
    /// Ctrl-C, which goes to the terminal's whole foreground process group.
    bool from_terminal = false;
  };
  Taken take_with_origin() const noexcept;
  /// Takes one pending signal; 0 when none was pending.
  int take() const noexcept { return take_with_origin().number; }

 private:
  int fd_ = -1;
};

/// A clean signal state for a child about to exec: default dispositions, nothing blocked (a
/// blocking caller's mask would otherwise pass through exec). exec resets caught signals
/// itself and keeps ignored ones: those are looked up ahead, a system call per signal, so
/// that the child makes a call per ignored signal only, on the way to the exec (#19).
class SignalsForExec {
 public:
  /// Looks up the signals ignored now.
  SignalsForExec() noexcept;
  /// In the child: those to their default, nothing blocked. Makes system calls only.
  void reset() const noexcept;

 private:
  int ignored_[64] = {};
  int count_ = 0;
};

}  // namespace foxport::platform
