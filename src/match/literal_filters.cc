// Teddy and shift-or prefilters: building their tables and running them (see literal_filters.h).
#include "literal_filters.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace fipsgate::literal {
namespace {

constexpr unsigned kRepeatCost = 4;

// A pattern byte as the filters see it: the bits that must agree, and their values. Bytes past
// the end of the pattern accept anything.
struct PatternByte {
  uint8_t value = 0, mask = 0;
};

PatternByte byte_at(const PatternSpec& spec, uint64_t offset) {
  if (offset >= spec.bytes.size()) return {};
  return {static_cast<uint8_t>(spec.bytes[offset] & spec.mask[offset]), spec.mask[offset]};
}

bool accepts(PatternByte byte, unsigned value) {
  return (value & byte.mask) == byte.value;
}

bool accepts_nibble(PatternByte byte, unsigned shift, unsigned nibble) {
  return ((nibble ^ (byte.value >> shift)) & (byte.mask >> shift) & 0x0F) == 0;
}

// How much a byte lets through: a fixed byte by how common it is, a partly fixed byte by how
// many values it accepts (a wildcard accepts all 256).
unsigned accept_cost(PatternByte byte) {
  if (byte.mask == 0xFF) return byte_weight(byte.value);
  return 1 + 4 * (256u >> std::popcount(byte.mask));
}

// How much a window lets through: the sum over its bytes, and a byte repeating the one before
// costs more (runs of one byte, like the int3 padding between functions, are common).
unsigned window_cost(const PatternSpec& spec, uint64_t offset, unsigned width) {
  unsigned cost = 0;
  for (unsigned k = 0; k < width; ++k) {
    const PatternByte byte = byte_at(spec, offset + k);
    cost += accept_cost(byte);
    if (k > 0 && byte.mask == 0xFF && byte_at(spec, offset + k - 1).value == byte.value) {
      cost += kRepeatCost;
    }
  }
  return cost;
}

// The cheapest offset for a window of `width` bytes (bytes past the pattern's end count as
// wildcards, so short patterns put their window at 0).
uint32_t best_window_offset(const PatternSpec& spec, unsigned width) {
  const uint64_t length = spec.bytes.size();
  const uint64_t last = length > width ? length - width : 0;
  uint32_t best = 0;
  unsigned best_cost = ~0u;
  for (uint64_t offset = 0; offset <= last; ++offset) {
    const unsigned cost = window_cost(spec, offset, width);
    if (cost < best_cost) {
      best_cost = cost;
      best = static_cast<uint32_t>(offset);
    }
  }
  return best;
}

BucketMember member_of(const PatternSpec& spec, uint32_t pattern_index, uint32_t offset,
                       unsigned bucket) {
  BucketMember member;
  member.pattern_index = pattern_index;
  member.window_offset = offset;
  member.bucket = bucket;
  for (unsigned k = 0; k < 8; ++k) {
    const PatternByte byte = byte_at(spec, uint64_t{offset} + k);
    member.value |= uint64_t{byte.value} << (8 * k);
    member.mask |= uint64_t{byte.mask} << (8 * k);
  }
  return member;
}

struct Placement {
  uint32_t pattern_index = 0;
  uint32_t window_offset = 0;
  unsigned bucket = 0;
};

// Splits the patterns, in the given order, into kBuckets runs of near-equal size (one pattern
// per bucket for small sets) and files each as a member of its bucket.
void fill_buckets(std::vector<Placement>& placements,
                  const std::vector<const PatternSpec*>& patterns, BucketedFilter& filter) {
  const size_t count = placements.size();
  for (size_t i = 0; i < count; ++i) {
    Placement& placement = placements[i];
    placement.bucket = static_cast<unsigned>(i * kBuckets / count);
    filter.buckets[placement.bucket].push_back(
        member_of(*patterns[placement.pattern_index], placement.pattern_index,
                  placement.window_offset, placement.bucket));
  }
}

std::vector<Placement> place_all(const std::vector<const PatternSpec*>& patterns, unsigned width) {
  std::vector<Placement> placements;
  for (size_t i = 0; i < patterns.size(); ++i) {
    placements.push_back({static_cast<uint32_t>(i), best_window_offset(*patterns[i], width), 0});
  }
  return placements;
}

// The window bytes of a placement, for grouping patterns whose windows look alike.
uint32_t teddy_window_key(const PatternSpec& spec, uint32_t offset) {
  uint32_t key = 0;
  for (unsigned k = 0; k < kTeddyWindow; ++k) key = (key << 8) | byte_at(spec, offset + k).value;
  return key;
}

void add_teddy_byte(TeddyTables& tables, unsigned k, PatternByte byte, unsigned bucket) {
  for (unsigned nibble = 0; nibble < 16; ++nibble) {
    if (accepts_nibble(byte, 0, nibble)) tables.low[k][nibble] |= uint8_t(1u << bucket);
    if (accepts_nibble(byte, 4, nibble)) tables.high[k][nibble] |= uint8_t(1u << bucket);
  }
}

std::vector<uint8_t> accepted_values(PatternByte byte) {
  std::vector<uint8_t> values;
  for (unsigned value = 0; value < 256; ++value) {
    if (accepts(byte, value)) values.push_back(static_cast<uint8_t>(value));
  }
  return values;
}

// Clears bucket's bit for window pair k in every domain value the pattern accepts there.
void add_shift_or_pair(std::vector<uint64_t>& table, unsigned k, PatternByte first,
                       PatternByte second, unsigned bucket) {
  const uint64_t bit = uint64_t{1} << (8 * (kShiftOrLanes - 1 - k) + bucket);
  if (first.mask == 0 && second.mask == 0) {  // every index, without listing 65536 pairs
    for (uint64_t& entry : table) entry &= ~bit;
    return;
  }
  const std::vector<uint8_t> seconds = accepted_values(second);
  for (uint8_t value : accepted_values(first)) {
    for (uint8_t next : seconds) table[domain_of(value, next)] &= ~bit;
  }
}

size_t emit_lanes(uint64_t missing, uint64_t block, ByteView bytes, Candidate* out, size_t n) {
  while (missing != 0) {
    const unsigned lane = static_cast<unsigned>(std::countr_zero(missing)) / 8;
    const auto buckets = static_cast<uint32_t>((missing >> (8 * lane)) & 0xFF);
    missing &= ~(uint64_t{0xFF} << (8 * lane));
    const uint64_t window = block + 2 * lane - 2 * (kShiftOrLanes - 1);
    if (window <= bytes.size()) out[n++] = candidate_at(bytes, window, buckets, true);
  }
  return n;
}

// The table entries of the 8 pairs at p, each shifted to the lane of the window it belongs to:
// a 128-bit result, the windows that started before p in `low`, the others in `high`.
struct BlockBits {
  uint64_t low = 0, high = 0;
};

// Pair j of the 16 bytes at p has its table index at bit 16 * (j % 4) of half j / 4.
std::array<uint64_t, 2> folded_block(const uint8_t* p) {
  std::array<uint64_t, 2> words;
  std::memcpy(words.data(), p, sizeof words);
  return {fold(words[0]), fold(words[1])};
}

uint32_t pair_domain(const std::array<uint64_t, 2>& folded, unsigned j) {
  return static_cast<uint32_t>(folded[j / 4] >> (16 * (j % 4))) & kShiftOrDomainMask;
}

#if defined(__x86_64__)

// SSE2 (every x86-64 has it): one load, one byte shift and one OR per pair.
template <unsigned kPair>
__m128i shifted_entry(const uint64_t* entry) {
  return _mm_slli_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(entry)), kPair);
}

