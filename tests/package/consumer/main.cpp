// Launches `sleep` under foxport's guard and says which guard it found.
#include <cstdio>
#include <filesystem>
#include <string>

#include "foxport/process.hpp"

int main() {
  foxport::ProcessOptions options;
  options.executable = "sleep";
  options.arguments = {"60"};
  auto process = foxport::Process::spawn(options);
  const auto guard = std::filesystem::read_symlink("/proc/" + std::to_string(process.guard_pid()) + "/exe");
  std::printf("guard %s\n", guard.c_str());
  process.stop();
  std::printf("stopped %s\n", process.running() ? "no" : "yes");
  return 0;
}
