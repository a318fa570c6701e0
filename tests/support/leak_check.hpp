#pragma once
// The leak check every foxport test binary runs after each test: a test fails when it
// leaves behind a child process or zombie, any process carrying this test binary's
// marker (even one re-parented to init), an entry in the private TMPDIR, or a
// listening socket of its own.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace foxport::testing {

/// The environment variable that marks every process started by this test binary.
inline constexpr const char* owner_marker = "FOXPORT_TEST_OWNER";

/// What this test process has left behind. Processes that are still dying get up to
/// `grace` to disappear (a SIGKILLed orphan is reaped by init asynchronously).
std::vector<std::string> find_leaks(std::chrono::milliseconds grace = std::chrono::seconds(3));

/// Installs the marker, the private TMPDIR and the listener; returns the TMPDIR.
std::string install_leak_check();

/// Removes the private TMPDIR (at exit).
void remove_private_tmpdir();

/// While `deferring()` holds after a test, the check waits for the end of the test suite (for
/// launches a suite keeps started ahead for its next tests, which outlive each test).
void defer_leak_checks_while(std::function<bool()> deferring);

/// Pids of every live process carrying this binary's marker (for tests of the check).
std::vector<int> marked_processes();

}  // namespace foxport::testing
