// One-pass multi-pattern search: 4-byte anchors behind a hashed bit filter (see the header).
#include "fipsgate/match/multi_pattern.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace fipsgate {
namespace {

constexpr unsigned kFilterBits = 20;
constexpr uint32_t kAnchorBytes = 4;

// How often a byte shows up in code and data, roughly: zero padding, 0xFF, REX prefixes and
// ModRM-heavy opcodes, and lowercase text are common; anchors avoid them.
unsigned byte_weight(uint8_t byte) {
  switch (byte) {
    case 0x00:
      return 16;
    case 0xFF:
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

uint32_t filter_slot(uint32_t window) {
  return (window * 0x9E3779B1u) >> (32 - kFilterBits);
}

uint32_t load_window(const uint8_t* p) {
  uint32_t window;
  std::memcpy(&window, p, sizeof window);
  return window;
}

// The start of the cheapest run of kAnchorBytes fixed bytes, or nullopt when there is none.
std::optional<uint32_t> choose_anchor(const PatternSpec& spec) {
  std::optional<uint32_t> best;
  unsigned best_cost = ~0u;
  for (size_t start = 0; start + kAnchorBytes <= spec.bytes.size(); ++start) {
    unsigned cost = 0;
    bool fixed = true;
    for (size_t k = start; k < start + kAnchorBytes; ++k) {
      if (spec.mask[k] != 0xFF) {
        fixed = false;
        break;
      }
      cost += byte_weight(spec.bytes[k]);
    }
    if (fixed && cost < best_cost) {
      best_cost = cost;
      best = static_cast<uint32_t>(start);
    }
  }
  return best;
}

}  // namespace

Result<MultiPatternMatcher> MultiPatternMatcher::compile(std::vector<PatternSpec> patterns) {
  MultiPatternMatcher matcher;
  matcher.filter_.assign((size_t{1} << kFilterBits) / 64, 0);
  matcher.pair_filter_.assign(65536 / 64, 0);
  for (auto& spec : patterns) {
    if (spec.bytes.empty()) return Error("pattern " + std::to_string(spec.id) + " is empty");
    if (spec.mask.empty()) spec.mask.assign(spec.bytes.size(), 0xFF);
    if (spec.mask.size() != spec.bytes.size()) {
      return Error("pattern " + std::to_string(spec.id) + ": mask has " +
                   std::to_string(spec.mask.size()) + " bytes, pattern " +
                   std::to_string(spec.bytes.size()));
    }
    if (std::none_of(spec.mask.begin(), spec.mask.end(), [](uint8_t m) { return m != 0; })) {
      return Error("pattern " + std::to_string(spec.id) + " has no fixed byte");
    }
    if (spec.alignment == 0) return Error("pattern " + std::to_string(spec.id) + ": alignment 0");
    for (size_t k = 0; k < spec.bytes.size(); ++k) spec.bytes[k] &= spec.mask[k];
    Compiled compiled{std::move(spec), 0};
    const auto index = static_cast<uint32_t>(matcher.patterns_.size());
    if (auto anchor = choose_anchor(compiled.spec)) {
      compiled.anchor_offset = *anchor;
      const uint32_t window = load_window(compiled.spec.bytes.data() + *anchor);
      matcher.anchors_.push_back({window, index});
      const uint32_t slot = filter_slot(window);
      matcher.filter_[slot / 64] |= uint64_t{1} << (slot % 64);
      const uint32_t pair = window & 0xFFFF;
      matcher.pair_filter_[pair / 64] |= uint64_t{1} << (pair % 64);
    } else {
      // Rarest fixed byte: the memchr target of the short-pattern scan.
      uint32_t rarest = 0;
      unsigned rarest_weight = ~0u;
      for (uint32_t k = 0; k < compiled.spec.bytes.size(); ++k) {
        if (compiled.spec.mask[k] == 0xFF && byte_weight(compiled.spec.bytes[k]) < rarest_weight) {
          rarest_weight = byte_weight(compiled.spec.bytes[k]);
          rarest = k;
        }
      }
      if (compiled.spec.mask[rarest] != 0xFF) {
        // Only partially masked bytes: fall back to the first byte with any fixed bits.
        while (compiled.spec.mask[rarest] == 0) ++rarest;
      }
      compiled.anchor_offset = rarest;
      matcher.short_patterns_.push_back(index);
    }
    matcher.patterns_.push_back(std::move(compiled));
  }
  std::sort(matcher.anchors_.begin(), matcher.anchors_.end());
  return matcher;
}

bool MultiPatternMatcher::verify(const Compiled& pattern, const uint8_t* data, uint64_t size,
                                 uint64_t start, uint64_t base_address) const {
  const auto& spec = pattern.spec;
  if (start > size || spec.bytes.size() > size - start) return false;
  if ((base_address + start) % spec.alignment != 0) return false;
  const uint8_t* at = data + start;
  for (size_t k = 0; k < spec.bytes.size(); ++k) {
    if ((at[k] & spec.mask[k]) != spec.bytes[k]) return false;
  }
  return true;
}

bool MultiPatternMatcher::scan_anchored(
    ByteView bytes, uint64_t base_address,
    const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  if (anchors_.empty() || bytes.size() < kAnchorBytes) return true;
  const uint8_t* data = bytes.data();
  const uint64_t size = bytes.size();
  const uint64_t last = size - kAnchorBytes;
  const uint64_t* filter = filter_.data();
  const uint64_t* pair_filter = pair_filter_.data();
  for (uint64_t i = 0; i <= last; ++i) {
    const uint32_t window = load_window(data + i);
    // First the anchors' leading byte pairs (8 KiB, stays in L1), then the hashed 4-byte filter.
    const uint32_t pair = window & 0xFFFF;
    if (!((pair_filter[pair / 64] >> (pair % 64)) & 1)) continue;
    const uint32_t slot = filter_slot(window);
    if (!((filter[slot / 64] >> (slot % 64)) & 1)) continue;
    auto range = std::equal_range(anchors_.begin(), anchors_.end(), AnchorEntry{window, 0});
    for (auto it = range.first; it != range.second; ++it) {
      const Compiled& pattern = patterns_[it->pattern_index];
      if (i < pattern.anchor_offset) continue;
      const uint64_t start = i - pattern.anchor_offset;
      if (verify(pattern, data, size, start, base_address) && !on_hit(pattern.spec.id, start)) {
        return false;
      }
    }
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
      if (verify(pattern, data, size, start, base_address) && !on_hit(pattern.spec.id, start)) {
        return false;
      }
      ++i;
    }
  }
  return true;
}

void MultiPatternMatcher::scan(ByteView bytes, uint64_t base_address,
                               const std::function<bool(uint32_t, uint64_t)>& on_hit) const {
  if (bytes.empty()) return;
  if (!scan_anchored(bytes, base_address, on_hit)) return;
  scan_short(bytes, base_address, on_hit);
}

}  // namespace fipsgate
