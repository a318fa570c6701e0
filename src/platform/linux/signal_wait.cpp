// Signals through signalfd.

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "platform/signal_wait.hpp"

namespace foxport::platform {

SignalWait::SignalWait(std::initializer_list<int> signals) {
  sigset_t mask;
  sigemptyset(&mask);
  for (const int sig : signals) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  fd_ = ::signalfd(-1, &mask, SFD_CLOEXEC);
}

SignalWait::~SignalWait() {
  if (fd_ >= 0) ::close(fd_);
}

SignalWait::Taken SignalWait::take_with_origin() const noexcept {
  signalfd_siginfo info{};
  if (fd_ < 0 || ::read(fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return {};
  // A terminal's signals carry SI_KERNEL (0x80); kill() says SI_USER, sigqueue() SI_QUEUE.
  return {static_cast<int>(info.ssi_signo), info.ssi_code == SI_KERNEL};
}

void reset_signals_for_exec() noexcept {
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace foxport::platform
