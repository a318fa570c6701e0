#pragma once
// The guard's one HTTP request: DELETE of a remote WebDriver session at cleanup, over http://
// or https://, with Basic auth from the URL's user:password@. Boost-free (the guard's rule);
// the URL helpers are inline so the library's tests can check them.

#include <optional>
#include <string>
#include <string_view>

namespace foxport::guard {

/// The parts of an http(s) URL the guard needs.
struct HttpUrl {
  bool tls = false;       ///< https
  std::string user_info;  ///< "user:password", percent-decoded; empty: no credentials
  std::string host;       ///< without [ ] for IPv6
  std::string port;       ///< "80" / "443" unless given
  std::string authority;  ///< host[:port] as written, without credentials (the Host header)
  std::string path;       ///< "/" at least
};

/// `text` percent-decoded; nullopt for a malformed escape.
inline std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex(text[i + 1]);
    const int low = hex(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

/// The URL's parts; nullopt for anything but http:// and https:// with a host.
inline std::optional<HttpUrl> parse_http_url(std::string_view url) {
  HttpUrl parsed;
  if (url.rfind("https://", 0) == 0) {
    parsed.tls = true;
    url.remove_prefix(8);
  } else if (url.rfind("http://", 0) == 0) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const auto slash = url.find_first_of("/?#");
  auto authority = url.substr(0, slash);
  parsed.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (const auto hash = parsed.path.find('#'); hash != std::string::npos) parsed.path.erase(hash);
  if (parsed.path.empty() || parsed.path.front() != '/') parsed.path.insert(0, "/");
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto decoded = percent_decoded(authority.substr(0, at));
    if (!decoded) return std::nullopt;
    parsed.user_info = *decoded;
    authority.remove_prefix(at + 1);
  }
  parsed.authority = std::string(authority);
  std::string_view host = authority;
  parsed.port = parsed.tls ? "443" : "80";
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return std::nullopt;
      parsed.port = std::string(host.substr(close + 2));
    }
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    parsed.port = std::string(host.substr(colon + 1));
    host = host.substr(0, colon);
  }
  if (host.empty() || parsed.port.empty()) return std::nullopt;
  parsed.host = std::string(host);
  return parsed;
}

/// Base64 (RFC 4648, padded), for a Basic Authorization header.
inline std::string base64(std::string_view data) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const auto byte = [&](std::size_t k) { return k < data.size() ? static_cast<unsigned char>(data[k]) : 0u; };
    const unsigned value = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += alphabet[(value >> 18) & 63];
    out += alphabet[(value >> 12) & 63];
    out += i + 1 < data.size() ? alphabet[(value >> 6) & 63] : '=';
    out += i + 2 < data.size() ? alphabet[value & 63] : '=';
  }
  return out;
}

/// Sends `DELETE` to the URL and reads the answer; bounded by a few seconds per step, every
/// error ignored (the session may be gone already). https: OpenSSL, loaded when first
/// needed, verifying the peer like the library does (system CAs, SSL_CERT_FILE /
/// SSL_CERT_DIR) unless FOXPORT_REMOTE_INSECURE=1.
void http_delete(const std::string& url);

}  // namespace foxport::guard
