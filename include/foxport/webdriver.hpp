#pragma once
/// A small WebDriver HTTP client (status, sessions, navigate, title): enough for examples
/// and tests, not a Selenium replacement.

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>

#include "foxport/export.hpp"

namespace foxport {

/// GET /status's answer.
struct WebDriverStatus {
  bool ready = false;     ///< value.ready
  std::string message{};  ///< value.message
};

/// Talks to one WebDriver endpoint, such as "http://127.0.0.1:4444" (a path prefix like
/// "/wd/hub" is kept). One connection per request; every request bounded by the timeout.
/// WebDriver errors throw foxport::Error(errc::remote_error) with the remote's error and message.
///
/// https:// is TLS (OpenSSL), verifying the certificate and host name against the system's
/// CAs; SSL_CERT_FILE / SSL_CERT_DIR (OpenSSL's own variables) replace those, e.g. to trust
/// a self-signed certificate; FOXPORT_REMOTE_INSECURE=1 turns verification off. Credentials
/// in the URL ("https://user:pass@grid:4444", percent-encoded) go as Basic auth on every
/// request; messages show the URL with its password as ***.
class FOXPORT_EXPORT WebDriverClient {
 public:
  /// Throws foxport::Error (std::errc::invalid_argument) for a URL that is not http(s)://.
  explicit WebDriverClient(std::string base_url, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  /// GET /status.
  WebDriverStatus status();
  /// Non-throwing form.
  WebDriverStatus status(std::error_code& ec);
  /// POST /session; returns the session id.
  std::string new_session(std::string_view capabilities_json = R"({"capabilities":{"alwaysMatch":{}}})");
  /// POST /session/ID/url.
  void navigate(std::string_view session_id, std::string_view url);
  /// GET /session/ID/title.
  std::string title(std::string_view session_id);
  /// DELETE /session/ID.
  void delete_session(std::string_view session_id);
  /// Any command: returns the response's "value" as JSON text.
  std::string request(std::string_view method, std::string_view path, std::string_view body = {});

  /// The endpoint this client talks to, as given (credentials included).
  const std::string& base_url() const noexcept { return base_url_; }

 private:
  std::string base_url_;
  std::string shown_url_;  // base_url_ with its password as ***
  bool tls_ = false;
  std::string host_;
  std::string port_;
  std::string host_header_;
  std::string authorization_;
  std::string prefix_;
  std::chrono::milliseconds timeout_;
};

}  // namespace foxport
