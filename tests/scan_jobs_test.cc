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

#include "fipsgate/io/mapped_file.h"
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

namespace {

// The most analyses of targets past MappedFile::kReadWholeBytes (mapped, not read whole) that ran
// at the same time in a two-worker scan of `inputs`, and the order the targets were taken in.
struct MappedOverlap {
  int most_at_once = 0;
  std::vector<std::string> taken;
};

MappedOverlap mapped_overlap_of_scan(std::vector<ScanTarget> inputs) {
  Result<Policy> policy = load_policy("any-validated", shipped_catalogue());
  REQUIRE(policy.ok());
  const std::vector<Waiver> waivers;
  const JudgeContext context{*policy, waivers, shipped_catalogue(),
                             Date::parse(kAfterSunset).value()};
  std::set<std::string> mapped;
  for (const ScanTarget& input : inputs) {
    if (*input.size > MappedFile::kReadWholeBytes) mapped.insert(input.path);
  }
  const size_t count = inputs.size();
  std::mutex lock;
  int running = 0;
  MappedOverlap overlap;
  const Analyzer analyzer = [&](const std::string& path) -> Result<Facts> {
    const bool is_mapped = mapped.count(path) > 0;
    {
      const std::lock_guard<std::mutex> hold(lock);
      overlap.taken.push_back(path);
      if (is_mapped) overlap.most_at_once = std::max(overlap.most_at_once, ++running);
    }
    // A mapped file takes long enough that the other worker asks for its next target meanwhile,
    // and the small ones together take longer than it.
    std::this_thread::sleep_for(std::chrono::milliseconds(is_mapped ? 100 : 20));
    const std::lock_guard<std::mutex> hold(lock);
    if (is_mapped) --running;
    return standard_go_facts(path);
  };
  const ScanReport report = run_scan(std::move(inputs), analyzer, context, 2);
  CHECK(report.binaries.size() == count);
  return overlap;
}

constexpr uint64_t kMiB = uint64_t{1} << 20;

}  // namespace

TEST_CASE("while one worker is on a mapped file the other takes files read whole") {
  // Two files too big to read whole, and more bytes than theirs in small ones: the compilers of
  // a Go toolchain beside its other tools.
  std::vector<ScanTarget> inputs = {{"bin/compile", true, 26 * kMiB}, {"bin/asm", true, 19 * kMiB}};
  for (int i = 0; i < 8; ++i) inputs.push_back({"bin/tool" + std::to_string(i), true, 8 * kMiB});
  const MappedOverlap overlap = mapped_overlap_of_scan(std::move(inputs));
  CHECK(overlap.most_at_once == 1);
  REQUIRE(overlap.taken.size() == 10);
  // Still largest first: the other worker starts on the largest file read whole.
  std::vector<std::string> first_two(overlap.taken.begin(), overlap.taken.begin() + 2);
  std::sort(first_two.begin(), first_two.end());
  CHECK(first_two == std::vector<std::string>{"bin/compile", "bin/tool0"});
}

TEST_CASE("mapped files run side by side when they are most of the work") {
  // Kubernetes-sized binaries and one small tool: holding the second back would leave it to run
  // alone at the end.
  std::vector<ScanTarget> inputs = {{"bin/kube-apiserver", true, 120 * kMiB},
                                    {"bin/kubelet", true, 110 * kMiB},
                                    {"bin/tool", true, 2 * kMiB}};
  const MappedOverlap overlap = mapped_overlap_of_scan(std::move(inputs));
  CHECK(overlap.most_at_once == 2);
  REQUIRE(overlap.taken.size() == 3);
  CHECK(overlap.taken[2] == "bin/tool");
}
