// foxport's option and result structs, initialised as users do: designated initializers that
// name only the fields they need. Under -Wextra, GCC warned (-Wmissing-field-initializers) for
// every field without a default member initializer, so each field foxport added broke users
// who build with -Werror. This file is compiled with the developer build's -Wextra -Werror:
// it does not compile while a field of these structs lacks one.

#include <gtest/gtest.h>

#include "foxport/artifacts.hpp"
#include "foxport/broker.hpp"
#include "foxport/chromium.hpp"
#include "foxport/driver_service.hpp"
#include "foxport/endpoint.hpp"
#include "foxport/firefox.hpp"
#include "foxport/inspect.hpp"
#include "foxport/marionette.hpp"
#include "foxport/process.hpp"
#include "foxport/ready.hpp"
#include "foxport/webdriver.hpp"

namespace {

TEST(PublicStructs, DesignatedInitializersNamingOneFieldLeaveTheRestAtTheirDefaults) {
  const foxport::Endpoint endpoint{.kind = foxport::EndpointKind::chromedriver, .port = 4444};
  EXPECT_EQ(endpoint.pid, -1);
  EXPECT_EQ(endpoint.display, "");
  const foxport::FirefoxOptions firefox{.headless = false};
  EXPECT_TRUE(firefox.binary.empty());
  const foxport::ChromiumOptions chromium{.headless = false};
  EXPECT_TRUE(chromium.arguments.empty());
  const foxport::DriverOptions driver{.port = 4444};
  EXPECT_TRUE(driver.log_level.empty());
  const foxport::ProcessOptions process{.executable = "/bin/true"};
  EXPECT_TRUE(process.environment.empty());
  const foxport::DetachedProcess detached{.pid = 1};
  EXPECT_EQ(detached.display, "");
  const foxport::ReadyReport report{.port = 4444};
  EXPECT_EQ(report.port_source, "");
  const foxport::ArtifactSources sources{.webdriver_session = "id"};
  EXPECT_EQ(sources.log, "");
  const foxport::BrokerAddress broker{.socket = "/tmp/socket"};
  EXPECT_EQ(broker.socket, "/tmp/socket");
  const foxport::WebDriverStatus status{.ready = true};
  EXPECT_EQ(status.message, "");
  const foxport::MarionetteHandshake handshake{.protocol = 3};
  EXPECT_EQ(handshake.application_type, "");
  const foxport::PortListener listener{.port = 4444};
  EXPECT_TRUE(listener.holders.empty());
}

}  // namespace
