// Non-approved crypto (reference §8): which packages of signatures/non_approved.yaml are linked,
// their functions, and who calls them. Direct call edges come from one byte scan of the text
// (amd64/386: E8 rel32; arm64: BL imm26; ppc64: bl; s390x: BRASL) whose targets are function
// entries of those packages; a call from outside the standard library is confirmed by
// disassembling its function from the entry (disassemble.cc) before it becomes a caller.
#include <algorithm>
#include <bit>
#include <cstring>
#include <future>
#include <map>
#include <optional>
#include <set>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "analysis/analysis_internal.h"
#include "analysis/disassemble.h"
#include "fipsgate/go/symbol_name.h"
#include "fipsgate/io/limits.h"
#include "fipsgate/io/mapped_file.h"
#include "io/shared_chunks.h"

namespace fipsgate::analysis {
namespace {

constexpr uint64_t kMaxFunctionBytes = limits::kMaxDisassembledFunctionBytes;
// Distinct (caller, callee) pairs remembered per binary; a hostile text full of E8 bytes aimed at
// the targets must not grow memory without bound.
constexpr size_t kMaxDistinctEdges = 1u << 18;

}  // namespace

PackageIndex index_packages(const SignatureDb& db, const GoVersion* version) {
  PackageIndex index;
  for (const auto& row : db.non_approved) {
    if (!row.before_go.empty() && version && version->major > 0) {
      const size_t dot = row.before_go.find('.');
      if (version->at_least(std::stoi(row.before_go.substr(0, dot)),
                            std::stoi(row.before_go.substr(dot + 1)))) {
        continue;
      }
    }
    const auto id = static_cast<uint32_t>(index.rows.size());
    index.prefixes.add(id, NameMatch::prefix, row.prefix);
    // A function of the row's own package starts with the escaped path; one of a package below
    // it keeps the dots of the row's last element ("a/b.c" + "/d": "a/b.c/d"). Both spellings
    // are the prefix when nothing needs escaping, as in every row shipped.
    const std::string own = escape_path(row.prefix);
    index.name_prefixes.add(id, NameMatch::prefix, own);
    std::string inner = escape_path(row.prefix + "/_");
    inner.resize(inner.size() - 2);
    if (inner != own) index.name_prefixes.add(id, NameMatch::prefix, inner);
    index.rows.push_back(&row);
  }
  index.prefixes.finish();
  index.name_prefixes.finish();
  return index;
}

namespace {

// The longest row prefix that matches `package` at a path boundary.
const NonApprovedPackage* match_row(const PackageIndex& index, std::string_view package) {
  const NonApprovedPackage* best = nullptr;
  index.prefixes.match(package, [&](uint32_t id) {
    const std::string& prefix = index.rows[id]->prefix;
    if (package.size() != prefix.size() && package[prefix.size()] != '/') return;
    if (!best || prefix.size() > best->prefix.size()) best = index.rows[id];
  });
  return best;
}

// The import path of a function's package, without allocating for the common unescaped case.
std::string import_path_of(std::string_view function_name) {
  const std::string_view escaped = package_path(function_name);
  if (escaped.find('%') == std::string_view::npos) return std::string(escaped);
  return unescape_path(escaped);
}

struct Target {
  uint64_t entry = 0;
  size_t use = 0;
  std::string_view name;
  bool operator<(const Target& other) const { return entry < other.entry; }
};

// Calls on_call(site, target) for each direct call instruction pattern in the text whose
// destination is one of `targets` (sorted). Returns false when the architecture has no decoder.
// Which addresses may be a target's entry: one bit per 4 KiB page and one per 64-byte granule of
// the span the targets cover, so the typical call (into a function that is not a target) is
// rejected with a load or two instead of a binary search. Spans too wide for kMaxTargetMapBits
// fall back to the search alone.
class TargetMap {
 public:
  explicit TargetMap(const std::vector<Target>& targets)
      : targets_(targets), lowest_(targets.front().entry), highest_(targets.back().entry) {
    // Entries share their alignment (Go aligns functions to 32 bytes on amd64): a destination
    // off that alignment cannot be one, which the call scan tests before anything else.
    uint64_t any_entry_bits = 0;
    for (const Target& target : targets) any_entry_bits |= target.entry;
    const uint64_t alignment = any_entry_bits == 0 ? 64 : any_entry_bits & (~any_entry_bits + 1);
    misaligned_ = static_cast<uint8_t>(std::min<uint64_t>(alignment, 64) - 1);
    // The call scan's two spans (prefilter()): the entries cut at the widest gap between them.
    uint64_t widest_gap = 0;
    for (size_t i = 1; i < targets.size(); ++i) {
      const uint64_t gap = targets[i].entry - targets[i - 1].entry;
      if (gap > widest_gap) {
        widest_gap = gap;
        first_end_ = targets[i - 1].entry;
        second_start_ = targets[i].entry;
      }
    }
    const uint64_t granules = ((highest_ - lowest_) >> kGranuleShift) + 1;
    if (granules > kMaxTargetMapBits) return;
    bits_.assign((granules + 63) / 64, 0);
    pages_.assign(((highest_ - lowest_) >> kPageShift) / 64 + 1, 0);
    for (const Target& target : targets) {
      const uint64_t granule = (target.entry - lowest_) >> kGranuleShift;
      bits_[granule / 64] |= uint64_t{1} << (granule % 64);
      const uint64_t page = (target.entry - lowest_) >> kPageShift;
      pages_[page / 64] |= uint64_t{1} << (page % 64);
    }
  }

