// Firefox::recycle: make a used Firefox as good as new for the next test without relaunching
// it (~0.2 s instead of a launch). Needs Marionette's chrome context, which Firefox grants only
// with --remote-allow-system-access (FirefoxOptions::recyclable).

#include <boost/json.hpp>

#include "foxport/error.hpp"
#include "foxport/firefox.hpp"

namespace foxport {
namespace json = boost::json;

namespace {

std::string value_of(const std::string& result_json) {
  const auto result = json::parse(result_json);
  const auto* value = result.is_object() ? result.as_object().if_contains("value") : nullptr;
  return value != nullptr ? json::serialize(*value) : "null";
}

// Clears every kind of site data (cookies, storage, caches, permissions, service workers...);
// the callback's flags are 0 when everything was cleared.
constexpr const char* clear_all_site_data = R"(
  const done = arguments[arguments.length - 1];
  Services.clearData.deleteData(Ci.nsIClearDataService.CLEAR_ALL, flags => done(flags));
)";

// What the next test could still see: stored cookies, and windows beyond the first.
constexpr const char* leftovers = R"(
  return { cookies: Services.cookies.cookies.length,
           windows: Services.wm.getEnumerator("navigator:browser").hasMoreElements() ? 1 : 0 };
)";

}  // namespace

void Firefox::recycle(std::chrono::milliseconds timeout) {
  if (!valid()) throw Error(errc::stopped, "Firefox::recycle: this handle owns no running Firefox");
  auto client = marionette(timeout);  // waits while the previous client's session ends
  client.new_session();
  const auto handles = json::parse(client.command("WebDriver:GetWindowHandles"));
  const auto* list = handles.is_array() ? &handles.as_array()
                     : handles.is_object() && handles.as_object().contains("value")
                         ? handles.as_object().at("value").if_array()
                         : nullptr;
  if (list == nullptr || list->empty()) throw Error(errc::protocol_error, "Firefox::recycle: no window to keep");
  for (std::size_t i = 1; i < list->size(); ++i) {  // close every tab and window but the first
    client.command("WebDriver:SwitchToWindow", json::serialize(json::object{{"handle", (*list)[i]}}));
    client.command("WebDriver:CloseWindow");
  }
  client.command("WebDriver:SwitchToWindow", json::serialize(json::object{{"handle", (*list)[0]}}));
  client.navigate("about:blank");
  try {
    client.command("Marionette:SetContext", R"({"value":"chrome"})");
  } catch (const Error& e) {
    throw Error(e.code(), std::string("Firefox::recycle needs FirefoxOptions::recyclable "
                                      "(--remote-allow-system-access): ") +
                              e.what());
  }
  const auto flags =
      value_of(client.command("WebDriver:ExecuteAsyncScript",
                              json::serialize(json::object{{"script", clear_all_site_data}, {"args", json::array{}}})));
  if (flags != "0")
    throw Error(errc::remote_error, "Firefox::recycle: clearing site data failed (flags " + flags + ")");
  const auto left = json::parse(value_of(client.command(
      "WebDriver:ExecuteScript", json::serialize(json::object{{"script", leftovers}, {"args", json::array{}}}))));
  if (!left.is_object() || left.as_object().at("cookies") != 0)
    throw Error(errc::remote_error, "Firefox::recycle: site data survived clearing: " + json::serialize(left));
  client.command("Marionette:SetContext", R"({"value":"content"})");
  client.delete_session();
}

}  // namespace foxport
