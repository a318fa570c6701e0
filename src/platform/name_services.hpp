#pragma once
// Before a lookup that goes through glibc's name services (getaddrinfo of a host name,
// getpwuid_r): in a statically linked program, such as the foxport command (#19), glibc
// loads an NSS module (mdns, systemd, resolve) with the shared libc beside its own, and the
// program crashes (checked: getpwuid_r of a user that only nss_systemd could name, SIGSEGV).
// There the lookups are kept to the services built into libc: files and dns. A dynamically
// linked program keeps what /etc/nsswitch.conf says.

namespace foxport::platform {

/// Call before each such lookup; cheap after the first call, and a no-op unless static.
void prepare_name_lookup() noexcept;

}  // namespace foxport::platform
