// The compressed name trie against a brute-force reading of the same patterns: every pattern
// tried on every name, exact as ==, prefix as starts_with, glob through glob_matches.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fipsgate/match/name_matcher.h"

using fipsgate::NameMatch;
using fipsgate::NameMatcher;

namespace {

struct NamePattern {
  uint32_t id;
  NameMatch how;
  std::string text;
};

std::set<uint32_t> brute_force(const std::vector<NamePattern>& patterns, std::string_view name) {
  std::set<uint32_t> ids;
  for (const NamePattern& pattern : patterns) {
    const bool hit = pattern.how == NameMatch::exact ? name == pattern.text
                     : pattern.how == NameMatch::prefix
                         ? name.starts_with(pattern.text)
                         : fipsgate::glob_matches(pattern.text, name);
    if (hit) ids.insert(pattern.id);
  }
  return ids;
}

std::set<uint32_t> trie(const NameMatcher& matcher, std::string_view name) {
  std::set<uint32_t> ids;
  matcher.match(name, [&](uint32_t id) { ids.insert(id); });
  return ids;
}

std::set<uint32_t> trie(const NameMatcher& matcher, fipsgate::TerminatedName name) {
  std::set<uint32_t> ids;
  fipsgate::RejectionMemo fresh;
  matcher.match(name, fresh, [&](uint32_t id) { ids.insert(id); });
  return ids;
}

// Words from a small alphabet so that patterns share long prefixes and chains, the shape the
// compression has to get right (Go paths: "github.com/", "crypto/internal/...").
std::string random_text(std::mt19937& random, size_t max_length) {
  static constexpr std::string_view kAlphabet = "ab/.c";
  std::string text;
  const size_t length = random() % (max_length + 1);
  for (size_t i = 0; i < length; ++i) text += kAlphabet[random() % kAlphabet.size()];
  return text;
}

}  // namespace

TEST_CASE("the compressed name trie agrees with a brute-force match on random pattern sets") {
  std::mt19937 random(20261127);
  for (int round = 0; round < 200; ++round) {
    std::vector<NamePattern> patterns;
    NameMatcher matcher;
    const size_t count = 1 + random() % 12;
    for (uint32_t id = 0; id < count; ++id) {
      const auto how = static_cast<NameMatch>(random() % 3);
      std::string text = random_text(random, 9);
      if (how == NameMatch::glob) {
        const size_t at = random() % (text.size() + 1);
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), random() % 2 ? '*' : '?');
      }
      matcher.add(id, how, text);
      patterns.push_back({id, how, text});
    }
    matcher.finish();
    std::vector<std::string> names;
    for (int k = 0; k < 40; ++k) names.push_back(random_text(random, 12));
    for (const NamePattern& pattern : patterns) {
      names.push_back(pattern.text);  // each pattern's own text, and one byte more and less
      names.push_back(pattern.text + "a");
      if (!pattern.text.empty()) names.push_back(pattern.text.substr(0, pattern.text.size() - 1));
    }
    for (const std::string& name : names) {
      INFO("round ", round, " name \"", name, "\"");
      const std::set<uint32_t> expected = brute_force(patterns, name);
      CHECK(trie(matcher, name) == expected);
      CHECK(matcher.matches_any(name) == !expected.empty());
      // The same name as the pclntab holds it: NUL-terminated with the next name behind it, and
      // cut off by the end of the table with no NUL at all.
      const std::string table = name + '\0' + random_text(random, 12);
      const fipsgate::TerminatedName in_table{table.data(), table.size()};
      const fipsgate::TerminatedName at_end{table.data(), name.size()};
      for (const fipsgate::TerminatedName& terminated : {in_table, at_end}) {
        CHECK(trie(matcher, terminated) == expected);
        fipsgate::RejectionMemo fresh;
        CHECK(matcher.matches_any(terminated, fresh) == !expected.empty());
      }
    }
  }
}

