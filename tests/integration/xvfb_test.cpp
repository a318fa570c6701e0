// Private X displays (#17 item 3): headful launches on an Xvfb of their own, which picks a free
// display number itself, and which goes with the launch, leaving nothing in /tmp.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "foxport/chromium.hpp"
#include "foxport/driver.hpp"
#include "foxport/error.hpp"
#include "foxport/firefox.hpp"
#include "foxport/websocket.hpp"
#include "support/leak_check.hpp"
#include "support/page_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"
#ifdef FOXPORT_CLI  // built with the command
#include "support/foxport_cli.hpp"
#endif

namespace fs = std::filesystem;
using foxport::testing::wait_exited;
using namespace std::chrono_literals;

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of `name` in a process's environment.
std::string environment_of(int pid, const std::string& name) {
  std::istringstream vars(read_all("/proc/" + std::to_string(pid) + "/environ"));
  for (std::string var; std::getline(vars, var, '\0');)
    if (var.rfind(name + "=", 0) == 0) return var.substr(name.size() + 1);
  return {};
}

// Pids of this test binary's Xvfb processes.
std::vector<int> our_xvfbs() {
  std::vector<int> pids;
  for (const int pid : foxport::testing::marked_processes()) {
    auto comm = read_all("/proc/" + std::to_string(pid) + "/comm");
    if (comm == "Xvfb\n") pids.push_back(pid);
  }
  return pids;
}

// Inodes of the sockets named after display ":N": the X server's abstract socket and its
// accepted connections. Display numbers are reused at once by other tests' Xvfb running in
// parallel, socket inodes are not, so "the sockets seen during the launch are gone" holds only
// when our display went.
std::set<std::string> display_sockets(const std::string& display) {
  const auto path = "@/tmp/.X11-unix/X" + display.substr(1);
  std::istringstream table(read_all("/proc/net/unix"));
  std::set<std::string> inodes;
  for (std::string line; std::getline(table, line);) {
    std::istringstream fields(line);
    std::string num, refs, protocol, flags, type, state, inode, name;
    if (fields >> num >> refs >> protocol >> flags >> type >> state >> inode >> name && name == path)
      inodes.insert(inode);
  }
  return inodes;
}

// What is left of a display after its launch went: any of the sockets seen while it ran, or a
// socket or lock file in /tmp (our Xvfb listens on no file, so any would be a leak of ours).
std::string left_of(const std::string& display, const std::set<std::string>& seen) {
  std::string left;
  for (const auto& inode : display_sockets(display))
    if (seen.contains(inode)) left += " socket inode " + inode;
  for (const auto& file : {"/tmp/.X11-unix/X" + display.substr(1), "/tmp/.X" + display.substr(1) + "-lock"})
    if (fs::exists(fs::symlink_status(file))) left += " " + file;
  return left;
}

// The sockets of a launch's own display while it runs, checked to be live and to be the display
// the launched program `pid` draws on.
std::set<std::string> live_display_sockets(const std::string& display, int pid) {
  auto sockets = display_sockets(display);
  EXPECT_NE(left_of(display, sockets), "") << display;  // the check sees a live one
  EXPECT_EQ(environment_of(pid, "DISPLAY"), display);
  return sockets;
}

// After the launch stopped: no Xvfb of ours runs, and nothing of its display is left.
void expect_display_gone(const std::string& display, const std::set<std::string>& sockets) {
  EXPECT_EQ(our_xvfbs(), std::vector<int>{});
  EXPECT_EQ(left_of(display, sockets), "") << display;
}

}  // namespace

