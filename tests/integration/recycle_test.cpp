// Recycling a used Firefox for the next test: nothing of the previous test's site data or
// windows is left, and a recycling pool hands the same Firefox out again.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "foxport/error.hpp"
#include "foxport/firefox.hpp"
#include "foxport/pool.hpp"
#include "support/page_server.hpp"

using namespace std::chrono_literals;

namespace {

std::size_t window_count(foxport::Marionette& client) {
  const auto handles = boost::json::parse(client.command("WebDriver:GetWindowHandles"));
  return handles.is_array() ? handles.as_array().size() : handles.at("value").as_array().size();
}

// A test that leaves a cookie, local storage and a second tab behind.
void leave_traces(const foxport::Firefox& firefox, const std::string& url) {
  auto client = firefox.marionette(30s);
  client.new_session();
  client.navigate(url);
  client.execute_script("document.cookie = 'left=behind; max-age=3600'; localStorage.setItem('left', 'behind');");
  client.command("WebDriver:NewWindow", R"({"type":"tab"})");
  ASSERT_EQ(window_count(client), 2U);
  ASSERT_EQ(client.execute_script("return document.cookie;"), R"("left=behind")");
}

// What the next test finds: windows, cookie and storage on the same origin.
std::string traces(const foxport::Firefox& firefox, const std::string& url) {
  auto client = firefox.marionette(30s);
  client.new_session();
  const auto windows = window_count(client);
  client.navigate(url);
  return std::to_string(windows) + " " + client.execute_script("return document.cookie;") + " " +
         client.execute_script("return localStorage.getItem('left');");
}

}  // namespace

TEST(Recycle, LeavesNoSiteDataAndOneWindow) {
  foxport::testing::PageServer page;
  foxport::FirefoxOptions options;
  options.recyclable = true;
  auto firefox = foxport::Firefox::launch(options);
  leave_traces(firefox, page.url());
  EXPECT_EQ(traces(firefox, page.url()), R"(2 "left=behind" "behind")") << "the traces are not there to clear";
  firefox.recycle();
  EXPECT_EQ(traces(firefox, page.url()), R"(1 "" null)");
}

TEST(Recycle, WithoutRecyclableItSaysWhatIsMissing) {
  auto firefox = foxport::Firefox::launch();
  try {
    firefox.recycle();
    FAIL() << "recycled a Firefox without chrome access";
  } catch (const foxport::Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs FirefoxOptions::recyclable"), std::string::npos) << e.what();
  }
}

TEST(Recycle, ARecyclingPoolHandsTheSameFirefoxOutCleaned) {
  foxport::testing::PageServer page;
  auto pool = foxport::Pool::firefox({}, 1, foxport::Pool::Reuse::recycle);
  auto lease = pool.take();
  const int pid = lease.endpoint().pid;
  leave_traces(*static_cast<foxport::Firefox*>(lease.handle()), page.url());
  lease.release();
  auto next = pool.take();
  EXPECT_EQ(next.endpoint().pid, pid) << "the pool relaunched instead of recycling";
  EXPECT_EQ(traces(*static_cast<foxport::Firefox*>(next.handle()), page.url()), R"(1 "" null)");
}
