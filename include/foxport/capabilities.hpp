#pragma once
/// New-session capabilities that start a browser on a CI machine.

#include <filesystem>
#include <string>

#include "foxport/export.hpp"

namespace foxport {

/// New-session capabilities for a headless Chromium that starts on a CI machine: as root it
/// needs --no-sandbox, and without network no background services. `browser` empty: the
/// first of chromium, chromium-browser, google-chrome in PATH.
FOXPORT_EXPORT std::string chromium_capabilities(const std::filesystem::path& browser = {});

/// New-session capabilities for a headless Firefox through geckodriver.
FOXPORT_EXPORT std::string firefox_capabilities(const std::filesystem::path& browser = {});

}  // namespace foxport
