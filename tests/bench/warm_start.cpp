// Section 6 of foxport-bench: exec to first page title with a warm template profile, a fresh
// profile, and a Firefox started by hand, alternating in one run; wall time and CPU seconds.

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "foxport/firefox.hpp"
#include "foxport/marionette.hpp"
#include "foxport/process.hpp"
#include "support/page_server.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// An http page: a Firefox without foxport's prefs refuses top-level data: navigation.
foxport::testing::PageServer* page = nullptr;

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// CPU seconds of everything this process and its reaped descendants have used: the guard
// reaps Firefox's tree and foxport reaps the guard, so a stopped launch is all in here.
double cpu_seconds() {
  rusage self{}, children{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  return seconds_of(self.ru_utime) + seconds_of(self.ru_stime) + seconds_of(children.ru_utime) +
         seconds_of(children.ru_stime);
}

struct Sample {
  double first_page = 0;    // seconds: launch call (or exec) to the title read
  double cpu = 0;           // seconds of CPU: start to first page and stop
  double before_spawn = 0;  // seconds: launch call to spawn (the profile's making, the copy included)
};

std::string first_title(std::uint16_t port) {
  auto client = foxport::Marionette::connect("127.0.0.1", port, std::chrono::seconds(30));
  client.new_session();
  client.navigate(page->url());
  return client.title();
}

Sample with_foxport(bool warm, bool devtools_env) {
  foxport::FirefoxOptions options;
  options.warm_profile = warm;
  if (devtools_env) options.environment["MOZ_REMOTE_SETTINGS_DEVTOOLS"] = "1";
  const double cpu = cpu_seconds();
  const auto start = Clock::now();
  auto firefox = foxport::Firefox::launch(options);
  if (first_title(firefox.port()) != page->title()) std::fprintf(stderr, "warm start bench: wrong title\n");
  Sample sample;
  sample.before_spawn = std::chrono::duration<double>(firefox.ready_report().spawned - start).count();
  sample.first_page = std::chrono::duration<double>(Clock::now() - start).count();
  firefox.stop();
  sample.cpu = cpu_seconds() - cpu;
  return sample;
}

// Firefox as a hand-written launcher starts it: the binary, --marionette --headless, an
// empty profile (only marionette.port 0, so that runs never collide on 2828), the port read
// from MarionetteActivePort once it appears.
Sample by_hand(const fs::path& binary) {
  const auto profile = foxport::make_temporary_directory("bench-bare");
  std::ofstream(profile / "user.js") << "user_pref(\"marionette.port\", 0);\n";
  const double cpu = cpu_seconds();
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execl(binary.c_str(), binary.c_str(), "--marionette", "--headless", "--no-remote", "--profile", profile.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::uint16_t port = 0;
  while (port == 0 && Clock::now() - start < std::chrono::seconds(60)) {
    std::ifstream in(profile / "MarionetteActivePort");
    int value = 0;
    if (in >> value && value > 0) port = static_cast<std::uint16_t>(value);
    if (port == 0) ::usleep(10'000);  // the hand-written launcher's polling: part of the baseline
  }
  Sample sample;
  if (port != 0 && first_title(port) != page->title()) std::fprintf(stderr, "warm start bench: wrong title\n");
  sample.first_page = std::chrono::duration<double>(Clock::now() - start).count();
  ::kill(-pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  ::kill(-pid, SIGKILL);  // anything of the group that outlived its parent
  sample.cpu = cpu_seconds() - cpu;
  fs::remove_all(profile);
  return sample;
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}
double median(const std::vector<double>& values) { return quantile(values, 0.5); }

}  // namespace

void warm_start(int runs) {
  foxport::testing::PageServer server("bench");
  page = &server;
  std::printf("\n## 6. Warm start: exec to first page title\n\n");
  std::printf(
      "Launch (or exec) until the title of a page (HTTP, on 127.0.0.1) was read over a second Marionette session of "
      "the "
      "caller's: foxport's launch includes its own session (ready_for_session). CPU: the whole tree's user + "
      "system seconds from launch to stop. %d alternating runs each; the template was built before the first.\n\n",
      runs);
  // The real binary: a wrapper script would cost the by-hand launch its shell.
  fs::path binary;
  {
    foxport::FirefoxOptions options;
    options.ready_for_session = false;
    auto firefox = foxport::Firefox::launch(options);  // builds the template if missing
    binary = fs::read_symlink("/proc/" + std::to_string(firefox.pid()) + "/exe");
  }
  with_foxport(true, false);  // a warm-up that also makes sure the template exists
  with_foxport(true, true);
  struct Variant {
    const char* what;
    std::vector<double> page, cpu, before_spawn;
  };
  std::vector<Variant> variants = {{"foxport, warm template profile", {}, {}, {}},
                                   {"foxport, warm, MOZ_REMOTE_SETTINGS_DEVTOOLS=1", {}, {}, {}},
                                   {"foxport, fresh profile (warm_profile = false)", {}, {}, {}},
                                   {"foxport, fresh, MOZ_REMOTE_SETTINGS_DEVTOOLS=1", {}, {}, {}},
                                   {"Firefox by hand, empty profile", {}, {}, {}}};
  for (int i = 0; i < runs; ++i) {
    const Sample samples[] = {with_foxport(true, false), with_foxport(true, true), with_foxport(false, false),
                              with_foxport(false, true), by_hand(binary)};
    for (std::size_t v = 0; v < variants.size(); ++v) {
      variants[v].page.push_back(samples[v].first_page);
      variants[v].cpu.push_back(samples[v].cpu);
      variants[v].before_spawn.push_back(samples[v].before_spawn);
    }
  }
  const double bare = median(variants.back().page);
  std::printf(
      "| what | first page, median | p10 - p90 | ratio to by hand | CPU s, median | launch call to spawn |\n"
      "|---|---|---|---|---|---|\n");
  for (const auto& v : variants) {
    std::printf("| %s | %.3f s | %.3f - %.3f | %.2f | %.2f | %.1f ms |\n", v.what, median(v.page),
                quantile(v.page, 0.1), quantile(v.page, 0.9), median(v.page) / bare, median(v.cpu),
                median(v.before_spawn) * 1000);
  }
}
