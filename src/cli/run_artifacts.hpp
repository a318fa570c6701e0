#pragma once
// `foxport run --artifacts DIR`: the bundle of a failed run (the command failed, or the launch
// did), saved before teardown into DIR/run-KIND-COMMAND-PID/ and listed in DIR/index.html.

#include <string>
#include <vector>

#include "cli/options.hpp"

namespace foxport::cli {

/// --artifacts, else $FOXPORT_ARTIFACTS, made absolute; else "": what LaunchOptions::artifacts becomes.
std::string artifacts_directory(const std::string& given);

/// Saves the bundle of a run whose command failed (`how`: how the command ended, and the
/// endpoint's end if it died) and prints its path on stderr.
void save_failed_run(const LaunchOptions& options, const std::vector<std::string>& command, const Launched& launched,
                     const std::string& how);

/// Saves the bundle of a launch that failed (`error`: what was tried and seen) with the
/// output it wrote, and prints its path on stderr.
void save_failed_launch(const LaunchOptions& options, const std::vector<std::string>& command,
                        const std::string& error);

}  // namespace foxport::cli
