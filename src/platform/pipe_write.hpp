#pragma once
// Writing to a pipe whose reader may be gone (the guard, killed) without SIGPIPE: a library
// must never kill the program that hosts it. Linux: SIGPIPE blocked in the writing thread,
// a SIGPIPE of ours consumed with sigtimedwait (macOS would use F_SETNOSIGPIPE instead).

#include <string_view>

namespace foxport::platform {

/// Writes all of `data` to `fd`; false if the reader is gone (EPIPE) or another error struck.
bool write_without_sigpipe(int fd, std::string_view data);

}  // namespace foxport::platform
