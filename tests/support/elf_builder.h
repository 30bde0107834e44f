// Builds synthetic ELF files in memory for tests: ELF32 or ELF64, little or big endian, with
// the sections the test asks for, each placed in a PT_LOAD segment by its flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fipsgate/io/byte_view.h"

namespace fipsgate::testing {

// ELF section flags (SHF_*), for composing SectionSpec::flags in tests.
inline constexpr uint64_t kShfWrite = 1, kShfAlloc = 2, kShfExec = 4;

struct SectionSpec {
  std::string name;
  uint32_t type = 1;   // SHT_PROGBITS
  uint64_t flags = 2;  // SHF_ALLOC; add 1 for SHF_WRITE, 4 for SHF_EXECINSTR
  uint64_t vaddr = 0;  // 0: placed after the previous allocated section
  uint64_t align = 16;
  std::string bytes;  // file contents (ignored for SHT_NOBITS, whose size is nobits_size)
  uint64_t nobits_size = 0;
};

struct SymbolSpec {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 2;     // STT_FUNC
  std::string section;  // name of the section it belongs to ("" = SHN_ABS)
};

// An ELF note (name, type, descriptor), written 4-byte aligned into a .note section that a
// PT_NOTE segment also covers. namesz counts the name's NUL, as GNU ld and Go's linker write it.
struct NoteSpec {
  std::string name;  // "Go" or "GNU"
  uint32_t type = 0;
  std::string desc;
};

struct ElfSpec {
  bool is_64bit = true;
  Endian endian = Endian::little;
  uint16_t machine = 62;  // EM_X86_64
  uint16_t type = 2;      // ET_EXEC
  uint64_t base_vaddr = 0x400000;
  std::vector<SectionSpec> sections;
  std::vector<SymbolSpec> symbols;    // non-empty: adds .symtab/.strtab
  std::string interpreter;            // non-empty: adds .interp and PT_INTERP
  std::vector<std::string> needed;    // non-empty: adds .dynamic/.dynstr and PT_DYNAMIC
  bool dynamic_section = false;       // true: adds .dynamic even without needed libraries
  uint64_t dynamic_flags_1 = 0;       // non-zero: adds a DT_FLAGS_1 entry (DF_1_PIE = 0x08000000)
  std::vector<NoteSpec> notes;        // non-empty: adds .note and PT_NOTE
  bool write_section_headers = true;  // false: e_shoff = 0, e_shnum = 0 (stripped headers)
};

// The finished file plus where each section landed, for tests that patch bytes afterwards.
struct BuiltElf {
  std::string bytes;
  struct Placed {
    std::string name;
    uint64_t vaddr;
    uint64_t file_offset;
    uint64_t size;
  };
  std::vector<Placed> placed;
  const Placed* find(const std::string& name) const;
  ByteView view() const { return ByteView(bytes); }
};

BuiltElf build_elf(const ElfSpec& spec);

// The bytes of one note entry, as build_elf writes it (4-byte alignment).
std::string note_bytes(const NoteSpec& note, Endian endian);

// Little helpers for composing section contents in a given byte order.
void put_uint(std::string& out, uint64_t value, unsigned size_bytes, Endian endian);
void put_uvarint(std::string& out, uint64_t value);
void pad_to(std::string& out, uint64_t alignment);

}  // namespace fipsgate::testing
