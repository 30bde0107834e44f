// run_scan's budget of threads: `jobs` workers, and helper threads beside an analysis only when
// the workers leave some of the budget and of the CPUs unused.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fipsgate/policy/scan.h"
#include "io/helper_thread.h"
#include "support/policy_fixtures.h"

using namespace fipsgate;
using namespace fipsgate::testing;

namespace {

// Where each analysis ran, and where a helper that it started ran.
struct Placement {
  std::thread::id worker;
  std::thread::id helper;
};

std::vector<Placement> placements_of_scan(size_t targets, unsigned jobs) {
  Result<Policy> policy = load_policy("any-validated", shipped_catalogue());
  REQUIRE(policy.ok());
  const std::vector<Waiver> waivers;
  const JudgeContext context{*policy, waivers, shipped_catalogue(),
                             Date::parse(kAfterSunset).value()};
  std::vector<ScanTarget> inputs;
  for (size_t i = 0; i < targets; ++i) inputs.push_back({"bin/" + std::to_string(i), true, 1});
  std::mutex lock;
  std::vector<Placement> placements;
  const Analyzer analyzer = [&](const std::string& path) -> Result<Facts> {
    auto helper = start_helper(std::launch::async, [] { return std::this_thread::get_id(); });
    const Placement placement{std::this_thread::get_id(), helper.get()};
    const std::lock_guard<std::mutex> hold(lock);
    placements.push_back(placement);
    return standard_go_facts(path);
  };
  const ScanReport report = run_scan(std::move(inputs), analyzer, context, jobs);
  CHECK(report.binaries.size() == targets);
  return placements;
}

}  // namespace

TEST_CASE("--jobs 1 keeps every analysis and every helper on the calling thread") {
  const std::thread::id caller = std::this_thread::get_id();
  const std::vector<Placement> placements = placements_of_scan(3, 1);
  REQUIRE(placements.size() == 3);
  for (const Placement& placement : placements) {
    CHECK(placement.worker == caller);
    CHECK(placement.helper == caller);
  }
  // One binary too: a budget of one thread holds whatever the number of binaries.
  const std::vector<Placement> lone = placements_of_scan(1, 1);
  REQUIRE(lone.size() == 1);
  CHECK(lone[0].helper == caller);
}

TEST_CASE("a lone binary under a budget of two threads gets a helper thread beside it") {
  if (usable_cpus() < 2) return;  // one CPU: helpers run on their worker whatever the budget
  const std::vector<Placement> placements = placements_of_scan(1, 2);
  REQUIRE(placements.size() == 1);
  CHECK(placements[0].worker == std::this_thread::get_id());
  CHECK(placements[0].helper != placements[0].worker);
}

TEST_CASE("workers that use the whole budget run their helpers themselves") {
  if (usable_cpus() < 2) return;
  const std::vector<Placement> placements = placements_of_scan(6, 2);
  REQUIRE(placements.size() == 6);
  std::set<std::thread::id> workers;
  for (const Placement& placement : placements) {
    CHECK(placement.helper == placement.worker);
    workers.insert(placement.worker);
  }
  CHECK(workers.size() <= 2);
}

TEST_CASE("two workers start on the two largest targets, by the sizes the targets bring") {
  Result<Policy> policy = load_policy("any-validated", shipped_catalogue());
  REQUIRE(policy.ok());
  const std::vector<Waiver> waivers;
  const JudgeContext context{*policy, waivers, shipped_catalogue(),
                             Date::parse(kAfterSunset).value()};
  // No such files: the order comes from the sizes given, not from the file system.
  std::vector<ScanTarget> inputs = {
      {"bin/a", true, 10}, {"bin/b", true, 4000}, {"bin/c", true, 20}, {"bin/d", true, 3000}};
  std::mutex lock;
  std::condition_variable both_started;
  std::vector<std::string> started;
  const Analyzer analyzer = [&](const std::string& path) -> Result<Facts> {
    std::unique_lock<std::mutex> hold(lock);
    started.push_back(path);
    both_started.notify_all();
    // The first two wait for each other, so that neither takes a third target first.
    both_started.wait_for(hold, std::chrono::seconds(10), [&] { return started.size() >= 2; });
    return standard_go_facts(path);
  };
  const ScanReport report = run_scan(std::move(inputs), analyzer, context, 2);
  CHECK(report.binaries.size() == 4);
  REQUIRE(started.size() == 4);
  std::vector<std::string> first_two(started.begin(), started.begin() + 2);
  std::sort(first_two.begin(), first_two.end());
  CHECK(first_two == std::vector<std::string>{"bin/b", "bin/d"});
}
