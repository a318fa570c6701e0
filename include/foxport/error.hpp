#pragma once
/// foxport's errors: one category, codes comparable with std::errc where one fits,
/// and an exception that carries the full story (what was tried, the child's last lines).

#include <stdexcept>
#include <string>
#include <system_error>

#include "foxport/export.hpp"

namespace foxport {

/// Failure reasons specific to foxport. Generic OS failures use std::errc / errno.
enum class errc {
  binary_not_found = 1,   ///< the executable was not found where we searched
  binary_not_executable,  ///< found, but not executable
  exited_early,           ///< the child exited before it became ready
  ready_timeout,          ///< the child did not become ready in time
  port_range_invalid,     ///< empty, inverted or out-of-bounds port range
  ports_exhausted,        ///< every port in the range is leased or busy
  protocol_error,         ///< the peer answered something we could not understand
  remote_error,           ///< the peer answered with an error (Marionette / WebDriver)
  guard_missing,          ///< the foxport-guard executable was not found
  guard_failed,           ///< the guard died or broke its protocol
  stopped,                ///< the launch was already stopped or detached
};

/// The category of foxport::errc.
FOXPORT_EXPORT const std::error_category& category() noexcept;

/// Makes `errc` usable as a std::error_code.
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

/// The exception thrown by every throwing foxport function: code() for programs,
/// what() for people (names the binary, port, time spent, and the child's last lines).
/// what() is `what`, then ": " and the code's message, unless `what` says that already (a
/// message wrapping another one's what()), so a cause is never repeated; a `what` of several
/// lines (a readiness report: the cause, what was seen, the child's last lines) is kept as is.
class FOXPORT_EXPORT Error : public std::system_error {
 public:
  Error(std::error_code code, const std::string& what);
  Error(errc code, const std::string& what);
  const char* what() const noexcept override;

 private:
  std::runtime_error text_;  // the composed message (copying it cannot throw)
};

}  // namespace foxport

template <>
struct std::is_error_code_enum<foxport::errc> : std::true_type {};
