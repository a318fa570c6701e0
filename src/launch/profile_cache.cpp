#include "launch/profile_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "foxport/error.hpp"
#include "launch/cache_directory.hpp"
#include "launch/firefox_profile.hpp"
#include "platform/files.hpp"
#include "platform/port_lock.hpp"

namespace foxport::detail {
namespace fs = std::filesystem;

namespace {

constexpr const char* marker_name = "foxport-template";

// The values of `names` in an ini file, as "name=value" lines (first occurrence of each).
std::string ini_values(const fs::path& file, std::initializer_list<const char*> names) {
  std::istringstream in(platform::read_small_file(file.string()));
  std::string found;
  for (const char* name : names) {
    in.clear();
    in.seekg(0);
    const std::string prefix = std::string(name) + "=";
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0) {
        found += file.filename().string() + " " + line + "\n";
        break;
      }
    }
  }
  return found;
}

// The build identity of an install: what changes when Firefox is updated.
std::string build_identity(const fs::path& install_dir) {
  return ini_values(install_dir / "application.ini", {"Version", "BuildID", "SourceStamp"}) +
         ini_values(install_dir / "platform.ini", {"BuildID", "Milestone", "SourceStamp"});
}

std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return {};
}

bool complete(const fs::path& entry, const std::string& key) {
  return platform::read_small_file((entry / marker_name).string()) == key;
}

// Removes what is left of entries for this install built by another Firefox build, and
// builds abandoned for an hour (the guard removes them unless it was killed too). Renamed
// away first: a launch copying from an entry fails its copy and goes on with a fresh profile.
void remove_stale(const fs::path& cache, const std::string& key) {
  const auto install = line_starting(key, "install=");
  const auto identity = build_identity(install.substr(8));
  const auto removed = remove_stale_entries(cache, [&](const fs::path& entry) {
    if (entry.filename().string().rfind("firefox-", 0) != 0) return false;
    const auto marker = platform::read_small_file((entry / marker_name).string());
    return !marker.empty() && line_starting(marker, "install=") == install &&
           marker.find(identity) == std::string::npos;
  });
  for (const auto& name : removed) {
    std::error_code ignored;
    if (name.rfind("firefox-", 0) == 0) fs::remove(cache / (name + ".lock"), ignored);
  }
}

fs::path wrapper_record(const fs::path& binary, const fs::path& cache) {
  std::error_code ec;
  const auto real = fs::weakly_canonical(binary, ec);
  return cache / ("wrapper-" + hash_of((ec ? binary : real).string()));
}

struct LockFile {
  platform::FileLock lock;
  ~LockFile() {
    if (lock.fd >= 0) ::close(lock.fd);
  }
};

// Builds the template for `key` under the lock already held. Returns the entry, or empty
// with `why`.
fs::path build(const fs::path& binary, const FirefoxOptions& options, const std::string& key, const fs::path& cache,
               const TemplateBuilder& builder, std::string& why) {
  std::string directory = (cache / "build-XXXXXX").string();
  if (::mkdtemp(directory.data()) == nullptr) {
    why = "cannot create a build directory in " + cache.string();
    return {};
  }
  fs::path entry;
  builder(directory, [&](const fs::path& executable) {
    remember_install_dir(binary, executable, cache);
    if (template_key(executable.parent_path(), options) != key) {
      why = binary.string() + " ran " + executable.string() + ", not the install the template was keyed on";
      return;
    }
    // The quit Firefox's lock (a symlink, left even by a clean exit), its session store, the
    // build's user.js: never copied, so not kept either.
    std::error_code ec;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code remove_ec;
      if (skipped_in_copy(it->path().filename().string(), true)) fs::remove_all(it->path(), remove_ec);
    }
    std::ofstream(fs::path(directory) / marker_name) << key;
    remove_stale(cache, key);
    entry = cache / template_entry_name(key);
    if (complete(entry, key)) return;  // made meanwhile through another path to the binary
    ec.clear();
    fs::remove_all(entry, ec);  // under the lock: an incomplete entry (no marker) of this key
    fs::rename(directory, entry, ec);
    if (ec) {
      why = "cannot move the template into " + entry.string() + ": " + ec.message();
      entry.clear();
    }
  });
  return entry;
}

}  // namespace