  // The cheap tests, inlined into the call scan: false for almost every call.
  [[gnu::always_inline]] bool may_be_target(uint64_t destination) const {
    if (destination < lowest_ || destination > highest_) return false;
    if ((destination & misaligned_) != 0) return false;
    if (bits_.empty()) return true;
    const uint64_t page = (destination - lowest_) >> kPageShift;
    if ((pages_[page / 64] >> (page % 64) & 1) == 0) return false;
    const uint64_t granule = (destination - lowest_) >> kGranuleShift;
    return (bits_[granule / 64] >> (granule % 64) & 1) != 0;
  }

  const Target* find(uint64_t destination) const {
    return may_be_target(destination) ? entry_at(destination) : nullptr;
  }

  // The target whose entry is exactly `destination`: the binary search behind may_be_target().
  const Target* entry_at(uint64_t destination) const {
    auto it = std::lower_bound(targets_.begin(), targets_.end(), Target{destination, 0, {}});
    return it != targets_.end() && it->entry == destination ? &*it : nullptr;
  }

  // The vector test for a call whose address after it is `first_after` (for_each_e8).
  E8Prefilter prefilter(uint64_t first_after) const {
    return e8_prefilter(first_after, misaligned_, lowest_, first_end_, second_start_, highest_);
  }

 private:
  // Most calls go to functions nowhere near a target (runtime, the program's own code), so a
  // bit per 4 KiB page (12 KiB for a 400 MB text: it stays in L1) rejects them before the
  // granule map, which is too big for the cache on such texts.
  static constexpr unsigned kPageShift = 12;
  static constexpr unsigned kGranuleShift = 6;
  static constexpr uint64_t kMaxTargetMapBits = uint64_t{1} << 25;  // 4 MiB: a 2 GiB span
  const std::vector<Target>& targets_;
  uint64_t lowest_, highest_;
  uint64_t first_end_ = highest_, second_start_ = highest_;  // the widest gap's ends
  uint8_t misaligned_ = 0;
  std::vector<uint64_t> pages_;
  std::vector<uint64_t> bits_;
};

// Whether bits 16-31 of the destination of a call at offset i, less the carry out of bits 0-15,
// lie in the filter's block spans: the upper half of the displacement data[i+3..i+4] plus those
// bits of the address after the call, P = first_after + i.
[[gnu::always_inline]] inline bool e8_in_blocks(const uint8_t* data, uint64_t i,
                                                const E8Prefilter& filter) {
  const auto block = static_cast<uint16_t>(load_uint(data + i + 3, 2, Endian::little) +
                                           ((filter.first_after + i) >> 16));
  return static_cast<uint16_t>(block - filter.blocks[0].low) <= filter.blocks[0].width ||
         static_cast<uint16_t>(block - filter.blocks[1].low) <= filter.blocks[1].width;
}

// The test for a call at offset i (E8Prefilter): is data[i] E8, and can the call's destination
// be an entry? Only parts of the destination that a lane computes on its own are tested: the
// low byte against the entries' alignment, and bits 16-31, less a carry, against their spans.
[[gnu::always_inline]] inline bool e8_passes(const uint8_t* data, uint64_t i,
                                             const E8Prefilter& filter) {
  const auto destination_low = static_cast<uint8_t>(data[i + 1] + filter.first_after + i);
  return data[i] == 0xE8 && (destination_low & filter.misaligned) == 0 &&
         e8_in_blocks(data, i, filter);
}

// The scalar form of the test, for the tail and for machines without SSE2.
template <class OnOffset>
void for_each_e8_from(const uint8_t* data, uint64_t i, uint64_t end, const E8Prefilter& filter,
                      OnOffset on_offset) {
  for (; i < end; ++i) {
    if (e8_passes(data, i, filter)) on_offset(i);
  }
}

#if defined(__x86_64__)
// Bits 16-23 of P, less span_low, in the lanes of a step whose lane 0 has P = after: the same
// in every lane, except one more from the lane where P reaches the next 64 KiB (one step in
// 1024 has such a lane).
struct SpanBytes {
  uint8_t byte;       // in lane 0
  uint64_t crossing;  // the first lane with one more; past the step's lanes when none has
};
inline SpanBytes span_bytes(uint64_t after, uint8_t span_low) {
  return {static_cast<uint8_t>((after >> 16) - span_low), 0x10000 - (after & 0xFFFF)};
}

// Per lane j of a 32-lane half that starts `first_lane` lanes into the step: the span byte.
[[gnu::always_inline]] __attribute__((target("avx2"))) inline __m256i span_lanes_avx2(
    SpanBytes span, uint64_t first_lane, __m256i lane) {
  const __m256i same = _mm256_set1_epi8(static_cast<char>(span.byte));
  if (span.crossing >= first_lane + 32) return same;
  // The lanes at and after the boundary: cmpgt is -1 there, and subtracting it adds one.
  const auto last_before =
      static_cast<int64_t>(span.crossing) - 1 - static_cast<int64_t>(first_lane);
  const __m256i past = _mm256_cmpgt_epi8(
      lane, _mm256_set1_epi8(static_cast<char>(std::max<int64_t>(last_before, -1))));
  return _mm256_sub_epi8(same, past);
}

// Bit j set when the lane test (e8_passes) holds at p[j]; `after` holds the low byte of P per
// lane and `span` bits 16-23 of P - span_low.
[[gnu::always_inline]] __attribute__((target("avx2"))) inline uint32_t e8_calls_avx2(
    const uint8_t* p, __m256i after, __m256i span, __m256i opcode, __m256i low_bits,
    __m256i span_width) {
  const __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
  const __m256i third = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 3));
  const __m256i aligned = _mm256_cmpeq_epi8(
      _mm256_and_si256(_mm256_add_epi8(next, after), low_bits), _mm256_setzero_si256());
  const __m256i offset = _mm256_add_epi8(third, span);
  const __m256i in_span = _mm256_cmpeq_epi8(_mm256_min_epu8(offset, span_width), offset);
  return static_cast<uint32_t>(_mm256_movemask_epi8(
      _mm256_and_si256(_mm256_and_si256(_mm256_cmpeq_epi8(block, opcode), aligned), in_span)));
}

