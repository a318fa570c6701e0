// Warm start with Firefox ESR for real: the template profile is built once per Firefox build
// and pref set, reused, rebuilt when incomplete, built once when two processes race for it,
// and never touched when the cache is off. Each test has its own XDG_CACHE_HOME.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "foxport/firefox.hpp"
#include "foxport/process.hpp"
#include "launch/firefox_profile.hpp"
#include "platform/process_tree.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::Firefox;
using foxport::FirefoxOptions;
using foxport::testing::Subprocess;
using foxport::testing::wait_exited;
using namespace std::chrono_literals;

namespace {

const char* const page = "data:text/html,<title>warm</title>";

// This test's own XDG_CACHE_HOME, removed at the end; the binary's is restored.
struct TestCache {
  fs::path root = foxport::make_temporary_directory("xdg-cache");
  std::string saved = std::getenv("XDG_CACHE_HOME") != nullptr ? std::getenv("XDG_CACHE_HOME") : "";
  TestCache() { ::setenv("XDG_CACHE_HOME", root.c_str(), 1); }
  ~TestCache() {
    ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
    fs::remove_all(root);
  }
  fs::path profiles() const { return root / "foxport" / "profiles"; }
  std::vector<fs::path> entries(const std::string& prefix) const {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(profiles(), ec))
      if (entry.is_directory() && entry.path().filename().string().rfind(prefix, 0) == 0) found.push_back(entry.path());
    return found;
  }
};

// The Firefox binary itself, not a wrapper script (Debian's /usr/bin/firefox): a wrapper's
// first launch only records where it leads.
const fs::path& real_firefox() {
  static const fs::path binary = [] {
    FirefoxOptions options;
    options.warm_profile = false;
    options.ready_for_session = false;
    auto firefox = Firefox::launch(options);
    return foxport::platform::executable_of(firefox.pid());
  }();
  return binary;
}

// A launch and the notes foxport wrote about its profile.
struct Launch {
  std::shared_ptr<std::vector<std::string>> notes = std::make_shared<std::vector<std::string>>();
  Firefox firefox;
  explicit Launch(FirefoxOptions options = {}) {
    if (options.binary.empty()) options.binary = real_firefox();
    auto mutex = std::make_shared<std::mutex>();
    options.on_line = [notes = notes, mutex](foxport::Stream, std::string_view line) {
      const std::lock_guard lock(*mutex);
      if (line.rfind("foxport: ", 0) == 0) notes->emplace_back(line);
    };
    firefox = Firefox::launch(options);
  }
  bool built() const {
    for (const auto& note : *notes)
      if (note.find("built the template profile") != std::string::npos) return true;
    return false;
  }
  std::string title() const {
    auto client = firefox.marionette();
    client.new_session();
    client.navigate(page);
    return client.title();
  }
};

std::string content(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), {}};
}

struct Identity {
  ino_t inode = 0;
  std::int64_t mtime = 0;
  bool operator==(const Identity&) const = default;
};
Identity identity(const fs::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return {info.st_ino, info.st_mtim.tv_sec * 1'000'000'000 + info.st_mtim.tv_nsec};
}

}  // namespace

TEST(WarmStart, TheTemplateIsBuiltOnceThenCopiedIntoEveryLaunch) {
  TestCache cache;
  Launch first;
  EXPECT_TRUE(first.built());
  const auto entries = cache.entries("firefox-");
  ASSERT_EQ(entries.size(), 1u);
  const auto entry = entries[0];
  EXPECT_TRUE(cache.entries("build-").empty());
  EXPECT_EQ(fs::status(cache.profiles()).permissions() & fs::perms::all, fs::perms::owner_all);
  ASSERT_TRUE(fs::exists(entry / "compatibility.ini"));
  EXPECT_TRUE(fs::exists(entry / "foxport-template"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(entry / "lock")));  // the state of the Firefox that made it
  EXPECT_FALSE(fs::exists(entry / "user.js"));
  EXPECT_FALSE(fs::exists(entry / foxport::detail::profile_tmpdir));  // the building Firefox's TMPDIR
  EXPECT_EQ(first.title(), "warm");
  first.firefox.stop();
  const auto before = identity(entry), marker_before = identity(entry / "foxport-template");

  Launch second;
  EXPECT_FALSE(second.built());
  EXPECT_EQ(cache.entries("firefox-").size(), 1u);
  EXPECT_EQ(identity(entry), before);
  EXPECT_EQ(identity(entry / "foxport-template"), marker_before);
  // The launch's profile is the template's: compatibility.ini as Firefox wrote it when it made
  // the template, its start-up cache, and a user.js of its own.
  const auto profile = second.firefox.profile_dir();
  EXPECT_EQ(content(profile / "compatibility.ini"), content(entry / "compatibility.ini"));
  if (fs::exists(entry / "startupCache")) {
    EXPECT_TRUE(fs::exists(profile / "startupCache"));
  }
  EXPECT_FALSE(fs::exists(profile / "foxport-template"));
  const auto user_js = content(profile / "user.js");
  EXPECT_EQ(user_js.find("written by foxport"), user_js.rfind("written by foxport")) << user_js;  // not appended
  EXPECT_EQ(second.title(), "warm");
}

