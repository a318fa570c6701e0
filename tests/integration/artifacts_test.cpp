// Failure bundles (FOXPORT_ARTIFACTS): a suite run in a subprocess fails two tests on purpose;
// each failed test leaves its bundle (a picture of its page, the browser's log, its process
// tree, its ready report, the failure), the passing test leaves nothing, the XML report names
// the bundles, and the index page shows every picture in a real browser.
#include <gtest/gtest.h>

#include <boost/beast/core/detail/base64.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "foxport/firefox.hpp"
#include "support/subprocess.hpp"

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

  // The index: both failures, every picture loaded.
  marionette.navigate("file://" + (root / "index.html").string());
  EXPECT_EQ(marionette.title(), "foxport: 3 failed");
  const auto loaded = marionette.execute_script(
      "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length + '/' + "
      "document.images.length;");
  EXPECT_NE(loaded.find("3/3"), std::string::npos) << loaded;
  marionette.delete_session();
  firefox.stop();
}
