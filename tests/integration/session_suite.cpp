// A suite in one binary sharing one Firefox the way the README shows: each test opens a
// Marionette session and never deletes it; one test stops at an ASSERT in the middle of its
// session (it fails on purpose). Every other test must still get its session: the connection
// ends its session when it goes out of scope, and connecting waits while Marionette is still
// ending the previous one. Run by ctest, which checks that exactly the deliberate test failed.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "foxport/gtest.hpp"

using foxport::gtest::BrowserEnvironment;

namespace {

void open_a_page(const std::string& title) {
  auto marionette = BrowserEnvironment::endpoint().marionette();
  marionette.new_session();
  marionette.navigate("data:text/html,<title>" + title + "</title>");
  EXPECT_EQ(marionette.title(), title);
}

}  // namespace

TEST(ReadmePattern, First) { open_a_page("first"); }
TEST(ReadmePattern, Second) { open_a_page("second"); }
TEST(ReadmePattern, Third) { open_a_page("third"); }

TEST(StopsMidSession, FailsOnPurpose) {
  auto marionette = BrowserEnvironment::endpoint().marionette();
  marionette.new_session();
  marionette.navigate("data:text/html,<title>abandoned</title>");
  ASSERT_EQ(marionette.title(), "not the title") << "this test fails on purpose, in the middle of its session";
  marionette.delete_session();  // never reached
}

// (A new session on a shared Firefox still shows the previous test's page: sessions share the
// browser's window. Isolation between tests takes a fresh browser per test or a recycle.)
TEST(StopsMidSession, TheNextTestGetsItsSession) { open_a_page("after the failed one"); }

// Under `foxport run` with a broker, every test process gets a Firefox of its own: each
// process records the Firefox it got (suite-under-run.sh checks that no two are the same).
TEST(Endpoint, RecordsWhichFirefoxThisProcessGot) {
  const auto& endpoint = BrowserEnvironment::endpoint();
  EXPECT_GT(endpoint.pid, 0);
  if (const char* record = std::getenv("SUITE_RECORD")) {
    std::ofstream(std::string(record) + "/" + std::to_string(::getpid())) << endpoint.pid << "\n";
  }
  open_a_page("recorded");
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new BrowserEnvironment(foxport::gtest::Kind::firefox));
  return RUN_ALL_TESTS();
}