TEST(Xvfb, FourHeadfulFirefoxesAtOnceGetFourDisplaysAndAllAnswer) {
  foxport::testing::PageServer page;
  std::vector<foxport::Firefox> firefoxes(4);
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < firefoxes.size(); ++i) {
    threads.emplace_back([&, i] {
      foxport::FirefoxOptions options;
      options.xvfb = true;
      options.headless = false;
      std::error_code ec;
      firefoxes[i] = foxport::Firefox::launch(options, ec);
      if (ec) errors[i] = ec.message();
    });
  }
  for (auto& thread : threads) thread.join();
  std::map<std::string, std::set<std::string>> displays;  // display -> its sockets
  for (std::size_t i = 0; i < firefoxes.size(); ++i) {
    ASSERT_TRUE(firefoxes[i].valid()) << errors[i];
    const auto display = firefoxes[i].display();
    ASSERT_EQ(display.rfind(':', 0), 0u) << display;
    displays[display] = live_display_sockets(display, firefoxes[i].pid());
    auto client = firefoxes[i].marionette();
    client.new_session();
    client.navigate(page.url());
    EXPECT_EQ(client.title(), page.title());
    client.delete_session();
  }
  EXPECT_EQ(displays.size(), 4u);
  EXPECT_EQ(our_xvfbs().size(), 4u);
  for (auto& firefox : firefoxes) firefox.stop();
  EXPECT_EQ(our_xvfbs(), std::vector<int>{});
  for (const auto& [display, sockets] : displays) EXPECT_EQ(left_of(display, sockets), "") << display;
}

TEST(Xvfb, AHeadfulChromiumSessionThroughChromedriver) {
  foxport::testing::PageServer page;
  foxport::ChromedriverOptions options;
  options.xvfb = true;
  options.headless = false;  // chromedriver and Chromium as installed: Chromium needs the display
  auto driver = foxport::Chromedriver::launch(options);
  const auto display = driver.display();
  ASSERT_FALSE(display.empty());
  const auto sockets = live_display_sockets(display, driver.pid());
  auto client = driver.client();
  const auto session = client.new_session(
      R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"args":["--no-sandbox",)"
      R"("--disable-dev-shm-usage","--disable-gpu","--no-first-run"]}}}})");
  client.navigate(session, page.url());
  EXPECT_EQ(client.title(session), page.title());
  client.delete_session(session);
  driver.stop();
  expect_display_gone(display, sockets);
}

TEST(Xvfb, AHeadfulChromiumAnswersDevToolsOnItsOwnDisplay) {
  foxport::ChromiumOptions options;
  options.xvfb = true;
  options.headless = false;
  auto chromium = foxport::Chromium::launch(options);
  const auto display = chromium.display();
  ASSERT_EQ(display.rfind(':', 0), 0u) << display;
  const auto sockets = live_display_sockets(display, chromium.pid());
  EXPECT_EQ(read_all("/proc/" + std::to_string(chromium.pid()) + "/cmdline").find("--headless"), std::string::npos);
  auto cdp = foxport::WebSocketClient::connect(chromium.cdp_url());
  EXPECT_NE(cdp.command("Browser.getVersion", "{}").find("\"product\""), std::string::npos);
  chromium.stop();
  expect_display_gone(display, sockets);
}

TEST(Xvfb, DetachLeavesTheDisplayRunningWithTheBrowserAndSaysWhichItIs) {
  foxport::FirefoxOptions options;
  options.xvfb = true;
  options.headless = false;
  auto firefox = foxport::Firefox::launch(options);
  const auto display = firefox.display();
  const auto record = firefox.detach();
  EXPECT_EQ(record.display, display);
  ASSERT_EQ(our_xvfbs(), std::vector<int>{record.display_pid});
  EXPECT_NE(left_of(display, display_sockets(display)), "") << display;  // still serving the browser
  EXPECT_FALSE(foxport::testing::gone(record.pid));
  // The caller's job now: both process groups, then the directories.
  ::kill(-record.pid, SIGKILL);
  ::kill(-record.display_pid, SIGKILL);
  EXPECT_TRUE(wait_exited(record.pid, 5s));
  EXPECT_TRUE(wait_exited(record.display_pid, 5s));
  EXPECT_TRUE(wait_exited(record.guard_pid, 5s));
  for (const auto& directory : record.directories) fs::remove_all(directory);
}

TEST(Xvfb, KillingTheCallerTakesXvfbAndItsDisplayDown) {
  foxport::testing::Subprocess holder({FOXPORT_TEST_LAUNCHER, "firefox-xvfb"});
  int pid = -1;
  char display[64] = "";
  for (std::string line; display[0] == '\0' && !(line = holder.read_line()).empty();) {
    std::sscanf(line.c_str(), "pid %d", &pid);
    std::sscanf(line.c_str(), "display %63s", display);
  }
  ASSERT_NE(display[0], '\0') << "the holder said: " << holder.rest_of_stderr();
  const auto xvfbs = our_xvfbs();
  ASSERT_EQ(xvfbs.size(), 1u);
  const auto sockets = display_sockets(display);
  EXPECT_FALSE(sockets.empty()) << display;
  ::kill(holder.pid(), SIGKILL);
  holder.wait();
  EXPECT_TRUE(wait_exited(pid, 5s));
  EXPECT_TRUE(wait_exited(xvfbs[0], 5s));
  EXPECT_TRUE(foxport::testing::find_leaks().empty());  // guards, Xvfb, Firefox: all gone
  EXPECT_EQ(left_of(display, sockets), "") << display;
}

