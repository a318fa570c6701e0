#pragma once
// Reading the small files the platform layer and the readiness wait look at (port files,
// /proc entries). Boost-free: the guard compiles it too.

#include <string>

namespace foxport::platform {

/// The whole content of a small file, "" if it cannot be read. Never throws: /proc files
/// vanish or fail with ESRCH while a process exits, which makes std::ifstream throw.
std::string read_small_file(const std::string& path);

}  // namespace foxport::platform
