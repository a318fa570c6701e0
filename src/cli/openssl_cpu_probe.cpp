// OpenSSL's CPU probe at OpenSSL's first use, not at every start of the command (#19).
//
// libcrypto's x86-64 assembly adds a call to OPENSSL_cpuid_setup to the ELF .init section:
// linked in statically, it ran before main at every start of the command, a string of CPUID
// instructions (each one a trap to the hypervisor on a virtual machine: 30 us measured) for
// a command that seldom speaks TLS. OpenSSL makes the same call again, once, as it
// initialises (OPENSSL_init_crypto), before anything reads the capabilities it records.
// Linked with --wrap=OPENSSL_cpuid_setup (foxport_defer_openssl_cpu_probe), the call from
// .init ends here and is dropped; OpenSSL's own goes through.

#include <utility>

namespace {

// glibc runs the .init section before the constructors (DT_INIT before DT_INIT_ARRAY), and
// only shared libraries' initialisers before it: the first call before the constructors is
// .init's unless such a library used this OpenSSL first, and then .init's call, let through,
// probes before main as OpenSSL always did.
bool constructors_started = false;
bool dropped_one = false;
[[gnu::constructor]] void constructors_start() { constructors_started = true; }

}  // namespace

extern "C" void __real_OPENSSL_cpuid_setup();

extern "C" void __wrap_OPENSSL_cpuid_setup() {
  if (!constructors_started && !std::exchange(dropped_one, true)) return;
  __real_OPENSSL_cpuid_setup();
}
