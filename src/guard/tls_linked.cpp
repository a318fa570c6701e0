#include "guard/tls.hpp"

namespace foxport::guard {

const Tls* tls() {
  static const Tls table{
      &::TLS_client_method,  &::SSL_CTX_new,   &::SSL_CTX_free,   &::SSL_CTX_set_default_verify_paths,
      &::SSL_CTX_set_verify, &::SSL_new,       &::SSL_free,       &::SSL_set_fd,
      &::SSL_ctrl,           &::SSL_set1_host, &::SSL_get0_param, &::X509_VERIFY_PARAM_set1_ip_asc,
      &::SSL_connect,        &::SSL_write,     &::SSL_read,       &::SSL_shutdown};
  return &table;
}

}  // namespace foxport::guard
