// Failure bundles (FOXPORT_ARTIFACTS): a suite run in a subprocess fails four tests on purpose;
// each failed test leaves its bundle (a picture of its page, the browser's log, its process
// tree, its ready report, the failure, a crashed Firefox's minidump), the passing test leaves
// nothing, the XML report names the bundles, and the index page shows every picture in a real
// browser.
#include <gtest/gtest.h>

#include <boost/beast/core/detail/base64.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "foxport/firefox.hpp"
#include "foxport/process.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"
#ifdef FOXPORT_CLI  // built with the command
#include "support/foxport_cli.hpp"
#endif

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A PNG's width from its IHDR chunk (0 when it is not a PNG).
unsigned png_width(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return 0;
  unsigned width = 0;
  for (int i = 16; i < 20; ++i) width = width << 8 | static_cast<unsigned char>(png[i]);
  return width;
}

// The minidumps a bundle kept (Firefox's crash reporter writes one per crashed process).
int minidumps_in(const fs::path& bundle) {
  int dumps = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(bundle / "crashes", ec))
    dumps += entry.path().extension() == ".dmp" && entry.file_size() > 0;
  return dumps;
}

std::string base64(const std::string& bytes) {
  namespace codec = boost::beast::detail::base64;
  std::string text(codec::encoded_size(bytes.size()), '\0');
  text.resize(codec::encode(text.data(), bytes.data(), bytes.size()));
  return text;
}

// The colour of the pixel at (10, 100) of the PNG given as base64, "r,g,b,a".
constexpr const char* pixel_script = R"(
  const image = new Image();
  image.src = 'data:image/png;base64,' + arguments[0];
  return image.decode().then(() => {
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    return Array.from(context.getImageData(10, 100, 1, 1).data).join(',');
  });)";

// How many of the page's images loaded, "loaded/all".
constexpr const char* loaded_images_script =
    "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length + '/' + "
    "document.images.length;";

}  // namespace

TEST(Artifacts, EachFailedTestLeavesItsBundleAndThePassingOneNothing) {
  const auto root = fs::temp_directory_path() / "artifacts";
  const auto xml = fs::temp_directory_path() / "report.xml";
  struct RemovedAtTheEnd {
    fs::path root, xml;
    ~RemovedAtTheEnd() {
      fs::remove_all(root);
      fs::remove(xml);
    }
  } removed{root, xml};
  ::setenv("FOXPORT_ARTIFACTS", root.c_str(), 1);
  // The geckodriver test's driver: a real one when there is one, else the stand-in.
  std::error_code no_geckodriver;
  foxport::find_executable("geckodriver", no_geckodriver);
  const bool stand_in = no_geckodriver && std::getenv("FOXPORT_GECKODRIVER") == nullptr;
  if (stand_in) ::setenv("FOXPORT_GECKODRIVER", FOXPORT_TEST_SUPPORT_DIR "/geckodriver-standin", 1);
  foxport::testing::Subprocess suite({FOXPORT_ARTIFACT_SUITE, "--gtest_output=xml:" + xml.string()});
  ::unsetenv("FOXPORT_ARTIFACTS");
  if (stand_in) ::unsetenv("FOXPORT_GECKODRIVER");
  const auto output = suite.rest_of_stdout() + suite.rest_of_stderr();
  ASSERT_EQ(suite.wait(), 1) << output;

  // A real Firefox looks at the pictures and at the index page.
  auto firefox = foxport::Firefox::launch();
  auto marionette = firefox.marionette(std::chrono::seconds(60));
  marionette.new_session();

  for (const std::string name : {"OwnBrowser.FailsOnAPage", "SharedBrowser.FailsOnAPage",
                                 "OwnChromedriver.FailsOnAPage", "OwnGeckodriver.FailsOnAPage"}) {
    const auto bundle = root / name;
    SCOPED_TRACE(bundle.string());
    const auto png = read_file(bundle / "screenshot.png");
    ASSERT_GT(png_width(png), 100U) << read_file(bundle / "notes.txt");
    // The picture shows the test's page (its teal background), not a blank or another page.
    EXPECT_EQ(marionette.execute_script(pixel_script, "[\"" + base64(png) + "\"]"), R"("0,128,128,255")");
    EXPECT_NE(read_file(bundle / "failure.txt").find("fails on purpose"), std::string::npos);
    const char* program = name.find("Chromedriver") != std::string::npos  ? "chromedriver"
                          : name.find("Geckodriver") != std::string::npos ? "geckodriver"
                                                                          : "firefox";
    EXPECT_NE(read_file(bundle / "tree.txt").find(program), std::string::npos) << read_file(bundle / "tree.txt");
    EXPECT_NE(read_file(bundle / "ready.txt").find("phases since spawn"), std::string::npos);
    EXPECT_FALSE(read_file(bundle / "log.txt").empty());
    EXPECT_NE(read_file(xml).find("name=\"foxport_artifacts\" value=\"" + bundle.string() + "\""), std::string::npos)
        << read_file(xml);
  }
  EXPECT_FALSE(fs::exists(root / "SharedBrowser.Passes"));
  // A crashed Firefox: its minidump, saved before its profile went.
  const auto crashed = root / "OwnBrowser.FailsAfterItsBrowserCrashed";
  EXPECT_EQ(minidumps_in(crashed), 1) << read_file(crashed / "log.txt");

  // The index: both failures, every picture loaded.
  marionette.navigate("file://" + (root / "index.html").string());
  EXPECT_EQ(marionette.title(), "foxport: 5 failed");
  const auto loaded = marionette.execute_script(loaded_images_script);
  EXPECT_NE(loaded.find("4/4"), std::string::npos) << loaded;
  marionette.delete_session();
  firefox.stop();
}

