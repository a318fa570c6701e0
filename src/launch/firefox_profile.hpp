#pragma once
// Firefox's profile: foxport's test preferences, user.js, and a profile made from a template.

#include <cstdint>
#include <filesystem>
#include <string>

#include "foxport/firefox.hpp"

namespace foxport::detail {

/// One user.js line: `user_pref("name", value);` with the value escaped as JavaScript.
std::string user_js_line(const std::string& name, const PrefValue& value);

/// Fills `profile` (an empty directory): the template copied if any, stale port files and
/// locks removed, foxport's prefs, the options' prefs and the Marionette port in user.js.
void prepare_profile(const std::filesystem::path& profile, const FirefoxOptions& options, std::uint16_t port);

}  // namespace foxport::detail
