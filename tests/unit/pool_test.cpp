// foxport::Pool with a launcher of counters instead of browsers: what it keeps warm, what
// a release stops, how a failing launcher reaches the taker, and that stop is bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "foxport/error.hpp"
#include "foxport/pool.hpp"

using namespace std::chrono_literals;

namespace {

// Counts launches and stops; each launch is an int whose deleter records the stop.
struct Counters {
  std::mutex mutex;
  std::condition_variable changed;
  int launched = 0;
  int stopped = 0;
  std::set<int> stopped_ids;
  bool fail = false;

  foxport::Pool::Launcher launcher() {
    return [this] {
      std::lock_guard lock(mutex);
      if (fail) throw foxport::Error(foxport::errc::exited_early, "the browser exited at once (on purpose)");
      const int id = ++launched;
      changed.notify_all();
      foxport::Endpoint endpoint;
      endpoint.port = static_cast<std::uint16_t>(10000 + id);
      endpoint.pid = id;
      return foxport::PooledLaunch{endpoint, std::shared_ptr<int>(new int(id), [this](int* p) {
                                     std::lock_guard stop_lock(mutex);
                                     ++stopped;
                                     stopped_ids.insert(*p);
                                     changed.notify_all();
                                     delete p;
                                   })};
    };
  }
  // Waits until `predicate` holds (bounded): the pool works on its own threads.
  template <typename Predicate>
  bool wait_for(Predicate predicate) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 5s, predicate);
  }
};

}  // namespace

TEST(Pool, KeepsLaunchesWarmAndNeverHandsOneOutTwice) {
  Counters counters;
  foxport::Pool pool(counters.launcher(), 2);
  EXPECT_TRUE(counters.wait_for([&] { return counters.launched == 2; }));
  auto first = pool.take(5s);
  auto second = pool.take(5s);
  EXPECT_NE(first.endpoint().pid, second.endpoint().pid);
  // Both slots refill in the background.
  EXPECT_TRUE(counters.wait_for([&] { return counters.launched == 4; }));
  auto third = pool.take(5s);
  EXPECT_NE(third.endpoint().pid, first.endpoint().pid);
  EXPECT_NE(third.endpoint().pid, second.endpoint().pid);
}

TEST(Pool, LaunchesNoMoreThanTheExpectedTakesNeed) {
  Counters counters;
  foxport::Pool pool(counters.launcher(), 2);
  pool.expect_takes(3);
  std::vector<foxport::Pool::Lease> leases;
  for (int i = 0; i < 3; ++i) leases.push_back(pool.take(5s));
  // The counters' launches are instant: a pool that ignored the expectation would have
  // refilled both slots within microseconds of the last take.
  std::unique_lock lock(counters.mutex);
  EXPECT_FALSE(counters.changed.wait_for(lock, 500ms, [&] { return counters.launched > 3; }))
      << counters.launched << " launches for 3 takes";
}

TEST(Pool, AReleasedLaunchIsStoppedNotReused) {
  Counters counters;
  foxport::Pool pool(counters.launcher(), 1);
  auto lease = pool.take(5s);
  const int taken = lease.endpoint().pid;
  lease.release();
  EXPECT_TRUE(counters.wait_for([&] { return counters.stopped == 1; }));
  auto next = pool.take(5s);
  EXPECT_NE(next.endpoint().pid, taken);
}

TEST(Pool, NothingLaunchesBeforeTheFirstTakeWhenWarmingLazily) {
  Counters counters;
  foxport::Pool pool(counters.launcher(), 1, foxport::Pool::Warming::on_first_take);
  EXPECT_EQ(pool.warm_now(), 0U);
  EXPECT_EQ(counters.launched, 0);
  auto lease = pool.take(5s);
  EXPECT_EQ(lease.endpoint().pid, 1);
}

TEST(Pool, ALauncherFailureReachesTheTakerWithItsMessage) {
  Counters counters;
  counters.fail = true;
  foxport::Pool pool(counters.launcher(), 1);
  try {
    pool.take(5s);
    FAIL() << "took a launch from a pool whose launches all fail";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::exited_early);
    EXPECT_NE(std::string(e.what()).find("the pool could not launch: the browser exited at once (on purpose)"),
              std::string::npos)
        << e.what();
  }
  // Once the cause is gone, the next take launches again.
  {
    std::lock_guard lock(counters.mutex);
    counters.fail = false;
  }
  EXPECT_EQ(pool.take(5s).endpoint().pid, 1);
}

TEST(Pool, TakeTimesOutWithAClearErrorAndStopStopsEverything) {
  Counters counters;
  std::atomic<bool> release{false};
  foxport::Pool slow(
      [&] {
        while (!release) std::this_thread::yield();  // a launch that takes as long as the test says
        return counters.launcher()();
      },
      1);
  try {
    slow.take(50ms);
    FAIL() << "took a launch that was not ready";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::ready_timeout);
    EXPECT_NE(std::string(e.what()).find("no launch became ready within 50 ms (1 launching"), std::string::npos)
        << e.what();
  }
  release = true;
  EXPECT_TRUE(counters.wait_for([&] { return counters.launched == 1; }));
  auto lease = slow.take(5s);
  const int taken = lease.endpoint().pid;
  slow.stop();
  EXPECT_THROW(slow.take(5s), foxport::Error);
  EXPECT_EQ(counters.stopped_ids.count(taken), 0U) << "a taken launch stays with its taker";
  EXPECT_EQ(counters.launched, counters.stopped + 1) << "stop left a warm launch running";
  lease.release();
  EXPECT_EQ(counters.stopped_ids.count(taken), 1U) << "the pool is stopped: a release stops it at once";
}