// The table indexes come from two 64-bit words on the integer units, which leaves the vector
// shuffle units (that the byte shifts need) free; extracting them from a vector costs more.
template <unsigned... kPairs>
[[gnu::always_inline]] inline BlockBits shift_or_block_sse2(
    const uint64_t* table, const uint8_t* p, std::integer_sequence<unsigned, kPairs...>) {
  const std::array<uint64_t, 2> folded = folded_block(p);
  __m128i bits = _mm_setzero_si128();
  ((bits = _mm_or_si128(bits, shifted_entry<kPairs>(table + pair_domain(folded, kPairs)))), ...);
  return {static_cast<uint64_t>(_mm_cvtsi128_si64(bits)),
          static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(bits, bits)))};
}

[[gnu::always_inline]] inline BlockBits shift_or_block_sse2(const uint64_t* table,
                                                            const uint8_t* p) {
  return shift_or_block_sse2(table, p, std::make_integer_sequence<unsigned, kShiftOrLanes>{});
}

#endif

// Portable: the same, one 128-bit shift (two 64-bit halves) per pair.
[[gnu::always_inline]] inline BlockBits shift_or_block_portable(const uint64_t* table,
                                                                const uint8_t* p) {
  const std::array<uint64_t, 2> folded = folded_block(p);
  BlockBits bits{table[pair_domain(folded, 0)], 0};
  for (unsigned j = 1; j < kShiftOrLanes; ++j) {
    const uint64_t entry = table[pair_domain(folded, j)];
    bits.low |= entry << (8 * j);
    bits.high |= entry >> (64 - 8 * j);
  }
  return bits;
}

