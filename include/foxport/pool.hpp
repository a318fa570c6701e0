#pragma once
/// A pool of warm, never-used launches: each take() hands out a browser (or driver) that is
/// the taker's alone, launched ahead of time; when the taker lets it go, it is stopped, never
/// reused, and the pool launches a replacement in the background.
///
///   foxport::Pool pool = foxport::Pool::firefox({}, 1);  // one Firefox kept warm
///   auto lease = pool.take();                              // ready at once when one is warm
///   auto marionette = foxport::Marionette::connect("127.0.0.1", lease.endpoint().port);

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "foxport/driver.hpp"
#include "foxport/endpoint.hpp"
#include "foxport/export.hpp"
#include "foxport/firefox.hpp"

namespace foxport {

/// One launch as a pool holds it: its endpoint, and a handle whose destruction stops it.
struct PooledLaunch {
  Endpoint endpoint{};
  std::shared_ptr<void> handle{};  ///< e.g. a Firefox or DriverService
};

class FOXPORT_EXPORT Pool {
 public:
  /// Makes one launch; called on the pool's threads. Throws on failure.
  using Launcher = std::function<PooledLaunch()>;

  /// When the first launches start.
  enum class Warming {
    now,            ///< at once, in the background
    on_first_take,  ///< when someone first asks: a pool nobody uses costs nothing
  };

  /// Makes a launch given back fit for the next taker; false (or a throw): stop it instead.
  using Recycler = std::function<bool(PooledLaunch&)>;

  /// What happens to a launch given back.
  enum class Reuse {
    never,    ///< stopped; a fresh launch replaces it (the default: nothing carries over)
    recycle,  ///< Firefox only: Firefox::recycle() and handed out again (~0.2 s, no relaunch)
  };

  /// Keeps `warm` launches ready (0: one per core).
  Pool(Launcher launcher, std::size_t warm, Warming warming = Warming::now, Recycler recycler = {});
  static Pool firefox(FirefoxOptions options, std::size_t warm = 0, Reuse reuse = Reuse::never);
  static Pool geckodriver(GeckodriverOptions options, std::size_t warm = 0);
  static Pool chromedriver(ChromedriverOptions options, std::size_t warm = 0);

  Pool(Pool&&) noexcept;
  Pool& operator=(Pool&&) noexcept;
  /// stop().
  ~Pool();

  /// A launch taken from a pool. Destroying it (or release()) stops the launch and has the
  /// pool launch a replacement.
  class FOXPORT_EXPORT Lease {
   public:
    Lease() noexcept;
    Lease(Lease&&) noexcept;
    Lease& operator=(Lease&&) noexcept;
    ~Lease();
    const Endpoint& endpoint() const noexcept;
    /// The handle (e.g. `static_cast<Firefox*>(lease.handle())`), null once released.
    void* handle() const noexcept;
    /// Stops the launch (bounded, never throws) and the pool launches a replacement; or, in a
    /// recycling pool, recycles it for the next taker.
    void release() noexcept;

   private:
    friend class Pool;
    struct State;
    std::unique_ptr<State> state_;
  };

  /// A warm launch, or the next one to become ready. Throws foxport::Error with the launch's
  /// error when launching fails, or errc::ready_timeout after `timeout`.
  Lease take(std::chrono::milliseconds timeout = std::chrono::seconds(120));

  /// Launches ready right now.
  std::size_t warm_now() const;
  /// At most `takes` more take()s will come (e.g. the tests left in a suite): the pool starts
  /// no launch beyond what they need, so nothing is launched only to be stopped unused.
  void expect_takes(std::size_t takes);

  /// Stops launching, stops every warm launch (launches taken stay with their takers and are
  /// stopped when released). Waits for launches in progress; bounded by their ready timeout.
  void stop() noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace foxport
