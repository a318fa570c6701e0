#include "launch/headless_driver.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "foxport/error.hpp"
#include "launch/cache_directory.hpp"
#include "launch/chromium_arguments.hpp"
#include "platform/files.hpp"
#include "platform/process_tree.hpp"

namespace foxport::detail {
namespace fs = std::filesystem;

namespace {

constexpr const char* marker_name = "foxport-key";

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string wrapper_script(const fs::path& chromium) {
  std::string script =
      "#!/bin/sh\n# foxport: chromedriver's default browser, headless (DriverOptions::headless)\nexec " +
      shell_quoted(chromium.string());
  for (const auto& argument : chromium_arguments(true)) script += ' ' + argument;
  return script + " \"$@\"\n";
}

void write_file(const fs::path& file, const std::string& text, mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  const bool written = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ::close(fd);
  if (!written) throw Error(std::make_error_code(std::errc::io_error), "cannot write " + file.string());
}

// DIR/bin: the driver linked (or copied) in, the wrapper and its aliases beside it. Returns
// the driver to run.
fs::path make_bin(const fs::path& dir, const fs::path& real_driver, const std::string& wrapper) {
  const auto bin = dir / "bin";
  fs::create_directory(bin);
  const auto linked = bin / real_driver.filename();
  std::error_code ec;
  fs::create_hard_link(real_driver, linked, ec);  // fails across file systems or on protected_hardlinks
  if (ec) fs::copy_file(real_driver, linked);
  write_file(bin / "chromium", wrapper, 0750);
  for (const char* alias : {"chromium-browser", "google-chrome", "chrome"}) fs::create_symlink("chromium", bin / alias);
  return linked;
}

// What makes two bin directories differ: the driver build (its real path, inode, size and
// modification time: an upgrade changes them) and the wrapper.
std::string key_of(const fs::path& real_driver, const std::string& wrapper) {
  struct stat info {};
  if (::stat(real_driver.c_str(), &info) != 0) return {};
  return "foxport chromedriver bin 1\n" + real_driver.string() + "\n" + std::to_string(info.st_ino) + " " +
         std::to_string(info.st_size) + " " + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec) + "\n" + wrapper;
}

// The line of a key that names the driver's path, and the one that names its build.
std::string key_line(const std::string& key, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index && start != std::string::npos; ++i) start = key.find('\n', start) + 1;
  if (start == 0 || start > key.size()) return {};
  return key.substr(start, key.find('\n', start) - start);
}

// Whether a process runs the entry's driver: that chromedriver finds its headless browser
// beside it at every new session, so its directory must stay while it runs.
bool in_use(const fs::path& entry) {
  const auto bin = (entry / "bin").string() + "/";
  for (const int pid : platform::all_pids()) {
    if (platform::executable_of(pid).string().rfind(bin, 0) == 0) return true;
  }
  return false;
}

// Entries for another build of the same driver path go: it was upgraded, and the entry's hard
// link would keep the old binary alive. One whose driver still runs stays until a later entry
// is made, once it has ended.
void remove_stale(const fs::path& cache, const std::string& key) {
  remove_stale_entries(cache, [&key](const fs::path& entry) {
    if (entry.filename().string().rfind("chromedriver-", 0) != 0) return false;
    const auto marker = platform::read_small_file((entry / marker_name).string());
    return key_line(marker, 1) == key_line(key, 1) && key_line(marker, 2) != key_line(key, 2) && !in_use(entry);
  });
}

// The cached bin directory's driver for `key`, made if missing; empty when the cache cannot
// be used (the caller then makes one in the launch directory).
fs::path cached_driver(const fs::path& real_driver, const std::string& wrapper, const std::string& key) {
  std::string why;
  const auto cache = cache_directory("chromedriver", why);
  if (!cache || key.empty()) return {};
  const auto entry = *cache / ("chromedriver-" + hash_of(key));
  const auto driver = entry / "bin" / real_driver.filename();
  if (platform::read_small_file((entry / marker_name).string()) == key) return driver;
  // Made aside and renamed into place: a launch never sees half of one. Another launch may
  // win the race; its entry is then used.
  std::string building = (*cache / "build-XXXXXX").string();
  if (::mkdtemp(building.data()) == nullptr) return {};
  std::error_code ec;
  try {
    make_bin(building, real_driver, wrapper);
    write_file(fs::path(building) / marker_name, key, 0600);
    fs::rename(building, entry, ec);
  } catch (const std::exception&) {
    ec = std::make_error_code(std::errc::io_error);
  }
  if (ec) {
    fs::remove_all(building, ec);
  } else {
    remove_stale(*cache, key);
  }
  return platform::read_small_file((entry / marker_name).string()) == key ? driver : fs::path();
}

}  // namespace

fs::path headless_driver(const fs::path& driver, const fs::path& chromium, const fs::path& launch_directory) {
  const auto real = fs::canonical(driver);
  const auto wrapper = wrapper_script(chromium);
  if (auto cached = cached_driver(real, wrapper, key_of(real, wrapper)); !cached.empty()) return cached;
  return make_bin(launch_directory, real, wrapper);
}

}  // namespace foxport::detail
