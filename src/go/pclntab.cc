// Locating and decoding the pclntab header. Facts: docs/go-binary-reference.md §2, checked
// against go1.19.8 debug/gosym/pclntab.go (parsePclnTab) and cmd/link/internal/ld/pcln.go.
#include "fipsgate/go/pclntab.h"

#include "fipsgate/io/limits.h"

#include <array>
#include <optional>
#include <utility>

namespace fipsgate {

namespace {

// Magic words, written in the target byte order (reference §2.1).
constexpr uint32_t kMagicGo12 = 0xFFFFFFFB;   // Go 1.2–1.15
constexpr uint32_t kMagicGo116 = 0xFFFFFFFA;  // Go 1.16–1.17
constexpr uint32_t kMagicGo118 = 0xFFFFFFF0;  // Go 1.18–1.19
constexpr uint32_t kMagicGo120 = 0xFFFFFFF1;  // Go 1.20+ (unchanged through 1.26)

// Bounds from io/limits.h: functions a header may claim, and candidates the magic search decodes
// (each costs one header decode).
using limits::kMaxFunctions;
constexpr unsigned kMaxSearchCandidates = limits::kMaxPclntabSearchCandidates;

struct Magic {
  PclntabVersion version;
  Endian endian;
};

std::optional<PclntabVersion> version_of_magic(uint32_t word) {
  switch (word) {
    case kMagicGo12:
      return PclntabVersion::go12;
    case kMagicGo116:
      return PclntabVersion::go116;
    case kMagicGo118:
      return PclntabVersion::go118;
    case kMagicGo120:
      return PclntabVersion::go120;
    default:
      return std::nullopt;
  }
}

std::optional<Magic> read_magic(ByteView bytes) {
  if (bytes.size() < 8) return std::nullopt;
  uint32_t little = static_cast<uint32_t>(load_uint(bytes.data(), 4, Endian::little));
  if (auto version = version_of_magic(little)) return Magic{*version, Endian::little};
  uint32_t big = static_cast<uint32_t>(load_uint(bytes.data(), 4, Endian::big));
  if (auto version = version_of_magic(big)) return Magic{*version, Endian::big};
  return std::nullopt;
}

// "18 MB", "4 KB", "312-byte": table sizes in error messages ("the 18 MB table").
std::string size_text(uint64_t size_bytes) {
  if (size_bytes >= (1ull << 20)) return std::to_string(size_bytes >> 20) + " MB";
  if (size_bytes >= (1ull << 10)) return std::to_string(size_bytes >> 10) + " KB";
  return std::to_string(size_bytes) + "-byte";
}

Error table_error(const ByteView& bytes, const std::string& what) {
  return Error(what + " exceeds the " + size_text(bytes.size()) + " table " + bytes.where(0))
      .within("pclntab");
}

// Number of header words after the 8-byte prefix (reference §2.2).
unsigned header_words(PclntabVersion version) {
  switch (version) {
    case PclntabVersion::go12:
      return 1;  // nfunctab; the functab follows immediately
    case PclntabVersion::go116:
      return 7;
    case PclntabVersion::go118:
    case PclntabVersion::go120:
      return 8;
  }
  return 8;
}

// Go 1.16+: header offsets of the sub-tables, in the order the linker writes them
// (funcnametab, cutab, filetab, pctab, pclntable; cmd/link/internal/ld/pcln.go).
struct TableOffsets {
  std::array<uint64_t, 5> start{};
};

Status slice_tables(Pclntab& table, const TableOffsets& offsets, uint64_t header_size) {
  static constexpr std::array<const char*, 5> kNames = {
      "funcnameOffset", "cuOffset", "filetabOffset", "pctabOffset", "pclnOffset"};
  std::array<ByteView, 5> views;
  for (size_t i = 0; i < offsets.start.size(); ++i) {
    uint64_t begin = offsets.start[i];
    uint64_t end = i + 1 < offsets.start.size() ? offsets.start[i + 1] : table.bytes.size();
    if (begin > table.bytes.size()) {
      return table_error(table.bytes, std::string(kNames[i]) + " " + hex(begin));
    }
    if (begin < header_size || end < begin) {
      return Error(std::string(kNames[i]) + " " + hex(begin) + " is out of order (the header is " +
                   std::to_string(header_size) +
                   " bytes; tables must follow it in the order funcname, cu, file, pc, func) " +
                   table.bytes.where(0))
          .within("pclntab");
    }
    views[i] = table.bytes.clamp(begin, end - begin);
  }
  table.funcname_table = views[0];
  table.cu_table = views[1];
  table.file_table = views[2];
  table.pc_table = views[3];
  table.func_table = views[4];
  return Ok{};
}

// The functab: function_count pairs of `field` bytes each plus one final end-PC field
// (pcln.go: writePCToFunc; gosym: functabsize = (nfunctab*2+1)*fieldsize).
Status slice_functab(Pclntab& table, ByteView pairs_start, unsigned field_bytes) {
  // Bound the count first so that the size below cannot overflow.
  bool too_many = table.function_count > kMaxFunctions;
  uint64_t functab_bytes = too_many ? 0 : (table.function_count * 2 + 1) * field_bytes;
  if (too_many || !pairs_start.contains(0, functab_bytes)) {
    return table_error(table.bytes, "nfunc " + std::to_string(table.function_count));
  }
  table.functab = pairs_start.clamp(0, functab_bytes);
  table.functab_entry_size = 2ull * field_bytes;
  return Ok{};
}

Status decode_go116_and_later(Pclntab& table, const std::array<uint64_t, 8>& word) {
  // 1.16–1.17: nfunc, nfiles, funcname, cu, filetab, pctab, pcln.
  // 1.18+:     nfunc, nfiles, textStart, funcname, cu, filetab, pctab, pcln.
  bool has_text_start = table.version >= PclntabVersion::go118;
  unsigned first_offset = has_text_start ? 3 : 2;
  table.function_count = word[0];
  table.file_count = word[1];
  table.text_start = has_text_start ? word[2] : 0;
  TableOffsets offsets;
  for (unsigned i = 0; i < 5; ++i) offsets.start[i] = word[first_offset + i];
  uint64_t header_size = 8 + uint64_t{header_words(table.version)} * table.pointer_size;
  if (auto sliced = slice_tables(table, offsets, header_size); !sliced) return sliced.error();
  // functab fields: uint32 from 1.18 on (entryoff, funcoff), uintptr before.
  unsigned field_bytes = has_text_start ? 4 : table.pointer_size;
  return slice_functab(table, table.func_table, field_bytes);
}

Status decode_go12(Pclntab& table, uint64_t nfunctab) {
  // 1.2–1.15: everything counts from the pclntab start; the functab follows the nfunctab word,
  // then a uint32 offset of the file table, which starts with its own uint32 count.
  table.function_count = nfunctab;
  table.funcname_table = table.bytes;
  table.pc_table = table.bytes;
  table.func_table = table.bytes;
  ByteView after_header = table.bytes.clamp(8 + table.pointer_size, table.bytes.size());
  if (auto sliced = slice_functab(table, after_header, table.pointer_size); !sliced) {
    return sliced.error();
  }
  uint64_t file_offset_at = 8 + table.pointer_size + table.functab.size();
  auto file_table_offset = table.bytes.u32(file_offset_at, table.endian);
  if (!file_table_offset) return table_error(table.bytes, "the file table offset word");
  auto file_count = table.bytes.u32(*file_table_offset, table.endian);
  if (!file_count) return table_error(table.bytes, "filetab offset " + hex(*file_table_offset));
  // The count includes its own word (gosym: filetab[:nfiletab*4]); file_count is the files.
  table.file_count = *file_count == 0 ? 0 : *file_count - 1;
  auto file_table = table.bytes.slice(*file_table_offset, uint64_t{*file_count} * 4);
  if (!file_table) return table_error(table.bytes, "nfiletab " + std::to_string(*file_count));
  table.file_table = *file_table;
  return Ok{};
}

// A functab entry's PC field (entry or entryoff), for the plausibility checks below.
uint64_t functab_field(const Pclntab& table, uint64_t index) {
  unsigned field = static_cast<unsigned>(table.functab_entry_size / 2);
  return load_uint(table.functab.data() + index * field, field, table.endian);
}

// Deeper check used for magic-search hits: the functab starts sorted and the first function's
// record and name are readable. Real tables always pass; stray magic bytes in code rarely do.
bool first_function_is_readable(const Pclntab& table) {
  if (table.function_count == 0) return false;
  uint64_t checked = std::min<uint64_t>(table.function_count, 16);
  for (uint64_t i = 0; i < checked; ++i) {
    if (functab_field(table, 2 * i) > functab_field(table, 2 * (i + 1))) return false;
  }
  uint64_t record = functab_field(table, 1);
  unsigned entry_bytes = table.version >= PclntabVersion::go118 ? 4 : table.pointer_size;
  auto name_offset = table.func_table.u32(record + entry_bytes, table.endian);
  if (!name_offset) return false;
  auto name = table.funcname_table.cstring(*name_offset, 4096);
  return name.ok() && !name->empty();
}

}  // namespace

std::string_view to_string(PclntabVersion version) {
  switch (version) {
    case PclntabVersion::go12:
      return "1.2";
    case PclntabVersion::go116:
      return "1.16";
    case PclntabVersion::go118:
      return "1.18";
    case PclntabVersion::go120:
      return "1.20";
  }
  return "unknown";
}

bool looks_like_pclntab_header(ByteView bytes) {
  if (!read_magic(bytes)) return false;
  const uint8_t* p = bytes.data();
  bool pads_zero = p[4] == 0 && p[5] == 0;
  bool quantum_ok = p[6] == 1 || p[6] == 2 || p[6] == 4;
  bool pointer_ok = p[7] == 4 || p[7] == 8;
  return pads_zero && quantum_ok && pointer_ok;
}

Result<Pclntab> parse_pclntab(ByteView bytes, uint64_t vaddr, std::string found_in) {
  if (!looks_like_pclntab_header(bytes)) {
    return Error(
               "no pclntab header (magic 0xfffffff[0-1ab], pad 0 0, quantum 1/2/4, pointer "
               "size 4/8) " +
               bytes.where(0))
        .within("pclntab");
  }
  Magic magic = *read_magic(bytes);
  Pclntab table;
  table.version = magic.version;
  table.endian = magic.endian;
  table.quantum = bytes.data()[6];
  table.pointer_size = bytes.data()[7];
  table.bytes = bytes;
  table.vaddr = vaddr;
  table.found_in = std::move(found_in);

  std::array<uint64_t, 8> word{};
  unsigned words = header_words(table.version);
  for (unsigned i = 0; i < words; ++i) {
    auto value = bytes.word(8 + uint64_t{i} * table.pointer_size, table.pointer_size, table.endian);
    if (!value)
      return table_error(bytes,
                         "the " + std::to_string(8 + words * table.pointer_size) + "-byte header");
    word[i] = *value;
  }
  Status decoded = table.version == PclntabVersion::go12 ? decode_go12(table, word[0])
                                                         : decode_go116_and_later(table, word);
  if (!decoded) return decoded.error();
  return table;
}

namespace {

Result<Pclntab> from_section(const BinaryImage& image, const Section& section) {
  FG_TRY(ByteView bytes, image.section_bytes(section));
  return parse_pclntab(bytes, section.vaddr, "section " + std::string(section.name));
}

// runtime.pclntab (whole table; 1.16+ also runtime.pcheader at the same address) up to
// runtime.epclntab when that symbol is present and after it, else to the end of the segment.
Result<std::optional<Pclntab>> from_symbols(const BinaryImage& image) {
  std::optional<Symbol> start = image.symbols.find("runtime.pclntab");
  std::string name = "runtime.pclntab";
  if (!start) {
    start = image.symbols.find("runtime.pcheader");
    name = "runtime.pcheader";
  }
  if (!start || start->value == 0) return std::optional<Pclntab>();
  FG_TRY(ByteView bytes, image.from_address(start->value));
  std::optional<Symbol> end = image.symbols.find("runtime.epclntab");
  if (end && end->value > start->value && end->value - start->value <= bytes.size()) {
    bytes = bytes.clamp(0, end->value - start->value);
  }
  FG_TRY(Pclntab table, parse_pclntab(bytes, start->value, "symbol " + name));
  return std::optional<Pclntab>(std::move(table));
}

// Scans one segment at 4-byte-aligned offsets (pcHeader is pointer-aligned; 4 covers 32-bit
// targets) for a header that decodes and whose first function is readable.
std::optional<Pclntab> search_segment(const BinaryImage& image, const Segment& segment,
                                      unsigned& candidates_left) {
  auto bytes = image.file().slice(segment.file_offset, segment.file_size);
  if (!bytes) return std::nullopt;
  ByteView region = *bytes;
  const uint8_t* p = region.data();
  for (uint64_t offset = 0; offset + 16 <= region.size() && candidates_left > 0; offset += 4) {
    // Every magic is FF FF FF xx (big endian) or xx FF FF FF (little endian).
    if (p[offset + 1] != 0xFF || p[offset + 2] != 0xFF) continue;
    ByteView here = region.clamp(offset, region.size() - offset);
    if (!looks_like_pclntab_header(here)) continue;
    --candidates_left;
    auto table = parse_pclntab(here, segment.vaddr + offset,
                               "magic search in segment " + hex(segment.vaddr));
    if (table && first_function_is_readable(*table)) return std::move(table).value();
  }
  return std::nullopt;
}

std::optional<Pclntab> magic_search(const BinaryImage& image) {
  unsigned candidates_left = kMaxSearchCandidates;
  // Read-only data first (Go 1.26 puts the table inside rodata), then writable (PIE RELRO),
  // then executable segments (old layouts with rodata in the text segment).
  for (int pass = 0; pass < 3; ++pass) {
    for (const Segment& segment : image.loadable_segments()) {
      int kind = segment.executable ? 2 : (segment.writable ? 1 : 0);
      if (kind != pass) continue;
      if (auto table = search_segment(image, segment, candidates_left)) return table;
    }
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kSectionNames = {
    ".gopclntab",              // ELF exe
    ".data.rel.ro.gopclntab",  // ELF PIE, internal linking (reference §2.5)
    "__gopclntab",             // Mach-O
};

}  // namespace

Result<Pclntab> find_pclntab(const BinaryImage& image) {
  std::optional<Error> first_error;
  for (std::string_view name : kSectionNames) {
    const Section* section = image.section(name);
    if (section == nullptr) continue;
    auto table = from_section(image, *section);
    if (table) return table;
    if (!first_error) first_error = table.error();
  }
  auto by_symbol = from_symbols(image);
  if (by_symbol && by_symbol->has_value()) return std::move(**by_symbol);
  if (!by_symbol && !first_error) first_error = by_symbol.error();
  if (auto found = magic_search(image)) return std::move(*found);
  if (first_error) return *first_error;
  return Error(
             "no pclntab: no .gopclntab section, no runtime.pclntab symbol, and no valid "
             "header found by magic search")
      .within("pclntab");
}

}  // namespace fipsgate
