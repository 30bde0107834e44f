// moduledata: the runtime's per-module descriptor (runtime.firstmoduledata). It gives the text
// range that Go 1.18+ function entries are relative to (Go 1.26 writes textStart 0 in the
// pclntab header, so the text start must come from here). Layouts: reference §3.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/pclntab.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

// Field layouts of runtime.moduledata that differ in where text/etext and the tail slices sit.
enum class ModuleDataLayout : uint8_t {
  go12,   // Go 1.8–1.15 (pclntable slice first)
  go116,  // Go 1.16–1.17
  go118,  // Go 1.18–1.19 (rodata, gofunc added)
  go120,  // Go 1.20–1.25 (covctrs added)
  go126,  // Go 1.26 (epclntab before textsectmap)
  go127,  // Go 1.27 (typedesclen, itaboffset, itabsize added; typelinks, itablinks removed)
};
std::string_view to_string(ModuleDataLayout layout);

// A Go slice header as stored in the file: {data pointer, length, capacity}.
struct GoSlice {
  uint64_t data = 0, length = 0, capacity = 0;
};

// One entry of moduledata.textsectmap: text section [vaddr, end) relative to the module text,
// loaded at baseaddr (reference §3.3).
struct TextSection {
  uint64_t vaddr = 0, end = 0, base_address = 0;
};

struct ModuleData {
  uint64_t vaddr = 0;
  uint64_t file_offset = 0;
  std::string found_in;  // "symbol runtime.firstmoduledata", "section .go.module", "pointer scan in
                         // segment 0x..."
  ModuleDataLayout layout = ModuleDataLayout::go120;
  uint64_t text_start = 0, text_end = 0, min_pc = 0, max_pc = 0;
  uint64_t pcheader_vaddr = 0;  // 1.16+: the pcHeader pointer; 1.2–1.15: pclntable data pointer
  GoSlice funcname_table, cu_table, file_table, pc_table, pclntable, ftab;
  uint64_t types = 0, etypes = 0;
  uint64_t rodata = 0, gofunc = 0;             // 1.18+
  uint64_t pclntab_end = 0;                    // 1.26: epclntab, the end of the pclntab
  GoSlice textsect_map, typelinks, itablinks;  // typelinks/itablinks: before 1.27 only
  // Decoded textsectmap (usually one entry; bounded, at most 4096 entries).
  std::vector<TextSection> text_sections;
};

// Finds and decodes moduledata for `pclntab`: the runtime.firstmoduledata symbol, Go 1.26's
// .go.module section, else a scan of the writable segments for a pointer to the pclntab's
// vaddr followed by slices that agree with the pclntab header (funcnametab, ftab).
Result<ModuleData> find_moduledata(const BinaryImage& image, const Pclntab& pclntab);

// Decodes moduledata at `vaddr` and checks it against `pclntab`; error when it does not agree.
Result<ModuleData> read_moduledata_at(const BinaryImage& image, const Pclntab& pclntab,
                                      uint64_t vaddr, std::string found_in);

// Maps a Go 1.18+ functab entry offset to a virtual address, through textsectmap when the linker
// split the text (runtime textAddr semantics); text_start + offset otherwise.
uint64_t text_address(const ModuleData& moduledata, uint64_t entry_offset);
uint64_t text_address(uint64_t text_start, std::span<const TextSection> text_sections,
                      uint64_t entry_offset);

}  // namespace fipsgate
