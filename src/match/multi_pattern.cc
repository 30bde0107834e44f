// One-pass multi-pattern search: engine choice, the confirming compare, and the strided engine
// (Teddy and shift-or are in literal_filters.cc; see the header for the design).
#include "fipsgate/match/multi_pattern.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <optional>

#include "literal_filters.h"

namespace fipsgate {
namespace {

using literal::byte_weight;

constexpr uint32_t kWindowBytes = 4;
// Strides tried for each pattern, largest first; scan_group is instantiated for each.
constexpr unsigned kStrides[] = {8, 4, 2, 1};
// Filter size: about 256 bits per window keeps false hits near 0.4 % of probes; at least 4 Kib
// (512 bytes, L1), at most 1 Mib (128 KiB, L2).
constexpr uint64_t kFilterBitsPerWindow = 256;
constexpr unsigned kMinFilterLog2 = 12;
constexpr unsigned kMaxFilterLog2 = 20;

uint32_t window_hash(uint32_t window) {
  return window * 0x9E3779B1u;
}

uint32_t load_window(const uint8_t* p) {
  uint32_t window;
  std::memcpy(&window, p, sizeof window);
  return window;
}

// The windows a pattern files for one stride: `count` windows at first, first + step, ...
struct Placement {
  uint32_t first = 0;
  uint32_t step = 1;
  uint32_t count = 1;
};

// Cost of the window at `start`, or nullopt when one of its bytes is not fully fixed.
std::optional<unsigned> window_cost(const PatternSpec& spec, size_t start) {
  unsigned cost = 0;
  for (size_t k = start; k < start + kWindowBytes; ++k) {
    if (spec.mask[k] != 0xFF) return std::nullopt;
    cost += byte_weight(spec.bytes[k]);
  }
  return cost;
}

// Where the pattern's windows go for `stride`, the cheapest placement, or nullopt when its fixed
// bytes do not allow the stride. A match starts at an address that is a multiple of
// g = gcd(alignment, stride), so its start modulo the stride is one of stride / g residues; a
// window at pattern offset first + k*g (first a multiple of g) lands on a probed address for
// exactly one k whatever the start, so every occurrence is found exactly once.
std::optional<Placement> place(const PatternSpec& spec, unsigned stride) {
  const uint32_t step = std::gcd(spec.alignment, stride);
  const uint32_t count = stride / step;
  const uint64_t span = uint64_t{count - 1} * step + kWindowBytes;
  std::optional<Placement> best;
  unsigned best_cost = ~0u;
  for (uint64_t first = 0; first + span <= spec.bytes.size(); first += step) {
    unsigned cost = 0;
    bool fixed = true;
    for (uint32_t k = 0; k < count && fixed; ++k) {
      auto one = window_cost(spec, first + uint64_t{k} * step);
      fixed = one.has_value();
      cost += one.value_or(0);
    }
    if (fixed && cost < best_cost) {
      best_cost = cost;
      best = Placement{static_cast<uint32_t>(first), step, count};
    }
  }
  return best;
}

// The rarest fully fixed byte, else the first byte with any fixed bit: what memchr looks for.
uint32_t rarest_byte(const PatternSpec& spec) {
  uint32_t rarest = 0;
  unsigned rarest_weight = ~0u;
  for (uint32_t k = 0; k < spec.bytes.size(); ++k) {
    if (spec.mask[k] == 0xFF && byte_weight(spec.bytes[k]) < rarest_weight) {
      rarest_weight = byte_weight(spec.bytes[k]);
      rarest = k;
    }
  }
  if (spec.mask[rarest] != 0xFF) {
    while (spec.mask[rarest] == 0) ++rarest;
  }
  return rarest;
}

Status check_spec(PatternSpec& spec) {
  const std::string name = "pattern " + std::to_string(spec.id);
  if (spec.bytes.empty()) return Error(name + " is empty");
  if (spec.mask.empty()) spec.mask.assign(spec.bytes.size(), 0xFF);
  if (spec.mask.size() != spec.bytes.size()) {
    return Error(name + ": mask has " + std::to_string(spec.mask.size()) + " bytes, pattern " +
                 std::to_string(spec.bytes.size()));
  }
  if (std::none_of(spec.mask.begin(), spec.mask.end(), [](uint8_t m) { return m != 0; })) {
    return Error(name + " has no fixed byte");
  }
  if (spec.alignment == 0) return Error(name + ": alignment 0");
  for (size_t k = 0; k < spec.bytes.size(); ++k) spec.bytes[k] &= spec.mask[k];
  return Ok{};
}

uint64_t load_u64(const uint8_t* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// Eight pattern bytes to compare with one masked 64-bit load before the byte-by-byte verify:
// those right after the window when the pattern has them, else the pattern's last eight.
template <class Entry>
void set_check(Entry& entry, const PatternSpec& spec) {
  const size_t length = spec.bytes.size();
  if (length < 8) return;  // check_mask 0: every load passes, verify decides
  const size_t after = size_t{entry.offset_in_pattern} + kWindowBytes;
  entry.check_offset = static_cast<uint32_t>(after + 8 <= length ? after : length - 8);
  entry.check_value = load_u64(spec.bytes.data() + entry.check_offset);
  entry.check_mask = load_u64(spec.mask.data() + entry.check_offset);
}

// Sizes the filter (about kFilterBitsPerWindow bits per window) and the bucket index (about one
// window per bucket) of a group and files every window in both.
template <class Group, class Patterns>
void index_group(Group& group, const Patterns& patterns) {
  const uint64_t windows = group.anchors.size();
  const unsigned filter_log2 =
      std::clamp<unsigned>(std::bit_width(std::bit_ceil(windows * kFilterBitsPerWindow)) - 1,
                           kMinFilterLog2, kMaxFilterLog2);
  const unsigned bucket_log2 = std::bit_width(std::bit_ceil(windows)) - 1;
  group.filter_shift = 32 - filter_log2;
  group.bucket_shift = 32 - bucket_log2;
  group.filter.assign((uint64_t{1} << filter_log2) / 64, 0);
  group.pair_filter.assign(65536 / 64, 0);
  auto bucket_of = [&](uint32_t window) {
    return bucket_log2 == 0 ? 0u : window_hash(window) >> group.bucket_shift;
  };
  for (auto& anchor : group.anchors) {
    const uint32_t slot = window_hash(anchor.window) >> group.filter_shift;
    group.filter[slot / 64] |= uint64_t{1} << (slot % 64);
    const uint32_t pair = anchor.window & 0xFFFF;
    group.pair_filter[pair / 64] |= uint64_t{1} << (pair % 64);
    set_check(anchor, patterns[anchor.pattern_index].spec);
  }
  std::stable_sort(group.anchors.begin(), group.anchors.end(), [&](const auto& a, const auto& b) {
    return bucket_of(a.window) < bucket_of(b.window);
  });
  group.bucket_start.assign((size_t{1} << bucket_log2) + 1, 0);
  for (const auto& anchor : group.anchors) ++group.bucket_start[bucket_of(anchor.window) + 1];
  for (size_t b = 1; b < group.bucket_start.size(); ++b) {
    group.bucket_start[b] += group.bucket_start[b - 1];
  }
}

}  // namespace

// Candidates the bucketed filters hand over per call: enough to amortise the call, small
// enough to stay in L1.
constexpr size_t kCandidateBatch = 256;

size_t MultiPatternMatcher::longest_pattern() const {
  size_t longest = 0;
  for (const Compiled& compiled : patterns_)
    longest = std::max(longest, compiled.spec.bytes.size());
  return longest;
}

Result<MultiPatternMatcher> MultiPatternMatcher::compile(std::vector<PatternSpec> patterns,
                                                         MatcherOptions options) {
  MultiPatternMatcher matcher;
  for (auto& spec : patterns) {
    if (auto checked = check_spec(spec); !checked) return checked.error();
    matcher.patterns_.push_back(Compiled{std::move(spec), 0});
  }
  MatchEngine engine = options.engine;
  if (engine == MatchEngine::automatic) {
    const bool small = matcher.patterns_.size() <= kTeddyMaxPatterns;
    if (small && literal::teddy_supported()) {
      engine = MatchEngine::teddy;
    } else {
      matcher.compile_strided();
      engine = matcher.strided_in_one_fast_pass() ? MatchEngine::strided : MatchEngine::shift_or;
      if (engine != MatchEngine::strided) matcher.groups_.clear();
      if (engine != MatchEngine::strided) matcher.short_patterns_.clear();
    }
  }
  matcher.engine_ = engine;
  matcher.simd_ = options.simd;
  std::vector<const PatternSpec*> specs;
  for (const Compiled& compiled : matcher.patterns_) specs.push_back(&compiled.spec);
  if (engine == MatchEngine::teddy) {
    matcher.bucketed_ = std::make_shared<literal::BucketedFilter>(literal::build_teddy(specs));
  } else if (engine == MatchEngine::shift_or) {
    matcher.bucketed_ = std::make_shared<literal::BucketedFilter>(literal::build_shift_or(specs));
  } else if (matcher.groups_.empty() && matcher.short_patterns_.empty()) {
    matcher.compile_strided();
  }
  return matcher;
}

void MultiPatternMatcher::compile_strided() {
  for (unsigned stride : kStrides) groups_.push_back(StrideGroup{stride, 0, 0, {}, {}, {}, {}});
  for (uint32_t index = 0; index < patterns_.size(); ++index) {
    Compiled& compiled = patterns_[index];
    bool placed = false;
    for (StrideGroup& group : groups_) {
      auto placement = place(compiled.spec, group.stride);
      if (!placement) continue;
      for (uint32_t k = 0; k < placement->count; ++k) {
        const uint32_t offset = placement->first + k * placement->step;
        group.anchors.push_back(
            {load_window(compiled.spec.bytes.data() + offset), index, offset, 0, 0, 0});
      }
      placed = true;
      break;
    }
    if (!placed) {
      compiled.anchor_offset = rarest_byte(compiled.spec);
      short_patterns_.push_back(index);
    }
  }
  std::erase_if(groups_, [](const StrideGroup& group) { return group.anchors.empty(); });
  for (StrideGroup& group : groups_) index_group(group, patterns_);
}

// One strided pass at 1 probe per 4 or 8 bytes beats shift-or's work on every pair, as long as
// the set is small: with more windows its filter passes more often (on kubectl with long
// strings cut from it, shift-or wins from about 100 patterns on).
bool MultiPatternMatcher::strided_in_one_fast_pass() const {
  return patterns_.size() <= kStridedMaxPatterns && short_patterns_.empty() &&
         groups_.size() == 1 && groups_[0].stride >= 4;
}

bool MultiPatternMatcher::matches_at(ByteView pattern, ByteView mask, unsigned alignment,
                                     ByteView bytes, uint64_t offset, uint64_t base_address) {
  const uint64_t length = pattern.size();
  if (!bytes.contains(offset, length) || mask.size() != length) return false;
  if (alignment > 1 && (base_address + offset) % alignment != 0) return false;
  const uint8_t* at = bytes.data() + offset;
  uint64_t k = 0;
  for (; k + 8 <= length; k += 8) {
    const uint64_t differ = load_u64(at + k) ^ load_u64(pattern.data() + k);
    if ((differ & load_u64(mask.data() + k)) != 0) return false;
  }
  for (; k < length; ++k) {
    if (((at[k] ^ pattern.data()[k]) & mask.data()[k]) != 0) return false;
  }
  return true;
}

bool MultiPatternMatcher::verify(const Compiled& pattern, ByteView bytes, uint64_t start,
                                 uint64_t base_address) {
  const PatternSpec& spec = pattern.spec;
  return matches_at(ByteView(spec.bytes.data(), spec.bytes.size()),
                    ByteView(spec.mask.data(), spec.mask.size()), spec.alignment, bytes, start,
                    base_address);
}

bool MultiPatternMatcher::check_window(
    const StrideGroup& group, uint32_t window, const uint8_t* data, uint64_t size,
    uint64_t position, uint64_t base_address,
    const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  const uint32_t bucket = group.bucket_shift == 32 ? 0 : window_hash(window) >> group.bucket_shift;
  const AnchorEntry* end = group.anchors.data() + group.bucket_start[bucket + 1];
  for (const AnchorEntry* it = group.anchors.data() + group.bucket_start[bucket]; it != end; ++it) {
    if (it->window != window || position < it->offset_in_pattern) continue;
    const uint64_t start = position - it->offset_in_pattern;
    const uint64_t check_at = start + it->check_offset;
    if (check_at <= size && size - check_at >= 8 &&
        (load_u64(data + check_at) & it->check_mask) != it->check_value) {
      continue;
    }
    const Compiled& pattern = patterns_[it->pattern_index];
    if (verify(pattern, ByteView(data, size), start, base_address) &&
        !on_hit(pattern.spec.id, start)) {
      return false;
    }
  }
  return true;
}

// The hot loop: a load, a multiply, a shift and a bit test per probe, one probe per kStride
// bytes at the addresses that are multiples of kStride.
template <unsigned kStride>
bool MultiPatternMatcher::scan_group(const StrideGroup& group, ByteView bytes,
                                     uint64_t base_address,
                                     const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  if (bytes.size() < kWindowBytes) return true;
  const uint8_t* data = bytes.data();
  const uint64_t size = bytes.size();
  const uint64_t last = size - kWindowBytes;
  const uint64_t* filter = group.filter.data();
  const uint64_t* pair_filter = group.pair_filter.data();
  const unsigned shift = group.filter_shift;
  for (uint64_t position = (kStride - base_address % kStride) % kStride; position <= last;
       position += kStride) {
    const uint32_t window = load_window(data + position);
    // Dense probes (stride 1 and 2) first test the window's leading byte pair in an 8 KiB
    // table that stays in L1.
    if constexpr (kStride <= 2) {
      const uint32_t pair = window & 0xFFFF;
      if (!((pair_filter[pair / 64] >> (pair % 64)) & 1)) continue;
    }
    const uint32_t slot = window_hash(window) >> shift;
    if (!((filter[slot / 64] >> (slot % 64)) & 1)) continue;
    if (!check_window(group, window, data, size, position, base_address, on_hit)) return false;
  }
  return true;
}

bool MultiPatternMatcher::scan_short(ByteView bytes, uint64_t base_address,
                                     const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  const uint8_t* data = bytes.data();
  const uint64_t size = bytes.size();
  for (uint32_t index : short_patterns_) {
    const Compiled& pattern = patterns_[index];
    const uint32_t anchor = pattern.anchor_offset;
    const bool exact_byte = pattern.spec.mask[anchor] == 0xFF;
    const uint8_t target = pattern.spec.bytes[anchor];
    uint64_t i = anchor;
    while (i < size) {
      if (exact_byte) {
        const void* found = std::memchr(data + i, target, size - i);
        if (!found) break;
        i = static_cast<const uint8_t*>(found) - data;
      }
      const uint64_t start = i - anchor;
      if (verify(pattern, bytes, start, base_address) && !on_hit(pattern.spec.id, start)) {
        return false;
      }
      ++i;
    }
  }
  return true;
}

bool MultiPatternMatcher::scan_strided(
    ByteView bytes, uint64_t base_address,
    const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  for (const StrideGroup& group : groups_) {
    bool go_on = true;
    switch (group.stride) {
      case 8:
        go_on = scan_group<8>(group, bytes, base_address, on_hit);
        break;
      case 4:
        go_on = scan_group<4>(group, bytes, base_address, on_hit);
        break;
      case 2:
        go_on = scan_group<2>(group, bytes, base_address, on_hit);
        break;
      default:
        go_on = scan_group<1>(group, bytes, base_address, on_hit);
        break;
    }
    if (!go_on) return false;
  }
  return scan_short(bytes, base_address, on_hit);
}

// The filter hands over candidate windows in batches; each is confirmed against the patterns of
// its buckets, first with one masked 8-byte compare of the window.
bool MultiPatternMatcher::scan_bucketed(
    ByteView bytes, uint64_t base_address,
    const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  const literal::BucketedFilter& filter = *bucketed_;
  literal::Candidate batch[kCandidateBatch];
  literal::Cursor cursor;
  while (!cursor.finished) {
    const size_t count =
        engine_ == MatchEngine::teddy
            ? literal::teddy_candidates(filter.teddy, bytes, cursor, batch, kCandidateBatch, simd_)
            : literal::shift_or_candidates(filter.shift_or, bytes, cursor, batch, kCandidateBatch,
                                           simd_);
    for (size_t c = 0; c < count; ++c) {
      if (!confirm(batch[c], bytes, base_address, on_hit)) return false;
    }
  }
  return true;
}

bool MultiPatternMatcher::confirm(const literal::Candidate& candidate, ByteView bytes,
                                  uint64_t base_address,
                                  const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  const literal::BucketedFilter& filter = *bucketed_;
  if (engine_ == MatchEngine::teddy) {
    for (uint32_t buckets = candidate.buckets; buckets != 0; buckets &= buckets - 1) {
      if (!confirm_members(filter.buckets[std::countr_zero(buckets)], candidate, bytes,
                           base_address, on_hit)) {
        return false;
      }
    }
    return true;
  }
  for (uint32_t buckets = candidate.buckets; buckets != 0; buckets &= buckets - 1) {
    const uint32_t key = literal::confirm_key(candidate.first_pair, std::countr_zero(buckets));
    const auto* first = filter.members_by_pair.data() + filter.by_pair_start[key];
    const auto* last = filter.members_by_pair.data() + filter.by_pair_start[key + 1];
    if (!confirm_members(std::span(first, last), candidate, bytes, base_address, on_hit)) {
      return false;
    }
  }
  return true;
}

bool MultiPatternMatcher::confirm_members(
    std::span<const literal::BucketMember> members, const literal::Candidate& candidate,
    ByteView bytes, uint64_t base_address,
    const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  const uint64_t window = candidate.window;
  const bool whole_word = bytes.size() - window >= 8;
  for (const literal::BucketMember& member : members) {
    if (window < member.window_offset) continue;
    if (whole_word && ((candidate.word ^ member.value) & member.mask) != 0) continue;
    const Compiled& pattern = patterns_[member.pattern_index];
    const uint64_t start = window - member.window_offset;
    if (verify(pattern, bytes, start, base_address) && !on_hit(pattern.spec.id, start)) {
      return false;
    }
  }
  return true;
}

void MultiPatternMatcher::scan(ByteView bytes, uint64_t base_address,
                               const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  if (bytes.empty()) return;
  if (engine_ == MatchEngine::teddy || engine_ == MatchEngine::shift_or) {
    scan_bucketed(bytes, base_address, on_hit);
  } else {
    scan_strided(bytes, base_address, on_hit);
  }
}

}  // namespace fipsgate