// The same 64 bytes at a time, for CPUs with AVX2 (chosen at run time).
template <class OnOffset>
__attribute__((target("avx2"))) void for_each_e8_avx2(const uint8_t* data, uint64_t end,
                                                      const E8Prefilter& filter,
                                                      OnOffset on_offset) {
  const __m256i opcode = _mm256_set1_epi8(static_cast<char>(0xE8));
  const __m256i low_bits = _mm256_set1_epi8(static_cast<char>(filter.misaligned));
  const __m256i span_width = _mm256_set1_epi8(static_cast<char>(filter.span_width));
  const __m256i lane = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  const __m256i step = _mm256_set1_epi8(32);
  __m256i after = _mm256_add_epi8(lane, _mm256_set1_epi8(static_cast<char>(filter.first_after)));
  // 64 bytes a step, one mask for both halves: the test for an empty mask is taken less often
  // and predicted better than once per 32 bytes, where it failed about half the time.
  uint64_t i = 0;
  for (; i + 64 <= end; i += 64, after = _mm256_add_epi8(after, step)) {
    // Page-cache pages lie anywhere in memory, so the hardware prefetcher stops at each 4 KiB
    // edge; asking for the line 2 KiB ahead (never past the text) keeps the next page coming.
    _mm_prefetch(reinterpret_cast<const char*>(data + std::min(i + 2048, end)), _MM_HINT_T0);
    const SpanBytes span = span_bytes(filter.first_after + i, filter.span_low);
    const __m256i after_high = _mm256_add_epi8(after, step);
    uint64_t mask =
        e8_calls_avx2(data + i, after, span_lanes_avx2(span, 0, lane), opcode, low_bits,
                      span_width) |
        uint64_t{e8_calls_avx2(data + i + 32, after_high, span_lanes_avx2(span, 32, lane), opcode,
                               low_bits, span_width)}
            << 32;
    after = after_high;
    for (; mask != 0; mask &= mask - 1) {
      const uint64_t at = i + static_cast<uint64_t>(std::countr_zero(mask));
      if (e8_in_blocks(data, at, filter)) on_offset(at);
    }
  }
  for_each_e8_from(data, i, end, filter, on_offset);
}

// Lane j holds j: the indices of a vector of N lanes.
template <class Lane, size_t N>
constexpr std::array<Lane, N> lane_indices() {
  std::array<Lane, N> lanes{};
  for (size_t j = 0; j < N; ++j) lanes[j] = static_cast<Lane>(j);
  return lanes;
}
// For the 64-byte and the 32-word vectors of for_each_e8_avx512.
alignas(64) constexpr auto kByteLanes = lane_indices<uint8_t, 64>();
alignas(64) constexpr auto kWordLanes = lane_indices<uint16_t, 32>();

// The filter's two block spans, each value in every 16-bit lane.
struct BlockSpansAvx512 {
  __m512i low[2], width[2];
};
[[gnu::always_inline]] __attribute__((target("avx512bw"))) inline BlockSpansAvx512
block_spans_avx512(const E8Prefilter& filter) {
  BlockSpansAvx512 spans;
  for (size_t k = 0; k < 2; ++k) {
    spans.low[k] = _mm512_set1_epi16(static_cast<int16_t>(filter.blocks[k].low));
    spans.width[k] = _mm512_set1_epi16(static_cast<int16_t>(filter.blocks[k].width));
  }
  return spans;
}

