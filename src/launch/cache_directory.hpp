#pragma once
// foxport's cache, $XDG_CACHE_HOME/foxport (default ~/.cache/foxport): what a launch can
// reuse from an earlier one (Firefox's template profiles, chromedriver's directory with the
// headless browser beside it). Private or not used: a directory of the cache must be ours,
// 0700, and no symlink, since what is in it is run and copied into launches.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foxport::detail {

/// $XDG_CACHE_HOME/foxport/NAME, created 0700 if missing; nullopt (and `why`) when there is
/// none that is safe to use: not a directory, a symlink, not ours, or writable by others.
std::optional<std::filesystem::path> cache_directory(std::string_view name, std::string& why);

/// FNV-1a, 64 bits, in hex: stable across compilers and runs, for naming a cache entry by
/// its key. Collisions cost nothing but a rebuild: an entry is used only when its marker
/// holds the whole key.
std::string hash_of(std::string_view text);

/// Removes the entries of `cache` that `stale(entry)` picks, and builds (`build-XXXXXX`)
/// abandoned for an hour; each renamed away first (`stale-...`), so that a launch never finds
/// half of one. What an earlier removal left renamed away goes too, once the process that
/// renamed it has ended. Returns the names of the entries removed.
std::vector<std::string> remove_stale_entries(const std::filesystem::path& cache,
                                              const std::function<bool(const std::filesystem::path&)>& stale);

}  // namespace foxport::detail
