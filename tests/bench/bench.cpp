// foxport's benchmark: what foxport adds on top of the browser's own start and stop, next
// to baselines measured in the same run. Prints Markdown; scripts/bench publishes it.
//
//   foxport-bench [--runs N] [--foxport PATH-TO-foxport] [--geckodriver PATH] [--only warm]
//
// Firefox's template profiles (warm start) go to a cache of the run's own, not ~/.cache.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "foxport/driver.hpp"
#include "foxport/firefox.hpp"
#include "foxport/port.hpp"
#include "foxport/process.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

int runs = 10;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Stats {
  double median = 0, p90 = 0;
};

Stats stats(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    return values[std::min(values.size() - 1,
                           static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5))];
  };
  return {at(0.5), at(0.9)};
}

void row(const std::string& what, const Stats& s, const std::string& unit, const std::string& note = "") {
  std::printf("| %s | %.3f | %.3f | %s | %s |\n", what.c_str(), s.median, s.p90, unit.c_str(), note.c_str());
}

bool connect_once(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The common launcher recipe: start the child on a fixed port, then try connect() every
// `interval` until it succeeds. Returns connect-success minus the moment the child said it
// listens (its line arriving here).
double polling_overhead(const std::function<foxport::ProcessOptions(std::uint16_t)>& make, const std::string& marker,
                        std::chrono::milliseconds interval) {
  auto lease = foxport::PortLease::acquire();
  auto options = make(lease.port());
  auto said = std::make_shared<std::promise<Clock::time_point>>();
  auto once = std::make_shared<std::atomic<bool>>(false);
  options.on_line = [said, once, marker](foxport::Stream, std::string_view line) {
    if (line.find(marker) != std::string_view::npos && !once->exchange(true)) said->set_value(Clock::now());
  };
  auto future = said->get_future();
  auto process = foxport::Process::spawn(std::move(options));
  Clock::time_point connected;
  for (;;) {
    if (connect_once(lease.port())) {
      connected = Clock::now();
      break;
    }
    std::this_thread::sleep_for(interval);  // the baseline being measured, not foxport
  }
  const auto listening = future.get();
  process.stop(foxport::StopPolicy::forced());
  return ms(connected - listening);
}

fs::path geckodriver_path;

foxport::ProcessOptions chromedriver_on(std::uint16_t port) {
  foxport::ProcessOptions options;
  options.executable = "chromedriver";
  options.arguments = {"--port=" + std::to_string(port)};
  return options;
}

foxport::ProcessOptions geckodriver_on(std::uint16_t port) {
  foxport::ProcessOptions options;
  options.executable = geckodriver_path;
  options.arguments = {"--port", std::to_string(port)};
  return options;
}

foxport::ProcessOptions firefox_on(std::uint16_t port) {
  const auto profile = foxport::make_temporary_directory("bench-profile");
  std::ofstream(profile / "user.js") << "user_pref(\"marionette.port\", " << port << ");\n";
  foxport::ProcessOptions options;
  options.executable = foxport::find_firefox();
  options.arguments = {"--marionette", "--headless", "--no-remote", "--profile", profile.string()};
  options.owned_directories = {profile};
  return options;
}

void ready_overhead() {
  std::printf("\n## 1. Ready overhead (ms after the child reported its port)\n\n");
  std::printf(
      "foxport: ready (protocol answered) minus the moment the child's \"listening\" report reached foxport "
      "(log line or port file). Baselines: the child on a fixed port, connect() polled every 100 / 500 ms, "
      "minus the moment its listening line arrived.\n\n");
  std::printf("| what | median | p90 | unit | note |\n|---|---|---|---|---|\n");
  // Each split in two: finding the listener in our tree (foxport's own work), then the
  // protocol's answer (the child's work: GET /status, the Marionette handshake).
  std::vector<double> chrome[2], gecko[2], firefox[2], firefox_startup;
  auto split = [](const foxport::ReadyReport& report, std::vector<double>* into) {
    into[0].push_back(ms(report.owned - report.reported));
    into[1].push_back(ms(report.ready - report.owned));
  };
  for (int i = 0; i < runs; ++i) {
    auto driver = foxport::Chromedriver::launch();
    split(driver.ready_report(), chrome);
    foxport::GeckodriverOptions options;
    options.driver = geckodriver_path;
    auto gd = foxport::Geckodriver::launch(options);
    split(gd.ready_report(), gecko);
    auto ff = foxport::Firefox::launch();
    split(ff.ready_report(), firefox);
    firefox_startup.push_back(ms(ff.ready_report().ready - ff.ready_report().spawned));
  }
  row("foxport, chromedriver: listener found in our tree", stats(chrome[0]), "ms", "foxport's own work");
  row("foxport, chromedriver: then GET /status answered", stats(chrome[1]), "ms", "chromedriver's work");
  const auto gecko_name = geckodriver_path.filename().string();
  row("foxport, " + gecko_name + ": listener found in our tree", stats(gecko[0]), "ms", "foxport's own work");
  row("foxport, " + gecko_name + ": then GET /status answered", stats(gecko[1]), "ms", "the driver's work");
  row("foxport, Firefox: listener found in our tree", stats(firefox[0]), "ms", "foxport's own work");
  row("foxport, Firefox: then the handshake and a session of foxport's own", stats(firefox[1]), "ms", "Firefox's work");
  row("Firefox spawn to ready, for scale", stats(firefox_startup), "ms");
  for (const auto interval : {100ms, 500ms}) {
    std::vector<double> c, g, f;
    for (int i = 0; i < runs; ++i) {
      c.push_back(polling_overhead(chromedriver_on, "started successfully", interval));
      g.push_back(polling_overhead(geckodriver_on, "Listening on", interval));
      f.push_back(polling_overhead(firefox_on, "Listening on port", interval));
    }
    const auto label = "poll connect() every " + std::to_string(interval.count()) + " ms";
    row(label + ", chromedriver", stats(c), "ms", "baseline");
    row(label + ", geckodriver", stats(g), "ms", "baseline");
    row(label + ", Firefox", stats(f), "ms", "baseline; connect() success is not yet a handshake");
  }
}

void stop_times() {
  std::printf(
      "\n## 2. Stop time (ms, until the last process of the tree is reaped and the directories are removed)\n\n");
  std::printf("| what | median | p90 | unit | note |\n|---|---|---|---|---|\n");
  std::vector<double> graceful, forced, quit, chrome_graceful, chrome_forced;
  for (int i = 0; i < runs; ++i) {
    auto a = foxport::Firefox::launch();
    auto start = Clock::now();
    a.stop();
    graceful.push_back(ms(Clock::now() - start));
    foxport::FirefoxOptions options;
    options.stop_policy = foxport::StopPolicy::forced();
    auto b = foxport::Firefox::launch(options);
    start = Clock::now();
    b.stop();
    forced.push_back(ms(Clock::now() - start));
    // Firefox's own exit after Marionette:Quit (needs a session), for comparison.
    auto c = foxport::Firefox::launch();
    auto marionette = c.marionette();
    marionette.new_session();
    start = Clock::now();
    marionette.quit();
    c.process().wait_for(30s);
    quit.push_back(ms(Clock::now() - start));
    c.stop();
    auto d = foxport::Chromedriver::launch();
    start = Clock::now();
    d.stop();
    chrome_graceful.push_back(ms(Clock::now() - start));
  }
  row("Firefox, graceful (SIGTERM, the default)", stats(graceful), "ms");
  row("Firefox, forced (SIGKILL)", stats(forced), "ms");
  row("Firefox's own exit after Marionette:Quit", stats(quit), "ms", "baseline: without foxport's reap and cleanup");
  row("chromedriver, graceful", stats(chrome_graceful), "ms");
}

void lease_rates() {
  std::printf("\n## 3. Port leases per second\n\n| what | median | p90 | unit | note |\n|---|---|---|---|---|\n");
  const int count = 2000;
  auto single = [&] {
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) foxport::PortLease::acquire();
    return count / std::chrono::duration<double>(Clock::now() - start).count();
  };
  auto naive = [&] {
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      socklen_t len = sizeof addr;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
      ::close(fd);
    }
    return count / std::chrono::duration<double>(Clock::now() - start).count();
  };
  auto contended = [&] {
    constexpr int processes = 8;
    const auto start = Clock::now();
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
      const pid_t child = ::fork();
      if (child == 0) {
        std::vector<foxport::PortLease> held;  // held at once: real contention for the range
        for (int i = 0; i < count / processes; ++i) held.push_back(foxport::PortLease::acquire());
        ::_exit(0);
      }
      children.push_back(child);
    }
    for (const pid_t child : children) ::waitpid(child, nullptr, 0);
    return count / std::chrono::duration<double>(Clock::now() - start).count();
  };
  std::vector<double> s, n, c;
  for (int i = 0; i < runs; ++i) {
    s.push_back(single());
    n.push_back(naive());
    c.push_back(contended());
  }
  row("PortLease, one process", stats(s), "leases/s", "abstract socket name + bind test on 127.0.0.1 and ::1");
  row("PortLease, 8 processes contending (total)", stats(c), "leases/s", "each holds 250 at once");
  row("naive bind(0) + close", stats(n), "ports/s", "baseline: racy, no cross-process exclusion");
}

