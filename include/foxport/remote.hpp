#pragma once
/// A WebDriver session on a remote endpoint (a Selenium Grid, or any WebDriver URL) that
/// never leaks: deleted when the handle goes, and — through a guard that outlives the
/// caller — when the process holding it dies, even by SIGKILL. The Grid frees the slot at
/// once instead of after its session timeout.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "foxport/export.hpp"
#include "foxport/process.hpp"
#include "foxport/webdriver.hpp"

namespace foxport {

/// The remote WebDriver URL from $FOXPORT_REMOTE_URL, if set.
FOXPORT_EXPORT std::optional<std::string> remote_url_from_environment();

/// One session on a remote WebDriver endpoint. Move-only.
class FOXPORT_EXPORT RemoteSession {
 public:
  /// Creates a session at `url` (e.g. "http://grid:4444") with these new-session
  /// capabilities. Throws foxport::Error with the endpoint's answer.
  static RemoteSession create(const std::string& url, std::string_view capabilities_json,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60));
  /// Non-throwing form; returns an empty handle on failure.
  static RemoteSession create(const std::string& url, std::string_view capabilities_json, std::error_code& ec);

  RemoteSession() noexcept = default;
  RemoteSession(RemoteSession&&) noexcept = default;
  RemoteSession& operator=(RemoteSession&&) noexcept;
  ~RemoteSession();

  /// True while this handle owns a session.
  bool valid() const noexcept { return guard_.valid(); }
  /// The session id.
  const std::string& id() const noexcept { return id_; }
  /// The endpoint.
  const std::string& url() const noexcept { return url_; }
  /// A client for the endpoint (pass id() to its calls).
  WebDriverClient client() const { return WebDriverClient(url_, timeout_); }

  /// Deletes the session (through the guard, the one place that deletes it). Idempotent.
  void close();
  /// Runs `hook` once, just before close() or the destructor deletes the session, while the
  /// session still exists (e.g. to take a picture of a failed test's page). What it throws is
  /// ignored.
  void before_close(std::function<void(const RemoteSession&)> hook) { before_close_ = std::move(hook); }

 private:
  std::string url_;
  std::string id_;
  std::chrono::milliseconds timeout_{60000};
  Process guard_;  // runs nothing; deletes the session at stop or when this process dies
  std::function<void(const RemoteSession&)> before_close_;
};

}  // namespace foxport
