#include "platform/name_services.hpp"

#include <nss.h>
#include <sys/auxv.h>

namespace foxport::platform {

void prepare_name_lookup() noexcept {
  // No program interpreter (AT_BASE 0): nothing loaded libc, it is linked in. Configured
  // once, when first needed: it reads /etc/nsswitch.conf, 0.01 ms no start should pay.
  static const bool prepared = [] {
    if (::getauxval(AT_BASE) != 0) return true;
    ::__nss_configure_lookup("hosts", "files dns");  // getaddrinfo
    ::__nss_configure_lookup("services", "files");   // getaddrinfo of a service name
    ::__nss_configure_lookup("passwd", "files");     // getpwuid_r
    return true;
  }();
  (void)prepared;
}

}  // namespace foxport::platform