// Bit w set where the value in 16-bit lane w lies in one of the spans.
[[gnu::always_inline]] __attribute__((target("avx512bw"))) inline uint64_t in_spans_avx512(
    __m512i blocks, const BlockSpansAvx512& spans) {
  return _mm512_cmple_epu16_mask(_mm512_sub_epi16(blocks, spans.low[0]), spans.width[0]) |
         _mm512_cmple_epu16_mask(_mm512_sub_epi16(blocks, spans.low[1]), spans.width[1]);
}

// Bits 16-31 of P = first_after + 2w + parity in 16-bit lane w: the same in every lane, except
// one more from the lane where P reaches the next 64 KiB (in one step of 1024).
[[gnu::always_inline]] __attribute__((target("avx512bw"))) inline __m512i high_words_avx512(
    uint64_t first_after, uint64_t parity, __m512i word_lane) {
  const __m512i high = _mm512_set1_epi16(static_cast<int16_t>(first_after >> 16));
  const uint64_t crossing = 0x10000 - (first_after & 0xFFFF);  // the first offset with one more
  if (crossing >= 64 + parity) return high;
  const auto first_word = static_cast<int16_t>((crossing - parity + 1) / 2);
  const __mmask32 past = _mm512_cmpge_epu16_mask(word_lane, _mm512_set1_epi16(first_word));
  return _mm512_mask_add_epi16(high, past, high, _mm512_set1_epi16(1));
}

// The whole test (e8_passes), 64 offsets a step, for CPUs with AVX-512BW (chosen at run time).
// Bits 16-31 of the destinations are summed in 16-bit lanes, one vector for the calls at even
// offsets and one for the odd: where the targets lie in two clusters far apart (the provider's:
// 340 MB from the lowest to the highest) the AVX2 code's test of bits 16-23 passes nearly every
// call, each then tested one at a time (5.6 million in the provider's 403 MB).
template <class OnOffset>
__attribute__((target("avx512bw,bmi2"))) void for_each_e8_avx512(const uint8_t* data, uint64_t end,
                                                                 const E8Prefilter& filter,
                                                                 OnOffset on_offset) {
  const __m512i opcode = _mm512_set1_epi8(static_cast<char>(0xE8));
  const __m512i low_bits = _mm512_set1_epi8(static_cast<char>(filter.misaligned));
  const __m512i word_lane = _mm512_load_si512(kWordLanes.data());
  const __m512i step = _mm512_set1_epi8(64);
  const BlockSpansAvx512 spans = block_spans_avx512(filter);
  const uint64_t text_first_after = filter.first_after;
  __m512i after = _mm512_add_epi8(_mm512_load_si512(kByteLanes.data()),
                                  _mm512_set1_epi8(static_cast<char>(text_first_after)));
  uint64_t i = 0;
  for (; i + 64 <= end; i += 64, after = _mm512_add_epi8(after, step)) {
    const uint8_t* p = data + i;
    // As in the AVX2 loop: the line 2 KiB ahead keeps the next page coming.
    _mm_prefetch(reinterpret_cast<const char*>(data + std::min(i + 2048, end)), _MM_HINT_T0);
    const __mmask64 calls = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p), opcode);
    const __mmask64 aligned = _mm512_mask_testn_epi8_mask(
        calls, _mm512_add_epi8(_mm512_loadu_si512(p + 1), after), low_bits);
    const uint64_t first_after = text_first_after + i;
    const __m512i even_high = high_words_avx512(first_after, 0, word_lane);
    const __m512i odd_high = high_words_avx512(first_after, 1, word_lane);
    const __m512i even = _mm512_add_epi16(_mm512_loadu_si512(p + 3), even_high);
    const __m512i odd = _mm512_add_epi16(_mm512_loadu_si512(p + 4), odd_high);
    uint64_t mask = aligned & (_pdep_u64(in_spans_avx512(even, spans), 0x5555555555555555) |
                               _pdep_u64(in_spans_avx512(odd, spans), 0xAAAAAAAAAAAAAAAA));
    for (; mask != 0; mask &= mask - 1)
      on_offset(i + static_cast<uint64_t>(std::countr_zero(mask)));
  }
  for_each_e8_from(data, i, end, filter, on_offset);
}
#endif

