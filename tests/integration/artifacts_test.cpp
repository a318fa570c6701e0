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
#include "support/subprocess.hpp"
#include "support/wait.hpp"

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
  foxport::testing::Subprocess suite({FOXPORT_ARTIFACT_SUITE, "--gtest_output=xml:" + xml.string()});
  ::unsetenv("FOXPORT_ARTIFACTS");
  const auto output = suite.rest_of_stdout() + suite.rest_of_stderr();
  ASSERT_EQ(suite.wait(), 1) << output;

  // A real Firefox looks at the pictures and at the index page.
  auto firefox = foxport::Firefox::launch();
  auto marionette = firefox.marionette(std::chrono::seconds(60));
  marionette.new_session();

  for (const std::string name :
       {"OwnBrowser.FailsOnAPage", "SharedBrowser.FailsOnAPage", "OwnChromedriver.FailsOnAPage"}) {
    const auto bundle = root / name;
    SCOPED_TRACE(bundle.string());
    const auto png = read_file(bundle / "screenshot.png");
    ASSERT_GT(png_width(png), 100U) << read_file(bundle / "notes.txt");
    // The picture shows the test's page (its teal background), not a blank or another page.
    EXPECT_EQ(marionette.execute_script(pixel_script, "[\"" + base64(png) + "\"]"), R"("0,128,128,255")");
    EXPECT_NE(read_file(bundle / "failure.txt").find("fails on purpose"), std::string::npos);
    EXPECT_NE(read_file(bundle / "tree.txt")
                  .find(name.find("Chromedriver") == std::string::npos ? "firefox" : "chromedriver"),
              std::string::npos);
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
  EXPECT_EQ(marionette.title(), "foxport: 4 failed");
  const auto loaded = marionette.execute_script(
      "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length + '/' + "
      "document.images.length;");
  EXPECT_NE(loaded.find("3/3"), std::string::npos) << loaded;
  marionette.delete_session();
  firefox.stop();
}

#ifdef FOXPORT_CLI
// `foxport run --artifacts DIR`: a failed command, a failed launch and a crashed browser each
// leave a bundle, saved before teardown, named on stderr and listed in DIR/index.html; a command
// that succeeds leaves nothing.
namespace {

struct RunArtifacts {
  fs::path root = fs::temp_directory_path() / "run-artifacts";
  ~RunArtifacts() { fs::remove_all(root); }

