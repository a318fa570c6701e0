// Starting a program without a guard (ProcessOptions::use_guard = false): what the guard
// would do is done here, as far as a process that does not outlive the caller can.

#include <signal.h>
#include <sys/wait.h>

#include "platform/process_tree.hpp"
#include "process/locate.hpp"
#include "process/process_impl.hpp"
#include "process/spawn_support.hpp"

namespace foxport {
namespace bp = boost::process::v2;
namespace fs = std::filesystem;

// Signals go to the group and the program's live descendants; cleanup is SIGKILL (the
// exit watcher then reports the end). Directories and URLs are the handle's to handle.
void Process::Impl::act_directly(const guard::Control& command) {
  int sig = 0;
  if (command.kind == guard::Control::Kind::signal) sig = command.signal;
  if (command.kind == guard::Control::Kind::cleanup) sig = SIGKILL;
  if (sig == 0 || pid <= 0) return;
  const auto descendants = platform::descendants_of(pid);
  ::kill(-pid, sig);
  for (const int descendant : descendants) ::kill(descendant, sig);
}

// The I/O thread reaps the program (the one place that does) and reports its end as the
// guard would.
void Process::Impl::watch_direct_exit() {
  child.async_wait([this](boost::system::error_code, int) {
    const int raw = child.native_exit_code();
    on_status(WIFSIGNALED(raw) ? guard::Status{guard::Status::Kind::signaled, WTERMSIG(raw)}
                               : guard::Status{guard::Status::Kind::exited, WEXITSTATUS(raw)});
    on_status({guard::Status::Kind::done, 0});
  });
}

Process Process::spawn_without_guard(std::unique_ptr<Impl> impl) {
  auto& opts = impl->options;
  detail::Pipe out, err;
  const detail::EnvironmentBlock env(opts);
  bp::posix::default_launcher launcher;
  launcher.env = env.data();
  boost::system::error_code launch_error;
  const auto start_dir = opts.working_directory.empty() ? fs::current_path() : opts.working_directory;
  // Not const: Boost.Process ignores an initialiser whose hooks it cannot call.
  auto stdio = opts.foreground ? bp::process_stdio{} : bp::process_stdio{nullptr, out.write, err.write};
  if (opts.foreground) {
    impl->child = launcher(impl->io, launch_error, boost::filesystem::path(impl->executable.string()), opts.arguments,
                           stdio, bp::process_start_dir(start_dir.string()), detail::ReapOnError{});
  } else {
    impl->child =
        launcher(impl->io, launch_error, boost::filesystem::path(impl->executable.string()), opts.arguments, stdio,
                 bp::process_start_dir(start_dir.string()), detail::NewProcessGroup{}, detail::ReapOnError{});
  }
  if (launch_error) {
    throw Error(std::error_code(launch_error), detail::cannot_execute(impl->executable, launch_error.value()));
  }
  impl->pid = impl->child.id();
  impl->out.assign(std::exchange(out.read, -1));
  impl->err.assign(std::exchange(err.read, -1));
  out.close_write();
  err.close_write();
  impl->start_io();
  return Process(std::move(impl));
}

}  // namespace foxport
