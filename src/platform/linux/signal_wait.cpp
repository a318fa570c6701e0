// Signals through signalfd.

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <iterator>

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

SignalsForExec::SignalsForExec() noexcept {
  for (int sig = 1; sig < NSIG && count_ < static_cast<int>(std::size(ignored_)); ++sig) {
    struct sigaction action {};
    if (::sigaction(sig, nullptr, &action) == 0 && action.sa_handler == SIG_IGN) ignored_[count_++] = sig;
  }
}

void SignalsForExec::reset() const noexcept {
  for (int i = 0; i < count_; ++i) ::signal(ignored_[i], SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace foxport::platform