// Names one after the other from one table, as the pclntab walks go: sorted, so neighbours share
// prefixes of every length, and the last one cut off by the table's end. Each answer given with
// the memo of the names before must be the brute-force answer for that name alone.
TEST_CASE("a run of names matched with a rejection memo gets each name's own answer") {
  std::mt19937 random(20261128);
  for (int round = 0; round < 300; ++round) {
    std::vector<NamePattern> patterns;
    NameMatcher matcher;
    for (uint32_t id = 0; id < 1 + random() % 10; ++id) {
      const auto how = static_cast<NameMatch>(random() % 3);
      std::string text = random_text(random, 6);
      if (how == NameMatch::glob) text.insert(random() % (text.size() + 1), 1, '*');
      matcher.add(id, how, text);
      patterns.push_back({id, how, text});
    }
    matcher.finish();
    std::vector<std::string> names;
    for (int k = 0; k < 60; ++k) names.push_back(random_text(random, 10));
    for (const NamePattern& pattern : patterns) names.push_back(pattern.text);
    std::sort(names.begin(), names.end());
    std::string table;
    std::vector<uint64_t> starts;
    for (const std::string& name : names) {
      starts.push_back(table.size());
      table += name + '\0';
    }
    table.pop_back();  // the last name runs to the end of the table
    fipsgate::RejectionMemo for_match, for_any;
    for (size_t k = 0; k < names.size(); ++k) {
      INFO("round ", round, " name \"", names[k], "\"");
      const fipsgate::TerminatedName name{table.data() + starts[k], table.size() - starts[k]};
      const std::set<uint32_t> expected = brute_force(patterns, names[k]);
      std::set<uint32_t> found;
      matcher.match(name, for_match, [&](uint32_t id) { found.insert(id); });
      CHECK(found == expected);
      CHECK(matcher.matches_any(name, for_any) == !expected.empty());
    }
  }
}

TEST_CASE(
    "a chain of single-child nodes is compared as one label, and a mismatch inside it stops") {
  NameMatcher matcher;
  matcher.add(1, NameMatch::prefix, "github.com/golang-fips/openssl");
  matcher.add(2, NameMatch::prefix, "github.com/go");
  matcher.add(3, NameMatch::exact, "golang.org/x/crypto/md4");
  matcher.finish();
  CHECK(trie(matcher, "github.com/golang-fips/openssl/v2.init") == std::set<uint32_t>{1, 2});
  CHECK(trie(matcher, "github.com/golang-fips/opens") == std::set<uint32_t>{2});
  CHECK(trie(matcher, "github.com/hashicorp/terraform").empty());
  CHECK(trie(matcher, "github.co").empty());
  CHECK(trie(matcher, "golang.org/x/crypto/md4") == std::set<uint32_t>{3});
  CHECK(trie(matcher, "golang.org/x/crypto/md4.New").empty());
}

TEST_CASE("a matcher matches nothing until finish(), and again after more patterns") {
  NameMatcher matcher;
  matcher.add(1, NameMatch::prefix, "crypto/");
  CHECK_FALSE(matcher.matches_any("crypto/md5.Sum"));
  matcher.finish();
  CHECK(matcher.matches_any("crypto/md5.Sum"));
  matcher.add(2, NameMatch::exact, "runtime.main");
  matcher.finish();
  CHECK(trie(matcher, "runtime.main") == std::set<uint32_t>{2});
  CHECK(trie(matcher, "crypto/md5.Sum") == std::set<uint32_t>{1});
}

TEST_CASE("a pattern holding a NUL matches no name, not even across a name's end") {
  NameMatcher matcher;
  matcher.add(1, NameMatch::prefix, std::string("crypto/md5\0crypto", 17));
  matcher.add(2, NameMatch::exact, std::string("main.f\0", 7));
  matcher.add(3, NameMatch::prefix, "crypto/sha1");
  matcher.finish();
  const std::string table("crypto/md5.New\0crypto/md5\0crypto/sha1.New\0main.f\0", 49);
  CHECK(trie(matcher, fipsgate::TerminatedName{table.data() + 15, table.size() - 15}).empty());
  CHECK(trie(matcher, fipsgate::TerminatedName{table.data() + 42, table.size() - 42}).empty());
  CHECK(trie(matcher, fipsgate::TerminatedName{table.data() + 26, table.size() - 26}) ==
        std::set<uint32_t>{3});
  CHECK(trie(matcher, std::string_view("crypto/md5")).empty());
}

TEST_CASE("same_bytes agrees with memcmp at every length and at every differing byte") {
  // Lengths around the 8-byte words and the overlapping last word; a difference at each position,
  // in the low and the high bit, and the bytes read straight from a table (unaligned).
  const std::string table =
      std::string(3, 'x') + "github.com/aws/aws-sdk-go-v2/service/ec2.(*Client)";
  for (uint64_t length = 0; length + 3 <= table.size(); ++length) {
    const char* name = table.data() + 3;
    std::string other(name, length);
    CHECK(fipsgate::same_bytes(name, other.data(), length));
    for (uint64_t at = 0; at < length; ++at) {
      for (char flip : {'\x01', '\x80'}) {
        other[at] = static_cast<char>(other[at] ^ flip);
        CHECK_FALSE(fipsgate::same_bytes(name, other.data(), length));
        CHECK(fipsgate::same_bytes(name, other.data(), at));
        other[at] = static_cast<char>(other[at] ^ flip);
      }
    }
  }
}