#ifdef FOXPORT_CLI
// `foxport run --artifacts DIR`: a failed command, a failed launch and a crashed browser each
// leave a bundle, saved before teardown, named on stderr and listed in DIR/index.html; a command
// that succeeds leaves nothing.
namespace {

using foxport::testing::foxport_command;
using foxport::testing::Result;

struct RunArtifacts {
  fs::path root = fs::temp_directory_path() / "run-artifacts";
  ~RunArtifacts() { fs::remove_all(root); }

  // foxport run with --artifacts ROOT, to its end.
  Result run(const std::vector<std::string>& launch, const std::vector<std::string>& command) {
    std::vector<std::string> args{"run", "-q", "--artifacts", root.string()};
    args.insert(args.end(), launch.begin(), launch.end());
    args.emplace_back("--");
    args.insert(args.end(), command.begin(), command.end());
    return foxport::testing::run_foxport(args);
  }
};

// The bundle the stderr line names ("foxport: artifacts of the failed run: PATH (...").
fs::path named_bundle(const std::string& err) {
  const std::string lead = "artifacts of the failed run: ";
  const auto start = err.find(lead);
  if (start == std::string::npos) return {};
  const auto from = start + lead.size();
  return err.substr(from, err.find(" (", from) - from);
}

// The pixel_script colour of the bundle's screenshot as a real Firefox decodes it, or why there
// is no picture.
std::string screenshot_pixel(const fs::path& bundle) {
  const auto png = read_file(bundle / "screenshot.png");
  if (png_width(png) <= 100) return "no picture, notes: " + read_file(bundle / "notes.txt");
  auto firefox = foxport::Firefox::launch();
  auto marionette = firefox.marionette(std::chrono::seconds(60));
  marionette.new_session();
  return marionette.execute_script(pixel_script, "[\"" + base64(png) + "\"]");
}

const std::string teal_page = "data:text/html,<title>run page</title><body style='background:teal'><h1>run</h1>";

}  // namespace

TEST(RunArtifacts, AFailedCommandLeavesTheBundleOfItsFirefoxBeforeTeardown) {
  RunArtifacts artifacts;
  // The command leaves Firefox on its page and fails.
  const auto run =
      artifacts.run({"--firefox", "--pool", "0"}, {FOXPORT_TEST_LAUNCHER, "marionette-client", teal_page, "3"});
  ASSERT_EQ(run.status, 3) << run.err;
  const auto bundle = named_bundle(run.err);
  ASSERT_FALSE(bundle.empty()) << run.err;
  EXPECT_EQ(bundle.parent_path(), artifacts.root);
  EXPECT_NE(bundle.filename().string().find("firefox"), std::string::npos) << bundle;
  EXPECT_NE(read_file(bundle / "failure.txt").find("exit status 3"), std::string::npos);
  EXPECT_NE(read_file(bundle / "tree.txt").find("firefox"), std::string::npos);
  EXPECT_NE(read_file(bundle / "ready.txt").find("phases since spawn"), std::string::npos);
  const auto png = read_file(bundle / "screenshot.png");
  ASSERT_GT(png_width(png), 100U) << read_file(bundle / "notes.txt");

  // The picture shows the command's page, and the index shows the picture.
  auto firefox = foxport::Firefox::launch();
  auto marionette = firefox.marionette(std::chrono::seconds(60));
  marionette.new_session();
  EXPECT_EQ(marionette.execute_script(pixel_script, "[\"" + base64(png) + "\"]"), R"("0,128,128,255")");
  marionette.navigate("file://" + (artifacts.root / "index.html").string());
  EXPECT_EQ(marionette.title(), "foxport: 1 failed");
  const auto loaded = marionette.execute_script(loaded_images_script);
  EXPECT_NE(loaded.find("1/1"), std::string::npos) << loaded;
  marionette.delete_session();
}

