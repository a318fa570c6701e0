#pragma once
// The std::error_code forms of throwing calls: one place that turns foxport::Error (or any
// std::system_error) into an error code and a default-constructed result.

#include <system_error>

namespace foxport::detail {

template <typename Call>
auto no_throw(std::error_code& ec, Call&& call) -> decltype(call()) {
  ec.clear();
  try {
    return call();
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  return {};
}

}  // namespace foxport::detail
