#pragma once
/// What a failed test leaves for people to look at: a directory per failure with a picture of
/// the page, the browser's last output, its process tree and its ready report, and one
/// index.html over all of them. The GoogleTest integration saves one for each failed test when
/// FOXPORT_ARTIFACTS names a directory.
#include <filesystem>
#include <optional>
#include <string>

#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"

namespace foxport {

/// $FOXPORT_ARTIFACTS, when set and not empty.
FOXPORT_EXPORT std::optional<std::filesystem::path> artifacts_from_environment();

/// What to save about one endpoint.
struct ArtifactSources {
  Endpoint endpoint{};                 ///< the browser to take the picture from
  const Process* process = nullptr;    ///< its output and process tree, when known here
  const ReadyReport* ready = nullptr;  ///< how it became ready, when known here
  std::string webdriver_session{};     ///< WebDriver kinds: the session whose page to capture
  std::string failure{};               ///< what failed (the test's failure messages)
  std::string screenshot{};            ///< a PNG taken earlier: saved instead of taking one
  std::string screenshot_failed{};     ///< why taking one earlier failed: none is taken now
  std::string log{};                   ///< the output when there is no process (a launch that failed)
};

/// A PNG of the page `sources` points at: Firefox through a Marionette session of foxport's
/// own (it shows the page the test left), Chromium through the DevTools protocol (its first
/// page), WebDriver kinds through `webdriver_session` (chromedriver: else a session its client
/// left open). Throws
/// foxport::Error or std::exception saying why there is none.
FOXPORT_EXPORT std::string take_screenshot(const ArtifactSources& sources);

/// Writes the bundle `root/name/`: screenshot.png, log.txt (the browser's last output lines),
/// tree.txt (pid and command line of each process of the launch), ready.txt, failure.txt,
/// crashes/ (a Firefox endpoint's minidumps, PROFILE/minidumps: FirefoxOptions::crash_dumps), and notes.txt naming
/// anything that could not be saved and why; then rewrites root/index.html. Never throws; returns the bundle's
/// directory (empty if none could be made).
FOXPORT_EXPORT std::filesystem::path save_artifacts(const std::filesystem::path& root, const std::string& name,
                                                    const ArtifactSources& sources) noexcept;

/// Rewrites root/index.html: every bundle under root with its screenshot, failure and log tail.
FOXPORT_EXPORT void write_artifact_index(const std::filesystem::path& root);

}  // namespace foxport
