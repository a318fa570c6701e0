#include "support/leak_check.hpp"

#include "foxport/grid.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

namespace fs = std::filesystem;

namespace foxport::testing {
namespace {

std::string private_tmpdir;
std::string private_cache;

// /proc files of exiting processes fail with ESRCH mid-read: never throw on them.
// read(2), not std::ifstream: a /proc file of a process that exits mid-read fails with ESRCH,
// which makes ifstream throw.
std::string read_file(const fs::path& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[8192];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

std::vector<int> all_pids() {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) pids.push_back(std::stoi(name));
  }
  return pids;
}

// Fields of /proc/PID/stat after the command name: state, ppid.
bool read_stat(int pid, char& state, int& ppid, std::string& comm) {
  const auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 1));
  return static_cast<bool>(rest >> state >> ppid);
}

std::string describe(int pid) {
  char state = '?';
  int ppid = 0;
  std::string comm;
  read_stat(pid, state, ppid, comm);
  auto cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  if (cmdline.size() > 120) cmdline.resize(120);
  return "pid " + std::to_string(pid) + " (" + comm + ", state " + state + ", ppid " + std::to_string(ppid) +
         "): " + cmdline;
}

std::vector<std::string> process_leaks() {
  std::vector<std::string> found;
  const int self = ::getpid();
  const std::string marker = std::string(owner_marker) + "=" + std::to_string(self);
  for (const int pid : all_pids()) {
    if (pid == self) continue;
    char state = '?';
    int ppid = 0;
    std::string comm;
    if (!read_stat(pid, state, ppid, comm)) continue;
    if (ppid == self) {
      found.push_back((state == 'Z' ? "leaked zombie " : "leaked child process ") + describe(pid));
      continue;
    }
    if (state == 'Z') continue;  // an orphan being reaped by init
    const auto environ = read_file("/proc/" + std::to_string(pid) + "/environ");
    std::istringstream vars(environ);
    for (std::string var; std::getline(vars, var, '\0');) {
      if (var == marker) {
        found.push_back("leaked process " + describe(pid));
        break;
      }
    }
  }
  return found;
}

std::vector<std::string> directory_leaks() {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(private_tmpdir, ec))
    found.push_back("leaked temporary entry " + entry.path().string());
  return found;
}

std::set<unsigned long> own_socket_inodes() {
  std::set<unsigned long> inodes;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    const auto target = fs::read_symlink(entry.path(), ec).string();
    if (target.rfind("socket:[", 0) == 0) inodes.insert(std::stoul(target.substr(8)));
  }
  return inodes;
}

std::vector<std::string> socket_leaks() {
  std::vector<std::string> found;
  const auto inodes = own_socket_inodes();
  if (inodes.empty()) return found;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_file(table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retrans, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retrans >> uid >> timeout >> inode;
      if (state != "0A" || inode.empty() || !inodes.count(std::stoul(inode))) continue;
      const auto port = std::stoul(local.substr(local.find(':') + 1), nullptr, 16);
      found.push_back("leaked listening socket on port " + std::to_string(port));
    }
  }
  return found;
}

void clean_up_leaks();

std::function<bool()> deferring_checks;

class LeakListener : public ::testing::EmptyTestEventListener {
  bool deferred_ = false;

  void OnTestEnd(const ::testing::TestInfo&) override {
    if (deferring_checks && deferring_checks()) {
      deferred_ = true;
      return;
    }
    check();
  }
  // Runs after the listeners appended later (reverse order): a suite's pool is stopped by then.
  void OnTestSuiteEnd(const ::testing::TestSuite&) override {
    if (std::exchange(deferred_, false)) check();
  }
  static void check() {
    const auto leaks = find_leaks();
    for (const auto& leak : leaks) ADD_FAILURE() << leak;
    // Reported once is enough: clean up so one leak does not fail every later test, and
    // so a leaked process holding ctest's output pipe cannot hang the run.
    if (!leaks.empty()) clean_up_leaks();
  }
};

void clean_up_leaks() {
  for (const int pid : marked_processes()) ::kill(pid, SIGKILL);
  for (const int pid : all_pids()) {
    char state = '?';
    int ppid = 0;
    std::string comm;
    if (read_stat(pid, state, ppid, comm) && ppid == ::getpid()) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(private_tmpdir, ec)) fs::remove_all(entry.path(), ec);
}

}  // namespace

void defer_leak_checks_while(std::function<bool()> deferring) { deferring_checks = std::move(deferring); }

std::vector<int> marked_processes() {
  std::vector<int> pids;
  const std::string marker = std::string(owner_marker) + "=" + std::to_string(::getpid());
  for (const int pid : all_pids()) {
    const auto environ = read_file("/proc/" + std::to_string(pid) + "/environ");
    if (pid != ::getpid() && environ.find(marker + '\0') != std::string::npos) pids.push_back(pid);
  }
  return pids;
}

std::vector<std::string> find_leaks(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto leaks = process_leaks();
  // Processes may still be on their way out; directories and sockets are checked once.
  while (!leaks.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    leaks = process_leaks();
  }
  for (auto& leak : directory_leaks()) leaks.push_back(std::move(leak));
  for (auto& leak : socket_leaks()) leaks.push_back(std::move(leak));
  return leaks;
}

// A test binary that crashed could not remove its TMPDIR: remove those whose binary is gone.
static void remove_stale_tmpdirs(const fs::path& root) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const auto name = entry.path().filename().string();
    int pid = 0;
    if ((std::sscanf(name.c_str(), "foxport-test.%d.", &pid) == 1 ||
         std::sscanf(name.c_str(), "foxport-test-cache.%d.", &pid) == 1) &&
        pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
      fs::remove_all(entry.path(), ec);
  }
}

std::string install_leak_check() {
  ::setenv(owner_marker, std::to_string(::getpid()).c_str(), 1);
  const auto root = fs::temp_directory_path();
  remove_stale_tmpdirs(root);
  std::string pattern = (root / ("foxport-test." + std::to_string(::getpid()) + ".XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(2);
  }
  private_tmpdir = pattern;
  ::setenv("TMPDIR", private_tmpdir.c_str(), 1);
  // The Grid jar lives in the user's cache (scripts/install-deps puts it there): name it before
  // that cache is replaced, or the Grid tests would skip.
  if (std::getenv("FOXPORT_GRID_JAR") == nullptr) {
    try {
      ::setenv("FOXPORT_GRID_JAR", foxport::find_grid_jar().c_str(), 1);
    } catch (const std::exception&) {
      // No Grid here: the Grid tests say so.
    }
  }
  // Firefox's template profiles (FirefoxOptions::warm_profile) go to a cache of this binary's
  // own, never to the user's ~/.cache: built by its first Firefox launch, removed at exit.
  std::string cache = (root / ("foxport-test-cache." + std::to_string(::getpid()) + ".XXXXXX")).string();
  if (::mkdtemp(cache.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(2);
  }
  private_cache = cache;
  ::setenv("XDG_CACHE_HOME", private_cache.c_str(), 1);
  // OnTestEnd runs in reverse order of installation, so ours runs before the printer's.
  ::testing::UnitTest::GetInstance()->listeners().Append(new LeakListener);
  return private_tmpdir;
}

void remove_private_tmpdir() {
  std::error_code ec;
  if (!private_tmpdir.empty()) fs::remove_all(private_tmpdir, ec);
  if (!private_cache.empty()) fs::remove_all(private_cache, ec);
}

}  // namespace foxport::testing
