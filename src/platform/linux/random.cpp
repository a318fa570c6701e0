#include "platform/random.hpp"

#include <sys/random.h>

#include <chrono>

namespace foxport::platform {

std::uint64_t random_bits() noexcept {
  std::uint64_t bits = 0;
  if (::getrandom(&bits, sizeof bits, 0) == sizeof bits) return bits;
  // Never expected (the pool is ready long after boot): a clock still tells launches apart.
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) * 0x9e3779b97f4a7c15u;
}

}  // namespace foxport::platform
