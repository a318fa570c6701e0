// What a hostile machine does to foxport (#15): listeners that drip, lie about their size or
// squat the address a launch exports, another user holding a port, a caller SIGKILLed while
// it blocks. Real foxport commands and launches against fakes that misbehave on purpose.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "foxport/chromedriver.hpp"
#include "foxport/error.hpp"
#include "foxport/geckodriver.hpp"
#include "foxport/inspect.hpp"
#include "support/foxport_cli.hpp"
#include "support/sockets.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::testing::FakePeer;
using foxport::testing::foxport_command;
using foxport::testing::Subprocess;
using namespace std::chrono_literals;

namespace {

void send_text(int fd, const std::string& text) { (void)!::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

// Serves `connections` connections, each with a Marionette-like length prefix and then one
// byte every 100 ms until the client goes (or the test ends): every read gets something.
class DripListener {
 public:
  explicit DripListener(int connections = 4)  // one per protocol `who` tries
      : peer_(
            [this](int fd, int index) {
              if (index == 0) first_.set_value();
              send_text(fd, "9999:");
              while (!stop_ && ::send(fd, "x", 1, MSG_NOSIGNAL) == 1) std::this_thread::sleep_for(100ms);
            },
            connections) {}
  ~DripListener() { stop_ = true; }
  std::uint16_t port() const { return peer_.port(); }
  /// Waits until the first client connected.
  void wait_connected() { first_.get_future().wait(); }

 private:
  std::atomic<bool> stop_{false};
  std::promise<void> first_;
  FakePeer peer_;  // last: its thread goes before the members it uses
};

// The children of this process that run foxport-guard (from /proc/PID/stat: "pid (comm) state ppid").
std::vector<int> guard_children() {
  std::vector<int> guards;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close = line.rfind(')');
    const auto open = line.find('(');
    if (close == std::string::npos || open == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    int parent = 0;
    rest >> state >> parent;
    if (parent == ::getpid() && state != 'Z' && line.substr(open + 1, close - open - 1) == "foxport-guard")
      guards.push_back(std::stoi(line.substr(0, open)));
  }
  return guards;
}

}  // namespace

// #19: a launch starts one guard, not two. The guard that exists while the caller is still busy
// (here: blocked opening a FIFO given as the log, before it makes the directory that guard will
// own) is the one that then runs the child; a second "keeper" guard per launch cost a whole
// guard start.
TEST(Launch, TheGuardThatOwnsTheDirectoryEarlyRunsTheChild) {
  const auto fifo = fs::temp_directory_path() / "log.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  foxport::GeckodriverOptions options;
  options.driver = FOXPORT_TEST_SUPPORT_DIR "/geckodriver-standin";
  options.log_file = fifo;
  auto launched = std::async(std::launch::async, [&] { return foxport::Geckodriver::launch(options); });
  ASSERT_TRUE(foxport::testing::wait_blocked_opening_a_fifo(::getpid(), 30s))
      << "the launch never blocked opening " << fifo;
  const auto early = guard_children();
  // Unblocks the launch, and reads the log until the launch closes it.
  auto drained = std::async(std::launch::async, [&] {
    std::ifstream log(fifo);
    std::string line;
    while (std::getline(log, line)) {}
  });
  {
    const auto driver = launched.get();  // destroyed at the end of this block: the log closes then
    EXPECT_EQ(early.size(), 1U) << "guards while the launch waited for its log's reader: " << early.size();
    EXPECT_EQ(early, std::vector<int>{driver.process().guard_pid()})
        << "another guard runs the child than owned its directory";
    EXPECT_EQ(guard_children(), std::vector<int>{driver.process().guard_pid()});
  }
  drained.get();
  fs::remove(fifo);
}

// #15 item 13: each probe has one deadline for its whole exchange, so a listener that drips
// a byte every 100 ms cannot keep `foxport who` (it did, forever: the ctest timeout catches that).
TEST(Who, ADrippingListenerGetsABoundedLook) {
  DripListener listener;
  Subprocess who(foxport_command({"who", std::to_string(listener.port())}));
  who.close_stdin();
  const auto out = who.rest_of_stdout();
  EXPECT_EQ(who.wait(), 0) << out;
  EXPECT_NE(out.find("speaks none of Marionette, WebDriver, DevTools, WebDriver BiDi"), std::string::npos) << out;
  EXPECT_NE(
      out.find("Marionette: Marionette at 127.0.0.1:" + std::to_string(listener.port()) + ": no answer within 1000 ms"),
      std::string::npos)
      << out;
}

// A listener announcing a 250 MB frame is refused on its length prefix: nothing of the frame
// is read or allocated (it sends none of it; before, who waited for it, then used 737 MB).
TEST(Who, AHugeFrameAnnouncementIsRefusedUnread) {
  FakePeer peer(
      [](int fd, int index) {
        if (index != 0) return;  // the other protocols' probes: closed at once
        send_text(fd, "262144000:");
        char buffer[64];
        (void)!::recv(fd, buffer, sizeof buffer, 0);  // until foxport closes
      },
      4);
  Subprocess who(foxport_command({"who", std::to_string(peer.port())}));
  who.close_stdin();
  const auto out = who.rest_of_stdout();
  EXPECT_EQ(who.wait(), 0) << out;
  EXPECT_NE(out.find("Marionette frame too large: 262144000 bytes announced"), std::string::npos) << out;
}

// SIGTERM and SIGINT were blocked and never read while `who` probed: now they end it at once.
TEST(Who, ASignalEndsItWith128PlusTheSignal) {
  for (const int sig : {SIGTERM, SIGINT}) {
    DripListener listener;
    Subprocess who(foxport_command({"who", std::to_string(listener.port())}));
    listener.wait_connected();
    ::kill(who.pid(), sig);
    EXPECT_EQ(who.wait(), 128 + sig);
    EXPECT_NE(who.rest_of_stderr().find("while probing port " + std::to_string(listener.port())), std::string::npos);
  }
}

// #15 item 12: the endpoint's clients connect to 127.0.0.1:P. A child listening on [::1]:P
// while a stranger holds 127.0.0.1:P was reported ready, and its clients talked to the
// stranger. Now the launch is refused, naming the address and the stranger.
TEST(Ownership, AChildOnAnotherAddressOfAStrangersPortIsRefused) {
  // The stranger is this test process: it answers GET /status as a ready driver would.
  FakePeer stranger([](int fd) {
    char request[4096];
    (void)!::recv(fd, request, sizeof request, 0);
    const std::string body = R"({"value":{"ready":true,"message":""}})";
    send_text(fd, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " +
                      std::to_string(body.size()) + "\r\nconnection: close\r\n\r\n" + body);
  });
  foxport::GeckodriverOptions options;
  options.driver = foxport::testing::write_script("ipv6-only-driver", R"(#!/usr/bin/env python3
# Listens on [::1]:PORT only, and says it listens on 127.0.0.1:PORT as geckodriver would.
import socket, sys, time
port = int(sys.argv[sys.argv.index("--port") + 1])
listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
listener.bind(("::1", port))
listener.listen()
print(f"{int(time.time() * 1000)}\tgeckodriver\tINFO\tListening on 127.0.0.1:{port}", flush=True)
time.sleep(3600)
)");
  options.port = stranger.port();
  options.ready_timeout = 60s;
  try {
    auto driver = foxport::Geckodriver::launch(options);
    FAIL() << "ready, though 127.0.0.1:" << options.port << " is the stranger's: " << driver.url();
  } catch (const foxport::Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), std::errc::address_in_use) << what;
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(options.port) + ", where its clients connect, is held by pid " +
                        std::to_string(::getpid())),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("hostile_test"), std::string::npos) << what;  // the stranger's command line
  }
  fs::remove(options.driver);
}

