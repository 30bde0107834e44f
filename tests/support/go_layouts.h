// Writes synthetic Go runtime tables for tests: a pclntab in each reference layout (magics
// 0xFFFFFFFB/FA/F0/F1, either byte order, 4- or 8-byte pointers), a moduledata in each field
// layout (1.8–1.15, 1.16–1.17, 1.18–1.19, 1.20–1.25, 1.26), and whole ELF files holding them the
// way each Go release places them (docs/go-binary-reference.md §2, §3). The writers follow the
// Go struct declarations field by field, independently of the readers' offset tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fipsgate/go/moduledata.h"
#include "fipsgate/go/pclntab.h"
#include "support/elf_builder.h"

namespace fipsgate::testing {

struct GoFunctionSpec {
  std::string name;
  uint64_t size_bytes = 0x40;  // functions are laid out back to back from the text start
};

struct PclntabSpec {
  PclntabVersion version = PclntabVersion::go120;
  Endian endian = Endian::little;
  unsigned pointer_size = 8;
  unsigned quantum = 1;
  uint64_t text_start = 0x401000;  // runtime.text
  // false: pcHeader.textStart is written as 0, as Go 1.26 does (reference §2.4).
  bool header_text_start = true;
  std::vector<GoFunctionSpec> functions;
  // 1.16+: names that only appear in the funcname table (inlined functions).
  std::vector<std::string> inlined_only_names;
  std::vector<std::string> files = {"/src/main.go"};
};

// A built pclntab and where its parts are, as offsets from its first byte.
struct BuiltPclntab {
  std::string bytes;
  uint64_t funcname_offset = 0;  // 0 before 1.16 (names are among the records)
  uint64_t cu_offset = 0, filetab_offset = 0, pctab_offset = 0;  // 1.16+
  uint64_t functab_offset = 0;  // pclnOffset (1.16+) or 8+ptrsize (1.2)
  uint64_t function_count = 0;
  uint64_t text_size_bytes = 0;  // sum of the functions' sizes
  // Offsets of each function's _func record and of its name, for tests that corrupt them.
  std::vector<uint64_t> record_offsets;
  std::vector<uint64_t> name_offsets;
};

BuiltPclntab build_pclntab(const PclntabSpec& spec);

struct ModuleDataSpec {
  ModuleDataLayout layout = ModuleDataLayout::go120;
  Endian endian = Endian::little;
  unsigned pointer_size = 8;
  uint64_t vaddr = 0;          // where the moduledata will be loaded
  uint64_t pclntab_vaddr = 0;  // where the pclntab will be loaded
  const BuiltPclntab* pclntab = nullptr;
  uint64_t text_start = 0, text_end = 0;
  // Empty: one entry {0, text size, text_start}. The entries are written right after the
  // moduledata struct (at vaddr + struct size, pointer-aligned).
  std::vector<TextSection> text_sections;
};

// The moduledata struct followed by its textsectmap entries.
std::string build_moduledata(const ModuleDataSpec& spec);

// Size of the moduledata struct (through modulehashes) for a layout and pointer size.
uint64_t moduledata_struct_bytes(ModuleDataLayout layout, unsigned pointer_size);

enum class PclntabPlacement : uint8_t {
  own_section,    // .gopclntab (Go ≤1.25 executables)
  inside_rodata,  // Go 1.26: part of .rodata, no section of its own
};

enum class ModuleDataPlacement : uint8_t {
  noptrdata,  // runtime.firstmoduledata in .noptrdata (Go ≤1.25)
  go_module,  // Go 1.26: section .go.module
  absent,
};

struct GoElfSpec {
  PclntabSpec pclntab;
  ModuleDataLayout layout = ModuleDataLayout::go120;
  PclntabPlacement pclntab_placement = PclntabPlacement::own_section;
  ModuleDataPlacement moduledata_placement = ModuleDataPlacement::noptrdata;
  // runtime.text, runtime.pclntab, runtime.epclntab, runtime.firstmoduledata symbols.
  bool write_symbols = false;
  bool write_section_headers = true;
  // A word equal to the pclntab address, not followed by a moduledata, placed before the real
  // moduledata (tests that the pointer scan validates what it finds).
  bool decoy_pointer = false;
  std::vector<SectionSpec> extra_sections;  // e.g. .go.buildinfo
};

// Fixed addresses used by build_go_elf (the ELF builder honours explicit section addresses).
inline constexpr uint64_t kGoRodataVaddr = 0x500000;
inline constexpr uint64_t kGoPclntabSectionVaddr = 0x540000;
inline constexpr uint64_t kGoDataVaddr = 0x600000;
// Inside .rodata, the pclntab starts this far in (Go 1.26 placement).
inline constexpr uint64_t kGoPclntabInRodataOffset = 0x100;

struct BuiltGoElf {
  BuiltElf elf;
  BuiltPclntab pclntab;
  uint64_t pclntab_vaddr = 0;
  uint64_t moduledata_vaddr = 0;  // 0 when absent
};

// A Go-like ELF: .text of the functions' total size at pclntab.text_start, the pclntab and the
// moduledata placed as asked. ELF class and byte order follow pclntab.pointer_size and endian.
BuiltGoElf build_go_elf(const GoElfSpec& spec);

// Three functions with ordinary names, for tests that only need some table.
std::vector<GoFunctionSpec> sample_functions();

}  // namespace fipsgate::testing
