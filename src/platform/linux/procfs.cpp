// Processes from /proc. Boost-free: the guard compiles this unit too.

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <unordered_map>

#include "platform/files.hpp"
#include "platform/process_tree.hpp"

namespace foxport::platform {
namespace {

std::string proc_path(int pid, const char* entry) { return "/proc/" + std::to_string(pid) + "/" + entry; }

// State and parent from /proc/PID/stat; the command name may hold spaces and parentheses.
bool read_stat(int pid, char& state, int& ppid) {
  const auto stat = read_small_file(proc_path(pid, "stat"));
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(stat.substr(close + 1));
  return static_cast<bool>(rest >> state >> ppid);
}

}  // namespace

std::vector<int> all_pids() {
  std::vector<int> pids;
  if (DIR* proc = ::opendir("/proc")) {
    while (const dirent* entry = ::readdir(proc)) {
      char* end = nullptr;
      const long pid = std::strtol(entry->d_name, &end, 10);
      if (*end == '\0' && pid > 0) pids.push_back(static_cast<int>(pid));
    }
    ::closedir(proc);
  }
  return pids;
}

std::string read_small_file(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[8192];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

int parent_of(int pid) {
  char state = 0;
  int ppid = -1;
  return read_stat(pid, state, ppid) ? ppid : -1;
}

bool alive(int pid) {
  char state = 0;
  int ppid = -1;
  return read_stat(pid, state, ppid) && state != 'Z' && state != 'X';
}

std::vector<int> descendants_of(int root) {
  std::unordered_map<int, std::vector<int>> children;
  for (const int pid : all_pids()) {
    char state = 0;
    int ppid = -1;
    if (read_stat(pid, state, ppid) && state != 'Z' && state != 'X') children[ppid].push_back(pid);
  }
  std::vector<int> found;
  std::vector<int> todo{root};
  while (!todo.empty()) {
    const int parent = todo.back();
    todo.pop_back();
    for (const int pid : children[parent]) {
      found.push_back(pid);
      todo.push_back(pid);
    }
  }
  return found;
}

std::string command_line(int pid) {
  auto text = read_small_file(proc_path(pid, "cmdline"));
  while (!text.empty() && text.back() == '\0') text.pop_back();
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

std::optional<std::string> environment_value(int pid, const std::string& name) {
  std::istringstream vars(read_small_file(proc_path(pid, "environ")));
  const std::string prefix = name + "=";
  for (std::string var; std::getline(vars, var, '\0');) {
    if (var.compare(0, prefix.size(), prefix) == 0) return var.substr(prefix.size());
  }
  return std::nullopt;
}

std::filesystem::path executable_of(int pid) {
  std::error_code ec;
  return std::filesystem::read_symlink(proc_path(pid, "exe"), ec);
}

int open_exit_descriptor(int pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace foxport::platform
