#include "foxport/gtest.hpp"

#include <cstdlib>
#include <string>

#include "foxport/error.hpp"

namespace foxport::gtest {
namespace {

BrowserEnvironment* current = nullptr;
std::string launch_error;

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

RemoteSession Endpoint::session() const {
  require_webdriver(*this);
  return RemoteSession::create(url, capabilities());
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

}  // namespace

Launch::Launch(Kind kind, FirefoxOptions firefox, AnyDriverOptions driver) {
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
  if (kind == Kind::firefox) {
    firefox_ = Firefox::launch(std::move(firefox));
    launched = firefox_->endpoint();
  } else if (kind == Kind::chromium) {
    chromium_ = Chromium::launch();
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

void Launch::stop() {
  if (firefox_) firefox_->stop();
  if (driver_) driver_->stop();
  if (chromium_) chromium_->stop();
  if (taken_) taken_->release();
}

BrowserEnvironment::BrowserEnvironment(Kind kind, FirefoxOptions firefox, AnyDriverOptions driver)
    : kind_(kind), firefox_options_(std::move(firefox)), driver_options_(std::move(driver)) {}

void BrowserEnvironment::SetUp() {
  current = this;
  try {
    launch_ = std::make_unique<Launch>(kind_, firefox_options_, driver_options_);
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
  if (current == nullptr || !current->launch_) {
    ADD_FAILURE() << (launch_error.empty() ? std::string("no foxport browser environment is running") : launch_error);
    return none;
  }
  return current->launch_->endpoint();
}

}  // namespace foxport::gtest
