// The amd64 call scan's vector code (AVX-512 and AVX2 where the CPU has them, SSE2, and the
// scalar tail) must report exactly the E8 bytes a plain loop finds, at every length and alignment
// of the text, and its prefilter must keep every call into the targets' spans.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "analysis/analysis_internal.h"

using fipsgate::ByteView;
using fipsgate::analysis::BlockSpan;
using fipsgate::analysis::e8_call_candidates;
using fipsgate::analysis::e8_prefilter;
using fipsgate::analysis::E8Prefilter;
using fipsgate::analysis::Simd;

namespace {

constexpr Simd kEveryPath[] = {Simd::best, Simd::avx2, Simd::sse2, Simd::scalar};

bool in_span(uint16_t block, const BlockSpan& span) {
  return static_cast<uint16_t>(block - span.low) <= span.width;
}

// The definition (analysis_internal.h), one offset at a time: data[i] is E8, and with P the
// address after a call there, the destination's low byte has the misaligned bits clear and its
// bits 16-31, less a possible carry, lie in one of the two block spans.
std::vector<uint64_t> plain_loop(const std::string& text, const E8Prefilter& filter) {
  std::vector<uint64_t> offsets;
  const auto byte = [&](uint64_t at) { return static_cast<uint8_t>(text[at]); };
  for (uint64_t i = 0; i + 5 <= text.size(); ++i) {
    const uint64_t after = filter.first_after + i;
    const auto destination_low = static_cast<uint8_t>(byte(i + 1) + after);
    const auto block = static_cast<uint16_t>(byte(i + 3) + 256 * byte(i + 4) + (after >> 16));
    if (byte(i) == 0xE8 && (destination_low & filter.misaligned) == 0 &&
        (in_span(block, filter.blocks[0]) || in_span(block, filter.blocks[1]))) {
      offsets.push_back(i);
    }
  }
  return offsets;
}

// A call at offset `lead` of a text of NOPs, to `destination` from `after` (the address after it).
std::string text_with_call(uint64_t lead, uint64_t after, uint64_t destination) {
  const auto displacement = static_cast<uint32_t>(destination - after);
  std::string text(lead, '\x90');
  text += '\xE8';
  for (int byte = 0; byte < 4; ++byte) text += static_cast<char>(displacement >> (8 * byte));
  return text + "\x90\x90\x90";
}

}  // namespace

TEST_CASE("every vector path of the call scan finds what a plain loop finds") {
  std::mt19937_64 random(20261127);
  for (int round = 0; round < 4000; ++round) {
    // A third of the bytes E8, so that hits land in every lane and across block edges.
    std::string text(random() % 300, '\0');
    for (char& c : text) c = static_cast<char>(random() % 3 == 0 ? 0xE8 : random() % 256);
    // Half the texts start just before a 64 KiB boundary of the address after a call, so that
    // bits 16-31 change inside a vector step.
    const uint64_t first_after = random() % 2 == 0 ? random() : (random() << 16) - random() % 100;
    // Two ranges from a byte to past 65,536 blocks of 64 KiB (where a span tests nothing), so
    // that random displacements fall in them often enough.
    const auto range_bytes = [&] {
      const unsigned bits = std::vector<unsigned>{8, 20, 24, 30, 31, 33}[random() % 6];
      return random() % (uint64_t{1} << bits);
    };
    const uint64_t lowest = random() % (uint64_t{1} << 40);
    const uint64_t first_end = lowest + range_bytes();
    const uint64_t second_start = first_end + range_bytes();
    const uint64_t highest = second_start + range_bytes();
    const auto misaligned = std::vector<uint8_t>{0, 1, 15, 31, 63}[random() % 5];
    const E8Prefilter filter =
        random() % 4 == 0
            ? e8_prefilter(first_after, misaligned, lowest, highest)
            : e8_prefilter(first_after, misaligned, lowest, first_end, second_start, highest);
    const auto expected = plain_loop(text, filter);
    for (Simd simd : kEveryPath) {
      INFO("round ", round, " size ", text.size(), " simd ", static_cast<int>(simd));
      CHECK(e8_call_candidates(ByteView(text), filter, simd) == expected);
    }
  }
}

