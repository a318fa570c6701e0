#pragma once
// What the kernel says of a process in /proc/PID/stat: its parent, CPU time, start time.

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace foxport::testing {

/// Field `number` of /proc/PID/stat as proc(5) counts them (4: ppid, 14: utime, 15: stime,
/// 22: starttime, the times in clock ticks); empty when the process or the field is not there.
/// Counted from after the name, which may hold spaces and parentheses.
inline std::string proc_stat_field(int pid, int number) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto name_end = text.rfind(')');
  if (name_end == std::string::npos || number < 3) return {};
  std::istringstream fields(text.substr(name_end + 1));
  std::string field;
  for (int i = 3; i <= number; ++i) {
    if (!(fields >> field)) return {};
  }
  return field;
}

}  // namespace foxport::testing
