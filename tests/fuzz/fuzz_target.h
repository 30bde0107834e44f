// Shared by the libFuzzer entry points: abort (so libFuzzer keeps the input) when a reader broke
// one of the invariants in exercise.h.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "exercise.h"
#include "synthetic_go.h"

namespace fipsgate::fuzzing {

inline void abort_on(const Violations& violations) {
  if (violations.empty()) return;
  for (const std::string& message : violations.messages)
    std::fprintf(stderr, "invariant broken: %s\n", message.c_str());
  std::abort();
}

// The first input byte chooses the target's byte order, word size and which optional parts
// (symbols, section headers) the wrapping ELF gets, so one corpus covers every combination.
struct Shape {
  Endian endian = Endian::little;
  unsigned pointer_size = 8;
  bool with_symbols = true;
  bool with_section_headers = true;
  unsigned variant = 0;  // target-specific (pclntab layout, ...)

  static Shape from(uint8_t bits) {
    Shape shape;
    shape.endian = (bits & 1) ? Endian::big : Endian::little;
    shape.pointer_size = (bits & 2) ? 4 : 8;
    shape.with_symbols = !(bits & 4);
    shape.with_section_headers = !(bits & 8);
    shape.variant = bits >> 4;
    return shape;
  }
  uint8_t bits() const {
    return static_cast<uint8_t>((endian == Endian::big ? 1 : 0) | (pointer_size == 4 ? 2 : 0) |
                                (with_symbols ? 0 : 4) | (with_section_headers ? 0 : 8) |
                                (variant << 4));
  }
};

// Fixed addresses of the wrapping ELF, so that seeds can hold pointers into it.
inline constexpr uint64_t kTextVaddr = 0x401000, kTextBytes = 0x400;
inline constexpr uint64_t kPclntabVaddr = 0x500000, kRodataVaddr = 0x580000;
inline constexpr uint64_t kDataVaddr = 0x600000;

struct Placement {
  std::string name;
  uint64_t vaddr = 0;
  uint64_t flags = 2;  // SHF_ALLOC (+1 write, +4 exec)
  std::string bytes;
};

// An ELF of the given shape with .text at kTextVaddr plus the given sections; symbols name
// the start of each section they are given for.
inline testing::BuiltElf wrap_in_elf(const Shape& shape, std::vector<Placement> placements,
                                     const std::vector<testing::SymbolSpec>& symbols) {
  testing::ElfSpec elf;
  elf.is_64bit = shape.pointer_size == 8;
  elf.endian = shape.endian;
  elf.machine = shape.endian == Endian::big ? (elf.is_64bit ? 22 : 8) : (elf.is_64bit ? 62 : 3);
  elf.write_section_headers = shape.with_section_headers;
  elf.sections.push_back({".text", 1, 2 | 4, kTextVaddr, 16, std::string(kTextBytes, '\xcc'), 0});
  for (Placement& placement : placements)
    elf.sections.push_back(
        {placement.name, 1, placement.flags, placement.vaddr, 16, std::move(placement.bytes), 0});
  if (shape.with_symbols) elf.symbols = symbols;
  return testing::build_elf(elf);
}

}  // namespace fipsgate::fuzzing