TEST_CASE("the call scan's prefilter keeps every call whose destination lies in a span") {
  std::mt19937_64 random(20261128);
  for (int round = 0; round < 20000; ++round) {
    // Two ranges from one byte to 32 MiB, the second up to 1 GiB on, anywhere below 2^40; a call
    // site within 2^31 of the destination, which is any entry of either range.
    const auto range_bytes = [&] {
      return random() % 4 == 0 ? random() % (uint64_t{1} << 25) : random() % (uint64_t{1} << 20);
    };
    const uint64_t lowest = (random() % (uint64_t{1} << 40)) & ~uint64_t{31};
    const uint64_t first_end = lowest + range_bytes();
    const uint64_t second_start = first_end + random() % (uint64_t{1} << 30);
    const uint64_t highest = second_start + range_bytes();
    const bool in_second = random() % 2 == 0;
    const uint64_t from = in_second ? second_start : lowest;
    const uint64_t to = in_second ? highest : first_end;
    const uint64_t destination = (from + 31 + random() % (to - from + 1)) & ~uint64_t{31};
    if (destination > to) continue;  // no 32-byte aligned address in a range of a few bytes
    const uint64_t after = destination - static_cast<uint64_t>(static_cast<int32_t>(random()));
    // The text starts `lead` bytes before the call, so the call lands in every lane.
    const uint64_t lead = random() % 70;
    const std::string text = text_with_call(lead, after, destination);
    const E8Prefilter filter =
        e8_prefilter(after - lead, 31, lowest, first_end, second_start, highest);
    for (Simd simd : kEveryPath) {
      INFO("ranges ", lowest, "-", first_end, " ", second_start, "-", highest, " destination ",
           destination, " lead ", lead);
      CHECK(e8_call_candidates(ByteView(text), filter, simd) == std::vector<uint64_t>{lead});
    }
  }
}

TEST_CASE("the call scan's prefilter turns away calls outside the spans") {
  // Entries in [0x5cfec0, 0x66fb00] and [0x14454240, 0x14953e00], as in the 707 MB provider: a
  // call into the runtime (0x450000, whose bits 16-23 are those of the second cluster's first
  // block) is not a candidate, nor one between the clusters or past them; one into either is.
  const uint64_t after = 0x9000005;
  const E8Prefilter filter = e8_prefilter(after, 31, 0x5cfec0, 0x66fb00, 0x14454240, 0x14953e00);
  const std::vector<std::pair<uint64_t, bool>> calls = {
      {0x450000, false},  {0x600000, true},    {0x66fb00, true},
      {0x6fffe0, false},  {0x8000000, false},  {0x14460000, true},
      {0x14900000, true}, {0x14a40000, false}, {0x15450000, false},
  };
  for (const auto& [destination, kept] : calls) {
    const std::string text = text_with_call(0, after, destination);
    for (Simd simd : kEveryPath) {
      INFO("destination ", destination, " simd ", static_cast<int>(simd));
      CHECK(e8_call_candidates(ByteView(text), filter, simd).size() == (kept ? 1u : 0u));
    }
  }
}

TEST_CASE("the call scan's block test agrees with a plain loop where P crosses 64 KiB") {
  // A call in every lane of a step in which P reaches the next 64 KiB at every lane, aimed at
  // the blocks on either side of each edge of a span: a lane that took the wrong bits 16-31 of P
  // would let in a block outside the span or turn away one inside.
  for (uint64_t crossing = 0; crossing <= 70; ++crossing) {
    for (uint64_t lead = 0; lead < 128; ++lead) {
      const uint64_t first_after = (uint64_t{0x7123} << 16) - crossing;
      const E8Prefilter filter = e8_prefilter(first_after, 0, 0x75550040, 0x7558ffc0);
      const BlockSpan span = filter.blocks[0];
      const auto high = static_cast<uint16_t>((first_after + lead) >> 16);
      const int width = span.width;
      for (int edge : {-1, 0, width, width + 1}) {
        const auto block = static_cast<uint16_t>(span.low + edge);
        std::string text(lead, '\x90');
        text +=
            {'\xE8', 0, 0, static_cast<char>(block - high), static_cast<char>((block - high) >> 8)};
        text += "\x90\x90\x90";
        const auto expected = plain_loop(text, filter);
        REQUIRE(expected.size() == (edge == -1 || edge == width + 1 ? 0u : 1u));
        for (Simd simd : kEveryPath) {
          INFO("crossing ", crossing, " lead ", lead, " edge ", edge, " simd ",
               static_cast<int>(simd));
          CHECK(e8_call_candidates(ByteView(text), filter, simd) == expected);
        }
      }
    }
  }
}
