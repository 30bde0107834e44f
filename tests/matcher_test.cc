#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fipsgate/match/multi_pattern.h"
#include "fipsgate/match/name_matcher.h"
#include "fipsgate/match/signature_db.h"

using fipsgate::ByteView;
using fipsgate::MultiPatternMatcher;
using fipsgate::NameMatch;
using fipsgate::NameMatcher;
using fipsgate::PatternSpec;

namespace {

PatternSpec spec_from_hex(const std::string& hex, uint32_t id, unsigned alignment = 1) {
  auto pattern = fipsgate::parse_hex_pattern(hex);
  REQUIRE(pattern.ok());
  return PatternSpec{pattern->bytes, pattern->mask, alignment, id};
}

std::vector<std::pair<uint32_t, uint64_t>> all_hits(const MultiPatternMatcher& matcher,
                                                    const std::string& bytes,
                                                    uint64_t base_address = 0) {
  std::vector<std::pair<uint32_t, uint64_t>> hits;
  matcher.scan(ByteView(bytes), base_address, [&](uint32_t id, uint64_t offset) {
    hits.emplace_back(id, offset);
    return true;
  });
  std::sort(hits.begin(), hits.end());
  return hits;
}

MultiPatternMatcher compile(std::vector<PatternSpec> specs) {
  auto matcher = MultiPatternMatcher::compile(std::move(specs));
  REQUIRE(matcher.ok());
  return std::move(matcher).value();
}

}  // namespace

TEST_CASE("a wildcard byte matches any value while fixed bytes must agree") {
  auto matcher = compile({spec_from_hex("F4 48 ?? 4B F4", 7)});
  const std::string bytes = std::string("\x00\xF4\x48\x99\x4B\xF4\x00\xF4\x48\x99\x4C\xF4", 12);
  auto hits = all_hits(matcher, bytes);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0] == std::pair<uint32_t, uint64_t>{7, 1});
}

TEST_CASE("overlapping patterns and overlapping occurrences are all reported") {
  auto matcher = compile({spec_from_hex("61 61 61 61", 1), spec_from_hex("61 61 61 61 62", 2),
                          spec_from_hex("61 ?? 61 61 61 62", 3)});
  auto hits = all_hits(matcher, "aaaaaab");
  std::vector<std::pair<uint32_t, uint64_t>> expected = {{1, 0}, {1, 1}, {1, 2}, {2, 2}, {3, 1}};
  CHECK(hits == expected);
}

TEST_CASE("a pattern at the very end of a region is found and one cut by the end is not") {
  auto matcher = compile({spec_from_hex("DE AD BE EF 01", 1)});
  CHECK(all_hits(matcher, std::string("xxxx\xDE\xAD\xBE\xEF\x01", 9)).size() == 1);
  CHECK(all_hits(matcher, std::string("xxxx\xDE\xAD\xBE\xEF", 8)).empty());
  CHECK(all_hits(matcher, std::string("\xDE\xAD\xBE\xEF\x01", 5)).size() == 1);
}

TEST_CASE("a pattern whose anchor is not its first bytes is not reported before the region") {
  // The rarest 4 fixed bytes come last; an occurrence of them at offset 1 would put the start
  // before the region.
  auto matcher = compile({spec_from_hex("00 00 9A 9B 9C 9D", 1)});
  CHECK(all_hits(matcher, std::string("\x00\x9A\x9B\x9C\x9D", 5)).empty());
  CHECK(all_hits(matcher, std::string("\x00\x00\x9A\x9B\x9C\x9D", 6)).size() == 1);
}

TEST_CASE("alignment counts from the address of the region, not from the buffer") {
  auto matcher = compile({spec_from_hex("EB 1D F4 48 F4 4B F4", 1, 16)});
  std::string bytes(64, '\0');
  bytes.replace(16, 7, "\xEB\x1D\xF4\x48\xF4\x4B\xF4");
  bytes.replace(40, 7, "\xEB\x1D\xF4\x48\xF4\x4B\xF4");
  CHECK(all_hits(matcher, bytes, 0x1000) == std::vector<std::pair<uint32_t, uint64_t>>{{1, 16}});
  CHECK(all_hits(matcher, bytes, 0x1008) == std::vector<std::pair<uint32_t, uint64_t>>{{1, 40}});
}

TEST_CASE("patterns without four fixed bytes in a row are still found") {
  auto matcher = compile({spec_from_hex("E8 ?? ?? ?? ?? 90", 1), spec_from_hex("C3", 2)});
  const std::string bytes("\x90\xE8\x01\x02\x03\x04\x90\xC3", 8);
  auto hits = all_hits(matcher, bytes);
  std::vector<std::pair<uint32_t, uint64_t>> expected = {{1, 1}, {2, 7}};
  CHECK(hits == expected);
}

