#pragma once
// Where foxport's own helper lives. (find_executable and make_temporary_directory are
// public, in foxport/process.hpp; this unit implements them too.)

#include <filesystem>
#include <string>
#include <vector>

namespace foxport::detail {

/// What the guard search starts from (find_guard fills it in from this build and process).
struct GuardSearch {
  std::filesystem::path executable;     ///< the running program (/proc/self/exe)
  std::filesystem::path library;        ///< the file holding libfoxport's code (dladdr)
  std::filesystem::path build_tree;     ///< the build tree libfoxport was built in
  std::filesystem::path build_guard;    ///< the guard in that build tree
  std::filesystem::path install_guard;  ///< ${CMAKE_INSTALL_FULL_LIBEXECDIR}/foxport-guard
};

/// Where to look, in order, without duplicates: the build tree's guard only when the program
/// or the library lies inside the build tree; the install path; then beside the program and
/// in its ../libexec, and the same for the library (a moved install prefix).
std::vector<std::filesystem::path> guard_candidates(const GuardSearch& search);

/// "cannot execute PATH", and why when exec's `error` alone would mislead: ENOENT for a file
/// that exists means its #! interpreter is missing.
std::string cannot_execute(const std::filesystem::path& executable, int error);

/// The directory temporary directories go in (TMPDIR, else /tmp). Throws foxport::Error
/// naming the variable when it points nowhere usable.
std::filesystem::path temporary_root();

/// The guard: $FOXPORT_GUARD alone when it is set, else the first executable of
/// guard_candidates(). Empty, with `message` listing every place tried, when not found.
std::filesystem::path find_guard(std::string& message);

}  // namespace foxport::detail