std::optional<fs::path> profile_cache_directory(std::string& why) { return cache_directory("profiles", why); }

bool profile_cache_enabled(const FirefoxOptions& options) {
  const char* env = std::getenv("FOXPORT_NO_CACHE");
  const bool refused = env != nullptr && env[0] != '\0' && std::string_view(env) != "0";
  return options.warm_profile && options.profile_template.empty() && !refused;
}

std::string template_key(const fs::path& install_dir, const FirefoxOptions& options) {
  const auto identity = build_identity(install_dir);
  if (identity.find("application.ini Version=") == std::string::npos) return {};
  std::string key = "foxport profile template 1\ninstall=" + install_dir.string() + "\n" + identity;
  key += options.headless ? "headless\n" : "headed\n";
  for (const auto& [name, value] : profile_prefs(options)) key += user_js_line(name, value);
  return key;
}

std::string template_entry_name(const std::string& key) { return "firefox-" + hash_of(key); }

fs::path install_dir_of(const fs::path& binary, const fs::path& cache) {
  std::error_code ec;
  const auto real = fs::weakly_canonical(binary, ec);
  if (!ec && fs::exists(real.parent_path() / "application.ini", ec)) return real.parent_path();
  fs::path recorded = platform::read_small_file(wrapper_record(binary, cache).string());
  if (!recorded.empty() && fs::exists(recorded / "application.ini", ec)) return recorded;
  return {};
}

void remember_install_dir(const fs::path& binary, const fs::path& running_executable, const fs::path& cache) {
  std::error_code ec;
  const auto real = fs::weakly_canonical(binary, ec);
  if (ec || real.parent_path() == running_executable.parent_path()) return;  // not a wrapper
  const auto record = wrapper_record(binary, cache);
  if (platform::read_small_file(record.string()) == running_executable.parent_path().string()) return;
  const auto temporary = record.string() + "." + std::to_string(::getpid());
  std::ofstream(temporary) << running_executable.parent_path().string();
  fs::rename(temporary, record, ec);
  if (ec) fs::remove(temporary, ec);
}

WarmTemplate warm_template(const fs::path& binary, const FirefoxOptions& options, const TemplateBuilder& builder) {
  WarmTemplate result;
  if (!profile_cache_enabled(options)) return result;
  try {
    const auto cache = profile_cache_directory(result.note);
    if (!cache) return result;
    result.cache = *cache;
    const auto install = install_dir_of(binary, *cache);
    if (install.empty()) {
      // A wrapper never run from this cache: this launch records where it leads (Firefox::launch
      // calls remember_install_dir), the next one builds the template.
      result.note = "the Firefox install behind " + binary.string() + " is not known yet: a fresh profile this time";
      return result;
    }
    const auto key = template_key(install, options);
    if (key.empty()) return result;
    const auto entry = *cache / template_entry_name(key);
    if (complete(entry, key)) {
      result.profile = entry;
      return result;
    }
    // One build per key at a time.
    const auto lock_path = *cache / (entry.filename().string() + ".lock");
    LockFile lock{platform::try_lock_file(lock_path)};
    if (lock.lock.fd < 0) {
      result.note = lock.lock.busy ? "the template profile is being built by another launch: a fresh profile this time"
                                   : "cannot lock " + lock_path.string();
      return result;
    }
    if (complete(entry, key)) {  // built while we were looking
      result.profile = entry;
      return result;
    }
    result.profile = build(binary, options, key, *cache, builder, result.note);
    result.built = !result.profile.empty();
  } catch (const std::exception& e) {
    result.profile.clear();
    result.note = std::string("the template profile could not be built: ") + e.what();
  }
  return result;
}

}  // namespace foxport::detail