TEST_CASE("scanning stops when the callback says so") {
  auto matcher = compile({spec_from_hex("61 61 61 61", 1)});
  int calls = 0;
  matcher.scan(ByteView(std::string_view("aaaaaaaaaa")), 0, [&](uint32_t, uint64_t) {
    ++calls;
    return false;
  });
  CHECK(calls == 1);
}

TEST_CASE("empty and all-wildcard patterns are rejected at compile time") {
  CHECK_FALSE(MultiPatternMatcher::compile({PatternSpec{{}, {}, 1, 0}}).ok());
  CHECK_FALSE(MultiPatternMatcher::compile({PatternSpec{{1, 2}, {0, 0}, 1, 0}}).ok());
  CHECK_FALSE(MultiPatternMatcher::compile({PatternSpec{{1, 2}, {0xFF}, 1, 0}}).ok());
}

TEST_CASE("500 random patterns are each found exactly where they were planted, in one pass") {
  std::mt19937_64 random(42);
  std::vector<PatternSpec> specs;
  std::string haystack(4u << 20, '\0');
  for (auto& c : haystack) c = static_cast<char>(random() % 7);  // low-entropy filler
  std::vector<uint64_t> planted;
  for (uint32_t id = 0; id < 500; ++id) {
    PatternSpec spec;
    spec.id = id;
    const size_t length = 6 + random() % 20;
    for (size_t k = 0; k < length; ++k) {
      spec.bytes.push_back(static_cast<uint8_t>(0x80 | (random() & 0x7F)));
      spec.mask.push_back(k % 5 == 3 ? 0x00 : 0xFF);
    }
    const uint64_t at = 4096 + id * 8000;
    for (size_t k = 0; k < length; ++k)
      haystack[at + k] = static_cast<char>(spec.bytes[k] ^ (spec.mask[k] ? 0 : 0x55));
    planted.push_back(at);
    specs.push_back(std::move(spec));
  }
  auto matcher = compile(specs);
  CHECK(matcher.pattern_count() == 500);
  const auto start = std::chrono::steady_clock::now();
  auto hits = all_hits(matcher, haystack);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(hits.size() == 500);
  for (uint32_t id = 0; id < 500; ++id) {
    CHECK(hits[id].first == id);
    CHECK(hits[id].second == planted[id]);
  }
  // A generous bound even for a Debug build on a shared machine: 4 MiB well under a second.
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() < 2000);
}

TEST_CASE("name patterns match exactly, by prefix and by glob") {
  NameMatcher names;
  names.add(1, NameMatch::exact, "crypto/internal/boring/sig.BoringCrypto");
  names.add(2, NameMatch::prefix, "crypto/");
  names.add(3, NameMatch::prefix, "crypto/internal/boring.");
  names.add(4, NameMatch::glob, "_cgo_*_Cfunc__goboringcrypto_*");
  names.add(5, NameMatch::exact, "crypto/");
  names.finish();
  auto ids = [&](std::string_view name) {
    std::set<uint32_t> found;
    names.match(name, [&](uint32_t id) { found.insert(id); });
    return found;
  };
  CHECK(ids("crypto/internal/boring/sig.BoringCrypto") == std::set<uint32_t>{1, 2});
  CHECK(ids("crypto/internal/boring/sig.BoringCryptoX") == std::set<uint32_t>{2});
  CHECK(ids("crypto/internal/boring.init.0") == std::set<uint32_t>{2, 3});
  CHECK(ids("_cgo_0123456789ab_Cfunc__goboringcrypto_FIPS_mode") == std::set<uint32_t>{4});
  CHECK(ids("_cgo_init").empty());
  CHECK(ids("crypto/") == std::set<uint32_t>{2, 5});
  CHECK(ids("crypt").empty());
  CHECK(ids("").empty());
}

TEST_CASE("globs handle stars, question marks and backtracking") {
  CHECK(fipsgate::glob_matches("a*b*c", "axxbyybzc"));
  CHECK(fipsgate::glob_matches("*", ""));
  CHECK(fipsgate::glob_matches("a?c", "abc"));
  CHECK_FALSE(fipsgate::glob_matches("a?c", "ac"));
  CHECK_FALSE(fipsgate::glob_matches("a*b", "aaac"));
  CHECK(fipsgate::glob_matches("*_Cfunc_*", "_cgo_1_Cfunc_x"));
}

// ---- every engine against a naive scan ---------------------------------------------------------