size_t teddy_candidates_scalar(const TeddyTables& tables, ByteView bytes, Cursor& cursor,
                               Candidate* out, size_t capacity) {
  const uint8_t* data = bytes.data();
  const uint64_t size = bytes.size();
  uint64_t window = cursor.position;
  size_t n = 0;
  for (; window < size && n < capacity; ++window) {
    unsigned passed = 0xFF;
    for (unsigned k = 0; k < kTeddyWindow; ++k) {
      const uint8_t byte = window + k < size ? data[window + k] : 0;
      passed &= tables.low[k][byte & 0x0F] & tables.high[k][byte >> 4];
    }
    if (passed != 0) out[n++] = candidate_at(bytes, window, passed, false);
  }
  cursor.position = window;
  cursor.finished = window >= size;
  return n;
}

#if defined(__x86_64__)

// The most candidates one call emits after its capacity test: a Teddy tail (two 32-byte blocks).
constexpr size_t kMaxCandidatesPerStep = 64;

struct TeddyVectors {
  __m256i low[kTeddyWindow], high[kTeddyWindow];
};

__attribute__((target("avx2"))) inline void load_teddy_vectors(const TeddyTables& tables,
                                                               TeddyVectors& vectors) {
  for (unsigned k = 0; k < kTeddyWindow; ++k) {
    vectors.low[k] = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(tables.low[k].data())));
    vectors.high[k] = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(tables.high[k].data())));
  }
}

// The 32 windows at p: bit j of the result is set when the window at p + j passes for some
// bucket, and then buckets[j] holds which.
// Unrolled (GCC leaves a three-step loop rolled at -O2 and then reads the tables from memory).
[[gnu::always_inline]] __attribute__((target("avx2"))) inline uint32_t teddy_block(
    const TeddyVectors& vectors, const uint8_t* p, uint8_t* buckets) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  __m256i passed = _mm256_set1_epi8(-1);
#pragma GCC unroll 8
  for (unsigned k = 0; k < kTeddyWindow; ++k) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + k));
    const __m256i low = _mm256_shuffle_epi8(vectors.low[k], _mm256_and_si256(x, nibble));
    const __m256i high =
        _mm256_shuffle_epi8(vectors.high[k], _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble));
    passed = _mm256_and_si256(passed, _mm256_and_si256(low, high));
  }
  const auto empty = static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(passed, _mm256_setzero_si256())));
  if (empty != ~0u) _mm256_storeu_si256(reinterpret_cast<__m256i*>(buckets), passed);
  return ~empty;
}

size_t emit_windows(uint32_t passing, const uint8_t* buckets, uint64_t first, ByteView bytes,
                    Candidate* out, size_t n) {
  for (; passing != 0; passing &= passing - 1) {
    const unsigned j = static_cast<unsigned>(std::countr_zero(passing));
    if (first + j >= bytes.size()) break;
    out[n++] = candidate_at(bytes, first + j, buckets[j], false);
  }
  return n;
}

__attribute__((target("avx2"))) size_t teddy_candidates_avx2(const TeddyTables& tables,
                                                             ByteView bytes, Cursor& cursor,
                                                             Candidate* out, size_t capacity) {
  TeddyVectors vectors;
  load_teddy_vectors(tables, vectors);
  const uint8_t* data = bytes.data();
  const uint64_t size = bytes.size();
  alignas(32) uint8_t buckets[32];
  uint64_t window = cursor.position;
  size_t n = 0;
  // Whole blocks while their loads (32 windows and the 2 bytes after) stay inside the buffer.
  while (window + 32 + kTeddyWindow - 1 <= size) {
    if (n + kMaxCandidatesPerStep > capacity) {
      cursor.position = window;
      return n;
    }
    // Most blocks pass no window: skip the call for them.
    if (const uint32_t passing = teddy_block(vectors, data + window, buckets); passing != 0) {
      n = emit_windows(passing, buckets, window, bytes, out, n);
    }
    window += 32;
  }
  if (n + kMaxCandidatesPerStep > capacity) {
    cursor.position = window;
    return n;
  }
  // The last windows (fewer than 34) from a zero-padded copy; windows past the end are dropped
  // and bytes past the end only meet window bytes past a pattern's end (which accept anything).
  alignas(32) uint8_t tail[96] = {};
  std::memcpy(tail, data + window, size - window);
  for (uint64_t at = 0; window + at < size; at += 32) {
    n = emit_windows(teddy_block(vectors, tail + at, buckets), buckets, window + at, bytes, out, n);
  }
  cursor.position = size;
  cursor.finished = true;
  return n;
}

