// Run by artifacts_test with FOXPORT_ARTIFACTS set (not by ctest on its own): a test with a
// Firefox of its own, one with a chromedriver of its own, one with a geckodriver of its own and
// one on the binary's shared Firefox each fail on purpose on a page they opened, one after its
// Firefox crashed; another test passes and must leave nothing.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "foxport/gtest.hpp"

namespace {

void open_page(const foxport::gtest::Endpoint& endpoint, const std::string& title) {
  auto marionette = endpoint.marionette();
  marionette.new_session();
  marionette.navigate("data:text/html,<title>" + title + "</title><body style='background:teal'><h1>" + title +
                      "</h1>");
}

class OwnBrowser : public foxport::gtest::FirefoxTest {};
class OwnChromedriver : public foxport::gtest::ChromedriverTest {};
class OwnGeckodriver : public foxport::gtest::GeckodriverTest {};

// Opens a page in a new session of the test's driver. The session stays open until the test
// has failed: it is the picture's subject as it closes.
foxport::RemoteSession open_driver_page(const foxport::gtest::Endpoint& endpoint) {
  auto session = endpoint.session();
  session.client().navigate(session.id(),
                            "data:text/html,<title>driver page</title><body style='background:teal'><h1>x</h1>");
  return session;
}

}  // namespace

TEST_F(OwnBrowser, FailsOnAPage) {
  open_page(endpoint(), "own page");
  ADD_FAILURE() << "fails on purpose, on its own Firefox";
}

// Its Firefox crashes: the bundle keeps the minidump Firefox's crash reporter wrote.
TEST_F(OwnBrowser, FailsAfterItsBrowserCrashed) {
  const int pid = endpoint().pid;
  const int exited = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // not our child: the guard's
  ASSERT_GE(exited, 0);
  ::kill(pid, SIGSEGV);
  pollfd fd{exited, POLLIN, 0};
  EXPECT_EQ(::poll(&fd, 1, 30000), 1) << "Firefox did not end after SIGSEGV";
  ::close(exited);
  ADD_FAILURE() << "fails on purpose, after its Firefox crashed";
}

// The session (and its browser) is gone when the test ends: the picture is taken as it closes.
TEST_F(OwnChromedriver, FailsOnAPage) {
  const auto session = open_driver_page(endpoint());
  ADD_FAILURE() << "fails on purpose, in a chromedriver session";
}

TEST_F(OwnGeckodriver, FailsOnAPage) {
  const auto session = open_driver_page(endpoint());
  ADD_FAILURE() << "fails on purpose, in a geckodriver session";
}

TEST(SharedBrowser, FailsOnAPage) {
  open_page(foxport::gtest::BrowserEnvironment::endpoint(), "shared page");
  ADD_FAILURE() << "fails on purpose, on the shared Firefox";
}

TEST(SharedBrowser, Passes) { open_page(foxport::gtest::BrowserEnvironment::endpoint(), "passing page"); }

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new foxport::gtest::BrowserEnvironment(foxport::gtest::Kind::firefox));
  return RUN_ALL_TESTS();
}