namespace {

using fipsgate::MatchEngine;
using Hits = std::vector<std::pair<uint32_t, uint64_t>>;

using fipsgate::MatcherOptions;

// Every engine, and Teddy and shift-or also through their portable code.
const MatcherOptions kPaths[] = {{MatchEngine::automatic, true}, {MatchEngine::teddy, true},
                                 {MatchEngine::teddy, false},    {MatchEngine::shift_or, true},
                                 {MatchEngine::shift_or, false}, {MatchEngine::strided, true}};

// Bytes drawn mostly from a few values (so that short patterns and partial masks hit by
// chance, and filters see long runs of one byte), else uniformly.
uint8_t random_byte(std::mt19937_64& random) {
  static constexpr uint8_t kCommon[] = {0x00, 0x41, 0x42, 0xCC, 0xFF};
  return random() % 3 == 0 ? static_cast<uint8_t>(random()) : kCommon[random() % 5];
}

PatternSpec random_pattern(std::mt19937_64& random, uint32_t id) {
  static constexpr unsigned kAlignments[] = {1, 1, 2, 4, 16};
  PatternSpec spec;
  spec.id = id;
  spec.alignment = kAlignments[random() % 5];
  const size_t length = 1 + random() % 40;
  for (size_t k = 0; k < length; ++k) {
    spec.bytes.push_back(random_byte(random));
    const unsigned kind = random() % 10;
    spec.mask.push_back(kind == 0 ? 0x00 : kind == 1 ? static_cast<uint8_t>(random()) : 0xFF);
  }
  spec.mask[random() % length] = 0xFF;  // at least one fixed byte
  return spec;
}

// An occurrence of `spec` at `offset`: wildcard and unmasked bits get random values.
void plant(std::mt19937_64& random, const PatternSpec& spec, std::vector<uint8_t>& bytes,
           uint64_t offset) {
  for (size_t k = 0; k < spec.bytes.size(); ++k) {
    const auto noise = static_cast<uint8_t>(random());
    bytes[offset + k] =
        static_cast<uint8_t>((spec.bytes[k] & spec.mask[k]) | (noise & ~spec.mask[k]));
  }
}

Hits naive_hits(const std::vector<PatternSpec>& specs, const std::vector<uint8_t>& bytes,
                uint64_t base_address) {
  Hits hits;
  for (const PatternSpec& spec : specs) {
    for (uint64_t offset = 0; offset + spec.bytes.size() <= bytes.size(); ++offset) {
      if ((base_address + offset) % spec.alignment != 0) continue;
      bool equal = true;
      for (size_t k = 0; equal && k < spec.bytes.size(); ++k) {
        equal = (bytes[offset + k] & spec.mask[k]) == (spec.bytes[k] & spec.mask[k]);
      }
      if (equal) hits.emplace_back(spec.id, offset);
    }
  }
  std::sort(hits.begin(), hits.end());
  return hits;
}

Hits engine_hits(const MultiPatternMatcher& matcher, const std::vector<uint8_t>& bytes,
                 uint64_t base_address) {
  Hits hits;
  matcher.scan(ByteView(bytes.data(), bytes.size()), base_address,
               [&](uint32_t id, uint64_t offset) {
                 hits.emplace_back(id, offset);
                 return true;
               });
  std::sort(hits.begin(), hits.end());  // duplicates stay and fail the comparison
  return hits;
}

// Random bytes of a random size (some shorter than any filter block), with occurrences planted
// at random places, at the very start and ending at the very end.
std::vector<uint8_t> haystack_for(std::mt19937_64& random, const std::vector<PatternSpec>& specs,
                                  size_t max_size) {
  const size_t size = random() % 4 == 0 ? 1 + random() % 100 : 100 + random() % max_size;
  std::vector<uint8_t> bytes(size);
  for (auto& byte : bytes) byte = random_byte(random);
  for (int planted = 0; planted < 20; ++planted) {
    const PatternSpec& spec = specs[random() % specs.size()];
    if (spec.bytes.size() > size) continue;
    const uint64_t room = size - spec.bytes.size();
    const uint64_t offset = planted == 0 ? 0 : planted == 1 ? room : random() % (room + 1);
    plant(random, spec, bytes, offset);
  }
  return bytes;
}

}  // namespace

TEST_CASE("every engine reports exactly the hits of a naive scan on random pattern sets") {
  std::mt19937_64 random(20261127);
  for (size_t set_size : {1, 8, 40, 400}) {
    std::vector<PatternSpec> specs;
    for (uint32_t id = 0; id < set_size; ++id) specs.push_back(random_pattern(random, id));
    for (const MatcherOptions& options : kPaths) {
      auto matcher = MultiPatternMatcher::compile(specs, options);
      REQUIRE(matcher.ok());
      for (int round = 0; round < (set_size > 40 ? 3 : 12); ++round) {
        const auto bytes = haystack_for(random, specs, set_size > 40 ? 3000 : 6000);
        for (uint64_t base_address : {uint64_t{0}, uint64_t{1}, uint64_t{6}, uint64_t{0x401008}}) {
          CAPTURE(set_size);
          CAPTURE(static_cast<int>(options.engine));
          CAPTURE(options.simd);
          CAPTURE(bytes.size());
          CAPTURE(base_address);
          CHECK(engine_hits(*matcher, bytes, base_address) ==
                naive_hits(specs, bytes, base_address));
        }
      }
    }
  }
}

