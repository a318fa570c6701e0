#pragma once
/// GoogleTest integration (target foxport::gtest): one browser endpoint for the whole test
/// binary, or one per test. Both reuse an endpoint exported by `foxport run` (the contract in
/// foxport/endpoint.hpp) instead of launching a second browser.
///
///   int main(int argc, char** argv) {
///     ::testing::InitGoogleTest(&argc, argv);
///     ::testing::AddGlobalTestEnvironment(new foxport::gtest::BrowserEnvironment(foxport::gtest::Kind::firefox));
///     return RUN_ALL_TESTS();
///   }

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "foxport/artifacts.hpp"
#include "foxport/broker.hpp"
#include "foxport/chromium.hpp"
#include "foxport/driver.hpp"
#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"
#include "foxport/firefox.hpp"
#include "foxport/marionette.hpp"
#include "foxport/pool.hpp"
#include "foxport/remote.hpp"
#include "foxport/webdriver.hpp"
#include "foxport/websocket.hpp"

namespace foxport::gtest {

/// What a test asks for. For the WebDriver kinds, an exported Grid or remote endpoint (or
/// FOXPORT_REMOTE_URL) replaces the launch: the same tests then run against it, with
/// capabilities for the browser asked for. chromium: Chromium with the DevTools protocol.
enum class Kind { firefox, geckodriver, chromedriver, chromium };

/// "firefox", "geckodriver", "chromedriver", "chromium".
FOXPORT_EXPORT const char* to_string(Kind kind) noexcept;

/// Where a test's browser endpoint is, and what the test asked for.
struct FOXPORT_EXPORT Endpoint : foxport::Endpoint {
  Kind wanted = Kind::firefox;  ///< what the test asked for: the browser capabilities() start
  bool inherited = false;       ///< exported by `foxport run` (or FOXPORT_REMOTE_URL), not launched here
  /// Bounds every call of the clients below (connect, each command, each request). Firefox's
  /// first NewSession can take seconds on a loaded machine; raise it rather than retry.
  std::chrono::milliseconds timeout = std::chrono::seconds(60);

  /// A Grid or remote WebDriver endpoint rather than a driver of its own.
  bool remote() const noexcept { return kind == EndpointKind::grid || kind == EndpointKind::remote; }

  /// A new Marionette connection (Firefox only). It ends the session it opens when it goes
  /// out of scope, so a test that stops at an ASSERT leaves Firefox ready for the next test.
  Marionette marionette() const;
  /// A WebDriver client (drivers only).
  WebDriverClient webdriver() const;
  /// A DevTools connection to the browser's websocket, `url` (chromium only).
  WebSocketClient devtools() const;
  /// New-session capabilities that suit this endpoint's browser (drivers only).
  std::string capabilities() const;
  /// A new WebDriver session with capabilities(), deleted with its handle — and by a guard
  /// if the test process dies (drivers and remote endpoints).
  RemoteSession session() const;
};

/// The endpoint `foxport run` exported (or FOXPORT_REMOTE_URL names) that can serve `kind`,
/// if any: Firefox for firefox; the same driver, a Grid or a remote endpoint for the drivers.
FOXPORT_EXPORT std::optional<Endpoint> inherited_endpoint(Kind kind);

/// The driver options a kind takes: GeckodriverOptions, ChromedriverOptions (DriverOptions
/// for firefox, which uses FirefoxOptions).
template <Kind kind>
using DriverOptionsFor =
    std::conditional_t<kind == Kind::geckodriver, GeckodriverOptions,
                       std::conditional_t<kind == Kind::chromedriver, ChromedriverOptions, DriverOptions>>;

/// The driver options of a launch: the common ones, or a kind's own (never sliced to the
/// common ones: a GeckodriverOptions::firefox is honoured).
using AnyDriverOptions = std::variant<DriverOptions, GeckodriverOptions, ChromedriverOptions>;

/// A launch owned by a test environment or fixture: Firefox, a driver, or nothing when the
/// endpoint is inherited.
class FOXPORT_EXPORT Launch {
 public:
  /// Under `foxport run` with a broker (FOXPORT_BROKER) serving `kind`: takes a launch of its
  /// own from it, so no two test processes share a browser. Otherwise adopts the endpoint
  /// `foxport run` exported, or launches `kind`. Throws foxport::Error (also when `driver`
  /// holds another driver's options than `kind`).
  /// `ahead` > 0 (from a fixture's BrowserTest::launch_ahead()): takes a fresh launch from a
  /// pool kept for the current test suite, which starts up to `ahead` launches for the suite's
  /// next tests while this one runs, and is stopped when the suite ends.
  explicit Launch(Kind kind, FirefoxOptions firefox = {}, AnyDriverOptions driver = DriverOptions{},
                  std::size_t ahead = 0);
  /// The same with the options of a chromium launch.
  Launch(Kind kind, FirefoxOptions firefox, AnyDriverOptions driver, ChromiumOptions chromium, std::size_t ahead = 0);
  const Endpoint& endpoint() const noexcept { return endpoint_; }
  /// What a failure bundle can show of this launch (the process and ready report only when
  /// the launch is this process's own).
  ArtifactSources artifact_sources() const;
  /// Stops what was launched here (an inherited endpoint is left alone).
  void stop();

