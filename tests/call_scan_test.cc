// The amd64 call scan's vector code (AVX2 where the CPU has it, SSE2, and the scalar tail) must
// report exactly the E8 bytes a plain loop finds, at every length and alignment of the text.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "analysis/analysis_internal.h"

using fipsgate::ByteView;
using fipsgate::analysis::e8_call_candidates;
using fipsgate::analysis::Simd;

namespace {

// The definition: data[i] is E8, a displacement follows, and the destination (address after the
// call plus the displacement) has the misaligned bits clear; only its low byte matters for that.
std::vector<uint64_t> plain_loop(const std::string& text, uint8_t misaligned, uint8_t first_after) {
  std::vector<uint64_t> offsets;
  for (uint64_t i = 0; i + 5 <= text.size(); ++i) {
    const auto opcode = static_cast<uint8_t>(text[i]);
    const auto displacement_low = static_cast<uint8_t>(text[i + 1]);
    const auto destination_low = static_cast<uint8_t>(first_after + i + displacement_low);
    if (opcode == 0xE8 && (destination_low & misaligned) == 0) offsets.push_back(i);
  }
  return offsets;
}

}  // namespace

TEST_CASE("every vector path of the call scan finds what a plain loop finds") {
  std::mt19937 random(20261127);
  for (int round = 0; round < 400; ++round) {
    // A third of the bytes E8, so that hits land in every lane and across block edges.
    std::string text(random() % 200, '\0');
    for (char& c : text) c = static_cast<char>(random() % 3 == 0 ? 0xE8 : random() % 256);
    const uint8_t misaligned = std::vector<uint8_t>{0, 1, 15, 31, 63}[random() % 5];
    const auto first_after = static_cast<uint8_t>(random());
    const auto expected = plain_loop(text, misaligned, first_after);
    for (Simd simd : {Simd::best, Simd::sse2, Simd::scalar}) {
      INFO("round ", round, " size ", text.size(), " simd ", static_cast<int>(simd));
      CHECK(e8_call_candidates(ByteView(text), misaligned, first_after, simd) == expected);
    }
  }
}
