// Firefox profiles without Firefox: the copy that never follows a symlink, its filter, the
// template key, and the cache directory's safety checks.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "foxport/error.hpp"
#include "foxport/firefox.hpp"
#include "foxport/process.hpp"
#include "launch/cache_directory.hpp"
#include "launch/firefox_profile.hpp"
#include "launch/headless_driver.hpp"
#include "launch/profile_cache.hpp"
#include "platform/port_lock.hpp"

namespace fs = std::filesystem;
using foxport::FirefoxOptions;

namespace {

// A temporary directory that goes with the test.
struct TempDir {
  fs::path path = foxport::make_temporary_directory("profile-test");
  ~TempDir() { fs::remove_all(path); }
};

// Sets an environment variable for one test.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> saved;
  ScopedEnv(std::string variable, const char* value) : name(std::move(variable)) {
    if (const char* old = std::getenv(name.c_str())) saved = old;
    value != nullptr ? ::setenv(name.c_str(), value, 1) : ::unsetenv(name.c_str());
  }
  ~ScopedEnv() { saved ? ::setenv(name.c_str(), saved->c_str(), 1) : ::unsetenv(name.c_str()); }
};

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

// What a profile of a running or killed Firefox looks like, plus a user's symlink to a directory.
fs::path used_profile(const fs::path& root) {
  const auto profile = root / "used";
  fs::create_directories(profile / "startupCache");
  fs::create_directories(profile / "sessionstore-backups");
  fs::create_directories(root / "elsewhere");
  write(root / "elsewhere" / "secret.txt", "outside the profile");
  write(profile / "compatibility.ini", "[Compatibility]\nLastVersion=153.7.0\n");
  write(profile / "prefs.js", "user_pref(\"a\", 1);\n");
  write(profile / "user.js", "user_pref(\"from.template\", true);\n");
  write(profile / "startupCache" / "startupCache.8.little", "cache");
  write(profile / "sessionstore-backups" / "recovery.jsonlz4", "session");
  write(profile / "MarionetteActivePort", "2828");
  write(profile / ".parentlock", "");
  write(profile / ".startup-incomplete", "");
  write(profile / "sessionCheckpoints.json", "{}");
  write(profile / "WebDriverBiDiServer.json", "{}");
  fs::create_symlink("127.0.0.1:+12345", profile / "lock");  // dangling, as Firefox leaves it
  fs::create_symlink(root / "elsewhere", profile / "linked-dir");
  fs::create_symlink(root / "elsewhere" / "secret.txt", profile / "startupCache" / "linked-file");
  return profile;
}

}  // namespace

TEST(ProfileCopy, FilterSkipsTheStateOfTheFirefoxThatRanOnIt) {
  for (const char* name :
       {"lock", ".parentlock", ".startup-incomplete", "MarionetteActivePort", "WebDriverBiDiServer.json",
        "sessionstore.jsonlz4", "sessionstore-backups", "sessionCheckpoints.json", "foxport-tmp"}) {
    EXPECT_TRUE(foxport::detail::skipped_in_copy(name, false)) << name;
  }
  EXPECT_FALSE(foxport::detail::skipped_in_copy("compatibility.ini", true));
  EXPECT_FALSE(foxport::detail::skipped_in_copy("startupCache", true));
  EXPECT_FALSE(foxport::detail::skipped_in_copy("prefs.js", true));
  EXPECT_TRUE(foxport::detail::skipped_in_copy("user.js", true));
  EXPECT_FALSE(foxport::detail::skipped_in_copy("user.js", false));
}

TEST(ProfileCopy, NeverFollowsASymlinkAndSkipsTheRunningState) {
  TempDir dir;
  const auto from = used_profile(dir.path);
  const auto to = dir.path / "copy";
  fs::create_directory(to);
  foxport::detail::copy_profile(from, to, true);
  EXPECT_TRUE(fs::is_regular_file(to / "compatibility.ini"));
  EXPECT_TRUE(fs::is_regular_file(to / "prefs.js"));
  EXPECT_TRUE(fs::is_regular_file(to / "startupCache" / "startupCache.8.little"));
  for (const char* gone :
       {"lock", ".parentlock", ".startup-incomplete", "MarionetteActivePort", "WebDriverBiDiServer.json",
        "sessionstore-backups", "sessionCheckpoints.json", "user.js", "linked-dir", "startupCache/linked-file"}) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(to / gone))) << gone;
  }
}

