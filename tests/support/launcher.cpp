// foxport-test-launcher: a caller of the library that tests can SIGKILL, to prove that the
// guard takes the launched tree down when its caller dies.
//
//   process DIR EXE [ARGS...]   launch EXE (owning DIR), print "pid N", "guard N", each
//                               child line as "line TEXT", then block
//
//   firefox                     launch Firefox, print "pid", "guard", "profile", "port", block

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "foxport/firefox.hpp"
#include "foxport/process.hpp"

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc >= 4 && std::strcmp(argv[1], "process") == 0) {
    foxport::ProcessOptions options;
    options.owned_directories = {argv[2]};
    options.executable = argv[3];
    options.arguments.assign(argv + 4, argv + argc);
    options.on_line = [](foxport::Stream, std::string_view line) {
      std::printf("line %.*s\n", static_cast<int>(line.size()), line.data());
    };
    auto process = foxport::Process::spawn(std::move(options));
    std::printf("pid %d\nguard %d\n", process.pid(), process.guard_pid());
    for (;;) ::pause();
  }
  if (argc == 2 && std::strcmp(argv[1], "firefox") == 0) {
    auto firefox = foxport::Firefox::launch();
    std::printf("pid %d\nguard %d\nprofile %s\nport %d\n", firefox.pid(), firefox.process().guard_pid(),
                firefox.profile_dir().c_str(), firefox.port());
    for (;;) ::pause();
  }
  std::fprintf(stderr, "usage: foxport-test-launcher process DIR EXE [ARGS...] | firefox\n");
  return 64;
}
