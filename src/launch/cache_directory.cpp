#include "launch/cache_directory.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "platform/process_tree.hpp"

namespace foxport::detail {
namespace fs = std::filesystem;

namespace {

// A directory of ours that nobody else can write to or replace: created 0700 (and its
// parents) if missing. One lstat when it is there already, as it is at every launch but the
// first (#19: the mkdir tried first was two more system calls per level).
bool private_directory(const fs::path& dir, bool make_0700, std::string& why) {
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      why = "cannot create " + dir.string() + ": " + std::error_code(errno, std::system_category()).message();
      return false;
    }
    if (::lstat(dir.c_str(), &info) != 0) info.st_mode = 0;  // refused below, as no directory
  }
  if (!S_ISDIR(info.st_mode) || info.st_uid != ::geteuid()) {
    why = dir.string() + " is a symlink, not a directory, or not owned by uid " + std::to_string(::geteuid());
    return false;
  }
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !make_0700) {
    why = dir.string() + " is writable by group or others";
    return false;
  }
  if (make_0700 && (info.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
    why = "cannot make " + dir.string() + " private (0700)";
    return false;
  }
  return true;
}

// Whether the process that renamed an entry away (stale-NAME-PID) still runs, and so may
// still be removing it: removing it under that process would fail its removal.
bool removal_under_way(const std::string& name) {
  const auto dash = name.rfind('-');
  if (dash == std::string::npos) return false;
  char* end = nullptr;
  const long pid = std::strtol(name.c_str() + dash + 1, &end, 10);
  if (*end != '\0' || pid <= 0) return false;
  return platform::alive(static_cast<int>(pid));
}

}  // namespace

std::optional<fs::path> cache_directory(std::string_view name, std::string& why) {
  fs::path root;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    root = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    root = fs::path(home) / ".cache";
  } else {
    why = "neither XDG_CACHE_HOME nor HOME is set";
    return std::nullopt;
  }
  const auto foxport = root / "foxport";
  const auto directory = foxport / name;
  if (!private_directory(foxport, false, why) || !private_directory(directory, true, why)) return std::nullopt;
  return directory;
}

std::vector<std::string> remove_stale_entries(const fs::path& cache,
                                              const std::function<bool(const fs::path&)>& stale) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (fs::directory_iterator it(cache, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    bool doomed = false;
    if (name.rfind("stale-", 0) == 0) {  // renamed away below by a removal: go on with it if cut short
      if (!removal_under_way(name)) {
        std::error_code remove_ec;
        fs::remove_all(it->path(), remove_ec);
      }
      continue;
    }
    if (name.rfind("build-", 0) == 0) {
      std::error_code time_ec;
      const auto age = fs::file_time_type::clock::now() - fs::last_write_time(it->path(), time_ec);
      doomed = !time_ec && age > std::chrono::hours(1);
    } else {
      doomed = stale(it->path());
    }
    if (!doomed) continue;
    const auto away = cache / ("stale-" + name + "-" + std::to_string(::getpid()));
    std::error_code remove_ec;
    fs::rename(it->path(), away, remove_ec);
    if (!remove_ec) fs::remove_all(away, remove_ec);
    if (!remove_ec) removed.push_back(name);
  }
  return removed;
}

std::string hash_of(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace foxport::detail
