#pragma once
// Warm start: a template profile per Firefox build and pref set, made once by a real Firefox
// (start, one page, Marionette:Quit) and copied into every later launch's profile, so Firefox
// finds its start-up caches, compatibility.ini and databases already there.
//
// The cache is $XDG_CACHE_HOME/foxport/profiles (default ~/.cache/foxport/profiles), 0700 and
// ours or not used. An entry is `firefox-<hash>/` with a `foxport-template` marker holding the
// whole key (install directory, application.ini and platform.ini build identity, headless, every
// pref); an entry without a matching marker is never used. Entries are built in `build-XXXXXX/`
// and renamed into place, under a per-key flock; a launch that finds the lock taken does not
// wait for the build (a build is a whole Firefox start and quit): it launches on a fresh profile.
// Anything wrong with the cache only costs the warm start: the launch goes on with a fresh profile.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "foxport/firefox.hpp"

namespace foxport::detail {

/// The template cache directory, created 0700 if missing; nullopt (and `why`) when there is
/// none that is safe to use: not a directory, a symlink, not ours, or writable by others.
std::optional<std::filesystem::path> profile_cache_directory(std::string& why);

/// Whether this launch may use the cache: FirefoxOptions::warm_profile, no profile_template,
/// FOXPORT_NO_CACHE unset (or "0").
bool profile_cache_enabled(const FirefoxOptions& options);

/// The key text of a template: everything that makes two templates differ. Empty when the
/// install directory has no application.ini.
std::string template_key(const std::filesystem::path& install_dir, const FirefoxOptions& options);

/// The cache entry's name for a key: `firefox-<hash>` (its lock: the same + ".lock").
std::string template_entry_name(const std::string& key);

/// Where a Firefox install lives: the binary's real directory when application.ini is there,
/// else (a wrapper script such as Debian's /usr/bin/firefox) the directory recorded the last
/// time the wrapper ran from this cache; empty if unknown.
std::filesystem::path install_dir_of(const std::filesystem::path& binary, const std::filesystem::path& cache);

/// Records which install directory a wrapper binary ran (nothing for a real binary).
void remember_install_dir(const std::filesystem::path& binary, const std::filesystem::path& running_executable,
                          const std::filesystem::path& cache);

/// Launches Firefox on the profile directory given (empty, in the cache), opens a page, quits
/// and waits for the exit; then calls `done` with the executable that ran, before anything
/// removes the directory. Throws Error.
using TemplateBuilder = std::function<void(const std::filesystem::path& profile,
                                           const std::function<void(const std::filesystem::path& executable)>& done)>;

/// What a launch copies.
struct WarmTemplate {
  std::filesystem::path profile;  ///< the cached template; empty: launch on a fresh profile
  std::filesystem::path cache;    ///< the cache directory, if one was usable
  bool built = false;             ///< made by this call
  std::string note;               ///< why there is none, for the launch's log
};

/// The template for `binary` and `options`, built with `build` if it is missing and nobody
/// else is building it. Never throws: a cache that cannot be used is a note.
WarmTemplate warm_template(const std::filesystem::path& binary, const FirefoxOptions& options,
                           const TemplateBuilder& build);

}  // namespace foxport::detail