TEST(RunArtifacts, AFailedCommandLeavesThePictureOfChromiumsPage) {
  RunArtifacts artifacts;
  const auto run = artifacts.run({"--chromium", "--pool", "0"}, {FOXPORT_TEST_LAUNCHER, "cdp-client", teal_page, "4"});
  ASSERT_EQ(run.status, 4) << run.err;
  const auto bundle = named_bundle(run.err);
  ASSERT_FALSE(bundle.empty()) << run.err;
  EXPECT_NE(bundle.filename().string().find("chromium"), std::string::npos) << bundle;
  EXPECT_NE(read_file(bundle / "tree.txt").find("chrom"), std::string::npos);
  EXPECT_EQ(screenshot_pixel(bundle), R"("0,128,128,255")");  // the command's teal page
}

// A client that failed without closing its session: chromedriver still shows its page.
TEST(RunArtifacts, AFailedCommandLeavesThePictureOfTheChromedriverSessionItLeftOpen) {
  RunArtifacts artifacts;
  const auto run = artifacts.run({"--chromedriver", "--pool", "0"},
                                 {FOXPORT_TEST_LAUNCHER, "webdriver-client-keep", teal_page, "5"});
  ASSERT_EQ(run.status, 5) << run.err;
  const auto bundle = named_bundle(run.err);
  ASSERT_FALSE(bundle.empty()) << run.err;
  EXPECT_EQ(screenshot_pixel(bundle), R"("0,128,128,255")");  // the command's teal page
}

TEST(RunArtifacts, ASucceedingCommandLeavesNothingAFailingOneItsStatus) {
  RunArtifacts artifacts;
  // A remote endpoint launches nothing: only the command's end decides.
  const auto succeeded = artifacts.run({"--remote", "http://127.0.0.1:9"}, {"/bin/sh", "-c", "exit 0"});
  ASSERT_EQ(succeeded.status, 0) << succeeded.err;
  EXPECT_FALSE(fs::exists(artifacts.root)) << succeeded.err;
  EXPECT_TRUE(named_bundle(succeeded.err).empty()) << succeeded.err;

  const auto failed = artifacts.run({"--remote", "http://127.0.0.1:9"}, {"/bin/sh", "-c", "kill -TERM $$"});
  ASSERT_EQ(failed.status, 143) << failed.err;
  const auto bundle = named_bundle(failed.err);
  ASSERT_FALSE(bundle.empty()) << failed.err;
  EXPECT_NE(read_file(bundle / "failure.txt").find("Terminated"), std::string::npos)
      << read_file(bundle / "failure.txt");
  // No picture, and the bundle says why.
  EXPECT_FALSE(fs::exists(bundle / "screenshot.png"));
  EXPECT_NE(read_file(bundle / "notes.txt").find("no WebDriver session"), std::string::npos);
  EXPECT_NE(read_file(artifacts.root / "index.html").find(bundle.filename().string()), std::string::npos);
}

TEST(RunArtifacts, AFailedLaunchLeavesItsOutputAndWhatWasSeen) {
  RunArtifacts artifacts;
  const auto fake = foxport::testing::write_script("fake-firefox",
                                                   "#!/bin/sh\necho 'fake firefox: cannot open the display'\nexit 7\n");
  const auto run = artifacts.run({"--firefox", "--no-cache", "--binary", fake.string()}, {"/bin/true"});
  EXPECT_EQ(run.status, 69) << run.err;
  fs::remove(fake);
  const auto bundle = named_bundle(run.err);
  ASSERT_FALSE(bundle.empty()) << run.err;
  EXPECT_NE(read_file(bundle / "failure.txt").find("exited before it was ready: exit status 7"), std::string::npos)
      << read_file(bundle / "failure.txt");
  EXPECT_NE(read_file(bundle / "log.txt").find("cannot open the display"), std::string::npos);
}

TEST(RunArtifacts, ACrashedFirefoxLeavesItsSignalLastLinesAndMinidump) {
  RunArtifacts artifacts;
  // The command says where Firefox is, then waits for its stdin to close.
  foxport::testing::Subprocess foxport(
      foxport_command({"run", "-q", "--firefox", "--pool", "0", "--artifacts", artifacts.root.string(), "--", "/bin/sh",
                       "-c", "echo pid $FOXPORT_PID; cat >/dev/null"}));
  std::istringstream line(foxport.read_line());
  std::string word;
  int pid = -1;
  line >> word >> pid;
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGSEGV), 0);
  ASSERT_TRUE(foxport::testing::wait_exited(pid, std::chrono::seconds(30)));
  foxport.close_stdin();
  const auto err = foxport.rest_of_stderr();
  EXPECT_EQ(foxport.wait(), 69) << err;
  const auto bundle = named_bundle(err);
  ASSERT_FALSE(bundle.empty()) << err;
  const auto failure = read_file(bundle / "failure.txt");
  EXPECT_NE(failure.find("ended while the command ran: killed by signal 11"), std::string::npos) << failure;
  EXPECT_FALSE(read_file(bundle / "log.txt").empty());
  // Firefox's crash reporter wrote a minidump, saved before the profile went.
  EXPECT_EQ(minidumps_in(bundle), 1) << read_file(bundle / "log.txt");
}
#endif
