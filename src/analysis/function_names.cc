// One walk over the function names for the signature scan and the non-approved search (see
// analysis_internal.h). Names are read through their records, so each walk of a big table reads
// the records and the names' first bytes again; walking once halves that.
#include <atomic>
#include <cstdint>
#include <vector>

#include "analysis/analysis_internal.h"
#include "io/shared_chunks.h"

namespace fipsgate::analysis {

namespace {

// Tables from this size on (kubectl's has 80k functions) are walked in runs of kRunFunctions on
// two threads.
constexpr uint64_t kConcurrentFunctions = 20000;
constexpr uint64_t kRunFunctions = 16384;
// Hits kept, of both kinds together; real binaries have a few thousand (kubectl 1,942, docker
// 2,976, terraform 3,290, the 707 MB provider 2,786). Beyond this the walk gives up and says so
// (FunctionNameWalk::complete), so that a hostile table cannot grow the heap past ~3 MB here.
constexpr uint64_t kMaxHits = uint64_t{1} << 17;

struct Found {
  std::vector<FunctionNameHit> markers;
  std::vector<uint64_t> maybe_listed;
};

// The functions [begin, end), each run with its own rejection memos. False once `kept` (shared by
// the runs) passes kMaxHits.
bool walk_run(const FunctionTable& functions, uint64_t begin, uint64_t end,
              const NameMatcher& markers, const NameMatcher& non_approved_prefixes,
              std::atomic<uint64_t>& kept, Found& found) {
  RejectionMemo last_marker, last_prefix;
  for (uint64_t index = begin; index < end; ++index) {
    const TerminatedName name = functions.terminated_name_at(index);
    const size_t before = found.markers.size();
    markers.match(name, last_marker, [&](uint32_t id) { found.markers.push_back({index, id}); });
    uint64_t added = found.markers.size() - before;
    if (non_approved_prefixes.matches_any(name, last_prefix)) {
      found.maybe_listed.push_back(index);
      ++added;
    }
    if (added != 0 && kept.fetch_add(added, std::memory_order_relaxed) + added > kMaxHits) {
      return false;
    }
  }
  return true;
}

}  // namespace

FunctionNameWalk walk_function_names(const FunctionTable& functions, const NameMatcher& markers,
                                     const NameMatcher& non_approved_prefixes) {
  const uint64_t size = functions.size();
  const uint64_t runs =
      size < kConcurrentFunctions ? 1 : (size + kRunFunctions - 1) / kRunFunctions;
  const uint64_t run_functions = runs == 1 ? size : kRunFunctions;
  std::vector<Found> found(runs);
  std::atomic<uint64_t> kept{0};
  std::atomic<bool> complete{true};
  const auto walk = [&](uint64_t run) {
    if (!complete.load(std::memory_order_relaxed)) return;
    const uint64_t begin = run * run_functions;
    const uint64_t end = std::min(begin + run_functions, size);
    if (!walk_run(functions, begin, end, markers, non_approved_prefixes, kept, found[run])) {
      complete.store(false, std::memory_order_relaxed);
    }
  };
  share_chunks(runs, walk);
  FunctionNameWalk walked;
  walked.complete = complete.load();
  if (!walked.complete) return walked;
  for (Found& run : found) {
    walked.markers.insert(walked.markers.end(), run.markers.begin(), run.markers.end());
    walked.maybe_listed.insert(walked.maybe_listed.end(), run.maybe_listed.begin(),
                               run.maybe_listed.end());
  }
  return walked;
}

}  // namespace fipsgate::analysis