// Calls on_offset(i), in order, for each i < size - 4 where the lane test (e8_passes) holds.
// E8 is common in x86 code (one byte in ~20) and most of those are not calls, and most calls go
// nowhere near the targets, so the test runs 16 or 64 bytes at a time on bytes that need no
// 32-bit load: the displacement's low byte plus the low byte of the address after the call is the
// destination's low byte, and its third byte plus that address's gives the destination's bits
// 16-23, less at most the carry out of the bits below.
template <class OnOffset>
void for_each_e8(const uint8_t* data, uint64_t size, const E8Prefilter& filter, Simd simd,
                 OnOffset on_offset) {
  if (size < 5) return;
  const uint64_t end = size - 4;  // a call needs its 4 displacement bytes
  uint64_t i = 0;
#if defined(__x86_64__)
  static const bool avx512 = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi2");
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (simd == Simd::best && avx512) {
    for_each_e8_avx512(data, end, filter, on_offset);
    return;
  }
  if ((simd == Simd::best || simd == Simd::avx2) && avx2) {
    for_each_e8_avx2(data, end, filter, on_offset);
    return;
  }
#endif
#if defined(__SSE2__)
  const __m128i opcode = _mm_set1_epi8(static_cast<char>(0xE8));
  const __m128i low_bits = _mm_set1_epi8(static_cast<char>(filter.misaligned));
  const __m128i span_width = _mm_set1_epi8(static_cast<char>(filter.span_width));
  const __m128i lane = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m128i step = _mm_set1_epi8(16);
  __m128i after = _mm_add_epi8(lane, _mm_set1_epi8(static_cast<char>(filter.first_after)));
  for (; simd != Simd::scalar && i + 16 <= end; i += 16, after = _mm_add_epi8(after, step)) {
    const SpanBytes span_at = span_bytes(filter.first_after + i, filter.span_low);
    __m128i span = _mm_set1_epi8(static_cast<char>(span_at.byte));
    if (span_at.crossing < 16) {
      const auto last_before = static_cast<char>(static_cast<int>(span_at.crossing) - 1);
      span = _mm_sub_epi8(span, _mm_cmpgt_epi8(lane, _mm_set1_epi8(last_before)));
    }
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 1));
    const __m128i third = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 3));
    const __m128i aligned =
        _mm_cmpeq_epi8(_mm_and_si128(_mm_add_epi8(next, after), low_bits), _mm_setzero_si128());
    const __m128i offset = _mm_add_epi8(third, span);
    const __m128i in_span = _mm_cmpeq_epi8(_mm_min_epu8(offset, span_width), offset);
    const __m128i calls =
        _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(block, opcode), aligned), in_span);
    for (auto mask = static_cast<uint32_t>(_mm_movemask_epi8(calls)); mask != 0; mask &= mask - 1) {
      const uint64_t at = i + static_cast<uint64_t>(std::countr_zero(mask));
      if (e8_in_blocks(data, at, filter)) on_offset(at);
    }
  }
#endif
  for_each_e8_from(data, i, end, filter, on_offset);
}

// The blocks of [lowest, highest], with one more below for a lane's missing carry.
BlockSpan block_span(uint64_t lowest, uint64_t highest) {
  const uint64_t blocks = (highest >> 16) - (lowest >> 16) + 1;
  return {static_cast<uint16_t>((lowest >> 16) - 1),
          static_cast<uint16_t>(std::min<uint64_t>(blocks, 0xFFFF))};
}

}  // namespace

E8Prefilter e8_prefilter(uint64_t first_after, uint8_t misaligned, uint64_t lowest,
                         uint64_t first_end, uint64_t second_start, uint64_t highest) {
  E8Prefilter filter;
  filter.first_after = first_after;
  filter.misaligned = misaligned;
  filter.blocks = {block_span(lowest, first_end), block_span(second_start, highest)};
  // The byte span holds both block spans: bits 16-23 of [lowest, highest], one below for the
  // carry; a span of 255 or more blocks tests nothing.
  const BlockSpan whole = block_span(lowest, highest);
  filter.span_low = static_cast<uint8_t>(whole.low);
  filter.span_width = static_cast<uint8_t>(std::min<uint16_t>(whole.width, 255));
  return filter;
}

E8Prefilter e8_prefilter(uint64_t first_after, uint8_t misaligned, uint64_t lowest,
                         uint64_t highest) {
  return e8_prefilter(first_after, misaligned, lowest, highest, lowest, highest);
}

std::vector<uint64_t> e8_call_candidates(ByteView text, const E8Prefilter& filter, Simd simd) {
  std::vector<uint64_t> offsets;
  for_each_e8(text.data(), text.size(), filter, simd,
              [&](uint64_t offset) { offsets.push_back(offset); });
  return offsets;
}

