// pclntab: the Go runtime's function table ("pc-line table"), located in an executable and its
// header decoded into bounded views of its sub-tables. Layouts per Go release are in
// docs/go-binary-reference.md §2; nothing here copies file bytes (read_go_binary may hand it a
// copy of a small file's table: io/copied_region.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/io/byte_view.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

// One value per pclntab magic (reference §2.1).
enum class PclntabVersion : uint8_t {
  go12,   // 0xFFFFFFFB, Go 1.2–1.15
  go116,  // 0xFFFFFFFA, Go 1.16–1.17
  go118,  // 0xFFFFFFF0, Go 1.18–1.19
  go120,  // 0xFFFFFFF1, Go 1.20+
};
std::string_view to_string(PclntabVersion version);  // "1.2", "1.16", "1.18", "1.20"

struct Pclntab {
  PclntabVersion version = PclntabVersion::go120;
  unsigned quantum = 1;       // minimum instruction size (1 amd64, 4 arm64)
  unsigned pointer_size = 8;  // 4 or 8
  Endian endian = Endian::little;
  ByteView bytes;      // from the header to the end of the table (or of its region)
  uint64_t vaddr = 0;  // 0 when not known
  std::string
      found_in;  // "section .gopclntab", "symbol runtime.pclntab", "magic search in segment 0x..."
  uint64_t function_count = 0, file_count = 0;
  // Go 1.18+: pcHeader.textStart (runtime.text in 1.18–1.25, 0 in 1.26: reference §2.4); 0
  // before 1.18.
  uint64_t text_start = 0;
  // Sub-tables, each from its header offset to the next table's offset (the last to the end of
  // `bytes`). Before Go 1.16 there are no separate name/cu/file/pc tables: funcname_table,
  // pc_table and func_table are then the whole of `bytes` (offsets count from the pclntab
  // start) and cu_table is empty; file_table starts at the header's file-table offset.
  ByteView funcname_table, cu_table, file_table, pc_table;
  // The "pclntable": the functab followed by the _func records; _func offsets count from here.
  ByteView func_table;
  // The functab itself: function_count {entry, funcoff} pairs, then one entry word holding the end
  // PC of the last function (pcln.go writePCToFunc). Words are pointer_size bytes before 1.18,
  // uint32 from 1.18 on (entry offsets from the text start).
  ByteView functab;
  uint64_t functab_entry_size = 0;  // bytes per functab entry (2*pointer_size, or 8)
};

// Finds the pclntab: the .gopclntab section (ELF; also .data.rel.ro.gopclntab for PIE), Mach-O
// __gopclntab, the runtime.pclntab/runtime.epclntab (or runtime.pcheader) symbols, and otherwise a
// magic search over the loadable segments at pointer-aligned offsets with the header sanity
// test. Error when no table is found or the one found is malformed.
Result<Pclntab> find_pclntab(const BinaryImage& image);

// Decodes a pclntab header at the start of `bytes` (which may extend past the table's end).
// vaddr is the address of bytes[0] (0 if unknown); found_in is copied into the result.
Result<Pclntab> parse_pclntab(ByteView bytes, uint64_t vaddr, std::string found_in);

// True when `bytes` starts with a plausible pclntab header: a known magic in either byte order,
// two zero pad bytes, quantum in {1,2,4}, pointer size in {4,8}. Cheap; used by the magic search.
bool looks_like_pclntab_header(ByteView bytes);

}  // namespace fipsgate
