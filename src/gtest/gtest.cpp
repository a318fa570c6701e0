#include "foxport/gtest.hpp"

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "foxport/error.hpp"

namespace foxport::gtest {
namespace {

BrowserEnvironment* current = nullptr;
std::string launch_error;
// The last test that asked for the environment's endpoint: only its failure shows that browser.
const ::testing::TestInfo* environment_user = nullptr;

}  // namespace

const char* to_string(Kind kind) noexcept {
  switch (kind) {
    case Kind::firefox:
      return "firefox";
    case Kind::geckodriver:
      return "geckodriver";
    case Kind::chromedriver:
      return "chromedriver";
    case Kind::chromium:
      return "chromium";
  }
  return "?";
}

Marionette Endpoint::marionette() const {
  if (kind != EndpointKind::firefox)
    throw Error(errc::protocol_error, std::string("a ") + foxport::to_string(kind) + " endpoint has no Marionette");
  return Marionette::connect("127.0.0.1", port, timeout);
}

namespace {

void require_webdriver(const foxport::Endpoint& endpoint) {
  if (!endpoint.speaks_webdriver())
    throw Error(errc::protocol_error,
                std::string("a ") + foxport::to_string(endpoint.kind) + " endpoint speaks " +
                    (endpoint.kind == EndpointKind::chromium ? "the DevTools protocol" : "Marionette") +
                    ", not WebDriver");
}

}  // namespace

WebDriverClient Endpoint::webdriver() const {
  require_webdriver(*this);
  return WebDriverClient(url, timeout);
}

namespace {

// A picture of a failing test's page, taken as its WebDriver session closed: by the time the
// test ends, that session and its browser are gone.
std::mutex picture_mutex;
const ::testing::TestInfo* picture_test = nullptr;
std::string picture, picture_failed;

void take_picture_if_failing(const RemoteSession& closing) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  if (test == nullptr || !::testing::Test::HasFailure()) return;
  ArtifactSources sources;
  sources.endpoint.kind = EndpointKind::remote;
  sources.endpoint.url = closing.url();
  sources.webdriver_session = closing.id();
  std::string png, failed;
  try {
    png = take_screenshot(sources);
  } catch (const std::exception& e) {
    failed = std::string("as the session closed: ") + e.what();
  }
  std::lock_guard lock(picture_mutex);
  picture_test = test;
  picture = std::move(png);
  picture_failed = std::move(failed);
}

// The picture (or why there is none) taken for `test`, if any; once.
void add_picture(const ::testing::TestInfo* test, ArtifactSources& sources) {
  std::lock_guard lock(picture_mutex);
  if (picture_test != test) return;
  picture_test = nullptr;
  sources.screenshot = std::exchange(picture, {});
  sources.screenshot_failed = std::exchange(picture_failed, {});
}

}  // namespace

RemoteSession Endpoint::session() const {
  require_webdriver(*this);
  auto session = RemoteSession::create(url, capabilities());
  if (artifacts_from_environment()) session.before_close(take_picture_if_failing);
  return session;
}

WebSocketClient Endpoint::devtools() const {
  if (kind != EndpointKind::chromium)
    throw Error(errc::protocol_error,
                std::string("a ") + foxport::to_string(kind) + " endpoint has no DevTools websocket");
  return WebSocketClient::connect(url, timeout);
}

std::string Endpoint::capabilities() const {
  return wanted == Kind::chromedriver ? chromium_capabilities() : firefox_capabilities();
}

namespace {

// Whether an exported endpoint can serve what a test asks for.
bool serves(EndpointKind exported, Kind wanted) {
  switch (exported) {
    case EndpointKind::firefox:
      return wanted == Kind::firefox;
    case EndpointKind::geckodriver:
      return wanted == Kind::geckodriver;
    case EndpointKind::chromedriver:
      return wanted == Kind::chromedriver;
    case EndpointKind::chromium:
      return wanted == Kind::chromium;
    case EndpointKind::grid:
    case EndpointKind::remote:
      return wanted != Kind::firefox && wanted != Kind::chromium;  // WebDriver for any browser
  }
  return false;
}

}  // namespace

std::optional<Endpoint> inherited_endpoint(Kind kind) {
  Endpoint endpoint;
  endpoint.wanted = kind;
  endpoint.inherited = true;
  if (auto url = remote_url_from_environment(); url && kind != Kind::firefox && kind != Kind::chromium) {
    endpoint.kind = EndpointKind::remote;
    endpoint.url = *url;
    return endpoint;
  }
  const auto exported = foxport::Endpoint::from_environment();
  if (!exported || !serves(exported->kind, kind)) return std::nullopt;
  static_cast<foxport::Endpoint&>(endpoint) = *exported;
  return endpoint;
}

