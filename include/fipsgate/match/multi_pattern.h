// MultiPatternMatcher: hundreds of byte patterns (with "??" wildcards) searched in one pass.
//
// Design: three engines, one chosen per pattern set when it is compiled.
//
// Teddy (small sets, up to kTeddyMaxPatterns, on CPUs with AVX2): each pattern picks a window of
// 3 consecutive bytes (the rarest fixed ones it has) and one of 8 buckets (one pattern per bucket
// up to 8 patterns). Per window byte, two 16-entry tables map each nibble value to the buckets
// that accept it there; PSHUFB looks up 32 bytes at a time, so one 32-byte block costs 3 loads,
// 6 shuffles and a few ANDs, and a byte lane left non-zero is a candidate window for its buckets.
// That runs near memory speed; the rare candidates are confirmed with the bucket's patterns.
//
// Shift-or (large sets): each pattern picks a window of 16 bytes and one of 8 buckets. The scan
// reads the bytes as pairs at even offsets; a 16 Ki-entry table (128 KiB) maps a pair (folded
// to 14 bits) to 64 bits, 8 window pairs x 8 buckets, a bit cleared when some pattern of the
// bucket accepts that pair at that place. One 16-byte block ORs its 8 entries, each shifted
// (SSE2 byte shifts) to the lane of the window it belongs to, and yields 8 windows; a lane with
// a clear bucket bit is a candidate. Since only even offsets are read, each pattern files two
// members, its window at offset w and at w + 1: exactly one of them starts at an even offset.
// Buckets are filled greedily, each pattern where it raises the bucket's estimated pass rate
// (the product over lanes of the share of pairs accepted, by byte frequency) least; weak
// windows (wildcards, zeros, short patterns) end up together. A candidate only tries the
// members of its buckets that accept its first pair (lists keyed by pair and bucket).
//
// Strided (sets Teddy does not take whose patterns all have long fixed runs): the scan probes
// the bytes only every `stride` bytes. A pattern files `stride` overlapping 4-byte windows of a
// fixed run, one per residue of its start modulo the stride (an aligned pattern needs fewer), so
// that exactly one of them lies at a probed address whatever its start. Each probe hashes its
// 4-byte window into a bit filter and only on a filter hit looks the window up in a sorted table.
// Patterns are grouped by the largest stride they allow (8, 4, 2 or 1), one pass per group;
// patterns without 4 fixed bytes in a row fall back to a memchr scan on their rarest fixed byte.
// It is chosen only for sets of up to kStridedMaxPatterns when one pass at stride 4 or 8 covers
// every pattern (about one probe per 4 or 8 bytes then beats shift-or's work on every pair).
//
// All engines confirm a candidate with matches_at, the same masked, aligned compare that other
// code uses for single patterns, and every engine reports each occurrence exactly once: Teddy
// tries every position once with one window per pattern, shift-or every even position once
// with two windows per pattern of which exactly one can start there.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "fipsgate/io/byte_view.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

namespace literal {
struct BucketedFilter;
struct BucketMember;
struct Candidate;
}  // namespace literal

struct PatternSpec {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> mask;  // same length; 0xFF fixed byte, 0x00 wildcard
  unsigned alignment = 1;     // the match's address (base + offset) must be a multiple of this
  uint32_t id = 0;            // returned with each hit
};

enum class MatchEngine : uint8_t {
  automatic,  // by the set's shape and the CPU (see the design above)
  teddy,      // AVX2 when the CPU has it, else the same tables one byte at a time (slow)
  shift_or,
  strided,
};

struct MatcherOptions {
  MatchEngine engine = MatchEngine::automatic;
  // False: Teddy and shift-or run their portable code even where SSE2/AVX2 are there (tests).
  bool simd = true;
};

class MultiPatternMatcher {
 public:
  // Sets up to this size use Teddy (when the CPU has AVX2); beyond it buckets fill up and the
  // nibble tables pass too much (on kubectl with strings cut from it, Teddy takes 10 ms for 24
  // and 16 ms for 32, where shift-or takes 15).
  static constexpr size_t kTeddyMaxPatterns = 24;
  // Sets up to this size whose patterns all fit one strided pass at stride 4 or 8 use it (when
  // Teddy does not take them).
  static constexpr size_t kStridedMaxPatterns = 64;

  // Errors: empty pattern, mask/bytes length mismatch, all-wildcard pattern, alignment 0.
  static Result<MultiPatternMatcher> compile(std::vector<PatternSpec> patterns,
                                             MatcherOptions options = {});

  // True when `pattern` (under `mask`, same length: 0xFF fixed, 0x00 wildcard, other values
  // partial bits) lies wholly inside `bytes` at `offset`, and base_address + offset is a
  // multiple of `alignment` (0 and 1: any address).
  static bool matches_at(ByteView pattern, ByteView mask, unsigned alignment, ByteView bytes,
                         uint64_t offset, uint64_t base_address);

  // Calls on_hit(id, offset) exactly once for every occurrence of every pattern that lies
  // wholly inside `bytes`; hits come roughly in increasing offset order (per stride group, by
  // the offset of the window that found them); `base_address` is the address of bytes[0] for
  // the alignment test. Stops early when on_hit returns false.
  void scan(ByteView bytes, uint64_t base_address,
            const std::function<bool(uint32_t id, uint64_t offset)>& on_hit) const;

  size_t pattern_count() const { return patterns_.size(); }
  // The longest pattern's length: a hit lies wholly inside this many bytes from its start.
  size_t longest_pattern() const;
  MatchEngine engine() const { return engine_; }

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

  static bool verify(const Compiled& pattern, ByteView bytes, uint64_t start,
                     uint64_t base_address);
  void compile_strided();
  bool strided_in_one_fast_pass() const;
  bool scan_strided(ByteView bytes, uint64_t base_address,
                    const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool scan_bucketed(ByteView bytes, uint64_t base_address,
                     const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool confirm(const literal::Candidate& candidate, ByteView bytes, uint64_t base_address,
               const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool confirm_members(std::span<const literal::BucketMember> members,
                       const literal::Candidate& candidate, ByteView bytes, uint64_t base_address,
                       const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  template <unsigned kStride>
  bool scan_group(const StrideGroup& group, ByteView bytes, uint64_t base_address,
                  const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool check_window(const StrideGroup& group, uint32_t window, const uint8_t* data, uint64_t size,
                    uint64_t position, uint64_t base_address,
                    const std::function<bool(uint32_t, uint64_t)>& on_hit) const;
  bool scan_short(ByteView bytes, uint64_t base_address,
                  const std::function<bool(uint32_t, uint64_t)>& on_hit) const;

  MatchEngine engine_ = MatchEngine::strided;
  bool simd_ = true;
  std::vector<Compiled> patterns_;
  // Strided engine.
  std::vector<StrideGroup> groups_;       // largest stride first
  std::vector<uint32_t> short_patterns_;  // indexes of patterns without a 4-byte anchor
  // Teddy and shift-or; immutable once compiled, so copies of the matcher share it.
  std::shared_ptr<const literal::BucketedFilter> bucketed_;
};

}  // namespace fipsgate
