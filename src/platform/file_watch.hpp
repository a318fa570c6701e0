#pragma once
// Watching a directory for files being written, as a descriptor an event loop can wait on
// (the readiness wait's MarionetteActivePort). Linux: inotify.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace foxport::platform {

/// A non-blocking descriptor that becomes readable when a file in `directory` is closed
/// after writing or moved into it; -1 when the system cannot watch it (callers then rely on
/// other evidence). The caller owns the descriptor.
int watch_directory(const std::filesystem::path& directory);

/// The names of the files in the events read from such a descriptor.
std::vector<std::string> changed_files(const char* events, std::size_t size);

}  // namespace foxport::platform
