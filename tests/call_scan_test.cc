// The amd64 call scan's vector code (AVX2 where the CPU has it, SSE2, and the scalar tail) must
// report exactly the E8 bytes a plain loop finds, at every length and alignment of the text, and
// its prefilter must keep every call into the targets' span.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "analysis/analysis_internal.h"

using fipsgate::ByteView;
using fipsgate::analysis::e8_call_candidates;
using fipsgate::analysis::e8_prefilter;
using fipsgate::analysis::E8Prefilter;
using fipsgate::analysis::Simd;

namespace {

// The definition (analysis_internal.h), one offset at a time: data[i] is E8, and with P the
// address after a call there, the destination's low byte has the misaligned bits clear and its
// bits 16-23, less a possible carry, lie within the span's.
std::vector<uint64_t> plain_loop(const std::string& text, const E8Prefilter& filter) {
  std::vector<uint64_t> offsets;
  for (uint64_t i = 0; i + 5 <= text.size(); ++i) {
    const uint64_t after = filter.first_after + i;
    const auto opcode = static_cast<uint8_t>(text[i]);
    const auto destination_low = static_cast<uint8_t>(static_cast<uint8_t>(text[i + 1]) + after);
    const auto span_offset =
        static_cast<uint8_t>(static_cast<uint8_t>(text[i + 3]) + (after >> 16) - filter.span_low);
    if (opcode == 0xE8 && (destination_low & filter.misaligned) == 0 &&
        span_offset <= filter.span_width) {
      offsets.push_back(i);
    }
  }
  return offsets;
}

}  // namespace

TEST_CASE("every vector path of the call scan finds what a plain loop finds") {
  std::mt19937_64 random(20261127);
  for (int round = 0; round < 2000; ++round) {
    // A third of the bytes E8, so that hits land in every lane and across block edges.
    std::string text(random() % 300, '\0');
    for (char& c : text) c = static_cast<char>(random() % 3 == 0 ? 0xE8 : random() % 256);
    E8Prefilter filter;
    filter.misaligned = std::vector<uint8_t>{0, 1, 15, 31, 63}[random() % 5];
    // Half the texts start just before a 64 KiB boundary of the address after a call, so that
    // bits 16-23 change inside a vector step.
    filter.first_after = random() % 2 == 0 ? random() : (random() << 16) - random() % 100;
    filter.span_low = static_cast<uint8_t>(random());
    filter.span_width = std::vector<uint8_t>{0, 3, 9, 127, 254, 255}[random() % 6];
    const auto expected = plain_loop(text, filter);
    for (Simd simd : {Simd::best, Simd::sse2, Simd::scalar}) {
      INFO("round ", round, " size ", text.size(), " simd ", static_cast<int>(simd));
      CHECK(e8_call_candidates(ByteView(text), filter, simd) == expected);
    }
  }
}

TEST_CASE("the call scan's prefilter keeps every call whose destination lies in the span") {
  std::mt19937_64 random(20261128);
  for (int round = 0; round < 20000; ++round) {
    // Spans from one byte to past 255 blocks of 64 KiB, anywhere below 2^40; a call site within
    // 2^31 of the destination, which is any address of the span.
    const uint64_t lowest = (random() % (uint64_t{1} << 40)) & ~uint64_t{31};
    const uint64_t highest = lowest + (random() % 4 == 0 ? random() % (uint64_t{1} << 25)
                                                         : random() % (uint64_t{1} << 20));
    // 32-byte aligned, like lowest, so it stays within [lowest, highest].
    const uint64_t destination = (lowest + random() % (highest - lowest + 1)) & ~uint64_t{31};
    const int64_t displacement = static_cast<int32_t>(random());
    const uint64_t after = destination - static_cast<uint64_t>(displacement);
    std::string text = {'\xE8', 0, 0, 0, 0, '\x90', '\x90', '\x90'};
    for (int byte = 0; byte < 4; ++byte) {
      text[1 + byte] = static_cast<char>(static_cast<uint64_t>(displacement) >> (8 * byte));
    }
    // The text starts `lead` bytes before the call, so the call lands in every lane.
    const uint64_t lead = random() % 70;
    text.insert(0, std::string(lead, '\x90'));
    const E8Prefilter filter = e8_prefilter(after - lead, 31, lowest, highest);
    for (Simd simd : {Simd::best, Simd::sse2, Simd::scalar}) {
      INFO("lowest ", lowest, " highest ", highest, " destination ", destination, " lead ", lead);
      CHECK(e8_call_candidates(ByteView(text), filter, simd) == std::vector<uint64_t>{lead});
    }
  }
}

TEST_CASE("the call scan's prefilter turns away calls far from the span") {
  // Entries in [0x630000, 0x6cffff]: a call to 0x400000 (the runtime, say) is not a candidate,
  // one to 0x640000 is, and one to 0x1640000 (16 MiB on: the same bits 16-23) is too.
  const uint64_t after = 0x900005;
  const E8Prefilter filter = e8_prefilter(after, 31, 0x637080, 0x6c49c0);
  for (uint64_t destination : {uint64_t{0x400000}, uint64_t{0x640000}, uint64_t{0x1640000}}) {
    const auto displacement = static_cast<uint32_t>(destination - after);
    std::string text = {'\xE8', 0, 0, 0, 0};
    for (int byte = 0; byte < 4; ++byte)
      text[1 + byte] = static_cast<char>(displacement >> (8 * byte));
    const bool near = destination != 0x400000;
    CHECK(e8_call_candidates(ByteView(text), filter, Simd::scalar).size() == (near ? 1u : 0u));
  }
}