namespace {

struct CallHit {
  uint64_t site;
  const Target* target;
};

// Texts over this size are searched for E8 calls on two threads (kubectl's is 25 MB), in chunks
// of about kTextChunkBytes.
constexpr uint64_t kParallelTextBytes = uint64_t{8} << 20;
constexpr uint64_t kTextChunkBytes = uint64_t{8} << 20;
// Calls into listed functions kept per text view, shared evenly by its chunks; real binaries have
// a few thousand. A hostile text of E8 bytes aimed at the targets stops here (the analysis
// reports the limit).
constexpr size_t kMaxCallHits = size_t{2} << 20;

// Adds to `hits` the E8 calls into the targets among `bytes`: those at offsets below
// size - 4 (a call needs its displacement), the first at address `vaddr`.
void e8_calls_in(const uint8_t* bytes, uint64_t size, uint64_t vaddr, const TargetMap& map,
                 size_t max_hits, std::vector<CallHit>& hits, bool& truncated) {
  for_each_e8(
      bytes, size, map.prefilter(vaddr + 5),
      Simd::best, [&](uint64_t i) __attribute__((always_inline)) {
        const auto displacement = static_cast<int32_t>(load_uint(bytes + i + 1, 4, Endian::little));
        const uint64_t destination = vaddr + i + 5 + static_cast<int64_t>(displacement);
        if (!map.may_be_target(destination)) return;
        const Target* target = map.entry_at(destination);
        if (target == nullptr) return;
        if (hits.size() < max_hits) {
          hits.push_back({vaddr + i, target});
        } else {
          truncated = true;
        }
      });
}

// The calls into the targets at offsets [begin, end) of the view, each piece with the 4 bytes
// after it for a call in its last bytes.
std::vector<CallHit> e8_calls_into(const RegionView& view, const MappedFile* file, uint64_t begin,
                                   uint64_t end, const TargetMap& map, size_t max_hits,
                                   bool& truncated) {
  std::vector<CallHit> hits;
  for_each_piece(file, view.bytes, begin, end, 4,
                 [&](const uint8_t* data, uint64_t at, uint64_t, uint64_t length) {
                   e8_calls_in(data, length, view.vaddr + at, map, max_hits, hits, truncated);
                   return true;
                 });
  return hits;
}

// Calls on_call(site, target) for the E8 calls of one text view into the targets, in address
// order, on this thread; big views are searched in chunks on two threads, and the calls of the
// chunks done so far are handed on between chunks. prepare() (what on_call will need) then runs
// on this thread while the other takes the first chunks.
template <class OnCall, class Prepare>
void e8_calls(const RegionView& view, const MappedFile* file, const TargetMap& map, bool& truncated,
              OnCall on_call, Prepare prepare) {
  const uint64_t size = view.bytes.size();
  const uint64_t chunks =
      size < kParallelTextBytes ? 1 : (size + kTextChunkBytes - 1) / kTextChunkBytes;
  const uint64_t chunk_bytes = (size + chunks - 1) / chunks;
  std::vector<std::vector<CallHit>> found(chunks);
  std::vector<char> chunk_truncated(chunks, 0);
  share_chunks_in_order(
      chunks,
      [&](uint64_t chunk) {
        const uint64_t begin = chunk * chunk_bytes;
        bool over = false;
        found[chunk] = e8_calls_into(view, file, begin, std::min(begin + chunk_bytes, size), map,
                                     kMaxCallHits / chunks, over);
        chunk_truncated[chunk] = over;
      },
      [&](uint64_t chunk) {
        for (const CallHit& hit : found[chunk]) on_call(hit.site, *hit.target);
        truncated = truncated || chunk_truncated[chunk] != 0;
      },
      prepare);
}

// s390x BRASL r14: C0 E5 + a signed 32-bit halfword offset, big-endian, 2-byte aligned; those
// that start where 6 bytes fit in `size`.
template <class Check>
void brasl_calls_in(const uint8_t* data, uint64_t size, uint64_t vaddr, Check check) {
  for (uint64_t i = vaddr % 2; i + 6 <= size; i += 2) {
    if (data[i] != 0xC0 || (data[i + 1] & 0x0F) != 0x05) continue;
    const auto halfwords = static_cast<int32_t>(load_uint(data + i + 2, 4, Endian::big));
    check(vaddr + i, vaddr + i + 2 * static_cast<int64_t>(halfwords));
  }
}

// arm64 BL imm26 and ppc64 bl (AA=0, LK=1): one 4-byte aligned word each.
template <class Check>
void branch_link_calls_in(const uint8_t* data, uint64_t size, uint64_t vaddr, Arch arch,
                          Endian order, Check check) {
  for (uint64_t i = (4 - vaddr % 4) % 4; i + 4 <= size; i += 4) {
    const auto word = static_cast<uint32_t>(load_uint(data + i, 4, order));
    int64_t displacement = 0;
    if (arch == Arch::arm64) {
      if ((word & 0xFC000000u) != 0x94000000u) continue;
      displacement = static_cast<int64_t>(static_cast<int32_t>(word << 6) >> 6) * 4;
    } else {
      if ((word & 0xFC000003u) != 0x48000001u) continue;
      displacement = static_cast<int32_t>((word & 0x03FFFFFCu) << 6) >> 6;
    }
    check(vaddr + i, vaddr + i + displacement);
  }
}

// prepare: see e8_calls; other architectures do not call it.
template <class OnCall, class Prepare>
bool scan_direct_calls(const BinaryImage& image, const std::vector<Target>& targets,
                       bool& truncated, OnCall on_call, Prepare prepare) {
  if (targets.empty()) return true;
  const TargetMap map(targets);
  auto check = [&](uint64_t site, uint64_t destination) {
    if (const Target* target = map.find(destination)) on_call(site, *target);
  };
  const Arch arch = image.arch;
  if (arch != Arch::amd64 && arch != Arch::x86 && arch != Arch::arm64 && arch != Arch::ppc64 &&
      arch != Arch::ppc64le && arch != Arch::s390x) {
    return false;
  }
  for (const RegionView& view : region_views(image, Region{Region::Kind::text, {}})) {
    const MappedFile* file = image.source();
    if (arch == Arch::amd64 || arch == Arch::x86) {
      e8_calls(view, file, map, truncated, on_call, prepare);
    } else if (arch == Arch::s390x) {
      // Each window keeps the view's alignment (they start at multiples of 64 KiB) and has the
      // 5 bytes after it: a call that starts at its last byte fits, one that starts after it
      // belongs to the next.
      for_each_piece(file, view.bytes, 0, view.bytes.size(), 5,
                     [&](const uint8_t* data, uint64_t at, uint64_t, uint64_t length) {
                       brasl_calls_in(data, length, view.vaddr + at, check);
                       return true;
                     });
    } else {
      for_each_piece(file, view.bytes, 0, view.bytes.size(), 3,
                     [&](const uint8_t* data, uint64_t at, uint64_t, uint64_t length) {
                       branch_link_calls_in(data, length, view.vaddr + at, arch, image.endian,
                                            check);
                       return true;
                     });
    }
  }
  return true;
}

bool path_has_prefix(std::string_view path, std::string_view prefix) {
  if (prefix.empty() || !path.starts_with(prefix)) return false;
  return prefix.back() == '/' || path.size() == prefix.size() || path[prefix.size()] == '/';
}

struct Uses {
  std::vector<NonApprovedUse> list;
  std::map<std::string, size_t, std::less<>> by_package;
  // (caller, callee) pairs already recorded, per use; views into the function name table.
  std::vector<std::set<std::pair<std::string_view, std::string_view>>> seen_callers;
  size_t distinct_edges = 0;
  std::vector<uint64_t> functions_seen;
};

// Records the function at `position` when its package is a listed one: a use of the package and
// a call target.
void collect_function(const FunctionTable& functions, const PackageIndex& index, uint64_t position,
                      const AnalyzeOptions& options, Uses& uses, std::vector<Target>& targets) {
  const Function function = functions.at(position);
  if (classify_symbol_name(function.name) != SymbolNameKind::go) return;
  std::string package = import_path_of(function.name);
  if (package.empty()) return;
  const NonApprovedPackage* row = match_row(index, package);
  if (!row) return;
  auto [it, inserted] = uses.by_package.try_emplace(package, uses.list.size());
  if (inserted) {
    NonApprovedUse use;
    use.package = package;
    use.reason_code = row->reason_code;
    use.reason = row->reason;
    uses.list.push_back(std::move(use));
    uses.seen_callers.emplace_back();
    uses.functions_seen.push_back(0);
  }
  NonApprovedUse& use = uses.list[it->second];
  if (++uses.functions_seen[it->second] <= options.max_functions_per_package) {
    use.functions.emplace_back(function.name);
  }
  targets.push_back({function.entry, it->second, function.name});
}

// A Go function's name starts with its package path as the linker spells it (escape_path). So a
// name that no row prefix, so spelled, starts cannot be in a non-approved package, and the full
// parse (most of the cost, over ~500k names in big binaries) is skipped for it: only the names in
// maybe_listed, or with none those that index.name_prefixes matches, are decoded and parsed. A
// vendored copy ("k8s.io/x/vendor/golang.org/...") is its own package path, matched by its whole
// prefix like any other.
void collect_functions(const FunctionTable& functions, const PackageIndex& index,
                       const std::vector<uint64_t>* maybe_listed, const AnalyzeOptions& options,
                       Uses& uses, std::vector<Target>& targets) {
  if (maybe_listed == nullptr) {
    RejectionMemo last;
    for (uint64_t position = 0; position < functions.size(); ++position) {
      if (index.name_prefixes.matches_any(functions.terminated_name_at(position), last)) {
        collect_function(functions, index, position, options, uses, targets);
      }
    }
  } else {
    for (uint64_t position : *maybe_listed) {
      collect_function(functions, index, position, options, uses, targets);
    }
  }
  std::sort(targets.begin(), targets.end());
}

}  // namespace

