#include "cli/run_artifacts.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "foxport/artifacts.hpp"

namespace foxport::cli {
namespace {

// Names the run (the command and foxport's pid, so that runs sharing DIR keep theirs) and the kind.
std::string bundle_name(const std::string& kind, const std::vector<std::string>& command) {
  return "run-" + kind + "-" + std::filesystem::path(command.front()).filename().string() + "-" +
         std::to_string(::getpid());
}

std::string command_line(const std::vector<std::string>& command) {
  std::string line;
  for (const auto& word : command) line += (line.empty() ? "" : " ") + word;
  return line;
}

void save(const LaunchOptions& options, const std::vector<std::string>& command, const ArtifactSources& sources) {
  const std::filesystem::path root = options.artifacts;
  const auto bundle = save_artifacts(root, bundle_name(options.kind, command), sources);
  if (bundle.empty())
    std::fprintf(stderr, "foxport: could not save the failed run's artifacts in %s\n", root.c_str());
  else
    std::fprintf(stderr, "foxport: artifacts of the failed run: %s (all of them: %s)\n", bundle.c_str(),
                 (root / "index.html").c_str());
}

}  // namespace

std::string artifacts_directory(const std::string& given) {
  auto directory = given.empty() ? artifacts_from_environment().value_or("") : std::filesystem::path(given);
  // Absolute: test processes (ctest's) run in directories of their own.
  std::error_code ec;
  if (!directory.empty()) directory = std::filesystem::absolute(directory, ec);
  return directory.string();
}

void save_failed_run(const LaunchOptions& options, const std::vector<std::string>& command, const Launched& launched,
                     const std::string& how) {
  ArtifactSources sources;
  sources.endpoint = launched.endpoint();
  sources.process = launched.process();
  sources.ready = launched.ready_report();
  sources.failure = "foxport run -- " + command_line(command) + "\n" + how + "\n";
  save(options, command, sources);
}

void save_failed_launch(const LaunchOptions& options, const std::vector<std::string>& command,
                        const std::string& error) {
  ArtifactSources sources;
  sources.screenshot_failed = "the launch failed: there is no page";
  sources.failure = "foxport run --" + options.kind + " could not launch for " + command_line(command) + ":\n" + error;
  if (options.output) sources.log = options.output->text();
  if (sources.log.empty()) sources.log = "(no output: nothing was started, or it wrote nothing)\n";
  save(options, command, sources);
}

}  // namespace foxport::cli
