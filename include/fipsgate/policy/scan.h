// A scan: many artifacts analyzed in parallel, each judged under one policy, collected in a
// deterministic (sorted path) order. The analyzer is passed in as a function so the same
// runner serves the command line, the service and tests.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/io/result.h"
#include "fipsgate/policy/verdict.h"

namespace fipsgate {

struct ScanTarget {
  std::string path;
  bool named_explicitly = false;  // given on the command line, not found by walking a directory
  // Its size when the caller knows it (the walk's stat): it orders the work, largest first.
  // Unknown sizes are read when the work is shared out.
  std::optional<uint64_t> size;
};

using Analyzer = std::function<Result<Facts>(const std::string& path)>;

struct ScanReport {
  std::string tool_version;
  Date scan_date;
  std::string policy_name;
  std::string policy_source;
  std::vector<BinaryVerdict> binaries;  // sorted by path
};

struct ScanCounts {
  size_t pass = 0;
  size_t warn = 0;
  size_t fail = 0;
  size_t unanalyzable = 0;
};
ScanCounts count_verdicts(const ScanReport& report);

// What a gate does with the scan. Unanalyzable takes precedence over a policy failure: the
// gate must not claim every artifact was judged when one could not be read.
enum class ScanOutcome : uint8_t { pass, policy_failure, unanalyzable };
ScanOutcome scan_outcome(const ScanReport& report);

// True when the analysis found the file to be an executable but not a Go program. Such files
// are dropped from a directory walk and reported only when named explicitly.
bool is_non_go_executable(const Facts& facts);

// Analyzes the targets on at most `jobs` threads, judges each, and returns them sorted by path.
// Up to `jobs` workers take the binaries from a queue (at most `jobs` analyses in flight). An
// analysis starts helper threads beside its worker only while the workers leave some of `jobs`
// and of the CPUs unused, so `jobs` 1 keeps the whole scan on the calling thread. Analyzer
// errors become unanalyzable verdicts; non-Go executables found by walking are left out.
ScanReport run_scan(std::vector<ScanTarget> targets, const Analyzer& analyzer,
                    const JudgeContext& context, unsigned jobs);

}  // namespace fipsgate