namespace {

EndpointKind endpoint_kind(Kind kind) {
  switch (kind) {
    case Kind::firefox:
      return EndpointKind::firefox;
    case Kind::geckodriver:
      return EndpointKind::geckodriver;
    case Kind::chromedriver:
      return EndpointKind::chromedriver;
    case Kind::chromium:
      return EndpointKind::chromium;
  }
  return EndpointKind::firefox;
}

// The options for driver kind `Options`: a kind's own as they are, the common ones under it.
template <typename Options>
Options options_for(AnyDriverOptions driver, Kind kind) {
  if (auto* own = std::get_if<Options>(&driver)) return std::move(*own);
  if (auto* common = std::get_if<DriverOptions>(&driver)) {
    Options options;
    static_cast<DriverOptions&>(options) = std::move(*common);
    return options;
  }
  throw Error(std::make_error_code(std::errc::invalid_argument),
              std::string("foxport::gtest::Launch: another driver's options for ") + to_string(kind));
}

// The pools of launches started ahead: one per test suite whose fixture asks for them, each
// stopped when its suite ends. GoogleTest owns the listener once it is appended.
class SuitePools : public ::testing::EmptyTestEventListener {
 public:
  static SuitePools& instance() {
    static SuitePools* pools = [] {
      auto* made = new SuitePools;
      ::testing::UnitTest::GetInstance()->listeners().Append(made);
      return made;
    }();
    return *pools;
  }

  // A launch from the current suite's pool, made on the suite's first take; nothing when the
  // suite has only this test left to run (a pool would only add a thread).
  std::optional<Pool::Lease> take(Kind kind, const FirefoxOptions& firefox, const AnyDriverOptions& driver,
                                  const ChromiumOptions& chromium, std::size_t ahead) {
    const auto* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    if (suite == nullptr) return std::nullopt;
    std::unique_lock lock(mutex_);
    auto found = pools_.find(suite->name());
    if (found == pools_.end()) {
      const auto tests = static_cast<std::size_t>(suite->test_to_run_count());
      if (tests <= 1) return std::nullopt;
      found = pools_.emplace(suite->name(), make_pool(kind, firefox, driver, chromium, std::min(ahead, tests))).first;
      found->second.expect_takes(tests);
    }
    Pool& pool = found->second;
    lock.unlock();  // taking waits; the pool is erased only at the suite's end, on this thread
    return pool.take();
  }

  bool any() const noexcept {
    std::lock_guard lock(mutex_);
    return !pools_.empty();
  }

 private:
  static Pool make_pool(Kind kind, const FirefoxOptions& firefox, const AnyDriverOptions& driver,
                        const ChromiumOptions& chromium, std::size_t ahead) {
    if (kind == Kind::firefox) return Pool::firefox(firefox, ahead);
    if (kind == Kind::geckodriver) return Pool::geckodriver(options_for<GeckodriverOptions>(driver, kind), ahead);
    if (kind == Kind::chromium) {
      return Pool(
          [chromium] {
            auto launched = std::make_shared<Chromium>(Chromium::launch(chromium));
            return PooledLaunch{launched->endpoint(), launched};
          },
          ahead);
    }
    return Pool::chromedriver(options_for<ChromedriverOptions>(driver, kind), ahead);
  }

  void OnTestSuiteEnd(const ::testing::TestSuite& suite) override {
    std::optional<Pool> ended;  // stopped outside the lock
    {
      std::lock_guard lock(mutex_);
      auto found = pools_.find(suite.name());
      if (found == pools_.end()) return;
      ended.emplace(std::move(found->second));
      pools_.erase(found);
    }
  }

  mutable std::mutex mutex_;
  std::map<std::string, Pool> pools_;
};

}  // namespace

bool detail::launching_ahead() noexcept { return SuitePools::instance().any(); }

Launch::Launch(Kind kind, FirefoxOptions firefox, AnyDriverOptions driver, std::size_t ahead)
    : Launch(kind, std::move(firefox), std::move(driver), ChromiumOptions{}, ahead) {}

Launch::Launch(Kind kind, FirefoxOptions firefox, AnyDriverOptions driver, ChromiumOptions chromium,
               std::size_t ahead) {
  if (const auto broker = broker_from_environment(); broker && broker->kind == endpoint_kind(kind)) {
    taken_ = BrokerLease::take(broker->socket, broker->kind);
    static_cast<foxport::Endpoint&>(endpoint_) = taken_->endpoint();
    endpoint_.wanted = kind;
    endpoint_.inherited = true;
    return;
  }
  if (auto inherited = inherited_endpoint(kind)) {
    endpoint_ = *inherited;
    return;
  }
  foxport::Endpoint launched;
  if (artifacts_from_environment()) firefox.crash_dumps = true;  // a crash's minidump goes into the bundle
  if (ahead > 0) pooled_ = SuitePools::instance().take(kind, firefox, driver, chromium, ahead);
  if (pooled_) {
    launched = pooled_->endpoint();
  } else if (kind == Kind::firefox) {
    firefox_ = Firefox::launch(std::move(firefox));
    launched = firefox_->endpoint();
  } else if (kind == Kind::chromium) {
    chromium_ = Chromium::launch(std::move(chromium));
    launched = chromium_->endpoint();
  } else if (kind == Kind::geckodriver) {
    driver_ = Geckodriver::launch(options_for<GeckodriverOptions>(std::move(driver), kind));
    launched = driver_->endpoint();
  } else {
    driver_ = Chromedriver::launch(options_for<ChromedriverOptions>(std::move(driver), kind));
    launched = driver_->endpoint();
  }
  static_cast<foxport::Endpoint&>(endpoint_) = launched;
  endpoint_.wanted = kind;
}

