#pragma once
// The OpenSSL entry points the guard's https DELETE uses (http_delete.cpp), through one table
// with two sources: foxport-guard loads libssl.so.3 at run time (tls_loaded.cpp), so it has no
// link-time dependency and loads TLS only when an https session is deleted; the command has
// OpenSSL linked in and, linked statically, could not load a shared libssl (tls_linked.cpp).

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace foxport::guard {

struct Tls {
  decltype(&::TLS_client_method) client_method = nullptr;
  decltype(&::SSL_CTX_new) ctx_new = nullptr;
  decltype(&::SSL_CTX_free) ctx_free = nullptr;
  decltype(&::SSL_CTX_set_default_verify_paths) default_verify_paths = nullptr;
  decltype(&::SSL_CTX_set_verify) set_verify = nullptr;
  decltype(&::SSL_new) ssl_new = nullptr;
  decltype(&::SSL_free) ssl_free = nullptr;
  decltype(&::SSL_set_fd) set_fd = nullptr;
  decltype(&::SSL_ctrl) ctrl = nullptr;
  decltype(&::SSL_set1_host) set1_host = nullptr;
  decltype(&::SSL_get0_param) get0_param = nullptr;
  decltype(&::X509_VERIFY_PARAM_set1_ip_asc) set1_ip = nullptr;
  decltype(&::SSL_connect) connect = nullptr;
  decltype(&::SSL_write) write = nullptr;
  decltype(&::SSL_read) read = nullptr;
  decltype(&::SSL_shutdown) shutdown = nullptr;
};

/// OpenSSL's entry points; nullptr when there is no OpenSSL to use.
const Tls* tls();

}  // namespace foxport::guard