TEST(ProfileCopy, AUserTemplateOfAKilledFirefoxIsCopiedNotFollowed) {
  // fs::copy (the old code) followed `lock` and failed: "No such file or directory".
  TempDir dir;
  FirefoxOptions options;
  options.profile_template = used_profile(dir.path);
  options.prefs["from.options"] = 7;
  const auto profile = dir.path / "launch";
  fs::create_directory(profile);
  foxport::detail::prepare_profile(profile, options, 4444, options.profile_template, false);
  EXPECT_FALSE(fs::exists(fs::symlink_status(profile / "lock")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(profile / "linked-dir")));  // not its target's copy either
  EXPECT_FALSE(fs::exists(profile / "MarionetteActivePort"));
  std::ifstream in(profile / "user.js");
  const std::string user_js((std::istreambuf_iterator<char>(in)), {});
  // A user's template keeps its user.js; foxport's lines come after it and win.
  EXPECT_LT(user_js.find("from.template"), user_js.find("written by foxport"));
  EXPECT_NE(user_js.find("user_pref(\"from.options\", 7);"), std::string::npos);
  EXPECT_NE(user_js.find("user_pref(\"marionette.port\", 4444);"), std::string::npos);
}

TEST(ProfileCopy, AMissingTemplateIsAClearError) {
  TempDir dir;
  try {
    foxport::detail::copy_profile(dir.path / "nonexistent", dir.path, false);
    FAIL() << "copied";
  } catch (const foxport::Error& e) {
    EXPECT_NE(std::string(e.what()).find("nonexistent"), std::string::npos) << e.what();
  }
}

TEST(ProfileCache, TheKeyCoversTheBuildThePrefsAndHeadlessButNotThePort) {
  TempDir dir;
  write(dir.path / "application.ini", "[App]\nVersion=153.7.0\nBuildID=1\nSourceStamp=abc\n");
  write(dir.path / "platform.ini", "[Build]\nBuildID=1\n");
  FirefoxOptions options;
  const auto key = foxport::detail::template_key(dir.path, options);
  EXPECT_NE(key.find("BuildID=1"), std::string::npos) << key;
  EXPECT_NE(key.find(dir.path.string()), std::string::npos) << key;
  options.marionette_port = 1234;
  options.prefs["marionette.port"] = 1234;
  EXPECT_EQ(foxport::detail::template_key(dir.path, options), key);
  options.prefs["browser.some.pref"] = true;
  EXPECT_NE(foxport::detail::template_key(dir.path, options), key);
  FirefoxOptions headed;
  headed.headless = false;
  EXPECT_NE(foxport::detail::template_key(dir.path, headed), key);
  write(dir.path / "application.ini", "[App]\nVersion=153.7.0\nBuildID=2\nSourceStamp=abc\n");
  EXPECT_NE(foxport::detail::template_key(dir.path, FirefoxOptions{}), key);
  EXPECT_EQ(foxport::detail::template_key(dir.path / "nowhere", FirefoxOptions{}), "");  // no application.ini
}

TEST(ProfileCache, DirectoryIsPrivateAndRefusedWhenOthersCanWriteIt) {
  TempDir dir;
  ScopedEnv xdg("XDG_CACHE_HOME", dir.path.c_str());
  std::string why;
  const auto cache = foxport::detail::profile_cache_directory(why);
  ASSERT_TRUE(cache.has_value()) << why;
  EXPECT_EQ(*cache, dir.path / "foxport" / "profiles");
  EXPECT_EQ(fs::status(*cache).permissions() & fs::perms::all, fs::perms::owner_all);
  ::chmod((dir.path / "foxport").c_str(), 0777);
  EXPECT_FALSE(foxport::detail::profile_cache_directory(why).has_value());
  EXPECT_NE(why.find("writable by group or others"), std::string::npos) << why;
  ::chmod((dir.path / "foxport").c_str(), 0755);
  fs::remove_all(dir.path / "foxport");
  fs::create_directory(dir.path / "real");
  fs::create_directory_symlink(dir.path / "real", dir.path / "foxport");
  EXPECT_FALSE(foxport::detail::profile_cache_directory(why).has_value());
  EXPECT_NE(why.find("symlink"), std::string::npos) << why;
}

TEST(ProfileCache, OffByOptionEnvironmentOrUserTemplate) {
  ScopedEnv unset("FOXPORT_NO_CACHE", nullptr);
  FirefoxOptions options;
  EXPECT_TRUE(foxport::detail::profile_cache_enabled(options));
  {
    ScopedEnv off("FOXPORT_NO_CACHE", "1");
    EXPECT_FALSE(foxport::detail::profile_cache_enabled(options));
  }
  {
    ScopedEnv zero("FOXPORT_NO_CACHE", "0");
    EXPECT_TRUE(foxport::detail::profile_cache_enabled(options));
  }
  options.profile_template = "/some/profile";
  EXPECT_FALSE(foxport::detail::profile_cache_enabled(options));
  options.profile_template.clear();
  options.warm_profile = false;
  EXPECT_FALSE(foxport::detail::profile_cache_enabled(options));
}

