#pragma once
// Random numbers for names and starting points (a launch's tree mark, a lease's first port),
// not for secrets. Linux: getrandom(2), 0.5 us; std::random_device took 20 us on a VM, whose
// CPUID it asks first (#19).

#include <cstdint>

namespace foxport::platform {

/// 64 random bits.
std::uint64_t random_bits() noexcept;

}  // namespace foxport::platform
