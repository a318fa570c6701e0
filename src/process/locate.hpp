#pragma once
// Where foxport's own helper lives. (find_executable and make_temporary_directory are
// public, in foxport/process.hpp; this unit implements them too.)

#include <filesystem>
#include <string>

namespace foxport::detail {

/// The guard: $FOXPORT_GUARD, else beside the library or program, else where it was
/// installed or built. Empty, with `message` listing every place tried, when not found.
std::filesystem::path find_guard(std::string& message);

}  // namespace foxport::detail
