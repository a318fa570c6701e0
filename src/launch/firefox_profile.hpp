#pragma once
// Firefox's profile: foxport's test preferences, user.js, and a profile made from a template.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "foxport/firefox.hpp"

namespace foxport::detail {

/// Firefox's TMPDIR, inside its profile so that it goes with the launch; never copied.
inline constexpr const char* profile_tmpdir = "foxport-tmp";

/// One user.js line: `user_pref("name", value);` with the value escaped as JavaScript.
std::string user_js_line(const std::string& name, const PrefValue& value);

/// Whether a profile entry stays behind when a profile is copied: the state of the Firefox
/// that ran on it (locks, port files, session store, its TMPDIR) and, for `skip_user_js`, user.js.
bool skipped_in_copy(const std::string& name, bool skip_user_js);

/// Copies the profile `from` into the existing directory `to` without ever following a
/// symlink: regular files and directories only (a profile's symlinks are its `lock`, dangling
/// once Firefox is gone), minus what skipped_in_copy() names. Throws Error.
void copy_profile(const std::filesystem::path& from, const std::filesystem::path& to, bool skip_user_js);

/// The prefs user.js gets: foxport's, the options' on top (the Marionette port aside).
std::map<std::string, PrefValue> profile_prefs(const FirefoxOptions& options);

/// Fills `profile` (an empty directory): `base` copied if not empty (a user's template keeps
/// its user.js, a cached one does not), foxport's prefs, the options' prefs and the Marionette
/// port in user.js.
void prepare_profile(const std::filesystem::path& profile, const FirefoxOptions& options, std::uint16_t port,
                     const std::filesystem::path& base = {}, bool base_is_cached = false);

}  // namespace foxport::detail