#endif

}  // namespace

unsigned byte_weight(uint8_t byte) {
  switch (byte) {
    case 0x00:
      return 16;
    case 0xFF:
    case 0xCC:  // int3, padding between functions
      return 6;
    case 0x48:
    case 0x89:
    case 0x8B:
    case 0x24:
    case 0x0F:
    case 0x4C:
    case 0x44:
    case 0x01:
    case 0xE8:
    case 0x20:
      return 4;
    default:
      return (byte >= 'a' && byte <= 'z') ? 3 : 1;
  }
}

BucketedFilter build_teddy(const std::vector<const PatternSpec*>& patterns) {
  std::vector<Placement> placements = place_all(patterns, kTeddyWindow);
  // Patterns whose windows look alike share a bucket: fewer nibble pairs pass by accident.
  std::stable_sort(placements.begin(), placements.end(), [&](const auto& a, const auto& b) {
    return teddy_window_key(*patterns[a.pattern_index], a.window_offset) <
           teddy_window_key(*patterns[b.pattern_index], b.window_offset);
  });
  BucketedFilter filter;
  fill_buckets(placements, patterns, filter);
  for (const Placement& placement : placements) {
    const PatternSpec& spec = *patterns[placement.pattern_index];
    for (unsigned k = 0; k < kTeddyWindow; ++k) {
      add_teddy_byte(filter.teddy, k, byte_at(spec, uint64_t{placement.window_offset} + k),
                     placement.bucket);
    }
  }
  return filter;
}

double squared_weight(unsigned value) {
  const double weight = byte_weight(static_cast<uint8_t>(value));
  return weight * weight;
}

// Estimated share of a byte in code and data: byte_weight squared, normalised. byte_weight
// ranks bytes gently (zero 16 times a rare byte); real binaries are more skewed, and on
// kubectl the square leaves a quarter fewer candidates than byte_weight itself.
double byte_share(unsigned value) {
  static const double total = [] {
    double sum = 0;
    for (unsigned v = 0; v < 256; ++v) sum += squared_weight(v);
    return sum;
  }();
  return squared_weight(value) / total;
}

// What a pattern puts in each window lane of its bucket: the table indexes its two members
// accept there, each with the estimated share of the data's pairs that land on it. A lane that
// accepts more pairs than kOpenLanePairs (wildcards, bytes past the pattern's end) counts as
// open: it passes about everything, and listing its pairs would only cost time.
constexpr size_t kOpenLanePairs = 1024;

struct LaneValues {
  std::array<std::vector<std::pair<uint32_t, double>>, kShiftOrLanes> values;
  std::array<bool, kShiftOrLanes> open{};
};

LaneValues lane_values(const PatternSpec& spec, uint32_t window_offset) {
  LaneValues lanes;
  for (uint32_t offset : {window_offset, window_offset + 1}) {
    for (unsigned k = 0; k < kShiftOrLanes; ++k) {
      const uint64_t at = uint64_t{offset} + 2 * k;
      const std::vector<uint8_t> firsts = accepted_values(byte_at(spec, at));
      const std::vector<uint8_t> seconds = accepted_values(byte_at(spec, at + 1));
      lanes.open[k] = lanes.open[k] || firsts.size() * seconds.size() > kOpenLanePairs;
      if (lanes.open[k]) continue;
      for (uint8_t first : firsts) {
        for (uint8_t second : seconds) {
          lanes.values[k].push_back(
              {domain_of(first, second), byte_share(first) * byte_share(second)});
        }
      }
    }
  }
  return lanes;
}

