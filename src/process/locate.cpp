#include "process/locate.hpp"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

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
  auto usable = [](const fs::path& path, bool& exists) {
    struct stat info {};
    exists = ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
    return exists && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) return fail(errc::binary_not_found, "no executable given");
  bool exists = false;
  if (name.string().find('/') != std::string::npos) {
    if (usable(name, exists)) return fs::absolute(name);
    return exists ? fail(errc::binary_not_executable, name.string() + " is not executable")
                  : fail(errc::binary_not_found, name.string() + " does not exist");
  }
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::string searched;
  fs::path not_executable;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) dir = ".";
    const auto candidate = fs::path(dir) / name;
    if (usable(candidate, exists)) return fs::absolute(candidate);
    if (exists && not_executable.empty()) not_executable = candidate;
    searched += (searched.empty() ? "" : ":") + dir;
  }
  if (!not_executable.empty()) return fail(errc::binary_not_executable, not_executable.string() + " is not executable");
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
  std::string pattern = (fs::temp_directory_path() / ("foxport-" + std::string(purpose) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {  // mkdtemp creates it 0700
    throw Error(std::error_code(errno, std::system_category()), "cannot create a temporary directory " + pattern);
  }
  return pattern;
}

namespace detail {

// The guard: $FOXPORT_GUARD, else beside the library or program, else where it was installed
// or built. The error lists every place tried.
fs::path find_guard(std::string& message) {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("FOXPORT_GUARD"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&find_guard), &info) != 0 && info.dli_fname != nullptr) {
      const auto dir = fs::path(info.dli_fname).parent_path();
      candidates.push_back(dir / "foxport-guard");
      candidates.push_back(dir / "../libexec/foxport-guard");
    }
    const auto self = platform::executable_of(::getpid()).parent_path();
    candidates.push_back(self / "foxport-guard");
    candidates.push_back(self / "../libexec/foxport-guard");
    candidates.emplace_back(FOXPORT_GUARD_INSTALL_PATH);
    candidates.emplace_back(FOXPORT_GUARD_BUILD_PATH);
  }
  for (const auto& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal();
  }
  message = "foxport-guard not found; tried";
  for (const auto& candidate : candidates) message += " " + candidate.lexically_normal().string();
  message += " (set FOXPORT_GUARD to its path)";
  return {};
}

}  // namespace detail
}  // namespace foxport
