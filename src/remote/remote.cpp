#include "foxport/remote.hpp"

#include <utility>

#include <cstdlib>

#include "foxport/error.hpp"
#include "support/no_throw.hpp"

namespace foxport {

std::optional<std::string> remote_url_from_environment() {
  const char* url = std::getenv("FOXPORT_REMOTE_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

RemoteSession RemoteSession::create(const std::string& url, std::string_view capabilities_json,
                                    std::chrono::milliseconds timeout) {
  RemoteSession session;
  session.url_ = url;
  while (!session.url_.empty() && session.url_.back() == '/') session.url_.pop_back();
  session.timeout_ = timeout;
  // The guard first: from the moment the session exists, someone outlives us to delete it.
  session.guard_ = Process::spawn(ProcessOptions{});
  session.id_ = session.client().new_session(capabilities_json);
  session.guard_.delete_at_cleanup(session.url_ + "/session/" + session.id_);
  return session;
}

RemoteSession RemoteSession::create(const std::string& url, std::string_view capabilities_json, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return create(url, capabilities_json); });
}

RemoteSession& RemoteSession::operator=(RemoteSession&& other) noexcept {
  if (this != &other) {
    close();
    url_ = std::move(other.url_);
    id_ = std::move(other.id_);
    timeout_ = other.timeout_;
    guard_ = std::move(other.guard_);
    before_close_ = std::move(other.before_close_);
  }
  return *this;
}

RemoteSession::~RemoteSession() { close(); }

void RemoteSession::close() {
  if (auto hook = std::exchange(before_close_, {}); hook && valid()) {
    try {
      hook(*this);
    } catch (...) {
      // The session is deleted all the same.
    }
  }
  guard_.stop();
}

}  // namespace foxport