void parallel_launches() {
  std::printf("\n## 4. Parallel launches on this machine\n\n| what | all ready after | failures |\n|---|---|---|\n");
  auto launch_all = [](int count, const std::function<void()>& launch_and_check) {
    std::atomic<int> failures{0};
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    std::promise<void> go;
    auto gate = go.get_future().share();
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([&, gate] {
        gate.wait();
        try {
          launch_and_check();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "parallel launch failed: %s\n", e.what());
          ++failures;
        }
      });
    }
    go.set_value();
    for (auto& thread : threads) thread.join();
    return std::make_pair(ms(Clock::now() - start), failures.load());
  };
  // Each thread holds its launch until all are ready, so they really run at once.
  auto barrier_launch = [](int count, auto launch) {
    auto ready = std::make_shared<std::atomic<int>>(0);
    return [count, launch, ready] {
      auto handle = launch();
      ++*ready;
      ready->notify_all();
      for (int seen = ready->load(); seen < count; seen = ready->load()) ready->wait(seen);
    };
  };
  auto [ff_ms, ff_failures] = launch_all(8, barrier_launch(8, [] { return foxport::Firefox::launch(); }));
  std::printf("| 8 Firefox at once | %.0f ms | %d |\n", ff_ms, ff_failures);
  auto [cd_ms, cd_failures] = launch_all(32, barrier_launch(32, [] { return foxport::Chromedriver::launch(); }));
  std::printf("| 32 chromedriver at once | %.0f ms | %d |\n", cd_ms, cd_failures);
}

