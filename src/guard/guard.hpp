#pragma once
// The guard's program (guard.cpp): foxport-guard's main, and the guard a command starts as a
// fork of itself, without an exec (foxport start and run: process/pending_guard.hpp, #19).

namespace foxport::guard {

/// Runs the guard with foxport-guard's command line (argv[0] included) and descriptors 3
/// (control) and 4 (status) open; returns its exit status.
int run(int argc, char** argv);

}  // namespace foxport::guard
