// Bucketed literal prefilters behind MultiPatternMatcher (see multi_pattern.h for the design).
// Each pattern gets one filter window (a run of bytes at a chosen offset) and one of 8 buckets;
// a filter reports the buffer positions where some bucket's windows may start, and the matcher
// confirms the bucket's patterns there. Filters only ever over-report: every real occurrence
// passes them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fipsgate/io/byte_view.h"
#include "fipsgate/match/multi_pattern.h"

namespace fipsgate::literal {

constexpr unsigned kBuckets = 8;

// A position where the windows of the patterns in `buckets` (bit b: bucket b) may start. The
// filter also hands over what the confirm step reads first, while the bytes are in L1: the 8
// bytes at the window (0 when fewer are left) and, for shift-or, the window's first pair's table
// index.
struct Candidate {
  uint64_t window = 0;
  uint64_t word = 0;
  uint32_t buckets = 0;
  uint32_t first_pair = 0;
};

// Where a filter pass stands, so that a pass stopped by a full candidate batch resumes there.
struct Cursor {
  uint64_t position = 0;
  // Shift-or: the bits of the windows that started in the previous block. Before the first
  // block, lanes 0..6 stand for windows before the buffer (never reported); lane 7, the window
  // at 0, gets all its bits from the first block.
  uint64_t carry = 0x00FF'FFFF'FFFF'FFFFull;
  bool finished = false;
};

// One pattern of a bucket: where its window sits, and the first 8 bytes of the window (clipped
// to the pattern) for a one-load rejection before the full compare.
struct BucketMember {
  uint64_t value = 0, mask = 0;
  uint32_t pattern_index = 0;
  uint32_t window_offset = 0;
  uint32_t bucket = 0;
};

// Teddy: 3 window bytes; for each window byte, a 16-entry table per nibble whose entries hold
// the buckets that accept that nibble there. A byte passes for bucket b when both its nibbles
// do (a superset of the accepted bytes when a bucket holds several patterns).
constexpr unsigned kTeddyWindow = 3;
struct TeddyTables {
  std::array<std::array<uint8_t, 16>, kTeddyWindow> low{}, high{};
};

// Shift-or: windows of 16 bytes, read as 8 pairs at even offsets; table[d] has bit
// 8 * (7 - k) + b clear when bucket b accepts a pair whose folded value is d at window pair k.
// Every pattern has two members, windows at w and w + 1, so that one starts at an even offset.
constexpr unsigned kShiftOrWindow = 16;
constexpr unsigned kShiftOrLanes = kShiftOrWindow / 2;
constexpr unsigned kShiftOrDomainBits = 14;  // 128 KiB table (L2): fewer false candidates

struct BucketedFilter {
  std::array<std::vector<BucketMember>, kBuckets> buckets;
  TeddyTables teddy;
  std::vector<uint64_t> shift_or;
  // Shift-or buckets hold dozens of members; a candidate only tries those of its buckets that
  // accept its first pair: members_by_pair[by_pair_start[key], by_pair_start[key + 1]) for
  // key = confirm_key(the pair's table index, bucket).
  std::vector<uint32_t> by_pair_start;
  std::vector<BucketMember> members_by_pair;
};

// A byte pair's shift-or table index: its low kShiftOrDomainBits bits, with the top nibble of
// the pair XORed into the bottom one so that every bit counts. The scan folds several pairs at
// once; the mask keeps each pair's top nibble from reaching the pair below.
constexpr uint32_t kShiftOrDomainMask = (1u << kShiftOrDomainBits) - 1;

inline uint64_t fold(uint64_t pairs) {
  return pairs ^ ((pairs >> 12) & 0x000F'000F'000F'000Full);
}

inline uint32_t domain_of(unsigned first, unsigned second) {
  return static_cast<uint32_t>(fold(first | (second << 8))) & kShiftOrDomainMask;
}

// The shift-or table index of the pair at `window` (bytes past the end read as 0, as in the
// scan).
inline uint32_t shift_or_pair_domain(ByteView bytes, uint64_t window) {
  auto byte = [&](uint64_t at) -> unsigned { return at < bytes.size() ? bytes.data()[at] : 0; };
  return domain_of(byte(window), byte(window + 1));
}

// The candidate for `window` of `bytes`, with what the confirm step needs from the bytes.
inline Candidate candidate_at(ByteView bytes, uint64_t window, uint32_t buckets,
                              bool with_first_pair) {
  Candidate candidate{window, 0, buckets, 0};
  if (bytes.size() - window >= 8) std::memcpy(&candidate.word, bytes.data() + window, 8);
  if (with_first_pair) candidate.first_pair = shift_or_pair_domain(bytes, window);
  return candidate;
}

// Confirm lists are keyed by fewer bits of the table index than the table uses: their start
// offsets then fit in 64 KiB, and the 8-byte compare sorts out the few extra members.
constexpr unsigned kConfirmDomainBits = 11;
inline uint32_t confirm_key(uint32_t domain, unsigned bucket) {
  return (domain & ((1u << kConfirmDomainBits) - 1)) * kBuckets + bucket;
}

// How common a byte is in code and data, roughly; windows avoid common bytes.
unsigned byte_weight(uint8_t byte);

BucketedFilter build_teddy(const std::vector<const PatternSpec*>& patterns);
BucketedFilter build_shift_or(const std::vector<const PatternSpec*>& patterns);

// True when the CPU runs the AVX2 Teddy pass.
bool teddy_supported();

// Each fills `out` with at most `capacity` (at least 64) candidates from the cursor on, in
// increasing window order, and sets cursor.finished once every window of `bytes` is covered
// (shift-or may report a window at bytes.size(), the odd member of a one-byte pattern).
// Without `simd` they run their portable code (one byte, one pair at a time), which non-x86
// builds and CPUs without AVX2 (Teddy) run anyway.
size_t teddy_candidates(const TeddyTables& tables, ByteView bytes, Cursor& cursor, Candidate* out,
                        size_t capacity, bool simd);
size_t shift_or_candidates(const std::vector<uint64_t>& table, ByteView bytes, Cursor& cursor,
                           Candidate* out, size_t capacity, bool simd);

}  // namespace fipsgate::literal
