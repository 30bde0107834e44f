// Helper threads: started beside their creator with the creator's CPUs given back, and the
// std::async contract the analysis relies on (results, exceptions, deferred runs, a destructor
// that waits for a started task).
#include <doctest/doctest.h>

#include <sched.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "io/helper_thread.h"

using fipsgate::Helper;
using fipsgate::HelpersRunHere;
using fipsgate::start_helper;
using fipsgate::usable_cpus;

namespace {

cpu_set_t affinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  return set;
}

}  // namespace

TEST_CASE("a helper may run on every CPU its creator may, and starts on another one") {
  const cpu_set_t creators = affinity();
  if (CPU_COUNT(&creators) < 2) {
    MESSAGE("skipped: one usable CPU");
    return;
  }
  // The scheduler may move either thread at any time, so the start is checked over many helpers.
  int elsewhere = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int here = sched_getcpu();
    auto helper =
        start_helper(std::launch::async, [] { return std::pair(sched_getcpu(), affinity()); });
    const auto [cpu, mask] = helper.get();
    CHECK(CPU_EQUAL(&mask, &creators));
    if (cpu != here) ++elsewhere;
  }
  // Created beside it, all 20 start elsewhere here; created anywhere, 0–10 of them did on the
  // 2-vCPU machine the placement was written for.
  CHECK(elsewhere >= 15);
  const cpu_set_t after = affinity();
  CHECK(CPU_EQUAL(&after, &creators));  // the creator's own CPUs are untouched
}

TEST_CASE("a helper gives its result or its exception, started or deferred") {
  const std::thread::id caller = std::this_thread::get_id();
  auto own = start_helper(std::launch::async, [] { return std::this_thread::get_id(); });
  CHECK(own.valid());
  CHECK(own.get() != caller);
  CHECK_FALSE(own.valid());
  auto deferred = start_helper(std::launch::deferred, [] { return std::this_thread::get_id(); });
  CHECK(deferred.get() == caller);
  auto throwing = start_helper(std::launch::async, []() -> int { throw std::runtime_error("x"); });
  CHECK_THROWS_AS(throwing.get(), std::runtime_error);
  Helper<int> none;
  CHECK_FALSE(none.valid());
}

TEST_CASE("a started helper is waited for by its destructor and by a move over it") {
  std::atomic<bool> done{false};
  auto slow = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    done = true;
  };
  { auto helper = start_helper(std::launch::async, slow); }
  CHECK(done.load());  // the task may hold references into this frame
  done = false;
  auto helper = start_helper(std::launch::async, slow);
  helper = start_helper(std::launch::deferred, [] {});
  CHECK(done.load());
  helper.get();
}

TEST_CASE("a shared helper result reaches several readers, and a deferred one runs at share()") {
  auto helper = start_helper(std::launch::async, [] { return 42; });
  const std::shared_future<int> shared = helper.share();
  std::vector<std::thread> readers;
  std::atomic<int> sum{0};
  for (int i = 0; i < 4; ++i) readers.emplace_back([&] { sum += shared.get(); });
  for (std::thread& reader : readers) reader.join();
  CHECK(sum.load() == 4 * 42);
  bool ran = false;
  auto deferred = start_helper(std::launch::deferred, [&] {
    ran = true;
    return 7;
  });
  const std::shared_future<int> later = deferred.share();
  CHECK(ran);
  CHECK(later.get() == 7);
}

TEST_CASE("while HelpersRunHere is active, helpers run on their creator, at get()") {
  const std::thread::id caller = std::this_thread::get_id();
  const auto where = [] { return std::this_thread::get_id(); };
  {
    const HelpersRunHere inactive(false);
    CHECK_FALSE(HelpersRunHere::on_this_thread());
    CHECK(start_helper(std::launch::async, where).get() != caller);
  }
  {
    const HelpersRunHere active(true);
    CHECK(HelpersRunHere::on_this_thread());
    bool ran = false;
    auto helper = start_helper(std::launch::async, [&] {
      ran = true;
      return std::this_thread::get_id();
    });
    CHECK_FALSE(ran);  // not started: it waits for get()
    CHECK(helper.get() == caller);
    CHECK(ran);
    {
      const HelpersRunHere nested_inactive(false);  // does not lift the outer scope
      CHECK(HelpersRunHere::on_this_thread());
    }
    CHECK(HelpersRunHere::on_this_thread());
    // Only this thread: a thread started some other way still starts its own helpers.
    std::thread other([&] {
      CHECK_FALSE(HelpersRunHere::on_this_thread());
      const std::thread::id self = std::this_thread::get_id();
      CHECK(start_helper(std::launch::async, where).get() != self);
    });
    other.join();
  }
  CHECK_FALSE(HelpersRunHere::on_this_thread());
  CHECK(start_helper(std::launch::async, where).get() != caller);
  CHECK(usable_cpus() >= 1);
}

TEST_CASE("a helper run on its caller takes move-only tasks and results, and moves with them") {
  auto owned = std::make_unique<int>(5);
  auto deferred = start_helper(std::launch::deferred, [value = std::move(owned)] {
    return std::make_unique<int>(*value + 1);
  });
  CHECK(deferred.valid());
  Helper<std::unique_ptr<int>> moved = std::move(deferred);
  // The moved-from helper is checked on purpose: it no longer holds the task.
  CHECK_FALSE(deferred.valid());  // NOLINT(bugprone-use-after-move)
  REQUIRE(moved.valid());
  CHECK(*moved.get() == 6);
  CHECK_FALSE(moved.valid());

  bool ran = false;
  {
    auto unused = start_helper(std::launch::deferred, [&] { ran = true; });
  }
  CHECK_FALSE(ran);  // never asked for, never run (as std::async's deferred tasks)

  const HelpersRunHere here(true);
  auto throwing = start_helper(std::launch::async, []() -> int { throw std::runtime_error("x"); });
  CHECK(throwing.valid());
  CHECK_THROWS_AS(throwing.get(), std::runtime_error);
  CHECK_FALSE(throwing.valid());
  auto shared = start_helper(std::launch::async, [] { return 11; }).share();
  CHECK(shared.get() == 11);
}
