// MultiPatternMatcher: hundreds of byte patterns (with "??" wildcards) searched in one pass.
//
// Design: the scan probes the bytes only every `stride` bytes (at addresses that are multiples
// of the stride), not at every byte. A pattern whose fixed bytes run long enough files `stride`
// overlapping 4-byte windows of that run, one per residue of its start modulo the stride, so that
// whatever its start, exactly one of its windows lies at a probed address (an aligned pattern
// needs fewer: its start's residue is known). Each probe loads the 4-byte window, hashes it into
// a bit filter sized to the window count (small sets stay in L1) and only on a filter hit looks
// the window up in a sorted table and verifies the candidate patterns with their masks. Patterns
// are grouped by the largest stride they allow (8, 4, 2 or 1 by the length of their longest
// fixed run and their alignment), one pass per group; long strings and aligned markers end up at
// stride 8, so the scan costs about one probe per 8 bytes and runs at memory speed. Patterns
// without 4 fixed bytes in a row fall back to a memchr scan on their rarest fixed byte.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "fipsgate/io/byte_view.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

struct PatternSpec {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> mask;  // same length; 0xFF fixed byte, 0x00 wildcard
  unsigned alignment = 1;     // the match's address (base + offset) must be a multiple of this
  uint32_t id = 0;            // returned with each hit
};

class MultiPatternMatcher {
 public:
  // Errors: empty pattern, mask/bytes length mismatch, all-wildcard pattern, alignment 0.
  static Result<MultiPatternMatcher> compile(std::vector<PatternSpec> patterns);

  // Calls on_hit(id, offset) exactly once for every occurrence of every pattern that lies
  // wholly inside `bytes`; hits come roughly in increasing offset order (per stride group, by
  // the offset of the window that found them); `base_address` is the address of bytes[0] for
  // the alignment test. Stops early when on_hit returns false.
  void scan(ByteView bytes, uint64_t base_address,
            const std::function<bool(uint32_t id, uint64_t offset)>& on_hit) const;

  size_t pattern_count() const { return patterns_.size(); }

 private:
  struct Compiled {
    PatternSpec spec;
    uint32_t anchor_offset = 0;  // short patterns: the byte memchr looks for
  };
  struct AnchorEntry {
    uint32_t window = 0;  // 4 bytes, little-endian load
    uint32_t pattern_index = 0;
    uint32_t offset_in_pattern = 0;  // where the window starts inside the pattern
    uint32_t check_offset = 0;       // 8 more pattern bytes compared before the full verify
    uint64_t check_value = 0, check_mask = 0;
  };
  struct StrideGroup {
    unsigned stride = 1;
    unsigned filter_shift = 0;  // 32 - log2(filter bits)
    unsigned bucket_shift = 0;  // 32 - log2(bucket count)
    std::vector<uint64_t> filter;
    std::vector<uint64_t> pair_filter;   // 2^16 bits, first two bytes of each window (L1)
    std::vector<AnchorEntry> anchors;    // grouped by bucket (the window's hash)
    std::vector<uint32_t> bucket_start;  // anchors of bucket b: [bucket_start[b], [b + 1])
  };

  bool verify(const Compiled& pattern, const uint8_t* data, uint64_t size, uint64_t start,
              uint64_t base_address) const;
  template <unsigned kStride>
  bool scan_group(const StrideGroup& group, ByteView bytes, uint64_t base_address,
                  const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool check_window(const StrideGroup& group, uint32_t window, const uint8_t* data, uint64_t size,
                    uint64_t position, uint64_t base_address,
                    const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool scan_short(ByteView bytes, uint64_t base_address,
                  const std::function<bool(uint32_t, uint64_t)>& on_hit) const;

  std::vector<Compiled> patterns_;
  std::vector<StrideGroup> groups_;       // largest stride first
  std::vector<uint32_t> short_patterns_;  // indexes of patterns without a 4-byte anchor
};

}  // namespace fipsgate