// Per bucket and lane, the estimated share of the data's pairs that some member accepts; a
// window passes a bucket with about the product of its lane shares. Each pattern goes to the
// bucket whose estimate it raises least, so that the buckets stay selective on real data.
class BucketLoads {
 public:
  BucketLoads() {
    for (auto& bucket : share_of_) {
      for (auto& lane : bucket) lane.assign(size_t{1} << kShiftOrDomainBits, 0.0);
    }
  }

  unsigned cheapest_bucket(const LaneValues& lanes, const BucketedFilter& filter) const {
    unsigned best = 0;
    double best_growth = 0;
    for (unsigned b = 0; b < kBuckets; ++b) {
      const double growth = pass(shares_with(b, lanes)) - pass(lane_share_[b]);
      // Equal growth (often 0 while buckets fill): the bucket with fewer members.
      if (b == 0 || growth < best_growth ||
          (growth == best_growth && filter.buckets[b].size() < filter.buckets[best].size())) {
        best = b;
        best_growth = growth;
      }
    }
    return best;
  }

  void add(unsigned bucket, const LaneValues& lanes) {
    lane_share_[bucket] = shares_with(bucket, lanes);
    for (unsigned k = 0; k < kShiftOrLanes; ++k) {
      for (auto [domain, share] : lanes.values[k]) {
        share_of_[bucket][k][domain] = std::max(share_of_[bucket][k][domain], share);
      }
    }
  }

 private:
  using LaneShares = std::array<double, kShiftOrLanes>;

  static double pass(const LaneShares& shares) {
    double product = 1;
    for (double share : shares) product *= std::min(1.0, share);
    return product;
  }

  LaneShares shares_with(unsigned bucket, const LaneValues& lanes) const {
    LaneShares shares = lane_share_[bucket];
    for (unsigned k = 0; k < kShiftOrLanes; ++k) {
      if (lanes.open[k]) shares[k] = 1;
      if (shares[k] >= 1) continue;
      for (auto [domain, share] : lanes.values[k]) {
        shares[k] += std::max(0.0, share - share_of_[bucket][k][domain]);
      }
    }
    return shares;
  }

  std::array<std::array<std::vector<double>, kShiftOrLanes>, kBuckets> share_of_;
  std::array<LaneShares, kBuckets> lane_share_{};
};

// Files both members of a pattern in its bucket and clears the bucket's bits in the table for
// the pairs they accept. The scan reads pairs at even offsets only: the second member, its
// window one byte later, covers the occurrences whose window would start at an odd offset.
void file_shift_or_pattern(const PatternSpec& spec, const Placement& placement,
                           BucketedFilter& filter) {
  if (filter.shift_or.empty()) filter.shift_or.assign(size_t{1} << kShiftOrDomainBits, ~0ull);
  for (uint32_t offset : {placement.window_offset, placement.window_offset + 1}) {
    filter.buckets[placement.bucket].push_back(
        member_of(spec, placement.pattern_index, offset, placement.bucket));
    for (unsigned k = 0; k < kShiftOrLanes; ++k) {
      const uint64_t at = uint64_t{offset} + 2 * k;
      add_shift_or_pair(filter.shift_or, k, byte_at(spec, at), byte_at(spec, at + 1),
                        placement.bucket);
    }
  }
}

// Files every member under the confirm key of each table index its first window pair accepts,
// counted first, then placed, so that each key's members are contiguous.
void index_by_first_pair(const std::vector<const PatternSpec*>& patterns, BucketedFilter& filter) {
  std::vector<std::vector<uint32_t>> keys;
  std::vector<const BucketMember*> members;
  filter.by_pair_start.assign((size_t{kBuckets} << kConfirmDomainBits) + 1, 0);
  for (const auto& bucket : filter.buckets) {
    for (const BucketMember& member : bucket) {
      const PatternSpec& spec = *patterns[member.pattern_index];
      std::vector<uint32_t> accepted;
      const std::vector<uint8_t> seconds = accepted_values(byte_at(spec, member.window_offset + 1));
      for (uint8_t first : accepted_values(byte_at(spec, member.window_offset))) {
        for (uint8_t second : seconds) {
          accepted.push_back(confirm_key(domain_of(first, second), member.bucket));
        }
      }
      std::sort(accepted.begin(), accepted.end());
      accepted.erase(std::unique(accepted.begin(), accepted.end()), accepted.end());
      for (uint32_t key : accepted) ++filter.by_pair_start[key + 1];
      keys.push_back(std::move(accepted));
      members.push_back(&member);
    }
  }
  std::partial_sum(filter.by_pair_start.begin(), filter.by_pair_start.end(),
                   filter.by_pair_start.begin());
  filter.members_by_pair.resize(filter.by_pair_start.back());
  std::vector<uint32_t> next(filter.by_pair_start.begin(), filter.by_pair_start.end() - 1);
  for (size_t m = 0; m < members.size(); ++m) {
    for (uint32_t key : keys[m]) filter.members_by_pair[next[key]++] = *members[m];
  }
}

