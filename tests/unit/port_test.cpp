// Ports: parsing what children report, ranges, and leases across threads and processes.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "foxport/error.hpp"
#include "foxport/port.hpp"
#include "support/lease_holder.hpp"
#include "support/sockets.hpp"

namespace fs = std::filesystem;
using foxport::parse_port_report;
using foxport::PortLease;
using foxport::PortRange;
using foxport::PortReport;

namespace {

std::string capture(const std::string& name) {
  std::ifstream in(fs::path(FOXPORT_TEST_CAPTURES_DIR) / name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The first port any line of the capture reports.
std::optional<std::uint16_t> first_report(PortReport kind, const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (auto port = parse_port_report(kind, line)) return port;
  }
  return std::nullopt;
}

// Leases are machine-wide: other test processes lease from the same ranges, at random starts.
class Leases : public ::testing::Test {
 protected:
  // A range of one free-looking port, high enough not to meet the kernel's ephemeral ports.
  static PortRange one_port() {
    const auto port = PortLease::acquire(PortRange::default_range()).port();  // released at once
    return {port, port};
  }
};

}  // namespace

TEST(PortReports, ReadTheRealCapturedLines) {
  EXPECT_EQ(first_report(PortReport::geckodriver, capture("geckodriver-0.35.0-session-log.txt")), 37829);
  EXPECT_EQ(first_report(PortReport::marionette, capture("geckodriver-0.35.0-session-log.txt")), 35041);
  EXPECT_EQ(first_report(PortReport::marionette, capture("firefox-esr-153-marionette-startup-log.txt")), 45247);
  EXPECT_EQ(first_report(PortReport::chromedriver, capture("chromedriver-156-startup.txt")), 44273);
  // "Starting ChromeDriver ... on port 0" is the request, not the report.
  EXPECT_EQ(first_report(PortReport::chromedriver, capture("chromedriver-156-port-in-use.txt")), std::nullopt);
  EXPECT_EQ(foxport::parse_port_file("45247"), 45247);
  // Selenium Grid 4.48.0's last start-up line (seen on this machine).
  EXPECT_EQ(parse_port_report(PortReport::selenium_grid,
                              "05:35:21.596 INFO [Standalone.execute] - Started Selenium Standalone 4.48.0 (revision "
                              "27f5213 27f5213055e28398a5105b7892b7a3bb2012a6ef): http://192.0.2.2:61234"),
            61234);
  EXPECT_EQ(parse_port_report(PortReport::selenium_grid,
                              "05:35:21.114 INFO [LocalNodeRegistry.add] - Added node at "
                              "http://192.0.2.2:61234. Health check every 120s"),
            std::nullopt);
}

TEST(PortReports, IgnoreOtherLinesAndGarbage) {
  EXPECT_EQ(
      parse_port_report(PortReport::marionette, "1795394019810\tMarionette\tINFO\tStopped listening on port 45247"),
      std::nullopt);
  EXPECT_EQ(parse_port_report(PortReport::marionette, "Listening on port 45247"), std::nullopt);  // not Marionette's
  EXPECT_EQ(parse_port_report(PortReport::geckodriver, "1\tgeckodriver\tINFO\tListening on 127.0.0.1:0"), std::nullopt);
  EXPECT_EQ(parse_port_report(PortReport::geckodriver, "1\tgeckodriver\tINFO\tListening on 127.0.0.1:70000"),
            std::nullopt);
  EXPECT_EQ(parse_port_report(PortReport::geckodriver, "1\tgeckodriver\tINFO\tListening on [::1]:4444\r"), 4444);
  EXPECT_EQ(parse_port_report(PortReport::chromedriver, "ChromeDriver was started successfully on port 12x."),
            std::nullopt);
  EXPECT_EQ(parse_port_report(PortReport::webdriver_bidi, "WebDriver BiDi listening on ws://127.0.0.1:9222"), 9222);
  EXPECT_EQ(foxport::parse_port_file(" 45247\n"), 45247);
  EXPECT_EQ(foxport::parse_port_file(""), std::nullopt);
  EXPECT_EQ(foxport::parse_port_file("452x7"), std::nullopt);
}

// As firefox-esr 153 and Debian's chromium 156 print and write them (seen on this machine).
TEST(PortReports, BrowserRemoteProtocolsReportTheirPorts) {
  EXPECT_EQ(parse_port_report(PortReport::devtools,
                              "DevTools listening on ws://127.0.0.1:43151/devtools/browser/78e047d0-8426-4fff-a64c"),
            43151);
  EXPECT_EQ(parse_port_report(PortReport::devtools, "DevTools listening on ws://[::1]:9222/devtools/browser/x"), 9222);
  EXPECT_EQ(parse_port_report(PortReport::devtools, "DevTools listening on ws://127.0.0.1:0/devtools/browser/x"),
            std::nullopt);
  EXPECT_EQ(parse_port_report(PortReport::devtools, "WebDriver BiDi listening on ws://127.0.0.1:9222"), std::nullopt);
  using foxport::PortFile;
  EXPECT_EQ(foxport::parse_port_file(PortFile::devtools, "43151\n/devtools/browser/78e047d0\n"), 43151);
  EXPECT_EQ(foxport::parse_port_file(PortFile::devtools, "4315"), std::nullopt);  // still being written
  EXPECT_EQ(
      foxport::parse_port_file(PortFile::webdriver_bidi, "{\n  \"ws_host\": \"127.0.0.1\",\n  \"ws_port\": 44995\n}"),
      44995);
  EXPECT_EQ(foxport::parse_port_file(PortFile::webdriver_bidi, "{\"ws_port\":44995,\"ws_host\":\"::1\"}"), 44995);
  EXPECT_EQ(foxport::parse_port_file(PortFile::webdriver_bidi, "{\"ws_host\": \"127.0.0.1\", \"ws_port\": 449"),
            std::nullopt);  // half written
  EXPECT_EQ(foxport::parse_port_file(PortFile::webdriver_bidi, ""), std::nullopt);
  EXPECT_EQ(foxport::parse_port_file(PortFile::marionette, "45247"), 45247);
}

TEST(PortRanges, ParseAndRejectWithAClearMessage) {
  EXPECT_EQ(PortRange::parse("61000-65535").to_string(), "61000-65535");
  EXPECT_EQ(PortRange::parse("4444").size(), 1u);
  for (const char* bad : {"", "5000-4000", "0-10", "1-65536", "a-b", "10-", "-10"}) {
    std::error_code ec;
    PortRange::parse(bad, ec);
    EXPECT_EQ(ec, foxport::errc::port_range_invalid) << bad;
    try {
      PortRange::parse(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const foxport::Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos) << e.what();
    }
  }
}

TEST(PortRanges, DefaultIsTheDynamicRangeTheKernelLeavesAlone) {
  EXPECT_EQ(PortRange::outside_ephemeral({32768, 60999}).to_string(), "61000-65535");
  EXPECT_EQ(PortRange::outside_ephemeral({55000, 65535}).to_string(), "49152-54999");
  EXPECT_THROW(PortRange::outside_ephemeral({1024, 65535}), foxport::Error);
  // What this machine's kernel says (ip_local_port_range), read independently of foxport.
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 0, high = 0;
  ASSERT_TRUE(file >> low >> high);
  EXPECT_EQ(
      PortRange::default_range().to_string(),
      PortRange::outside_ephemeral({static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)}).to_string());
}

