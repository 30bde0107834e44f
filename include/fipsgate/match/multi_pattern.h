// MultiPatternMatcher: hundreds of byte patterns (with "??" wildcards) searched in one pass.
//
// Design: every pattern gets an anchor, the 4 fixed bytes inside it whose bytes are rarest in
// machine code and data (a static byte-frequency guess). One pass over the bytes loads each
// 4-byte window, tests its first two bytes in a 2^16-bit table (8 KiB, stays in L1), then hashes
// the window into a 2^20-bit filter (128 KiB, L2) and only on a hit of both looks the window up
// in a sorted anchor table and verifies the candidate patterns with their
// masks. Patterns without 4 fixed bytes in a row fall back to a first-byte table scanned with
// memchr on their rarest fixed byte. The filter keeps the per-byte work to a load, a multiply and
// a bit test, so the scan runs close to memory speed whatever the number of patterns.
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

  // Calls on_hit(id, offset) for every occurrence of every pattern that lies wholly inside
  // `bytes`, in increasing offset order per anchor class; `base_address` is the address of
  // bytes[0] for the alignment test. Stops early when on_hit returns false.
  void scan(ByteView bytes, uint64_t base_address,
            const std::function<bool(uint32_t id, uint64_t offset)>& on_hit) const;

  size_t pattern_count() const { return patterns_.size(); }

 private:
  struct Compiled {
    PatternSpec spec;
    uint32_t anchor_offset = 0;  // where the anchor starts inside the pattern
  };
  struct AnchorEntry {
    uint32_t anchor = 0;  // 4 bytes, little-endian load
    uint32_t pattern_index = 0;
    bool operator<(const AnchorEntry& other) const { return anchor < other.anchor; }
  };

  bool verify(const Compiled& pattern, const uint8_t* data, uint64_t size, uint64_t start,
              uint64_t base_address) const;
  bool scan_anchored(ByteView bytes, uint64_t base_address,
                     const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool scan_short(ByteView bytes, uint64_t base_address,
                  const std::function<bool(uint32_t, uint64_t)>& on_hit) const;

  std::vector<Compiled> patterns_;
  std::vector<AnchorEntry> anchors_;      // sorted by anchor
  std::vector<uint64_t> filter_;          // 2^20 bits, hashed 4-byte anchors
  std::vector<uint64_t> pair_filter_;     // 2^16 bits, first two bytes of each anchor
  std::vector<uint32_t> short_patterns_;  // indexes of patterns without a 4-byte anchor
};

}  // namespace fipsgate
