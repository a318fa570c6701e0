// Many drivers at once: 16 from one process, and 4 processes x 8. All ready, all on
// distinct ports, no failures, nothing left behind.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>

#include "foxport/driver.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

TEST(DriverStress, SixteenChromedriversFromOneProcess) {
  std::vector<foxport::Chromedriver> drivers(16);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (auto& driver : drivers) {
    threads.emplace_back([&driver, &failures] {
      std::error_code ec;
      driver = foxport::Chromedriver::launch({}, ec);
      if (ec) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  std::set<int> ports;
  std::vector<int> pids;
  for (auto& driver : drivers) {
    ports.insert(driver.port());
    pids.push_back(driver.pid());
    EXPECT_TRUE(driver.client().status().ready);
  }
  EXPECT_EQ(ports.size(), 16u);
  drivers.clear();
  for (const int pid : pids) EXPECT_TRUE(foxport::testing::gone(pid));
}

TEST(DriverStress, FourProcessesTimesEight) {
  std::vector<std::unique_ptr<foxport::testing::Subprocess>> holders;
  for (int i = 0; i < 4; ++i) {
    holders.push_back(std::make_unique<foxport::testing::Subprocess>(
        std::vector<std::string>{FOXPORT_TEST_LAUNCHER, "chromedrivers", "8"}));
  }
  std::set<int> ports;
  for (auto& holder : holders) {
    for (int i = 0; i < 8; ++i) {
      const auto line = holder->read_line();
      ASSERT_EQ(line.rfind("port ", 0), 0u) << line << holder->rest_of_stderr();
      ports.insert(std::stoi(line.substr(5)));
    }
  }
  EXPECT_EQ(ports.size(), 32u);
  for (auto& holder : holders) {
    holder->close_stdin();
    EXPECT_EQ(holder->wait(), 0);
  }
}