namespace {

// The launch directories in the test's private TMPDIR (foxport's too).
std::vector<fs::path> launch_directories() {
  std::vector<fs::path> directories;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    if (entry.path().filename().string().rfind("foxport-", 0) == 0) directories.push_back(entry.path());
  }
  return directories;
}

// `foxport start --geckodriver` paused inside its launch: it waits for a reader of the FIFO
// given as its log.
struct LaunchWaitingForItsLog {
  fs::path fifo = fs::temp_directory_path() / "log.fifo";
  std::unique_ptr<Subprocess> foxport;
  bool waiting = false;
  std::vector<int> tree;              // foxport's processes by then (its guard)
  std::vector<fs::path> directories;  // the launch directories made by then

  LaunchWaitingForItsLog() {
    if (::mkfifo(fifo.c_str(), 0600) != 0) return;
    foxport = std::make_unique<Subprocess>(
        foxport_command({"start", "--geckodriver", "--driver", FOXPORT_TEST_SUPPORT_DIR "/geckodriver-standin", "--log",
                         fifo.string()}));
    waiting = foxport::testing::wait_blocked_opening_a_fifo(foxport->pid(), 30s);
    tree = foxport::descendants_of(foxport->pid());
    directories = launch_directories();
  }
  ~LaunchWaitingForItsLog() { fs::remove(fifo); }
};

}  // namespace