#ifdef FOXPORT_CLI  // built with the command
using foxport::testing::foxport_command;

TEST(Xvfb, RunGivesTheCommandTheDisplayOfAHeadfulBrowser) {
  foxport::testing::Subprocess run(
      foxport_command({"run", "--firefox", "--xvfb", "--pool", "0", "-q", "--", "/bin/sh", "-c",
                       "echo \"$DISPLAY\"; tr '\\0' '\\n' < /proc/$FOXPORT_PID/environ | grep ^DISPLAY=; "
                       "if grep -q -- --headless /proc/$FOXPORT_PID/cmdline; then echo headless; else echo "
                       "headful; fi; awk -v p=\"@/tmp/.X11-unix/X${DISPLAY#:}\" '$8 == p {print $7}' /proc/net/unix"}));
  const auto command_display = run.read_line();
  const auto browser_display = run.read_line();
  const auto mode = run.read_line();
  std::set<std::string> sockets;  // the display's, as the command saw them
  for (std::string inode; !(inode = run.read_line()).empty();) sockets.insert(inode);
  EXPECT_EQ(run.wait(), 0) << run.rest_of_stderr();
  ASSERT_EQ(command_display.rfind(':', 0), 0u) << command_display;
  EXPECT_EQ(browser_display, "DISPLAY=" + command_display);
  EXPECT_EQ(mode, "headful");  // --xvfb implies --no-headless
  EXPECT_FALSE(sockets.empty());
  EXPECT_EQ(left_of(command_display, sockets), "") << command_display;
}

TEST(Xvfb, StartJsonNamesTheDisplayTheBrowserDrawsOn) {
  foxport::testing::Subprocess start(foxport_command({"start", "--chromedriver", "--xvfb", "--json", "-q"}));
  const auto object = boost::json::parse(start.read_line()).as_object();
  const auto display = std::string(object.at("display").as_string());
  EXPECT_EQ(display.rfind(':', 0), 0u) << display;
  EXPECT_EQ(environment_of(static_cast<int>(object.at("pid").as_int64()), "DISPLAY"), display);
  start.close_stdin();
  EXPECT_EQ(start.wait(), 0) << start.rest_of_stderr();
}

TEST(Xvfb, TakeGivesItsCommandTheDisplayOfTheBrowserItTook) {
  // The pool's Firefox has an Xvfb of its own, not the one of run's own Firefox.
  foxport::testing::Subprocess run(
      foxport_command({"run", "--firefox", "--xvfb", "--pool", "1", "-q", "--", FOXPORT_CLI, "take", "--", "/bin/sh",
                       "-c", "echo \"$DISPLAY\"; tr '\\0' '\\n' < /proc/$FOXPORT_PID/environ | grep ^DISPLAY="}));
  const auto command_display = run.read_line();
  const auto browser_display = run.read_line();
  EXPECT_EQ(run.wait(), 0) << run.rest_of_stderr();
  ASSERT_EQ(command_display.rfind(':', 0), 0u) << command_display;
  EXPECT_EQ(browser_display, "DISPLAY=" + command_display);
}

#endif

TEST(Xvfb, AMissingXvfbIsAClearError) {
  foxport::FirefoxOptions options;
  options.xvfb = true;
  const char* path = std::getenv("PATH");
  const std::string saved = path != nullptr ? path : "";
  ::setenv("PATH", "/nonexistent", 1);
  try {
    foxport::Firefox::launch(options);
    ::setenv("PATH", saved.c_str(), 1);
    FAIL() << "launched without Xvfb";
  } catch (const foxport::Error& e) {
    ::setenv("PATH", saved.c_str(), 1);
    EXPECT_EQ(e.code(), foxport::errc::binary_not_found) << e.what();
    EXPECT_NE(std::string(e.what()).find("Xvfb not found"), std::string::npos) << e.what();
  }
}