TEST_CASE("a forced engine is the one that scans, and automatic picks by the set's shape") {
  std::mt19937_64 random(7);
  std::vector<PatternSpec> specs;
  for (uint32_t id = 0; id < 40; ++id) specs.push_back(random_pattern(random, id));
  for (MatchEngine engine : {MatchEngine::teddy, MatchEngine::shift_or, MatchEngine::strided}) {
    auto matcher = MultiPatternMatcher::compile(specs, {engine});
    REQUIRE(matcher.ok());
    CHECK(matcher->engine() == engine);
  }
  // Beyond Teddy's size, short and wildcarded patterns make the strided engine take several
  // passes: shift-or.
  CHECK(compile(specs).engine() == MatchEngine::shift_or);
  // Long fixed strings all fit one strided pass at stride 8.
  std::vector<PatternSpec> strings;
  for (uint32_t id = 0; id < 40; ++id) {
    PatternSpec spec;
    spec.id = id;
    for (int k = 0; k < 24; ++k) spec.bytes.push_back(static_cast<uint8_t>(random()));
    strings.push_back(spec);
  }
  CHECK(compile(strings).engine() == MatchEngine::strided);
  // Beyond kStridedMaxPatterns, the same kind of strings: shift-or.
  while (strings.size() <= MultiPatternMatcher::kStridedMaxPatterns) {
    PatternSpec spec;
    spec.id = static_cast<uint32_t>(strings.size());
    for (int k = 0; k < 24; ++k) spec.bytes.push_back(static_cast<uint8_t>(random()));
    strings.push_back(spec);
  }
  CHECK(compile(strings).engine() == MatchEngine::shift_or);
  // Small sets: Teddy where the CPU runs it, never shift-or.
  CHECK(compile({spec_from_hex("DE AD BE EF", 1)}).engine() != MatchEngine::shift_or);
}

TEST_CASE("every engine stops when the callback says so") {
  for (const MatcherOptions& options : kPaths) {
    auto matcher = MultiPatternMatcher::compile({spec_from_hex("61 61", 1)}, options);
    REQUIRE(matcher.ok());
    const std::string bytes(5000, 'a');
    int calls = 0;
    matcher->scan(ByteView(bytes), 0, [&](uint32_t, uint64_t) { return ++calls < 3; });
    CHECK(calls == 3);
  }
}

TEST_CASE("matches_at applies masks, alignment and bounds") {
  const std::vector<uint8_t> pattern = {0x48, 0x8B, 0x05, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60};
  const std::vector<uint8_t> mask = {0xFF, 0xFF, 0x0F, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0};
  const ByteView pattern_view(pattern.data(), pattern.size()), mask_view(mask.data(), mask.size());
  std::vector<uint8_t> bytes = {0x00, 0x48, 0x8B, 0xA5, 0x99, 0x20, 0x30, 0x40, 0x50, 0x6F};
  const ByteView view(bytes.data(), bytes.size());
  CHECK(MultiPatternMatcher::matches_at(pattern_view, mask_view, 1, view, 1, 0));
  CHECK_FALSE(MultiPatternMatcher::matches_at(pattern_view, mask_view, 1, view, 0, 0));
  CHECK(MultiPatternMatcher::matches_at(pattern_view, mask_view, 4, view, 1, 3));
  CHECK_FALSE(MultiPatternMatcher::matches_at(pattern_view, mask_view, 4, view, 1, 0));
  CHECK(MultiPatternMatcher::matches_at(pattern_view, mask_view, 0, view, 1, 0));
  CHECK_FALSE(MultiPatternMatcher::matches_at(pattern_view, mask_view, 1, view, 2, 0));
  CHECK_FALSE(MultiPatternMatcher::matches_at(pattern_view, mask_view, 1, view, 100, 0));
  bytes[9] = 0x7F;  // a bit under the partial mask of the last byte
  CHECK_FALSE(MultiPatternMatcher::matches_at(pattern_view, mask_view, 1, view, 1, 0));
  bytes[9] = 0x6F;
  bytes[3] = 0x06;  // a bit under the partial mask of the third byte
  CHECK_FALSE(MultiPatternMatcher::matches_at(pattern_view, mask_view, 1, view, 1, 0));
}
