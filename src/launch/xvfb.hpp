#pragma once
// A private X display for a headful launch: Xvfb under a guard of its own, which picks a free
// display number itself (-displayfd, the display's port 0) and listens only on Linux's abstract
// socket (@/tmp/.X11-unix/XN), which the kernel removes when Xvfb dies, even by SIGKILL: no
// /tmp/.X11-unix/XN socket and no /tmp/.XN-lock are ever left behind.

#include <chrono>
#include <string>

#include "foxport/process.hpp"

namespace foxport::detail {

/// A running Xvfb and the DISPLAY value that reaches it (":N").
struct XDisplay {
  Process server;
  std::string display;
};

/// Starts Xvfb (found in PATH) and waits, at most `timeout`, until it reports its display.
/// Throws Error: binary_not_found; exited_early or ready_timeout with Xvfb's last lines.
XDisplay start_xvfb(std::chrono::milliseconds timeout);

}  // namespace foxport::detail