namespace {

// A driver that binds, names its port with `line` (a Python f-string over `port`), listens
// 300 ms later, then answers GET /status as a ready driver.
std::filesystem::path late_listener_driver(const std::string& line) {
  return foxport::testing::write_script("late-listener-driver", R"(#!/usr/bin/env python3
import http.server, socket, sys, time
class Status(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"value":{"ready":true,"message":""}}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Status, bind_and_activate=False)
server.server_bind()
port = server.server_address[1]
print()" + line + R"(, flush=True)
time.sleep(0.3)
server.server_activate()
server.serve_forever()
)");
}

// Ready on the port the driver named, held by the driver, answering; then stopped.
template <typename Driver>
void expect_ready_on_its_listener(Driver& driver) {
  const auto& report = driver.ready_report();
  EXPECT_EQ(report.port, driver.port());
  EXPECT_EQ(report.listener_pid, driver.pid());
  EXPECT_TRUE(driver.client().status().ready);
  driver.stop();
}

}  // namespace

// #19: the GET /status goes out as the port's line is read, before the driver may listen at
// all. A driver that names its port first and listens 300 ms later refuses that GET: the
// launch waits for its listener and asks again, and is ready. The same for chromedriver's
// line, whose GET goes out before the wait's thread is woken.
TEST(Readiness, ADriverThatNamesItsPortBeforeItListensIsWaitedFor) {
  foxport::GeckodriverOptions options;
  options.driver =
      late_listener_driver(R"(f"{int(time.time() * 1000)}\tgeckodriver\tINFO\tListening on 127.0.0.1:{port}")");
  options.ready_timeout = 60s;
  auto driver = foxport::Geckodriver::launch(options);
  expect_ready_on_its_listener(driver);
  fs::remove(options.driver);
}

TEST(Readiness, AChromedriverThatNamesItsPortBeforeItListensIsWaitedFor) {
  foxport::ChromedriverOptions options;
  options.driver = late_listener_driver(R"(f"ChromeDriver was started successfully on port {port}.")");
  options.ready_timeout = 60s;
  auto driver = foxport::Chromedriver::launch(options);
  expect_ready_on_its_listener(driver);
  fs::remove(options.driver);
}

// #15 item 3: a SIGKILL before the launch's guard existed leaked its directory, for certain
// while opening a FIFO given as --log (it waits for a reader). The log is opened before the
// launch makes its directory, and the launch's guard, started first, goes when foxport dies.
TEST(Kill, ASigkillWhileOpeningTheLogFifoLeavesNothing) {
  LaunchWaitingForItsLog launch;
  ASSERT_TRUE(launch.waiting) << "foxport never waited for a reader of its log";
  EXPECT_TRUE(launch.directories.empty())
      << "a launch directory before the log was open: " << launch.directories.front();
  ASSERT_FALSE(launch.tree.empty()) << "no guard while foxport waited for a reader of its log";
  ::kill(launch.foxport->pid(), SIGKILL);
  launch.foxport->wait();
  for (const int pid : launch.tree) EXPECT_TRUE(foxport::testing::wait_exited(pid, 10s)) << "pid " << pid;
  EXPECT_TRUE(launch_directories().empty());
}

// A SIGTERM there ends foxport at once: no launch is under way yet, so there is no directory
// to remove nor a launch to wait for (it used to wait 2 s for one blocked on the FIFO).
TEST(Kill, ASigtermWhileOpeningTheLogFifoEndsFoxportAtOnceAndLeavesNothing) {
  LaunchWaitingForItsLog launch;
  ASSERT_TRUE(launch.waiting) << "foxport never waited for a reader of its log";
  ::kill(launch.foxport->pid(), SIGTERM);
  // Far less than the 2 s foxport gives a launch that is making its directory.
  EXPECT_TRUE(foxport::testing::wait_exited(launch.foxport->pid(), 1500ms)) << "foxport waited after SIGTERM";
  EXPECT_EQ(launch.foxport->wait(), 143);
  EXPECT_NE(launch.foxport->rest_of_stderr().find("Terminated while launching: nothing was started"),
            std::string::npos);
  for (const int pid : launch.tree) EXPECT_TRUE(foxport::testing::wait_exited(pid, 10s)) << "pid " << pid;
  EXPECT_TRUE(launch_directories().empty());
}
