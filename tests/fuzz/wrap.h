// How the table-level fuzz targets turn their input into an ELF file (shared with the
// regression test, which replays kept inputs the same way). Each input is one Shape byte and
// then the bytes of one structure, placed at a fixed address.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "fuzz_target.h"

namespace fipsgate::fuzzing {

// pclntab target: the rest is .gopclntab at kPclntabVaddr.
inline testing::BuiltElf wrap_pclntab_input(const Shape& shape, std::string table) {
  const uint64_t end = kPclntabVaddr + table.size();
  return wrap_in_elf(shape, {{".gopclntab", kPclntabVaddr, 2, std::move(table)}},
                     {{"runtime.text", kTextVaddr, 0, 2, ".text"},
                      {"runtime.pclntab", kPclntabVaddr, 0, 1, ".gopclntab"},
                      {"runtime.epclntab", end, 0, 1, ".gopclntab"}});
}

// build_info target: the rest is a writable .go.buildinfo at kDataVaddr and also .rodata.
inline testing::BuiltElf wrap_build_info_input(const Shape& shape, const std::string& blob) {
  return wrap_in_elf(shape,
                     {{".rodata", kRodataVaddr, 2, blob}, {".go.buildinfo", kDataVaddr, 3, blob}},
                     {{"runtime.buildVersion", kDataVaddr + 32, 16, 1, ".go.buildinfo"}});
}

// The fixed valid pclntab of the moduledata target: the shape's layout bits (variant & 3),
// byte order and word size, sample_functions(), text at kTextVaddr.
inline const std::string& moduledata_target_pclntab(const Shape& shape) {
  static std::array<std::optional<std::string>, 256> cache;
  auto& slot = cache[shape.bits() & 0x33];
  if (!slot) {
    PclntabSpec spec;
    spec.version = static_cast<PclntabVersion>(shape.variant & 3);
    spec.endian = shape.endian;
    spec.pointer_size = shape.pointer_size;
    spec.text_start = kTextVaddr;
    spec.functions = sample_functions();
    slot = make_pclntab(spec);
  }
  return *slot;
}

// moduledata target: the rest is .noptrdata at kDataVaddr (runtime.firstmoduledata).
inline testing::BuiltElf wrap_moduledata_input(const Shape& shape, std::string moduledata) {
  const uint64_t size = moduledata.size();
  return wrap_in_elf(shape,
                     {{".gopclntab", kPclntabVaddr, 2, moduledata_target_pclntab(shape)},
                      {".noptrdata", kDataVaddr, 3, std::move(moduledata)}},
                     {{"runtime.firstmoduledata", kDataVaddr, size, 1, ".noptrdata"}});
}

}  // namespace fipsgate::fuzzing
