#include "process/locate.hpp"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "foxport/error.hpp"
#include "foxport/process.hpp"
#include "platform/process_tree.hpp"

namespace foxport {
namespace fs = std::filesystem;

fs::path find_executable(const fs::path& name, std::error_code& ec, std::string* message) {
  ec.clear();
  auto fail = [&](errc code, const std::string& text) {
    ec = code;
    if (message != nullptr) *message = text;
    return fs::path();
  };
  auto usable = [](const char* path, bool& exists) {
    struct stat info {};
    exists = ::stat(path, &info) == 0 && S_ISREG(info.st_mode);
    return exists && ::access(path, X_OK) == 0;
  };
  if (name.empty()) return fail(errc::binary_not_found, "no executable given");
  bool exists = false;
  if (name.native().find('/') != std::string::npos) {
    if (usable(name.c_str(), exists)) return fs::absolute(name);
    return exists ? fail(errc::binary_not_executable, name.string() + " is not executable")
                  : fail(errc::binary_not_found, name.string() + " does not exist");
  }
  const char* path_env = std::getenv("PATH");
  const std::string_view path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  // PATH's entries, split in place; an empty one is the working directory.
  const auto each_directory = [&path](const auto& visit) {
    for (std::size_t start = 0; start < path.size();) {
      const auto end = std::min(path.find(':', start), path.size());
      const auto entry = path.substr(start, end - start);
      if (visit(entry.empty() ? std::string_view(".") : entry)) return;
      start = end + 1;
    }
  };
  // One buffer for every candidate: no string stream (it builds the C++ locale) and no path
  // object per entry on the way to every launch (#19).
  std::string candidate, not_executable;
  fs::path found;
  each_directory([&](std::string_view dir) {
    candidate.assign(dir).append("/").append(name.native());
    if (usable(candidate.c_str(), exists)) {
      found = dir.front() == '/' ? fs::path(candidate) : fs::absolute(candidate);
      return true;
    }
    if (exists && not_executable.empty()) not_executable = candidate;
    return false;
  });
  if (!found.empty()) return found;
  if (!not_executable.empty()) return fail(errc::binary_not_executable, not_executable + " is not executable");
  std::string searched;
  each_directory([&searched](std::string_view dir) {
    searched.append(searched.empty() ? "" : ":").append(dir);
    return false;
  });
  return fail(errc::binary_not_found, name.string() + " not found in PATH (" + searched + ")");
}

fs::path find_executable(const fs::path& name) {
  std::error_code ec;
  std::string message;
  auto path = find_executable(name, ec, &message);
  if (ec) throw Error(ec, message);
  return path;
}

fs::path make_temporary_directory(std::string_view purpose) {
  return make_temporary_directory(purpose, detail::temporary_root());
}

fs::path detail::temporary_root() {
  std::error_code ec;
  auto parent = fs::temp_directory_path(ec);
  if (ec) {  // name the variable that pointed nowhere (the ones libstdc++ reads, in its order)
    for (const char* name : {"TMPDIR", "TMP", "TEMP", "TEMPDIR"}) {
      if (const char* value = std::getenv(name); value != nullptr) {
        throw Error(ec, std::string(name) + "=" + value +
                            " is not a usable temporary directory (set it to an existing directory, or unset it)");
      }
    }
    throw Error(ec, "no temporary directory (/tmp is not usable; set TMPDIR)");
  }
  return parent;
}

fs::path make_temporary_directory(std::string_view purpose, const fs::path& parent) {
  std::string pattern = (parent / ("foxport-" + std::string(purpose) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {  // mkdtemp creates it 0700
    throw Error(std::error_code(errno, std::system_category()), "cannot create a temporary directory " + pattern);
  }
  return pattern;
}

namespace detail {

std::string cannot_execute(const fs::path& executable, int error) {
  std::string text = "cannot execute " + executable.string();
  std::error_code ec;
  if (error != ENOENT || !fs::is_regular_file(executable, ec)) return text;
  std::ifstream file(executable);
  std::string first_line;
  std::getline(file, first_line);
  if (first_line.rfind("#!", 0) != 0) return text;
  std::istringstream words(first_line.substr(2));
  std::string interpreter;
  words >> interpreter;
  return text + " (its #! interpreter " + interpreter + " does not exist)";
}

// The guard: $FOXPORT_GUARD alone when set; else the build tree's guard for programs and
// libraries in the build tree, the installed guard, and then beside (or in ../libexec of)
// the program and the library, so that a moved install prefix still works. The error
// lists every place tried.
fs::path find_guard(std::string& message) {
  std::vector<fs::path> candidates;
  GuardSearch search;
  search.build_tree = FOXPORT_BUILD_TREE;
  search.build_guard = FOXPORT_GUARD_BUILD_PATH;
  search.install_guard = FOXPORT_GUARD_INSTALL_PATH;
  const char* env = std::getenv("FOXPORT_GUARD");
  const bool from_env = env != nullptr && *env != '\0';
  if (from_env) {
    candidates.emplace_back(env);
  } else {
    std::error_code ec;
    search.executable = platform::executable_of(::getpid());
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&find_guard), &info) != 0 && info.dli_fname != nullptr &&
        *info.dli_fname != '\0') {
      search.library = fs::absolute(info.dli_fname, ec);
    }
    candidates = guard_candidates(search);
  }
  for (const auto& candidate : candidates) {
    struct stat status {};
    if (::stat(candidate.c_str(), &status) == 0 && S_ISREG(status.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  if (from_env) {  // say what is wrong with the one place the user named
    struct stat status {};
    const std::string named = std::string("FOXPORT_GUARD=") + env;
    if (::stat(env, &status) != 0) {
      message = named + " does not exist";
    } else if (S_ISDIR(status.st_mode)) {
      message = named + " names a directory, not the foxport-guard executable";
    } else {
      message = named + (S_ISREG(status.st_mode) ? " is not executable" : " is not a regular file");
    }
    return {};
  }
  message = "foxport-guard not found; tried";
  for (const auto& candidate : candidates) message.append(" ").append(candidate.string());  // not +: GCC 12 -Wrestrict
  message +=
      " (set FOXPORT_GUARD to its path, or install foxport so that " + search.install_guard.string() + " exists)";
  return {};
}

}  // namespace detail
}  // namespace foxport
