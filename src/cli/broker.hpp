#pragma once
// The broker `foxport run` serves: a Unix socket in a private 0700 directory (FOXPORT_BROKER)
// through which each test process takes a launch of its own from the pool. One thread per
// connection; the connection is the lease (broker/protocol.hpp).

#include <filesystem>
#include <memory>

#include "foxport/endpoint.hpp"
#include "foxport/pool.hpp"

namespace foxport::cli {

class Broker {
 public:
  /// Listens at once. `pool` must outlive the broker.
  Broker(Pool& pool, EndpointKind kind);
  /// stop().
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  /// The socket's path, for FOXPORT_BROKER.
  const std::filesystem::path& socket() const noexcept;
  /// Stops accepting, hangs up on every taker (their launches go back to the pool), removes
  /// the socket's directory.
  void stop() noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace foxport::cli
