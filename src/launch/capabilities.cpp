#include "foxport/capabilities.hpp"

#include <boost/json.hpp>

#include "foxport/process.hpp"

namespace foxport {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::string new_session_request(json::object always_match) {
  return json::serialize(json::object{{"capabilities", json::object{{"alwaysMatch", std::move(always_match)}}}});
}

}  // namespace

std::string chromium_capabilities(const fs::path& browser) {
  fs::path binary = browser;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    if (!binary.empty()) break;
    std::error_code ec;
    binary = find_executable(name, ec);
  }
  json::object options{
      {"args", json::array{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--disable-background-networking", "--disable-component-update", "--no-first-run"}}};
  if (!binary.empty()) options["binary"] = binary.string();
  return new_session_request({{"browserName", "chrome"}, {"goog:chromeOptions", std::move(options)}});
}

std::string firefox_capabilities(const fs::path& browser) {
  json::object options{{"args", json::array{"-headless"}}};
  if (!browser.empty()) options["binary"] = browser.string();
  return new_session_request({{"browserName", "firefox"}, {"moz:firefoxOptions", std::move(options)}});
}

}  // namespace foxport
