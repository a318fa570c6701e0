// The GoogleTest integration's per-test fixture: each test gets its own Firefox, and it is
// gone when the test is (the leak check after each test would fail otherwise).
#include <gtest/gtest.h>

#include <filesystem>

#include "foxport/gtest.hpp"
#include "support/wait.hpp"

namespace {

int previous_pid = -1;
std::filesystem::path previous_profile;

class OwnFirefox : public foxport::gtest::FirefoxTest {};

void check_and_remember(const foxport::gtest::Endpoint& endpoint) {
  EXPECT_FALSE(endpoint.inherited);
  EXPECT_NE(endpoint.pid, previous_pid);
  if (previous_pid > 0) {
    EXPECT_TRUE(foxport::testing::gone(previous_pid)) << "the previous test's Firefox survived it";
    EXPECT_FALSE(std::filesystem::exists(previous_profile));
  }
  auto marionette = endpoint.marionette();
  EXPECT_EQ(marionette.handshake().application_type, "gecko");
  previous_pid = endpoint.pid;
  previous_profile = endpoint.profile;
}

}  // namespace

TEST_F(OwnFirefox, First) { check_and_remember(endpoint()); }
TEST_F(OwnFirefox, Second) { check_and_remember(endpoint()); }

TEST(GtestIntegration, AnExportedEndpointIsAdoptedNotLaunched) {
  ::setenv("FOXPORT_KIND", "chromedriver", 1);
  ::setenv("FOXPORT_PORT", "4444", 1);
  ::setenv("WEBDRIVER_URL", "http://127.0.0.1:4444", 1);
  foxport::gtest::Launch launch(foxport::gtest::Kind::chromedriver);
  for (const char* name : {"FOXPORT_KIND", "FOXPORT_PORT", "WEBDRIVER_URL"}) ::unsetenv(name);
  EXPECT_TRUE(launch.endpoint().inherited);
  EXPECT_EQ(launch.endpoint().url, "http://127.0.0.1:4444");
  EXPECT_EQ(launch.endpoint().port, 4444);
}
