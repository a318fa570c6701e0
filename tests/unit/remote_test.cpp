// Remote endpoints over https with credentials: an in-test WebDriver "remote" (Boost.Beast
// over OpenSSL, a self-signed certificate made here) that records what it was sent. The
// library's client and the guard's DELETE both speak TLS, verify by default, and send the
// URL's user:password as Basic auth.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "foxport/error.hpp"
#include "foxport/process.hpp"
#include "foxport/remote.hpp"
#include "foxport/webdriver.hpp"
#include "guard/http_delete.hpp"
#include "support/subprocess.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A self-signed certificate for these subject alternative names, made with OpenSSL's API.
struct SelfSigned {
  std::string certificate;
  std::string key;
};

std::string pem_of(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return text;
}

SelfSigned make_self_signed(const char* names = "DNS:localhost,IP:127.0.0.1") {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair{NID_subject_alt_name, names}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
  }
  X509_sign(cert, key, EVP_sha256());
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  X509_free(cert);
  EVP_PKEY_free(key);
  return {pem_of(cert_bio), pem_of(key_bio)};
}

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct Seen {
  std::string method;
  std::string target;
  std::string authorization;
};

// A minimal WebDriver remote over https: POST .../session makes a session, DELETE
// .../session/ID ends it, GET .../status is ready. One request per connection.
class HttpsRemote {
 public:
  explicit HttpsRemote(const SelfSigned& identity) : context_(ssl::context::tls_server), acceptor_(io_) {
    context_.use_certificate_chain(asio::buffer(identity.certificate));
    context_.use_private_key(asio::buffer(identity.key), ssl::context::pem);
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::address_v4::loopback(), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpsRemote() {
    stopping_ = true;
    boost::system::error_code ignored;
    tcp::socket poke(io_);
    poke.connect({asio::ip::address_v4::loopback(), port_}, ignored);  // wakes accept()
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  /// Waits (no polling) until a request with this method and target arrived.
  std::optional<Seen> wait_for(const std::string& method, const std::string& target, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<Seen> found;
    arrived_.wait_for(lock, timeout, [&] {
      for (const auto& seen : seen_)
        if (seen.method == method && seen.target == target) found = seen;
      return found.has_value();
    });
    return found;
  }

 private:
  void serve() {
    while (!stopping_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      ssl::stream<tcp::socket> stream(std::move(socket), context_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) continue;  // a client that refused our certificate
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(stream, buffer, request, ec);
      if (ec) continue;
      Seen seen{std::string(request.method_string()), std::string(request.target()),
                std::string(request[http::field::authorization])};
      http::response<http::string_body> response(http::status::ok, 11);
      response.set(http::field::content_type, "application/json; charset=utf-8");
      const std::string target = seen.target;
      if (seen.method == "POST" && target.size() >= 8 && target.substr(target.size() - 8) == "/session") {
        response.body() = R"({"value":{"sessionId":"s)" + std::to_string(++sessions_) + R"(","capabilities":{}}})";
      } else if (seen.method == "GET" && target.find("/status") != std::string::npos) {
        response.body() = R"({"value":{"ready":true,"message":"in-test remote"}})";
      } else {
        response.body() = R"({"value":null})";
      }
      response.prepare_payload();
      {
        // Recorded before answering: the client may look as soon as it has the answer.
        std::lock_guard lock(mutex_);
        seen_.push_back(std::move(seen));
      }
      arrived_.notify_all();
      http::write(stream, response, ec);
      stream.shutdown(ec);
    }
  }

  asio::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  int sessions_ = 0;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Seen> seen_;
  std::thread thread_;
};

// The remote and a file holding its certificate; the environment is put back afterwards.
class Https : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = foxport::make_temporary_directory("remote-test");
    std::ofstream(dir_ / "cert.pem") << identity_.certificate;
    remote_ = std::make_unique<HttpsRemote>(identity_);
  }
  void TearDown() override {
    remote_.reset();
    for (const char* name : {"SSL_CERT_FILE", "FOXPORT_REMOTE_INSECURE"}) ::unsetenv(name);
    fs::remove_all(dir_);
  }
  void trust_certificate() { ::setenv("SSL_CERT_FILE", (dir_ / "cert.pem").c_str(), 1); }
  std::string url(const std::string& host, const std::string& credentials) const {
    return "https://" + credentials + "@" + host + ":" + std::to_string(remote_->port()) + "/wd/hub";
  }

  SelfSigned identity_ = make_self_signed();
  fs::path dir_;
  std::unique_ptr<HttpsRemote> remote_;
};

}  // namespace