ArtifactSources Launch::artifact_sources() const {
  ArtifactSources sources;
  sources.endpoint = endpoint_;
  const Firefox* firefox = firefox_ ? &*firefox_ : nullptr;
  const DriverService* driver = driver_ ? &*driver_ : nullptr;
  const Chromium* chromium = chromium_ ? &*chromium_ : nullptr;
  if (pooled_ && pooled_->handle() != nullptr) {
    // The handle types Pool::firefox, ::geckodriver, ::chromedriver and make_pool make.
    if (endpoint_.wanted == Kind::firefox) firefox = static_cast<const Firefox*>(pooled_->handle());
    if (endpoint_.wanted == Kind::chromium) chromium = static_cast<const Chromium*>(pooled_->handle());
    if (endpoint_.wanted == Kind::geckodriver) driver = static_cast<const Geckodriver*>(pooled_->handle());
    if (endpoint_.wanted == Kind::chromedriver) driver = static_cast<const Chromedriver*>(pooled_->handle());
  }
  if (firefox != nullptr) {
    sources.process = &firefox->process();
    sources.ready = &firefox->ready_report();
  } else if (driver != nullptr) {
    sources.process = &driver->process();
    sources.ready = &driver->ready_report();
  } else if (chromium != nullptr) {
    sources.process = &chromium->process();
    sources.ready = &chromium->ready_report();
  }
  return sources;
}

void detail::save_artifacts_if_failed(const Launch& launch) noexcept {
  try {
    const auto root = artifacts_from_environment();
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    if (!root || test == nullptr || !test->result()->Failed()) return;
    auto sources = launch.artifact_sources();
    add_picture(test, sources);
    const auto* result = test->result();
    for (int i = 0; i < result->total_part_count(); ++i) {
      const auto& part = result->GetTestPartResult(i);
      if (!part.failed()) continue;
      sources.failure += std::string(part.file_name() ? part.file_name() : "?") + ":" +
                         std::to_string(part.line_number()) + ": " + part.message() + "\n";
    }
    const auto bundle = save_artifacts(*root, std::string(test->test_suite_name()) + "." + test->name(), sources);
    if (!bundle.empty()) ::testing::Test::RecordProperty("foxport_artifacts", bundle.string());
  } catch (const std::exception&) {
    // A bundle is a courtesy: the test's own failure is what counts.
  }
}

void Launch::stop() {
  if (firefox_) firefox_->stop();
  if (driver_) driver_->stop();
  if (chromium_) chromium_->stop();
  if (taken_) taken_->release();
  if (pooled_) pooled_->release();
}

namespace {

// Saves the failure bundle of each failed test while the environment's browser still runs
// (OnTestEnd comes after the test's TearDown, before the environment's).
class EnvironmentArtifacts : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& test) override {
    if (current != nullptr && current->launch() && environment_user == &test)
      detail::save_artifacts_if_failed(*current->launch());
  }
};

}  // namespace

BrowserEnvironment::BrowserEnvironment(Kind kind, FirefoxOptions firefox, AnyDriverOptions driver)
    : kind_(kind), firefox_options_(std::move(firefox)), driver_options_(std::move(driver)) {}

BrowserEnvironment::BrowserEnvironment(ChromiumOptions chromium)
    : kind_(Kind::chromium), chromium_options_(std::move(chromium)) {}

void BrowserEnvironment::SetUp() {
  current = this;
  static const bool listening = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new EnvironmentArtifacts);
    return true;
  }();
  (void)listening;
  try {
    launch_ = std::make_unique<Launch>(kind_, firefox_options_, driver_options_, chromium_options_);
  } catch (const std::exception& e) {
    // A non-fatal failure: GoogleTest skips every test (with no reason shown) after a fatal
    // failure in an environment's SetUp. This way the run fails, and each test that asks for
    // the endpoint fails too, saying why.
    launch_error = std::string("foxport could not launch ") + to_string(kind_) + ": " + e.what();
    ADD_FAILURE() << launch_error;
  }
}

void BrowserEnvironment::TearDown() {
  if (launch_) launch_->stop();
  launch_.reset();
  current = nullptr;
}

const Endpoint& BrowserEnvironment::endpoint() {
  static const Endpoint none;
  environment_user = ::testing::UnitTest::GetInstance()->current_test_info();
  if (current == nullptr || !current->launch_) {
    ADD_FAILURE() << (launch_error.empty() ? std::string("no foxport browser environment is running") : launch_error);
    return none;
  }
  return current->launch_->endpoint();
}

}  // namespace foxport::gtest
