// Firefox keeps its temporary files out of the caller's TMPDIR (#15 item 10): during start-up it
// makes `firefox-esr/` and `remote-settings-startup-bundle-*` there, which stayed behind when the
// launch was killed before Firefox removed them. Each test watches a TMPDIR of its own (inotify)
// and stops the launch the moment anything but foxport's own directory appears in it, or once
// Firefox is ready: either way the TMPDIR must end up empty.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/foxport_cli.hpp"
#include "support/subprocess.hpp"

namespace fs = std::filesystem;
using foxport::testing::Subprocess;
using foxport::testing::wait_removed;
using namespace std::chrono_literals;

namespace {

// The caller's TMPDIR for one launch, and what appeared in it.
struct WatchedTmpdir {
  fs::path path = fs::temp_directory_path() / "caller-tmpdir";
  int fd = -1;
  std::vector<std::string> launch_directories;  // foxport-*: the guard removes them

  WatchedTmpdir() {
    fs::create_directory(path);
    fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    ::inotify_add_watch(fd, path.c_str(), IN_CREATE | IN_MOVED_TO);
  }
  ~WatchedTmpdir() {
    ::close(fd);
    fs::remove_all(path);
  }

  // True when an entry that is not a launch directory of foxport's was created.
  bool littered() {
    alignas(inotify_event) char buffer[4096];
    bool found = false;
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) {
      for (char* at = buffer; at < buffer + n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(at);
        const std::string name = event->len > 0 ? event->name : "";
        if (name.rfind("foxport-", 0) == 0) {
          launch_directories.push_back(name);
        } else {
          found = true;
        }
        at += sizeof(inotify_event) + event->len;
      }
    }
    return found;
  }

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path)) names.push_back(entry.path().filename().string());
    return names;
  }
};

// Runs `argv` with `tmpdir` as its TMPDIR and sends it `sig` as soon as the TMPDIR is littered
// or the program prints a line containing `ready` (bounded); returns how it exited.
int signal_mid_launch(WatchedTmpdir& tmpdir, std::vector<std::string> argv, const std::string& ready, int sig) {
  argv.insert(argv.begin(), {"/usr/bin/env", "TMPDIR=" + tmpdir.path.string()});
  Subprocess launch(argv);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (!tmpdir.littered() && output.find(ready) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd fds[2] = {{tmpdir.fd, POLLIN, 0}, {launch.stdout_fd(), POLLIN, 0}};
    if (::poll(fds, 2, 1000) < 0) break;
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      char chunk[4096];
      const auto n = ::read(launch.stdout_fd(), chunk, sizeof chunk);
      if (n <= 0) break;  // it ended on its own: its exit status says why
      output.append(chunk, static_cast<size_t>(n));
    }
  }
  ::kill(launch.pid(), sig);
  const int status = launch.wait();
  tmpdir.littered();  // the last launch directories
  for (const auto& name : tmpdir.launch_directories)
    EXPECT_TRUE(wait_removed(tmpdir.path / name, 15s)) << name << " was not removed";
  return status;
}

}  // namespace

TEST(FirefoxTmpdir, KillingTheCallerMidLaunchLeavesItsTmpdirEmpty) {
  WatchedTmpdir tmpdir;
  const int status = signal_mid_launch(tmpdir, {FOXPORT_TEST_LAUNCHER, "firefox"}, "port ", SIGKILL);
  EXPECT_EQ(status, 128 + SIGKILL);
  EXPECT_FALSE(tmpdir.launch_directories.empty()) << "the launch made no directory: it did not run";
  EXPECT_EQ(tmpdir.entries(), std::vector<std::string>{});
}

TEST(FirefoxTmpdir, StoppingFoxportMidLaunchLeavesItsTmpdirEmpty) {
  WatchedTmpdir tmpdir;
  const int status =
      signal_mid_launch(tmpdir, foxport::testing::foxport_command({"start", "--firefox"}), "ready", SIGTERM);
  EXPECT_EQ(status, 128 + SIGTERM);
  EXPECT_FALSE(tmpdir.launch_directories.empty()) << "the launch made no directory: it did not run";
  EXPECT_EQ(tmpdir.entries(), std::vector<std::string>{});
}