BucketedFilter build_shift_or(const std::vector<const PatternSpec*>& patterns) {
  std::vector<Placement> placements = place_all(patterns, kShiftOrWindow);
  // Weakest windows first: they decide which buckets stay selective.
  std::stable_sort(placements.begin(), placements.end(), [&](const auto& a, const auto& b) {
    return window_cost(*patterns[a.pattern_index], a.window_offset, kShiftOrWindow) >
           window_cost(*patterns[b.pattern_index], b.window_offset, kShiftOrWindow);
  });
  BucketedFilter filter;
  BucketLoads loads;
  for (Placement& placement : placements) {
    const PatternSpec& spec = *patterns[placement.pattern_index];
    const LaneValues lanes = lane_values(spec, placement.window_offset);
    placement.bucket = loads.cheapest_bucket(lanes, filter);
    loads.add(placement.bucket, lanes);
    file_shift_or_pattern(spec, placement, filter);
  }
  index_by_first_pair(patterns, filter);
  return filter;
}

bool teddy_supported() {
#if defined(__x86_64__)
  static const bool supported = __builtin_cpu_supports("avx2");
  return supported;
#else
  return false;
#endif
}

size_t teddy_candidates(const TeddyTables& tables, ByteView bytes, Cursor& cursor, Candidate* out,
                        size_t capacity, [[maybe_unused]] bool simd) {
#if defined(__x86_64__)
  if (simd && teddy_supported()) return teddy_candidates_avx2(tables, bytes, cursor, out, capacity);
#endif
  return teddy_candidates_scalar(tables, bytes, cursor, out, capacity);
}

// Block b covers the pairs at b, b + 2, ..., b + 14 and reports the windows at b - 14, ..., b:
// each needs its first pairs from the previous block (the carry) and the rest from this one.
template <BlockBits (*kBlock)(const uint64_t*, const uint8_t*)>
size_t shift_or_pass(const std::vector<uint64_t>& table, ByteView bytes, Cursor& cursor,
                     Candidate* out, size_t capacity) {
  const uint8_t* data = bytes.data();
  const uint64_t size = bytes.size();
  uint64_t block = cursor.position, carry = cursor.carry;
  size_t n = 0;
  for (; block + kShiftOrWindow <= size && n + kShiftOrLanes <= capacity; block += kShiftOrWindow) {
    const BlockBits bits = kBlock(table.data(), data + block);
    const uint64_t missing = ~(bits.low | carry);
    carry = bits.high;
    if (missing != 0) n = emit_lanes(missing, block, bytes, out, n);
  }
  // The last blocks, until the window at size is reported, from a zero-padded copy: bytes past
  // the end only meet window bytes past a pattern's end (which accept anything). The window at
  // size itself is the odd member of a one-byte pattern at size - 1.
  const uint64_t end = size + kShiftOrWindow - 1;
  for (; block < end && n + kShiftOrLanes <= capacity; block += kShiftOrWindow) {
    uint8_t tail[kShiftOrWindow] = {};
    if (block < size) {
      std::memcpy(tail, data + block, std::min<uint64_t>(size - block, kShiftOrWindow));
    }
    const BlockBits bits = kBlock(table.data(), tail);
    const uint64_t missing = ~(bits.low | carry);
    carry = bits.high;
    if (missing != 0) n = emit_lanes(missing, block, bytes, out, n);
  }
  cursor.position = block;
  cursor.carry = carry;
  cursor.finished = block >= end;
  return n;
}

size_t shift_or_candidates(const std::vector<uint64_t>& table, ByteView bytes, Cursor& cursor,
                           Candidate* out, size_t capacity, [[maybe_unused]] bool simd) {
#if defined(__x86_64__)
  if (simd) return shift_or_pass<shift_or_block_sse2>(table, bytes, cursor, out, capacity);
#endif
  return shift_or_pass<shift_or_block_portable>(table, bytes, cursor, out, capacity);
}

}  // namespace fipsgate::literal
