#include "foxport/pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "foxport/error.hpp"

namespace foxport {

// Worker threads keep `warm` launches ready, one slot each. A launch given back is stopped
// by the thread that gives it back, at once: the workers may be busy launching. After a
// launch fails they pause until a take() asks again, so a broken setup does not
// relaunch in a loop; that take() gets the error.
struct Pool::State {
  Launcher launcher;
  Recycler recycler;
  std::size_t warm = 1;
  std::optional<std::size_t> takes_left;  // expect_takes(): no launches beyond these
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<PooledLaunch> ready;
  std::size_t launching = 0;
  bool stopping = false;
  bool paused = false;
  std::exception_ptr error;
  std::uint64_t failures = 0;
  std::vector<std::thread> workers;

  // How many launches should be ready or on their way now.
  std::size_t wanted() const { return takes_left ? std::min(warm, *takes_left) : warm; }

  void work() {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [&] { return stopping || (!paused && ready.size() + launching < wanted()); });
      if (stopping) return;
      ++launching;
      lock.unlock();
      PooledLaunch launch;
      std::exception_ptr failure;
      try {
        launch = launcher();
      } catch (...) {
        failure = std::current_exception();
      }
      lock.lock();
      --launching;
      if (failure) {
        error = failure;
        ++failures;
        paused = true;
      } else {
        ready.push_back(std::move(launch));
      }
      changed.notify_all();
    }
  }

  void give_back(PooledLaunch launch) noexcept {
    bool recycled = false;
    if (recycler) {
      try {
        recycled = recycler(launch);
      } catch (...) {
        // Not fit for reuse: stopped below.
      }
    }
    if (recycled) {
      std::lock_guard lock(mutex);
      if (!stopping) {
        ready.push_front(std::move(launch));
        changed.notify_all();
        return;
      }
    }
    launch.handle.reset();  // the handle's destructor stops it
  }
};

struct Pool::Lease::State {
  std::shared_ptr<Pool::State> pool;
  PooledLaunch launch;
};

Pool::Pool(Launcher launcher, std::size_t warm, Warming warming, Recycler recycler)
    : state_(std::make_shared<State>()) {
  state_->launcher = std::move(launcher);
  state_->recycler = std::move(recycler);
  state_->paused = warming == Warming::on_first_take;
  state_->warm = warm != 0 ? warm : std::max(1U, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < state_->warm; ++i)
    state_->workers.emplace_back([state = state_.get()] { state->work(); });
}

Pool Pool::firefox(FirefoxOptions options, std::size_t warm, Reuse reuse) {
  Recycler recycler;
  if (reuse == Reuse::recycle) {
    options.recyclable = true;
    recycler = [](PooledLaunch& launch) {
      static_cast<Firefox*>(launch.handle.get())->recycle();
      return true;
    };
  }
  return Pool(
      [options] {
        auto firefox = std::make_shared<Firefox>(Firefox::launch(options));
        return PooledLaunch{firefox->endpoint(), firefox};
      },
      warm, Warming::now, std::move(recycler));
}

Pool Pool::geckodriver(GeckodriverOptions options, std::size_t warm) {
  return Pool(
      [options] {
        auto driver = std::make_shared<Geckodriver>(Geckodriver::launch(options));
        return PooledLaunch{driver->endpoint(), driver};
      },
      warm);
}

Pool Pool::chromedriver(ChromedriverOptions options, std::size_t warm) {
  return Pool(
      [options] {
        auto driver = std::make_shared<Chromedriver>(Chromedriver::launch(options));
        return PooledLaunch{driver->endpoint(), driver};
      },
      warm);
}

Pool::Pool(Pool&&) noexcept = default;

Pool& Pool::operator=(Pool&& other) noexcept {
  if (this != &other) {
    stop();
    state_ = std::move(other.state_);
  }
  return *this;
}

Pool::~Pool() { stop(); }

Pool::Lease Pool::take(std::chrono::milliseconds timeout) {
  if (!state_) throw Error(errc::stopped, "Pool::take: this pool was moved from");
  auto& pool = *state_;
  std::unique_lock lock(pool.mutex);
  if (pool.stopping) throw Error(errc::stopped, "Pool::take: the pool is stopped");
  const auto failures_before = pool.failures;
  if (pool.ready.empty() && pool.paused) {
    pool.paused = false;  // try again for this taker
    pool.changed.notify_all();
  }
  pool.changed.wait_for(lock, timeout,
                        [&] { return !pool.ready.empty() || pool.failures != failures_before || pool.stopping; });
  if (!pool.ready.empty()) {
    Lease lease;
    lease.state_ = std::make_unique<Lease::State>(Lease::State{state_, std::move(pool.ready.front())});
    pool.ready.pop_front();
    if (pool.takes_left && *pool.takes_left > 0) --*pool.takes_left;
    pool.changed.notify_all();  // a slot to refill
    return lease;
  }
  if (pool.stopping) throw Error(errc::stopped, "Pool::take: the pool was stopped while waiting");
  if (pool.failures != failures_before) {
    try {
      std::rethrow_exception(pool.error);
    } catch (const std::system_error& e) {
      throw Error(e.code(), std::string("the pool could not launch: ") + e.what());
    }
  }
  throw Error(errc::ready_timeout, "Pool::take: no launch became ready within " + std::to_string(timeout.count()) +
                                       " ms (" + std::to_string(pool.launching) + " launching, " +
                                       std::to_string(pool.warm) + " kept warm)");
}

std::size_t Pool::warm_now() const {
  if (!state_) return 0;
  std::lock_guard lock(state_->mutex);
  return state_->ready.size();
}

void Pool::expect_takes(std::size_t takes) {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  state_->takes_left = takes;
  state_->changed.notify_all();
}

void Pool::stop() noexcept {
  if (!state_) return;
  auto& pool = *state_;
  {
    std::lock_guard lock(pool.mutex);
    if (pool.stopping) return;
    pool.stopping = true;
  }
  pool.changed.notify_all();
  for (auto& worker : pool.workers) worker.join();
  std::deque<PooledLaunch> ready;  // stopped outside the lock
  {
    std::lock_guard lock(pool.mutex);
    ready.swap(pool.ready);
  }
  ready.clear();
}

Pool::Lease::Lease() noexcept = default;
Pool::Lease::Lease(Lease&&) noexcept = default;

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}

Pool::Lease::~Lease() { release(); }

const Endpoint& Pool::Lease::endpoint() const noexcept {
  static const Endpoint none;
  return state_ ? state_->launch.endpoint : none;
}

void* Pool::Lease::handle() const noexcept { return state_ ? state_->launch.handle.get() : nullptr; }

void Pool::Lease::release() noexcept {
  if (!state_) return;
  auto state = std::move(state_);
  state->pool->give_back(std::move(state->launch));
}

}  // namespace foxport
