// Benchmark (run by scripts/bench-fixtures, not by ctest): eight short tests in one binary,
// each opening a page in its own Marionette session. `Shared.*` runs them on one Firefox for
// the whole suite (the baseline); `Fresh.*` gives each test a fresh Firefox through
// foxport::gtest::FirefoxTest, launching FOXPORT_BENCH_AHEAD of them ahead (0: none).
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "foxport/gtest.hpp"

namespace {

void open_a_page(const foxport::Endpoint& endpoint, const std::string& title) {
  auto marionette = foxport::Marionette::connect("127.0.0.1", endpoint.port, std::chrono::seconds(60));
  marionette.new_session();
  marionette.navigate("data:text/html,<title>" + title + "</title>");
  EXPECT_EQ(marionette.title(), title);
}

class Shared : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { firefox.emplace(foxport::Firefox::launch()); }
  static void TearDownTestSuite() { firefox.reset(); }
  static std::optional<foxport::Firefox> firefox;
};
std::optional<foxport::Firefox> Shared::firefox;

class Fresh : public foxport::gtest::FirefoxTest {
 protected:
  std::size_t launch_ahead() const override {
    const char* ahead = std::getenv("FOXPORT_BENCH_AHEAD");
    return ahead ? std::stoul(ahead) : 0;
  }
};

}  // namespace

#define FOXPORT_BENCH_TESTS(n)                                              \
  TEST_F(Shared, Page##n) { open_a_page(firefox->endpoint(), "page " #n); } \
  TEST_F(Fresh, Page##n) { open_a_page(endpoint(), "page " #n); }
FOXPORT_BENCH_TESTS(1)
FOXPORT_BENCH_TESTS(2)
FOXPORT_BENCH_TESTS(3)
FOXPORT_BENCH_TESTS(4)
FOXPORT_BENCH_TESTS(5)
FOXPORT_BENCH_TESTS(6)
FOXPORT_BENCH_TESTS(7)
FOXPORT_BENCH_TESTS(8)