bool is_std_package(std::string_view package, const SignatureDb& db, const GoBinary& go) {
  if (package.empty() || package == "main") return false;
  if (const ModuleInfo* modules = go.modules()) {
    if (modules->main && path_has_prefix(package, modules->main->module.path)) return false;
    if (!modules->main_package_path.empty() &&
        modules->main_package_path != "command-line-arguments" &&
        path_has_prefix(package, modules->main_package_path)) {
      return false;
    }
    for (const Module& dep : modules->deps) {
      if (path_has_prefix(package, dep.module.path)) return false;
    }
  }
  for (const std::string& prefix : db.std_callers) {
    if (path_has_prefix(package, prefix)) return true;
  }
  // Standard-library import paths have no dot in their first element (cmd/go's rule).
  const std::string_view first = package.substr(0, package.find('/'));
  return first.find('.') == std::string_view::npos;
}

std::vector<NonApprovedUse> find_non_approved(const BinaryImage& image, const GoBinary& go,
                                              const SignatureDb& db, const PackageIndex& index,
                                              const std::vector<uint64_t>* maybe_listed,
                                              const AnalyzeOptions& options,
                                              std::vector<Finding>& findings) {
  if (!go.functions) return {};
  const FunctionTable& functions = *go.functions;
  Uses uses;
  std::vector<Target> targets;
  collect_functions(functions, index, maybe_listed, options, uses, targets);
  if (uses.list.empty()) return {};

  bool analyzed = options.call_sites;
  bool limit_hit = false;
  uint64_t confirmations = 0;
  // Made at the first call that needs confirming: loading Capstone costs more than many scans.
  std::optional<std::unique_ptr<Disassembler>> disassembler;
  Disassembler::Sweep sweep;  // call sites come in address order: one sweep per caller
  std::map<std::string_view, bool> std_by_function;  // cache of is_std_package
  auto record = [&](uint64_t site, const Target& target) {
    auto caller = functions.containing(site);
    if (!caller) return;
    const std::string caller_package = import_path_of(caller->name);
    NonApprovedUse& use = uses.list[target.use];
    if (caller_package == use.package) return;  // the package's own internals
    auto cached = std_by_function.find(caller->name);
    const bool is_std =
        cached != std_by_function.end()
            ? cached->second
            : std_by_function.emplace(caller->name, is_std_package(caller_package, db, go))
                  .first->second;
    if (uses.distinct_edges >= kMaxDistinctEdges) {
      limit_hit = true;
      return;
    }
    if (!uses.seen_callers[target.use].insert({caller->name, target.name}).second) return;
    ++uses.distinct_edges;
    Caller edge{std::string(caller->name), caller_package, site, std::string(target.name)};
    if (is_std) {
      if (use.std_callers.size() < options.max_callers_per_package) {
        use.std_callers.push_back(std::move(edge));
      }
      return;
    }
    if (confirmations >= options.max_confirmed_call_sites) {
      limit_hit = true;
      return;
    }
    ++confirmations;
    if (!disassembler) disassembler = Disassembler::for_arch(image.arch, image.endian);
    if (*disassembler) {
      // Start the sweep at the last line start before the site, unless this function's last
      // sweep already got further.
      const uint64_t line_start = functions.line_start_before(site);
      if (sweep.entry != caller->entry || sweep.reached > site || sweep.reached < line_start) {
        sweep = Disassembler::Sweep{caller->entry, line_start};
      }
      const uint64_t length = std::min(caller->end - caller->entry, kMaxFunctionBytes);
      auto code = image.at_address(caller->entry, length);
      if (!code.ok() || !(*disassembler)->is_call_at(*code, caller->entry, site, sweep)) {
        uses.seen_callers[target.use].erase({caller->name, target.name});
        return;
      }
    }
    if (use.callers.size() < options.max_callers_per_package)
      use.callers.push_back(std::move(edge));
  };
  // Big texts are scanned on two threads: this one loads Capstone meanwhile, instead of after
  // the chunks of the runtime and the standard library, whose callers need no confirming.
  auto load_disassembler = [&] {
    if (options.max_confirmed_call_sites > 0) Disassembler::preload();
  };
  bool calls_truncated = false;
  if (analyzed) {
    analyzed = scan_direct_calls(image, targets, calls_truncated, record, load_disassembler);
  }
  limit_hit = limit_hit || calls_truncated;

  if (!analyzed && options.call_sites) {
    findings.push_back(Finding{"FG903",
                               Severity::warning,
                               "call sites into non-approved packages were not searched: no call "
                               "decoder for " +
                                   std::string(to_string(image.arch)),
                               {}});
  }
  if (disassembler && !*disassembler && !Disassembler::load_error().empty()) {
    findings.push_back(Finding{"FG903",
                               Severity::warning,
                               "callers of non-approved packages were not confirmed by "
                               "disassembly (they may include false call sites): " +
                                   Disassembler::load_error(),
                               {}});
  }
  if (limit_hit) {
    findings.push_back(Finding{"FG903",
                               Severity::warning,
                               "stopped following call sites after " +
                                   std::to_string(options.max_confirmed_call_sites) +
                                   " confirmations or " + std::to_string(kMaxDistinctEdges) +
                                   " distinct call edges; callers of non-approved packages may be "
                                   "missing",
                               {}});
  }
  for (NonApprovedUse& use : uses.list) {
    use.call_sites_analyzed = analyzed && !limit_hit;
    use.std_internal_only = use.call_sites_analyzed && use.callers.empty();
  }
  std::sort(uses.list.begin(), uses.list.end(),
            [](const auto& a, const auto& b) { return a.package < b.package; });
  return std::move(uses.list);
}

}  // namespace fipsgate::analysis
