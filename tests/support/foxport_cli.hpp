#pragma once
// Running the foxport command from a test. FOXPORT_CLI is its path (tests/CMakeLists.txt
// defines it for the tests that run it).

#include <string>
#include <utility>
#include <vector>

#include "support/subprocess.hpp"

#ifndef FOXPORT_CLI
#error "support/foxport_cli.hpp needs FOXPORT_CLI, the foxport command's path"
#endif

namespace foxport::testing {

/// The argv that runs foxport with `args`.
inline std::vector<std::string> foxport_command(std::vector<std::string> args) {
  args.insert(args.begin(), FOXPORT_CLI);
  return args;
}

/// How a command run to completion ended, and everything it wrote.
struct Result {
  int status;
  std::string out;
  std::string err;
};

/// Runs `argv` to completion with stdin closed.
inline Result run_argv(const std::vector<std::string>& argv) {
  Subprocess child(argv);
  child.close_stdin();
  Result result;
  result.out = child.rest_of_stdout();
  result.err = child.rest_of_stderr();
  result.status = child.wait();
  return result;
}

/// Runs foxport with `args` to completion.
inline Result run_foxport(std::vector<std::string> args) { return run_argv(foxport_command(std::move(args))); }

}  // namespace foxport::testing
