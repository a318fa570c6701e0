#pragma once
/// Taking a launch from the broker of an enclosing `foxport run` (FOXPORT_BROKER): every test
/// process gets a browser of its own, launched ahead of time, instead of sharing one.
///
/// The lease is the connection to the broker: when this handle goes, or the process dies
/// (SIGKILL included: the kernel closes the connection), the broker stops that launch.

#include <chrono>
#include <filesystem>
#include <optional>

#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"

namespace foxport {

class FOXPORT_EXPORT BrokerLease {
 public:
  /// Asks the broker listening on `socket` for a launch of `kind`, waiting up to `timeout` for
  /// one to be ready. Throws foxport::Error naming the broker and what it answered.
  static BrokerLease take(const std::filesystem::path& socket, EndpointKind kind,
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

  BrokerLease() noexcept = default;
  BrokerLease(BrokerLease&& other) noexcept;
  BrokerLease& operator=(BrokerLease&& other) noexcept;
  /// release().
  ~BrokerLease();

  /// The launch, which is this process's alone.
  const Endpoint& endpoint() const noexcept { return endpoint_; }
  /// Hands the launch back: the broker stops it (and launches a replacement).
  void release() noexcept;

 private:
  int fd_ = -1;
  Endpoint endpoint_;
};

/// The broker `foxport run` exported (FOXPORT_BROKER) and the kind it serves (FOXPORT_KIND),
/// if both are set.
struct BrokerAddress {
  std::filesystem::path socket{};
  EndpointKind kind = EndpointKind::firefox;
};
FOXPORT_EXPORT std::optional<BrokerAddress> broker_from_environment();

}  // namespace foxport