TEST_F(Https, ClientVerifiesTheCertificateAndSendsBasicAuth) {
  trust_certificate();
  foxport::WebDriverClient client(url("localhost", "alice:s%3Acr%40t"), 10s);
  const auto status = client.status();
  EXPECT_TRUE(status.ready);
  EXPECT_EQ(status.message, "in-test remote");
  const auto seen = remote_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/wd/hub/status");
  EXPECT_EQ(seen[0].authorization, "Basic " + base64("alice:s:cr@t"));
}

TEST_F(Https, AnUntrustedCertificateIsRefusedByDefault) {
  foxport::WebDriverClient client(url("127.0.0.1", "alice:hunter2"), 10s);
  try {
    client.status();
    FAIL() << "an untrusted certificate was accepted";
  } catch (const foxport::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("certificate verify failed"), std::string::npos) << what;
    EXPECT_NE(what.find("FOXPORT_REMOTE_INSECURE"), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;  // the password is never shown
  }
  EXPECT_TRUE(remote_->seen().empty());
}

TEST_F(Https, ATrustedCertificateForAnotherHostIsRefused) {
  remote_.reset();
  identity_ = make_self_signed("DNS:elsewhere.invalid");
  std::ofstream(dir_ / "cert.pem") << identity_.certificate;
  remote_ = std::make_unique<HttpsRemote>(identity_);
  trust_certificate();
  for (const char* host : {"127.0.0.1", "localhost"}) {
    foxport::WebDriverClient client(url(host, "alice:pw"), 10s);
    std::error_code ec;
    client.status(ec);
    EXPECT_TRUE(ec) << host;
  }
  EXPECT_TRUE(remote_->seen().empty());
}

TEST_F(Https, InsecureAcceptsAnyCertificate) {
  ::setenv("FOXPORT_REMOTE_INSECURE", "1", 1);
  foxport::WebDriverClient client(url("127.0.0.1", "bob:pw"), 10s);
  EXPECT_TRUE(client.status().ready);
}

// RemoteSession's DELETE is the guard's: over TLS, verified, with the credentials; at
// close() and when the process holding the session is SIGKILLed.
TEST_F(Https, TheGuardDeletesTheSessionOverTlsWithCredentials) {
  trust_certificate();
  auto session = foxport::RemoteSession::create(url("127.0.0.1", "carol:p%20w"), R"({"capabilities":{}})", 10s);
  const auto target = "/wd/hub/session/" + session.id();
  session.close();
  const auto deleted = remote_->wait_for("DELETE", target, 10s);
  ASSERT_TRUE(deleted) << "no DELETE " << target;
  EXPECT_EQ(deleted->authorization, "Basic " + base64("carol:p w"));

  foxport::testing::Subprocess holder({FOXPORT_TEST_LAUNCHER, "remote-session", url("localhost", "dave:pw")});
  const auto line = holder.read_line();
  ASSERT_EQ(line.rfind("session ", 0), 0u) << line;
  ::kill(holder.pid(), SIGKILL);
  holder.wait();
  const auto orphan = remote_->wait_for("DELETE", "/wd/hub/session/" + line.substr(8), 10s);
  ASSERT_TRUE(orphan) << "the guard did not delete the SIGKILLed holder's session";
  EXPECT_EQ(orphan->authorization, "Basic " + base64("dave:pw"));
}

// The command's guard has OpenSSL linked in (guard/tls_linked.cpp: a statically linked command
// cannot load libssl.so.3 as foxport-guard does): the same DELETE, verified, with credentials.
TEST_F(Https, TheCommandsGuardDeletesOverItsLinkedTls) {
  trust_certificate();
  foxport::guard::http_delete(url("localhost", "erin:pw") + "/session/linked");
  const auto deleted = remote_->wait_for("DELETE", "/wd/hub/session/linked", 10s);
  ASSERT_TRUE(deleted) << "no DELETE";
  EXPECT_EQ(deleted->authorization, "Basic " + base64("erin:pw"));
}

TEST(GuardUrl, PartsCredentialsAndBase64) {
  const auto url = foxport::guard::parse_http_url("https://u%3An:p%40ss@[::1]:4444/wd/hub/session/1");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->user_info, "u:n:p@ss");
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "4444");
  EXPECT_EQ(url->authority, "[::1]:4444");
  EXPECT_EQ(url->path, "/wd/hub/session/1");
  const auto plain = foxport::guard::parse_http_url("http://grid/session/2");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, "80");
  EXPECT_TRUE(plain->user_info.empty());
  EXPECT_FALSE(foxport::guard::parse_http_url("ftp://grid/session"));
  EXPECT_FALSE(foxport::guard::parse_http_url("http://u:%zz@grid/"));
  for (const std::string text : {"", "a", "ab", "abc", "carol:p w", "alice:s:cr@t"})
    EXPECT_EQ(foxport::guard::base64(text), base64(text)) << text;
}
