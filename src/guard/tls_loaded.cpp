#include <dlfcn.h>

#include <type_traits>

#include "guard/tls.hpp"

namespace foxport::guard {

const Tls* tls() {
  static Tls table;
  static const bool loaded = [] {
    void* handle = ::dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return false;
    auto find = [handle](auto& function, const char* name) {
      function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(::dlsym(handle, name));
      return function != nullptr;
    };
    return find(table.client_method, "TLS_client_method") && find(table.ctx_new, "SSL_CTX_new") &&
           find(table.ctx_free, "SSL_CTX_free") &&
           find(table.default_verify_paths, "SSL_CTX_set_default_verify_paths") &&
           find(table.set_verify, "SSL_CTX_set_verify") && find(table.ssl_new, "SSL_new") &&
           find(table.ssl_free, "SSL_free") && find(table.set_fd, "SSL_set_fd") && find(table.ctrl, "SSL_ctrl") &&
           find(table.set1_host, "SSL_set1_host") && find(table.get0_param, "SSL_get0_param") &&
           find(table.set1_ip, "X509_VERIFY_PARAM_set1_ip_asc") && find(table.connect, "SSL_connect") &&
           find(table.write, "SSL_write") && find(table.read, "SSL_read") && find(table.shutdown, "SSL_shutdown");
  }();
  return loaded ? &table : nullptr;
}

}  // namespace foxport::guard