TEST(WarmStart, AnotherPrefSetGetsAnotherTemplate) {
  TestCache cache;
  Launch plain;
  plain.firefox.stop();
  FirefoxOptions options;
  options.prefs["foxport.test.warm"] = 1;
  Launch other(options);
  EXPECT_TRUE(other.built());
  const auto entries = cache.entries("firefox-");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_NE(content(entries[0] / "foxport-template"), content(entries[1] / "foxport-template"));
  EXPECT_EQ(other.title(), "warm");
}

TEST(WarmStart, AnIncompleteEntryIsRebuiltNotUsed) {
  TestCache cache;
  Launch first;
  first.firefox.stop();
  const auto entries = cache.entries("firefox-");
  ASSERT_EQ(entries.size(), 1u);
  // What a build interrupted between its rename and its marker, or a damaged cache, looks like.
  fs::remove(entries[0] / "foxport-template");
  std::ofstream(entries[0] / "sentinel") << "not a template";
  Launch second;
  EXPECT_TRUE(second.built());
  EXPECT_FALSE(fs::exists(entries[0] / "sentinel"));
  EXPECT_FALSE(fs::exists(second.firefox.profile_dir() / "sentinel"));
  EXPECT_TRUE(fs::exists(entries[0] / "foxport-template"));
  EXPECT_EQ(second.title(), "warm");
}

TEST(WarmStart, TwoProcessesRacingForAnEmptyCacheBothLaunchAndOneTemplateResults) {
  TestCache cache;
  const auto binary = real_firefox().string();
  std::vector<std::unique_ptr<Subprocess>> holders;
  for (int i = 0; i < 2; ++i)
    holders.push_back(std::make_unique<Subprocess>(std::vector<std::string>{FOXPORT_TEST_LAUNCHER, "firefox", binary}));
  std::vector<int> pids, guards;
  for (auto& holder : holders) {
    int pid = -1, guard = -1, port = -1;
    for (std::string line; port < 0 && !(line = holder->read_line()).empty();) {
      std::sscanf(line.c_str(), "pid %d", &pid);
      std::sscanf(line.c_str(), "guard %d", &guard);
      std::sscanf(line.c_str(), "port %d", &port);
    }
    EXPECT_GT(port, 0) << "the holder said: " << holder->rest_of_stderr();
    pids.push_back(pid);
    guards.push_back(guard);
  }
  EXPECT_EQ(cache.entries("firefox-").size(), 1u);
  EXPECT_TRUE(cache.entries("build-").empty());
  for (auto& holder : holders) {
    ::kill(holder->pid(), SIGKILL);
    holder->wait();
  }
  for (const int pid : pids) EXPECT_TRUE(pid <= 0 || wait_exited(pid, 5s));
  for (const int guard : guards) EXPECT_TRUE(guard <= 0 || wait_exited(guard, 5s));
  // A third launch reuses what the race left.
  Launch third;
  EXPECT_FALSE(third.built());
}

TEST(WarmStart, OffByOptionOrEnvironmentTheCacheIsNotTouched) {
  TestCache cache;
  FirefoxOptions options;
  options.warm_profile = false;
  Launch(options).firefox.stop();
  EXPECT_FALSE(fs::exists(cache.root / "foxport"));
  ::setenv("FOXPORT_NO_CACHE", "1", 1);
  Launch off;
  ::unsetenv("FOXPORT_NO_CACHE");
  EXPECT_FALSE(off.built());
  EXPECT_FALSE(fs::exists(cache.root / "foxport"));
}

TEST(WarmStart, AUserTemplateFromAKilledFirefoxLaunchesAndDisablesTheCache) {
  // A profile a killed Firefox left: its dangling `lock` symlink made the old copy fail.
  TestCache cache;
  const auto profile = foxport::make_temporary_directory("user-template");
  fs::create_directory(profile / "elsewhere");
  fs::create_directory(profile / "template");
  fs::create_symlink("127.0.0.1:+4242", profile / "template" / "lock");
  fs::create_directory_symlink(profile / "elsewhere", profile / "template" / "linked");
  std::ofstream(profile / "template" / "prefs.js") << "user_pref(\"foxport.test.template\", true);\n";
  FirefoxOptions options;
  options.profile_template = profile / "template";
  {
    Launch launch(options);
    EXPECT_FALSE(fs::exists(fs::symlink_status(launch.firefox.profile_dir() / "linked")));
    EXPECT_EQ(launch.title(), "warm");
  }
  EXPECT_FALSE(fs::exists(cache.root / "foxport"));
  fs::remove_all(profile);
}

TEST(WarmStart, AWrapperScriptIsLearnedOnItsFirstLaunchAndWarmAfterwards) {
  TestCache cache;
  const auto found = foxport::find_firefox();
  if (fs::exists(fs::canonical(found).parent_path() / "application.ini"))
    GTEST_SKIP() << found << " is Firefox itself, not a wrapper";
  FirefoxOptions options;
  options.binary = found;
  Launch first(options);  // records where the wrapper leads
  EXPECT_FALSE(first.built());
  first.firefox.stop();
  Launch second(options);
  EXPECT_TRUE(second.built());
  EXPECT_EQ(second.title(), "warm");
}
