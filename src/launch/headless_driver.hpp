#pragma once
// chromedriver's default browser, headless. Debian's chromium is a shell script that resets
// CHROMIUM_FLAGS, and chromedriver looks for its browser beside itself first (chromium, then
// chromium-browser; upstream builds also google-chrome and chrome). So chromedriver runs from
// a directory `bin/` that holds the driver itself (a hard link, or a copy across file
// systems: chromedriver finds "beside itself" through /proc/self/exe, which resolves
// symlinks) and, beside it, a wrapper that runs the real browser headless.
//
// That directory is the same for every launch of one driver build with one browser, so it is
// made once, in foxport's cache (cache_directory.hpp: $XDG_CACHE_HOME/foxport/chromedriver/
// chromedriver-<hash>/bin, the hash of the driver's identity and the wrapper), and shared:
// making it cost every launch a quarter of a millisecond, and a 20 MB copy of the driver
// where the launch directory is on another file system than the driver (a tmpfs /tmp) (#19).
// Without a usable cache it is made in the launch's own directory, as before. When a driver
// path gets a new build (an upgrade), the entries of its old builds go.

#include <filesystem>

namespace foxport::detail {

/// The driver to run so that `driver`'s default browser is `chromium`, headless: in the
/// cache, or else made in `launch_directory`. Throws Error when neither can be made.
std::filesystem::path headless_driver(const std::filesystem::path& driver, const std::filesystem::path& chromium,
                                      const std::filesystem::path& launch_directory);

}  // namespace foxport::detail