  // foxport run with --artifacts ROOT; its stderr, once it has exited, in `err`.
  int run(const std::vector<std::string>& launch, const std::vector<std::string>& command, std::string& err) {
    std::vector<std::string> argv{FOXPORT_CLI, "run", "-q", "--artifacts", root.string()};
    argv.insert(argv.end(), launch.begin(), launch.end());
    argv.emplace_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    foxport::testing::Subprocess foxport(argv);
    foxport.close_stdin();
    err = foxport.rest_of_stderr();
    return foxport.wait();
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

// The pixel_script colour of `png`, as a real Firefox decodes it.
std::string pixel_in_firefox(const std::string& png) {
  auto firefox = foxport::Firefox::launch();
  auto marionette = firefox.marionette(std::chrono::seconds(60));
  marionette.new_session();
  return marionette.execute_script(pixel_script, "[\"" + base64(png) + "\"]");
}

const std::string teal_page = "data:text/html,<title>run page</title><body style='background:teal'><h1>run</h1>";

}  // namespace

TEST(RunArtifacts, AFailedCommandLeavesTheBundleOfItsFirefoxBeforeTeardown) {
  RunArtifacts artifacts;
  std::string err;
  // The command leaves Firefox on its page and fails.
  ASSERT_EQ(
      artifacts.run({"--firefox", "--pool", "0"}, {FOXPORT_TEST_LAUNCHER, "marionette-client", teal_page, "3"}, err), 3)
      << err;
  const auto bundle = named_bundle(err);
  ASSERT_FALSE(bundle.empty()) << err;
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
  const auto loaded = marionette.execute_script(
      "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length + '/' + "
      "document.images.length;");
  EXPECT_NE(loaded.find("1/1"), std::string::npos) << loaded;
  marionette.delete_session();
}

TEST(RunArtifacts, AFailedCommandLeavesThePictureOfChromiumsPage) {
  RunArtifacts artifacts;
  std::string err;
  ASSERT_EQ(artifacts.run({"--chromium", "--pool", "0"}, {FOXPORT_TEST_LAUNCHER, "cdp-client", teal_page, "4"}, err), 4)
      << err;
  const auto bundle = named_bundle(err);
  ASSERT_FALSE(bundle.empty()) << err;
  EXPECT_NE(bundle.filename().string().find("chromium"), std::string::npos) << bundle;
  EXPECT_NE(read_file(bundle / "tree.txt").find("chrom"), std::string::npos);
  const auto png = read_file(bundle / "screenshot.png");
  ASSERT_GT(png_width(png), 100U) << read_file(bundle / "notes.txt");
  EXPECT_EQ(pixel_in_firefox(png), R"("0,128,128,255")");  // the command's teal page
}

// A client that failed without closing its session: chromedriver still shows its page.
TEST(RunArtifacts, AFailedCommandLeavesThePictureOfTheChromedriverSessionItLeftOpen) {
  RunArtifacts artifacts;
  std::string err;
  ASSERT_EQ(artifacts.run({"--chromedriver", "--pool", "0"},
                          {FOXPORT_TEST_LAUNCHER, "webdriver-client-keep", teal_page, "5"}, err),
            5)
      << err;
  const auto bundle = named_bundle(err);
  ASSERT_FALSE(bundle.empty()) << err;
  const auto png = read_file(bundle / "screenshot.png");
  ASSERT_GT(png_width(png), 100U) << read_file(bundle / "notes.txt");
  EXPECT_EQ(pixel_in_firefox(png), R"("0,128,128,255")");  // the command's teal page
}

TEST(RunArtifacts, ASucceedingCommandLeavesNothingAFailingOneItsStatus) {
  RunArtifacts artifacts;
  std::string err;
  // A remote endpoint launches nothing: only the command's end decides.
  ASSERT_EQ(artifacts.run({"--remote", "http://127.0.0.1:9"}, {"/bin/sh", "-c", "exit 0"}, err), 0) << err;
  EXPECT_FALSE(fs::exists(artifacts.root)) << err;
  EXPECT_TRUE(named_bundle(err).empty()) << err;

  ASSERT_EQ(artifacts.run({"--remote", "http://127.0.0.1:9"}, {"/bin/sh", "-c", "kill -TERM $$"}, err), 143) << err;
  const auto bundle = named_bundle(err);
  ASSERT_FALSE(bundle.empty()) << err;
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
  std::string err;
  EXPECT_EQ(artifacts.run({"--firefox", "--no-cache", "--binary", fake.string()}, {"/bin/true"}, err), 69) << err;
  fs::remove(fake);
  const auto bundle = named_bundle(err);
  ASSERT_FALSE(bundle.empty()) << err;
  EXPECT_NE(read_file(bundle / "failure.txt").find("exited before it was ready: exit status 7"), std::string::npos)
      << read_file(bundle / "failure.txt");
  EXPECT_NE(read_file(bundle / "log.txt").find("cannot open the display"), std::string::npos);
}

TEST(RunArtifacts, ACrashedFirefoxLeavesItsSignalLastLinesAndMinidump) {
  RunArtifacts artifacts;
  // The command says where Firefox is, then waits for its stdin to close.
  foxport::testing::Subprocess foxport({FOXPORT_CLI, "run", "-q", "--firefox", "--pool", "0", "--artifacts",
                                        artifacts.root.string(), "--", "/bin/sh", "-c",
                                        "echo pid $FOXPORT_PID; cat >/dev/null"});
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