TEST_F(Leases, ALeaseExcludesASecondLeaseInTheSameProcess) {
  const auto range = one_port();
  auto first = PortLease::acquire(range);
  EXPECT_EQ(first.port(), range.first);
  std::error_code ec;
  auto second = PortLease::acquire(range, ec);
  EXPECT_EQ(ec, foxport::errc::ports_exhausted);
  EXPECT_FALSE(second.valid());
  try {
    PortLease::acquire(range);
    FAIL() << "leased twice";
  } catch (const foxport::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no free port in " + range.to_string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(port " + std::to_string(range.first) + ": pid " +
                                         std::to_string(::getpid()) + ", user "),
              std::string::npos)
        << e.what();
  }
  first.release();
  EXPECT_TRUE(PortLease::acquire(range).valid());  // released: leasable again
}

TEST_F(Leases, ALeaseExcludesOtherProcessesUntilTheHolderDies) {
  const auto range = one_port();
  foxport::testing::LeaseHolder holder(range);
  ASSERT_TRUE(holder.leased());
  std::error_code ec;
  PortLease::acquire(range, ec);
  EXPECT_EQ(ec, foxport::errc::ports_exhausted);
  holder.kill();
  EXPECT_TRUE(PortLease::acquire(range).valid());  // the kernel dropped the dead holder's lock
}

TEST_F(Leases, APortSomeoneListensOnIsSkipped) {
  const auto range = one_port();
  const int stranger = foxport::testing::listen_on_loopback(range.first, 1);
  ASSERT_GE(stranger, 0);
  std::error_code ec;
  PortLease::acquire(range, ec);
  EXPECT_EQ(ec, foxport::errc::ports_exhausted);
  const PortRange wider{range.first, static_cast<std::uint16_t>(range.first + 20)};
  const auto lease = PortLease::acquire(wider);
  EXPECT_NE(lease.port(), range.first);
  EXPECT_TRUE(wider.contains(lease.port()));
  ::close(stranger);
}

// #15 item 6: lock files in per-user directories let two users lease the same port. A lease is
// machine-wide now, and the error names the other user's holder.
TEST_F(Leases, ALeaseExcludesOtherUsersAndTheErrorNamesTheHolder) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to become nobody";
  const auto range = one_port();
  foxport::testing::LeaseHolder holder(range, 65534);
  ASSERT_TRUE(holder.leased()) << "nobody could not lease " << range.to_string();
  try {
    auto lease = PortLease::acquire(range);
    ADD_FAILURE() << "root leased port " << lease.port() << " that nobody holds";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::ports_exhausted);
    EXPECT_NE(std::string(e.what()).find("(port " + std::to_string(range.first) + ": pid " +
                                         std::to_string(holder.pid()) + ", user nobody (uid 65534))"),
              std::string::npos)
        << e.what();
  }
  holder.kill();
  EXPECT_TRUE(PortLease::acquire(range).valid());  // the kernel released the dead holder's name
}

TEST_F(Leases, AnEmptyRangeIsAClearError) {
  std::error_code ec;
  PortLease::acquire(PortRange{5000, 4000}, ec);
  EXPECT_EQ(ec, foxport::errc::port_range_invalid);
}
