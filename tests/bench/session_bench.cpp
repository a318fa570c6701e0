// Suite-level benchmark of the library: how long the first session takes once a Firefox is
// ready (with and without foxport's session probe), what a take from a warm pool costs, and
// what a recycle costs next to a fresh launch. Baselines in the same run; prints Markdown.
//
//   foxport-bench-sessions [--runs N]

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "foxport/firefox.hpp"
#include "foxport/pool.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n == 0 ? 0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// CPU seconds used by this process and its reaped children so far.
double cpu_seconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    ::getrusage(who, &usage);
    total += static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
             static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  return total;
}

struct FirstSession {
  double launch_ms;   // launch() until it returned (ready)
  double session_ms;  // then connect + NewSession
  double title_ms;    // then navigate + title: exec to first page
};

FirstSession first_session(bool ready_for_session) {
  foxport::FirefoxOptions options;
  options.ready_for_session = ready_for_session;
  const auto start = Clock::now();
  auto firefox = foxport::Firefox::launch(options);
  const auto launched = Clock::now();
  auto client = firefox.marionette(60s);
  client.new_session();
  const auto session = Clock::now();
  client.navigate("data:text/html,<title>t</title>");
  client.title();
  const auto titled = Clock::now();
  return {ms(launched - start), ms(session - launched), ms(titled - start)};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--runs") runs = std::max(1, std::stoi(argv[i + 1]));
  }
  std::printf("\n## 7. Sessions, pools and recycling (medians of %d runs, alternating)\n\n", runs);
  std::vector<double> probe_launch, probe_session, probe_title, bare_launch, bare_session, bare_title, cpu;
  for (int run = 0; run < runs; ++run) {
    const double cpu_before = cpu_seconds();
    const auto with = first_session(true);
    cpu.push_back(cpu_seconds() - cpu_before);
    const auto without = first_session(false);
    probe_launch.push_back(with.launch_ms);
    probe_session.push_back(with.session_ms);
    probe_title.push_back(with.title_ms);
    bare_launch.push_back(without.launch_ms);
    bare_session.push_back(without.session_ms);
    bare_title.push_back(without.title_ms);
  }
  std::printf("| what | ready after | first NewSession after ready | exec to first page title |\n|---|---|---|---|\n");
  std::printf("| ready = handshake + a session of foxport's own (default) | %.0f ms | %.1f ms | %.0f ms |\n",
              median(probe_launch), median(probe_session), median(probe_title));
  std::printf("| ready = Marionette handshake only (baseline) | %.0f ms | %.1f ms | %.0f ms |\n", median(bare_launch),
              median(bare_session), median(bare_title));
  std::printf("\nCPU seconds per Firefox launch (launch, first page, stop; Firefox's whole tree): %.2f s.\n",
              median(cpu));

  // A warm pool: take when a launch is waiting; then the cost of a recycle vs a relaunch.
  std::vector<double> take_warm, recycle_ms, relaunch_ms;
  {
    auto pool = foxport::Pool::firefox({}, 1);
    for (int run = 0; run < runs; ++run) {
      while (pool.warm_now() == 0) std::this_thread::sleep_for(10ms);  // a benchmark, not a test
      const auto start = Clock::now();
      auto lease = pool.take();
      take_warm.push_back(ms(Clock::now() - start));
    }
  }
  {
    foxport::FirefoxOptions options;
    options.recyclable = true;
    auto firefox = foxport::Firefox::launch(options);
    for (int run = 0; run < runs; ++run) {
      {
        auto client = firefox.marionette(60s);
        client.new_session();
        client.navigate("data:text/html,<title>t</title>");
      }
      auto start = Clock::now();
      firefox.recycle();
      recycle_ms.push_back(ms(Clock::now() - start));
      start = Clock::now();
      foxport::Firefox::launch().stop();
      relaunch_ms.push_back(ms(Clock::now() - start));
    }
  }
  std::printf("\n| what | median |\n|---|---|\n");
  std::printf("| Pool::take with a warm launch waiting | %.3f ms |\n", median(take_warm));
  std::printf("| Firefox::recycle (clear all site data, one blank tab) | %.0f ms |\n", median(recycle_ms));
  std::printf("| a fresh launch and stop instead (baseline) | %.0f ms |\n", median(relaunch_ms));
  return 0;
}