TEST(ProfileCache, AnUnusableCacheMeansAFreshProfileNotAFailure) {
  TempDir dir;
  ScopedEnv xdg("XDG_CACHE_HOME", dir.path.c_str());
  fs::create_directory(dir.path / "foxport");
  ::chmod((dir.path / "foxport").c_str(), 0777);
  bool built = false;
  const auto warm =
      foxport::detail::warm_template("/bin/sh", FirefoxOptions{}, [&](const fs::path&, const auto&) { built = true; });
  EXPECT_TRUE(warm.profile.empty());
  EXPECT_FALSE(built);
  EXPECT_NE(warm.note.find("writable by group or others"), std::string::npos) << warm.note;
}

TEST(ProfileCache, BuiltOnceReusedRebuiltWhenIncompleteAndOldBuildsRemoved) {
  // The cache's logic with a stand-in build: a fake install and a builder that writes a profile.
  TempDir dir;
  ScopedEnv xdg("XDG_CACHE_HOME", (dir.path / "cache").c_str());
  const auto install = dir.path / "install";
  fs::create_directory(install);
  write(install / "application.ini", "[App]\nVersion=153.7.0\nBuildID=1\n");
  write(install / "firefox", "");
  int builds = 0;
  const foxport::detail::TemplateBuilder builder = [&](const fs::path& profile, const auto& done) {
    ++builds;
    write(profile / "compatibility.ini", "[Compatibility]\n");
    write(profile / "user.js", "// the build's\n");
    fs::create_symlink("127.0.0.1:+1", profile / "lock");
    done(install / "firefox");
  };
  const auto first = foxport::detail::warm_template(install / "firefox", FirefoxOptions{}, builder);
  ASSERT_TRUE(first.built) << first.note;
  EXPECT_TRUE(fs::exists(first.profile / "compatibility.ini"));
  EXPECT_TRUE(fs::exists(first.profile / "foxport-template"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(first.profile / "lock")));
  EXPECT_FALSE(fs::exists(first.profile / "user.js"));

  const auto again = foxport::detail::warm_template(install / "firefox", FirefoxOptions{}, builder);
  EXPECT_FALSE(again.built);
  EXPECT_EQ(again.profile, first.profile);
  EXPECT_EQ(builds, 1);

  fs::remove(first.profile / "foxport-template");  // incomplete: rebuilt, never used as it is
  const auto rebuilt = foxport::detail::warm_template(install / "firefox", FirefoxOptions{}, builder);
  EXPECT_TRUE(rebuilt.built);
  EXPECT_EQ(rebuilt.profile, first.profile);
  EXPECT_EQ(builds, 2);

  write(install / "application.ini", "[App]\nVersion=153.8.0\nBuildID=2\n");  // Firefox updated
  const auto updated = foxport::detail::warm_template(install / "firefox", FirefoxOptions{}, builder);
  EXPECT_TRUE(updated.built);
  EXPECT_NE(updated.profile, first.profile);
  EXPECT_FALSE(fs::exists(first.profile));  // the old build's template is gone, and its lock
  EXPECT_FALSE(fs::exists(first.profile.string() + ".lock"));

  FirefoxOptions other;
  other.prefs["foxport.test"] = true;
  const auto key = foxport::detail::template_key(install, other);
  ASSERT_FALSE(key.empty());
  // Someone else is building this key: no wait, no second build, a fresh profile.
  const auto lock =
      foxport::platform::try_lock_file(updated.cache / (foxport::detail::template_entry_name(key) + ".lock"));
  ASSERT_GE(lock.fd, 0);
  const auto busy = foxport::detail::warm_template(install / "firefox", other, builder);
  ::close(lock.fd);
  EXPECT_TRUE(busy.profile.empty());
  EXPECT_NE(busy.note.find("being built by another launch"), std::string::npos) << busy.note;
  EXPECT_EQ(builds, 3);
}

