#pragma once
// A test's DevTools steps, shared by the Chromium tests and the test launcher's CDP client.

#include <boost/json.hpp>
#include <string>

#include "foxport/websocket.hpp"

namespace foxport::testing {

/// A DevTools session on the page `target_id` (flattened: commands carry its sessionId).
inline std::string attach_to_page(WebSocketClient& cdp, const std::string& target_id) {
  namespace json = boost::json;
  const auto attached = json::parse(
      cdp.command("Target.attachToTarget", json::serialize(json::object{{"targetId", target_id}, {"flatten", true}})));
  return json::value_to<std::string>(attached.at("sessionId"));
}

/// Navigates the session's page to `url` and returns its title once it has loaded (a promise
/// the page resolves, not a pause). Page.navigate answers once the navigation has committed,
/// so the script runs in the new page. Page.navigate's answer, as JSON, goes to `navigated`.
inline std::string navigate_and_read_title(WebSocketClient& cdp, const std::string& session, const std::string& url,
                                           std::string* navigated = nullptr) {
  namespace json = boost::json;
  const auto answer = cdp.command("Page.navigate", json::serialize(json::object{{"url", url}}), session);
  if (navigated != nullptr) *navigated = answer;
  const auto evaluated = json::parse(cdp.command(
      "Runtime.evaluate",
      json::serialize(json::object{{"expression",
                                    "new Promise(done => document.readyState === 'complete' ? done(document.title)"
                                    " : addEventListener('load', () => done(document.title)))"},
                                   {"awaitPromise", true},
                                   {"returnByValue", true}}),
      session));
  return json::value_to<std::string>(evaluated.at("result").at("value"));
}

}  // namespace foxport::testing
