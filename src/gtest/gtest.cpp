#include "foxport/gtest.hpp"

#include <cstdlib>

#include "foxport/error.hpp"

namespace foxport::gtest {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

BrowserEnvironment* current = nullptr;
std::string launch_error;

}  // namespace

const char* to_string(Kind kind) noexcept {
  switch (kind) {
    case Kind::firefox: return "firefox";
    case Kind::geckodriver: return "geckodriver";
    case Kind::chromedriver: return "chromedriver";
  }
  return "?";
}

Marionette Endpoint::marionette() const {
  if (kind != Kind::firefox) throw Error(errc::protocol_error, std::string("a ") + to_string(kind) + " endpoint has no Marionette");
  return Marionette::connect("127.0.0.1", port);
}

WebDriverClient Endpoint::webdriver() const {
  if (kind == Kind::firefox) throw Error(errc::protocol_error, "a Firefox endpoint speaks Marionette, not WebDriver");
  return WebDriverClient(url);
}

RemoteSession Endpoint::session() const {
  if (kind == Kind::firefox) throw Error(errc::protocol_error, "a Firefox endpoint speaks Marionette, not WebDriver");
  return RemoteSession::create(url, capabilities());
}

std::string Endpoint::capabilities() const {
  return kind == Kind::chromedriver ? chromium_capabilities() : firefox_capabilities();
}

std::optional<Endpoint> inherited_endpoint(Kind kind) {
  if (kind != Kind::firefox) {
    if (auto url = remote_url_from_environment()) {
      Endpoint endpoint;
      endpoint.kind = kind;
      endpoint.url = *url;
      endpoint.inherited = true;
      endpoint.remote = true;
      return endpoint;
    }
  }
  if (env("FOXPORT_KIND") != to_string(kind) || env("FOXPORT_PORT").empty()) return std::nullopt;
  Endpoint endpoint;
  endpoint.kind = kind;
  endpoint.port = static_cast<std::uint16_t>(std::stoi(env("FOXPORT_PORT")));
  endpoint.pid = env("FOXPORT_PID").empty() ? -1 : std::stoi(env("FOXPORT_PID"));
  endpoint.url = env("WEBDRIVER_URL");
  endpoint.profile = env("FOXPORT_PROFILE");
  endpoint.inherited = true;
  return endpoint;
}

Launch::Launch(Kind kind, FirefoxOptions firefox, DriverOptions driver) {
  if (auto inherited = inherited_endpoint(kind)) {
    endpoint_ = *inherited;
    return;
  }
  endpoint_.kind = kind;
  if (kind == Kind::firefox) {
    firefox_ = Firefox::launch(std::move(firefox));
    endpoint_.port = firefox_->port();
    endpoint_.pid = firefox_->pid();
    endpoint_.profile = firefox_->profile_dir();
    return;
  }
  if (kind == Kind::geckodriver) {
    GeckodriverOptions options;
    static_cast<DriverOptions&>(options) = std::move(driver);
    driver_ = Geckodriver::launch(std::move(options));
  } else {
    ChromedriverOptions options;
    static_cast<DriverOptions&>(options) = std::move(driver);
    driver_ = Chromedriver::launch(std::move(options));
  }
  endpoint_.port = driver_->port();
  endpoint_.pid = driver_->pid();
  endpoint_.url = driver_->url();
}

void Launch::stop() {
  if (firefox_) firefox_->stop();
  if (driver_) driver_->stop();
}

BrowserEnvironment::BrowserEnvironment(Kind kind, FirefoxOptions firefox, DriverOptions driver)
    : kind_(kind), firefox_options_(std::move(firefox)), driver_options_(std::move(driver)) {}

void BrowserEnvironment::SetUp() {
  current = this;
  try {
    launch_ = std::make_unique<Launch>(kind_, firefox_options_, driver_options_);
  } catch (const std::exception& e) {
    launch_error = e.what();
    GTEST_FAIL() << "foxport could not launch " << to_string(kind_) << ": " << e.what();
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
    ADD_FAILURE() << "no foxport browser environment is running" << (launch_error.empty() ? "" : ": " + launch_error);
    return none;
  }
  return current->launch_->endpoint();
}

}  // namespace foxport::gtest
