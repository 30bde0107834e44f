// The funcname table check behind read_function_table, in stretches that can be read apart and
// joined in order (big tables are read on two threads). Declared here for the tests.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "fipsgate/io/byte_view.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

// The NULs of one stretch of the funcname table: only the distance between consecutive NULs
// matters.
struct NulRuns {
  std::optional<uint64_t> first_nul, last_nul;
  // Where the first name found too long starts, counting only names that start after first_nul
  // (the one running into first_nul may have started in an earlier stretch).
  std::optional<uint64_t> long_name;
};

// The NULs in names[begin, end).
NulRuns find_nul_runs(const ByteView& names, uint64_t begin, uint64_t end);

// Every name must end in a NUL within limits::kMaxFunctionNameBytes: joins the stretches, which
// must cover the table in order, so that the error names the first long name however the table
// was cut. Returns the offset one past the last NUL (names must start before it).
Result<uint64_t> join_nul_runs(const ByteView& names, const std::vector<NulRuns>& stretches);

}  // namespace fipsgate
