// The funcname table check in stretches: however the table is cut, joining the stretches in
// order must give what one plain pass gives, the same end or the same error.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "fipsgate/io/limits.h"
#include "go/funcname_check.h"

using fipsgate::ByteView;
using fipsgate::find_nul_runs;
using fipsgate::join_nul_runs;
using fipsgate::NulRuns;
using fipsgate::Result;

namespace {

constexpr uint64_t kMax = fipsgate::limits::kMaxFunctionNameBytes;

// One byte at a time: the first name longer than kMax (its start), else one past the last NUL.
struct Plain {
  bool too_long = false;
  uint64_t at = 0;
};
Plain plain_check(const std::string& table) {
  uint64_t start = 0;
  for (uint64_t i = 0; i < table.size(); ++i) {
    if (table[i] != '\0') continue;
    if (i - start > kMax) return {true, start};
    start = i + 1;
  }
  if (table.size() - start > kMax) return {true, start};
  return {false, start};
}

// Names of random lengths: mostly short, a few near the limit (at it, or one byte either side),
// sometimes an unterminated tail.
std::string random_table(std::mt19937_64& random, size_t names) {
  const auto pick = [&](uint64_t low, uint64_t high) {
    return std::uniform_int_distribution<uint64_t>(low, high)(random);
  };
  std::vector<uint64_t> lengths(names);
  for (uint64_t& length : lengths) length = pick(0, 300);
  for (uint64_t near_limit = pick(0, 2); near_limit > 0; --near_limit) {
    lengths[pick(0, names - 1)] = kMax - 1 + pick(0, 2);
  }
  std::string table;
  for (size_t i = 0; i < names; ++i) {
    table.append(lengths[i], static_cast<char>('a' + i % 26));
    table.push_back('\0');
  }
  if (pick(0, 99) < 30) table.append(pick(1, 200), 'z');
  if (pick(0, 99) < 5) table.append(kMax + 1, 'z');
  return table;
}

Result<uint64_t> joined(const std::string& table, std::vector<uint64_t> cuts) {
  const ByteView names(table);
  std::vector<NulRuns> stretches;
  uint64_t begin = 0;
  cuts.push_back(table.size());
  for (uint64_t cut : cuts) {
    stretches.push_back(find_nul_runs(names, begin, cut));
    begin = cut;
  }
  return join_nul_runs(names, stretches);
}

}  // namespace

TEST_CASE("the funcname table check gives the same answer however the table is cut") {
  std::mt19937_64 random(20261128);
  int long_names = 0;
  for (int round = 0; round < 60; ++round) {
    const std::string table = random_table(random, 1 + round * 40);
    const Plain expected = plain_check(table);
    long_names += expected.too_long ? 1 : 0;
    for (int cutting = 0; cutting < 8; ++cutting) {
      std::vector<uint64_t> cuts;
      const auto pieces = std::uniform_int_distribution<int>(0, 6)(random);
      for (int piece = 0; piece < pieces; ++piece) {
        cuts.push_back(std::uniform_int_distribution<uint64_t>(0, table.size())(random));
      }
      std::sort(cuts.begin(), cuts.end());
      CAPTURE(round);
      CAPTURE(cuts.size());
      const Result<uint64_t> result = joined(table, cuts);
      REQUIRE(result.ok() == !expected.too_long);
      if (result.ok()) {
        CHECK(*result == expected.at);
      } else {
        CHECK(result.error().message().find("more than " + std::to_string(kMax) +
                                            " bytes without a NUL") != std::string::npos);
        CHECK(result.error().message().find(ByteView(table).where(expected.at)) !=
              std::string::npos);
      }
    }
  }
  CHECK(long_names > 5);  // the tables exercised both outcomes
  CHECK(long_names < 50);
}

TEST_CASE("a name one byte over the limit is found across every cut near it") {
  // Short names, one name of kMax + 1 bytes, short names: cut at every offset around its ends.
  const std::string head = std::string(100, 'a') + '\0' + std::string(37, 'b') + '\0';
  for (uint64_t length : {kMax, kMax + 1}) {
    const std::string table = head + std::string(length, 'x') + '\0' + "tail" + '\0';
    for (uint64_t cut : {uint64_t{0}, uint64_t{100}, uint64_t{101}, uint64_t{138}, uint64_t{139},
                         uint64_t{140}, 139 + length - 1, 139 + length, 139 + length + 1,
                         uint64_t{139 + 64}, uint64_t{139 + 65}}) {
      CAPTURE(length);
      CAPTURE(cut);
      const Result<uint64_t> result = joined(table, {cut});
      CHECK(result.ok() == (length == kMax));
      if (!result.ok()) {
        CHECK(result.error().message().find(ByteView(table).where(139)) != std::string::npos);
      }
    }
  }
}
