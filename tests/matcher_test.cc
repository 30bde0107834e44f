#include <doctest/doctest.h>

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
