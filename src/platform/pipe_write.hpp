#pragma once
// Writing to a pipe or socket whose reader may be gone (the guard, killed) without SIGPIPE: a
// library must never kill the program that hosts it. A pipe: SIGPIPE blocked in the writing
// thread, a SIGPIPE of ours consumed with sigtimedwait (macOS would use F_SETNOSIGPIPE
// instead). A socket: send's MSG_NOSIGNAL, one system call instead of four (#19).

#include <string_view>

namespace foxport::platform {

/// Writes all of `data` to `fd`; false if the reader is gone (EPIPE) or another error struck.
bool write_without_sigpipe(int fd, std::string_view data);

/// The same for a connected stream socket `fd` (socketpair).
bool send_without_sigpipe(int fd, std::string_view data);

}  // namespace foxport::platform
