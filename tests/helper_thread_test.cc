// Helper threads that leave their creator's CPU: the move happens, the affinity is given back,
// and start_helper keeps std::async's results and policies.
#include <doctest/doctest.h>

#include <sched.h>

#include <future>
#include <thread>

#include "io/helper_thread.h"

namespace {

cpu_set_t affinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  return set;
}

}  // namespace

TEST_CASE("leave_cpu moves the thread off the given CPU and then allows every CPU again") {
  // On a thread of its own, so that the test runner's thread keeps its placement.
  std::thread([] {
    const cpu_set_t before = affinity();
    if (CPU_COUNT(&before) < 2) {
      MESSAGE("skipped: one usable CPU");
      return;
    }
    const int here = fipsgate::current_cpu();
    REQUIRE(here >= 0);
    fipsgate::leave_cpu(here);
    CHECK(fipsgate::current_cpu() != here);
    const cpu_set_t after = affinity();
    CHECK(CPU_EQUAL(&before, &after));
  }).join();
}

TEST_CASE("leave_cpu leaves the affinity alone for an unknown or out-of-range CPU") {
  std::thread([] {
    const cpu_set_t before = affinity();
    fipsgate::leave_cpu(-1);
    fipsgate::leave_cpu(CPU_SETSIZE);
    const cpu_set_t after = affinity();
    CHECK(CPU_EQUAL(&before, &after));
  }).join();
}

TEST_CASE(
    "start_helper gives the task's result, on a thread of its own or deferred on the caller") {
  const std::thread::id caller = std::this_thread::get_id();
  auto own = fipsgate::start_helper(std::launch::async, [] { return std::this_thread::get_id(); });
  CHECK(own.get() != caller);
  const cpu_set_t before = affinity();
  auto deferred =
      fipsgate::start_helper(std::launch::deferred, [] { return std::this_thread::get_id(); });
  CHECK(deferred.get() == caller);
  // Run on the caller, the task must not have touched the caller's affinity.
  const cpu_set_t after = affinity();
  CHECK(CPU_EQUAL(&before, &after));
}
