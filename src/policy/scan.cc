#include "fipsgate/policy/scan.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <optional>

#include "fipsgate/io/mapped_file.h"
#include "io/helper_thread.h"

namespace fipsgate {
namespace {

// One slot per target, filled by whichever worker took it; the sorted target order is the
// report order, so the result does not depend on scheduling.
struct Slot {
  std::optional<BinaryVerdict> verdict;
};

BinaryVerdict analyze_and_judge(const ScanTarget& target, const Analyzer& analyzer,
                                const JudgeContext& context, bool& drop) {
  Result<Facts> facts = Error("not analyzed");
  try {
    facts = analyzer(target.path);
  } catch (const std::exception& exception) {
    // The analysis returns errors as values; this only guards a worker thread against
    // resource exhaustion (std::bad_alloc) so one artifact cannot end the whole scan.
    facts = Error(std::string("analysis aborted: ") + exception.what());
  }
  if (!facts) return judge_unreadable(target.path, facts.error(), context);
  if (is_non_go_executable(*facts)) {
    if (!target.named_explicitly) drop = true;
    // Named on purpose, so the user expects a judgement: it cannot be judged as Go.
    facts->analyzable = false;
    facts->errors.push_back("not a Go binary: no Go build info, version or crypto evidence");
  }
  if (facts->path.empty()) facts->path = target.path;
  return judge(std::move(facts).value(), context);
}

}  // namespace

ScanCounts count_verdicts(const ScanReport& report) {
  ScanCounts counts;
  for (const BinaryVerdict& binary : report.binaries) {
    switch (binary.verdict) {
      case Verdict::pass:
        ++counts.pass;
        break;
      case Verdict::warn:
        ++counts.warn;
        break;
      case Verdict::fail:
        ++counts.fail;
        break;
      case Verdict::unanalyzable:
        ++counts.unanalyzable;
        break;
    }
  }
  return counts;
}

ScanOutcome scan_outcome(const ScanReport& report) {
  ScanCounts counts = count_verdicts(report);
  if (counts.unanalyzable > 0) return ScanOutcome::unanalyzable;
  if (counts.fail > 0) return ScanOutcome::policy_failure;
  return ScanOutcome::pass;
}

bool is_non_go_executable(const Facts& facts) {
  // The analysis read the executable (it is analyzable) but found no Go build info, no Go
  // version and no crypto backend: a C program, a shell, a library.
  return facts.analyzable && facts.go_version.empty() && facts.go_build_id.empty() &&
         facts.backends.empty() && facts.non_approved.empty();
}

namespace {

// The sizes that order the work. Those the targets do not bring are read here (a stat each,
// 0.2 ms for 84 files on one CPU before the workers start); unreadable ones count as 0 (the
// analysis reports the file).
std::vector<uint64_t> sizes_of(const std::vector<ScanTarget>& targets) {
  std::vector<uint64_t> sizes(targets.size(), 0);
  for (size_t index = 0; index < targets.size(); ++index) {
    if (targets[index].size) {
      sizes[index] = *targets[index].size;
      continue;
    }
    std::error_code error;
    const uint64_t size = std::filesystem::file_size(targets[index].path, error);
    if (!error) sizes[index] = size;
  }
  return sizes;
}

// Hands out the targets, largest first: the work per file grows with its size, and a big file
// taken last leaves the other workers idle while it finishes.
//
// Files too big to be read whole are mapped, and page faults on two CPUs at once slow each other
// by a quarter, where a mapped file beside one read with pread loses nothing (docs/BENCHMARKS.md,
// thirteenth and fourteenth rounds). So while one worker is on a mapped file, another takes the
// largest file read whole instead of the next mapped one, as long as the bytes left to read
// whole are at least the bytes left mapped: otherwise the mapped files would be left to the end
// and run one at a time.
class WorkQueue {
 public:
  WorkQueue(const std::vector<ScanTarget>& targets, bool by_size) {
    const std::vector<uint64_t> sizes =
        by_size ? sizes_of(targets) : std::vector<uint64_t>(targets.size(), 0);
    std::vector<size_t> order(targets.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t left, size_t right) { return sizes[left] > sizes[right]; });
    for (size_t index : order) {
      Kind& kind = sizes[index] > MappedFile::kReadWholeBytes ? mapped_ : read_whole_;
      kind.queue.push_back({index, sizes[index]});
      kind.bytes_left += sizes[index];
    }
  }

  struct Work {
    size_t index;  // into the targets
    bool mapped;
  };

  std::optional<Work> take() {
    const std::lock_guard<std::mutex> hold(mutex_);
    const bool defer_mapped =
        mapped_running_ > 0 && read_whole_.bytes_left >= mapped_.bytes_left && !read_whole_.empty();
    if (!mapped_.empty() && !defer_mapped) {
      ++mapped_running_;
      return mapped_.take(true);
    }
    if (!read_whole_.empty()) return read_whole_.take(false);
    return std::nullopt;
  }

  void finished(const Work& work) {
    if (!work.mapped) return;
    const std::lock_guard<std::mutex> hold(mutex_);
    --mapped_running_;
  }

 private:
  struct Kind {
    std::vector<std::pair<size_t, uint64_t>> queue;  // target index and size, largest first
    size_t next = 0;
    uint64_t bytes_left = 0;

    bool empty() const { return next == queue.size(); }
    Work take(bool mapped) {
      const auto [index, size] = queue[next++];
      bytes_left -= size;
      return Work{index, mapped};
    }
  };

  std::mutex mutex_;
  Kind mapped_, read_whole_;
  unsigned mapped_running_ = 0;
};

}  // namespace

ScanReport run_scan(std::vector<ScanTarget> targets, const Analyzer& analyzer,
                    const JudgeContext& context, unsigned jobs) {
  // Results go to one slot per target in path order, so the report is the same whatever the
  // order the workers finish in.
  std::sort(targets.begin(), targets.end(),
            [](const ScanTarget& left, const ScanTarget& right) { return left.path < right.path; });
  std::vector<Slot> slots(targets.size());
  const unsigned worker_count = std::clamp<unsigned>(jobs, 1, std::max<size_t>(targets.size(), 1));
  // One worker takes them as they come; the sizes only matter for sharing out the work.
  WorkQueue queue(targets, worker_count > 1);
  // `jobs` is the scan's budget of threads. Once the workers use all of it, or every CPU, each
  // analyzes its binaries on its own thread (io/helper_thread.h): a helper thread would only
  // queue behind another worker, or take a CPU the caller kept for something else. A lone
  // binary under a budget of two or more gets helpers beside its worker.
  const bool workers_use_budget = worker_count >= std::min(jobs, usable_cpus());
  auto worker = [&] {
    const HelpersRunHere on_this_worker(workers_use_budget);
    while (const std::optional<WorkQueue::Work> work = queue.take()) {
      bool drop = false;
      BinaryVerdict verdict = analyze_and_judge(targets[work->index], analyzer, context, drop);
      if (!drop) slots[work->index].verdict = std::move(verdict);
      queue.finished(*work);
    }
  };
  // The calling thread works too: the others start beside it (io/helper_thread.h).
  std::vector<Helper<void>> workers;
  for (unsigned i = 1; i < worker_count; ++i) workers.emplace_back(std::launch::async, worker);
  worker();
  for (Helper<void>& other : workers) other.get();

  ScanReport report;
  report.scan_date = context.scan_date;
  report.policy_name = context.policy.name;
  report.policy_source = context.policy.source;
  for (Slot& slot : slots) {
    if (slot.verdict) report.binaries.push_back(std::move(*slot.verdict));
  }
  return report;
}

}  // namespace fipsgate
