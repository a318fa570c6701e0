#include "foxport/error.hpp"

namespace foxport {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "foxport"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::binary_not_found:
        return "binary not found";
      case errc::binary_not_executable:
        return "binary not executable";
      case errc::exited_early:
        return "child exited before it was ready";
      case errc::ready_timeout:
        return "child not ready before the timeout";
      case errc::port_range_invalid:
        return "invalid port range";
      case errc::ports_exhausted:
        return "no free port in the range";
      case errc::protocol_error:
        return "protocol error";
      case errc::remote_error:
        return "remote end answered with an error";
      case errc::guard_missing:
        return "foxport-guard not found";
      case errc::guard_failed:
        return "foxport-guard failed";
      case errc::stopped:
        return "launch already stopped";
    }
    return "unknown foxport error";
  }
};

// `what` and the code's message, said once: a `what` that already carries ": message" (a
// wrapped Error's what() with a hint added, or a caller that spelled it out) or begins with
// it is complete, and so is a report of several lines (its first line names the cause; after
// the child's last output lines, the message would stand alone on a line of its own).
std::string compose(const std::string& what, const std::error_code& code) {
  const std::string message = code.message();
  if (what.rfind(message, 0) == 0 || what.find(": " + message) != std::string::npos ||
      what.find('\n') != std::string::npos)
    return what;
  return what.empty() ? message : what + ": " + message;
}

}  // namespace

Error::Error(std::error_code code, const std::string& what)
    : std::system_error(code, what), text_(compose(what, code)) {}

Error::Error(errc code, const std::string& what) : Error(make_error_code(code), what) {}

const char* Error::what() const noexcept { return text_.what(); }

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

}  // namespace foxport