// #19: chromedriver's directory, with the headless wrapper beside it, is made once in the
// cache. A new build of the same driver path (an upgrade) gets a new entry and the old one
// goes (its hard link kept the old binary alive); another driver's entry stays.
TEST(DriverCache, AnUpgradedDriversOldEntryGoesAndAnotherDriversStays) {
  TempDir dir;
  ScopedEnv xdg("XDG_CACHE_HOME", (dir.path / "cache").c_str());
  const auto driver = dir.path / "chromedriver";
  const auto other = dir.path / "other" / "chromedriver";
  const auto launch = dir.path / "launch";
  fs::create_directories(other.parent_path());
  fs::create_directory(launch);
  write(driver, "#!/bin/sh\n# build 1\n");
  write(other, "#!/bin/sh\n# another driver\n");
  const fs::path chromium = "/usr/bin/chromium";
  const auto first = foxport::detail::headless_driver(driver, chromium, launch);
  const auto kept = foxport::detail::headless_driver(other, chromium, launch);
  EXPECT_EQ(foxport::detail::headless_driver(driver, chromium, launch), first);  // made once
  EXPECT_EQ(first.string().rfind((dir.path / "cache" / "foxport" / "chromedriver").string(), 0), 0u) << first;
  EXPECT_NE(first.parent_path(), kept.parent_path());
  EXPECT_TRUE(fs::exists(first.parent_path() / "chromium"));
  EXPECT_FALSE(fs::exists(launch / "bin"));
  fs::remove(driver);
  write(driver, "#!/bin/sh\n# build 2, a longer one\n");  // the upgrade: a new file
  const auto second = foxport::detail::headless_driver(driver, chromium, launch);
  EXPECT_NE(second, first);
  EXPECT_TRUE(fs::exists(second));
  EXPECT_FALSE(fs::exists(first.parent_path().parent_path())) << "the old build's entry is left";
  EXPECT_TRUE(fs::exists(kept));
}

// What is abandoned in a cache goes with the next removal: builds left for an hour, and
// entries a removal renamed away but could not finish (its process is gone: a pid above any
// pid_max); recent builds, entries, and a removal still under way (this process's) stay.
TEST(CacheDirectory, AbandonedBuildsAndUnfinishedRemovalsGo) {
  TempDir dir;
  const auto cache = dir.path / "cache";
  const auto under_way = "stale-entry-" + std::to_string(::getpid());
  for (const std::string name : {"build-old", "build-new", "stale-profile-x-99999999", "entry"})
    fs::create_directories(cache / name / "inside");
  fs::create_directories(cache / under_way);
  fs::last_write_time(cache / "build-old", fs::file_time_type::clock::now() - std::chrono::hours(2));
  const auto removed = foxport::detail::remove_stale_entries(cache, [](const fs::path&) { return false; });
  EXPECT_FALSE(fs::exists(cache / "build-old"));
  EXPECT_FALSE(fs::exists(cache / "stale-profile-x-99999999")) << "an unfinished removal's leftover stays for good";
  EXPECT_TRUE(fs::exists(cache / "build-new"));
  EXPECT_TRUE(fs::exists(cache / "entry"));
  EXPECT_EQ(removed, std::vector<std::string>{"build-old"});
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(cache)) left.push_back(entry.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"build-new", "entry", under_way}));
}

// A chromedriver still running from an old build's entry keeps it, with the headless browser
// beside it, until it ends; the entry goes when a later one is made.
TEST(DriverCache, AnOldEntryStaysWhileItsDriverRuns) {
  TempDir dir;
  ScopedEnv xdg("XDG_CACHE_HOME", (dir.path / "cache").c_str());
  const auto driver = dir.path / "chromedriver";
  const auto launch = dir.path / "launch";
  fs::create_directory(launch);
  fs::copy_file("/bin/sleep", driver);  // a real binary: a script's process runs its interpreter
  const auto first = foxport::detail::headless_driver(driver, "/usr/bin/chromium", launch);
  auto running = foxport::Process::spawn({.executable = first, .arguments = {"60"}, .use_guard = false});
  fs::remove(driver);
  fs::copy_file("/bin/sleep", driver);  // the upgrade: a new file
  const auto second = foxport::detail::headless_driver(driver, "/usr/bin/chromium", launch);
  EXPECT_NE(second, first);
  EXPECT_TRUE(fs::exists(first)) << "the running driver's entry was removed";
  EXPECT_TRUE(fs::exists(first.parent_path() / "chromium")) << "the running driver lost its headless browser";
  running.stop();
  const auto other = foxport::detail::headless_driver(driver, "/opt/another/chromium", launch);  // a later entry
  EXPECT_NE(other.parent_path(), second.parent_path());
  EXPECT_FALSE(fs::exists(first.parent_path().parent_path())) << "the old build's entry outlived its driver";
  EXPECT_TRUE(fs::exists(second));
}