 private:
  Endpoint endpoint_;
  std::optional<Firefox> firefox_;
  std::optional<DriverService> driver_;
  std::optional<Chromium> chromium_;
  std::optional<BrokerLease> taken_;
  std::optional<Pool::Lease> pooled_;
};

namespace detail {
/// With FOXPORT_ARTIFACTS set and the current test failed: saves the failure bundle of
/// `launch` as DIR/<Suite>.<Test>/ and records its path as the test's property
/// "foxport_artifacts" (so --gtest_output=xml carries it).
FOXPORT_EXPORT void save_artifacts_if_failed(const Launch& launch) noexcept;
/// Whether a test suite's pool holds launches started ahead (they outlive the test that
/// started them, until the suite ends: leak checks belong at the suite's end then).
FOXPORT_EXPORT bool launching_ahead() noexcept;
}  // namespace detail

/// One endpoint for the whole test binary. A launch failure fails the run with the launch
/// error (every test then fails with it), never a crash.
class FOXPORT_EXPORT BrowserEnvironment : public ::testing::Environment {
 public:
  explicit BrowserEnvironment(Kind kind = Kind::firefox, FirefoxOptions firefox = {},
                              AnyDriverOptions driver = DriverOptions{});
  /// Chromium with the DevTools protocol, launched with these options.
  explicit BrowserEnvironment(ChromiumOptions chromium);
  void SetUp() override;
  void TearDown() override;

  /// The running environment's endpoint; fails the calling test if there is none.
  static const Endpoint& endpoint();
  /// This environment's launch, null before SetUp and after a failed launch.
  const Launch* launch() const noexcept { return launch_.get(); }

 private:
  Kind kind_;
  FirefoxOptions firefox_options_;
  AnyDriverOptions driver_options_;
  ChromiumOptions chromium_options_;
  std::unique_ptr<Launch> launch_;
};

/// A fixture base giving each test its own launch of `kind` (or the inherited endpoint).
template <Kind kind>
class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      launch_ = std::make_unique<Launch>(kind, firefox_options(), driver_options(), chromium_options(), launch_ahead());
    } catch (const std::exception& e) {
      GTEST_FAIL() << "foxport could not launch " << to_string(kind) << ": " << e.what();
    }
  }
  void TearDown() override {
    if (!launch_) return;
    detail::save_artifacts_if_failed(*launch_);
    launch_->stop();
  }
  /// Override to change the launch.
  virtual FirefoxOptions firefox_options() const { return {}; }
  /// Override to change the launch: GeckodriverOptions for GeckodriverTest,
  /// ChromedriverOptions for ChromedriverTest.
  virtual DriverOptionsFor<kind> driver_options() const { return {}; }
  /// Override to change the launch of ChromiumTest.
  virtual ChromiumOptions chromium_options() const { return {}; }
  /// Override to start this fixture's next browsers while the current test runs: each test
  /// still gets a fresh one of its own, taken from a pool kept for the test suite (with this
  /// fixture's options) that launches no more than the suite's remaining tests need and is
  /// stopped when the suite ends (docs/benchmarks.md, section 10, has the figures). Only where
  /// a suite's tests run in one process. 0 (the default): each test launches its own.
  virtual std::size_t launch_ahead() const { return 0; }
  /// This test's endpoint.
  const Endpoint& endpoint() const { return launch_->endpoint(); }

 private:
  std::unique_ptr<Launch> launch_;
};

using FirefoxTest = BrowserTest<Kind::firefox>;            ///< one Firefox per test
using GeckodriverTest = BrowserTest<Kind::geckodriver>;    ///< one geckodriver per test
using ChromedriverTest = BrowserTest<Kind::chromedriver>;  ///< one chromedriver per test
using ChromiumTest = BrowserTest<Kind::chromium>;          ///< one Chromium (DevTools) per test

}  // namespace foxport::gtest