long status_kb(int pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

void footprint(const fs::path& foxport_cli) {
  std::printf("\n## 5. Footprint\n\n| what | peak RSS |\n|---|---|\n");
  if (!foxport_cli.empty()) {
    // `foxport run --chromedriver -- sleep 3`: sample foxport's and the guard's VmHWM while it runs.
    foxport::ProcessOptions options;
    options.executable = foxport_cli;
    options.arguments = {"run", "--chromedriver", "-q", "--", "sh", "-c", "echo started; exec sleep 3"};
    auto started = std::make_shared<std::promise<void>>();
    auto once = std::make_shared<std::atomic<bool>>(false);
    options.on_line = [started, once](foxport::Stream, std::string_view line) {
      if (line == "started" && !once->exchange(true)) started->set_value();
    };
    auto run = foxport::Process::spawn(std::move(options));
    started->get_future().wait_for(60s);
    long cli = status_kb(run.pid(), "VmHWM:");
    long guard = -1;
    for (const int pid : run.tree()) {
      std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
      std::string name;
      comm >> name;
      if (name == "foxport-guard") guard = std::max(guard, status_kb(pid, "VmHWM:"));
    }
    run.wait_for(30s);
    std::printf("| `foxport run` itself | %ld kB |\n| foxport-guard (each) | %ld kB |\n| together | %ld kB |\n", cli,
                guard, cli + guard);
  }
  const long before = status_kb(::getpid(), "VmRSS:");
  std::vector<foxport::Chromedriver> drivers;
  for (int i = 0; i < 10; ++i) drivers.push_back(foxport::Chromedriver::launch());
  const long after = status_kb(::getpid(), "VmRSS:");
  std::printf("| library, added RSS per running launch (10 chromedrivers) | %ld kB |\n", (after - before) / 10);
}

}  // namespace

void warm_start(int runs);  // warm_start.cpp

int main(int argc, char** argv) {
  fs::path foxport_cli;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--foxport") foxport_cli = argv[i + 1];
    if (flag == "--geckodriver") geckodriver_path = argv[i + 1];
    if (flag == "--only") only = argv[i + 1];
  }
  const auto cache = foxport::make_temporary_directory("bench-cache");
  ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  if (geckodriver_path.empty()) geckodriver_path = "geckodriver";
  std::printf("Medians and 90th percentiles of %d runs each, all in one run of `foxport-bench`.\n", runs);
  if (only.empty()) {
    ready_overhead();
    stop_times();
    lease_rates();
    parallel_launches();
    footprint(foxport_cli);
  }
  if (only.empty() || only == "warm") warm_start(runs);
  fs::remove_all(cache);
  return 0;
}
