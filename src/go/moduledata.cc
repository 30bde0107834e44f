// Locating and decoding runtime.moduledata. Field positions: docs/go-binary-reference.md §3.2
// (go1.19.8 runtime/symtab.go; Go 1.26 adds epclntab before textsectmap). Positions are kept in
// pointer-size words so one table serves 32- and 64-bit targets (a slice is three words).
#include "fipsgate/go/moduledata.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "fipsgate/io/limits.h"

namespace fipsgate {

namespace {

// Word index of each decoded field, per layout; -1 when the layout has no such field.
struct FieldWords {
  int pcheader, funcnametab, cutab, filetab, pctab, pclntable, ftab;
  int minpc, maxpc, text, etext, types, etypes, rodata, gofunc, epclntab;
  int textsectmap, typelinks, itablinks;
};

const FieldWords& words_of(ModuleDataLayout layout) {
  // 1.2–1.15 (1.8+ shape): pclntable slice first, then ftab, filetab, findfunctab, ...
  static constexpr FieldWords kGo12 = {0,  -1, -1, 6,  -1, 0,  3,  10, 11, 12,
                                       13, 25, 26, -1, -1, -1, 27, 30, 33};
  static constexpr FieldWords kGo116 = {0,  1,  4,  7,  10, 13, 16, 20, 21, 22,
                                        23, 35, 36, -1, -1, -1, 37, 40, 43};
  static constexpr FieldWords kGo118 = {0,  1,  4,  7,  10, 13, 16, 20, 21, 22,
                                        23, 35, 36, 37, 38, -1, 39, 42, 45};
  // 1.20 inserted covctrs, ecovctrs after enoptrbss.
  static constexpr FieldWords kGo120 = {0,  1,  4,  7,  10, 13, 16, 20, 21, 22,
                                        23, 37, 38, 39, 40, -1, 41, 44, 47};
  // 1.26 inserted epclntab after gofunc.
  static constexpr FieldWords kGo126 = {0,  1,  4,  7,  10, 13, 16, 20, 21, 22,
                                        23, 37, 38, 39, 40, 41, 42, 45, 48};
  // 1.27: types, typedesclen, etypes, itaboffset, itabsize, rodata, gofunc, epclntab, then
  // textsectmap; typelinks and itablinks are gone (go1.27.3 runtime/symtab.go).
  static constexpr FieldWords kGo127 = {0,  1,  4,  7,  10, 13, 16, 20, 21, 22,
                                        23, 37, 39, 42, 43, 44, 45, -1, -1};
  switch (layout) {
    case ModuleDataLayout::go12:
      return kGo12;
    case ModuleDataLayout::go116:
      return kGo116;
    case ModuleDataLayout::go118:
      return kGo118;
    case ModuleDataLayout::go120:
      return kGo120;
    case ModuleDataLayout::go126:
      return kGo126;
    case ModuleDataLayout::go127:
      return kGo127;
  }
  return kGo127;
}

// Words read per layout: through the end of the last slice decoded.
uint64_t decoded_words(ModuleDataLayout layout) {
  const FieldWords& w = words_of(layout);
  return uint64_t(w.itablinks >= 0 ? w.itablinks : w.textsectmap) + 3;
}

// Layouts to try for a pclntab version, most recent first.
std::vector<ModuleDataLayout> candidate_layouts(PclntabVersion version) {
  switch (version) {
    case PclntabVersion::go12:
      return {ModuleDataLayout::go12};
    case PclntabVersion::go116:
      return {ModuleDataLayout::go116};
    case PclntabVersion::go118:
      return {ModuleDataLayout::go118};
    case PclntabVersion::go120:
      return {ModuleDataLayout::go127, ModuleDataLayout::go126, ModuleDataLayout::go120};
  }
  return {};
}

constexpr uint64_t kMaxTextSections = limits::kMaxTextSections;  // io/limits.h

class WordReader {
 public:
  WordReader(ByteView bytes, unsigned pointer_size, Endian endian)
      : bytes_(bytes), pointer_size_(pointer_size), endian_(endian) {}
  uint64_t word(int index) const {
    if (index < 0) return 0;
    return load_uint(bytes_.data() + uint64_t(index) * pointer_size_, pointer_size_, endian_);
  }
  GoSlice slice(int index) const {
    if (index < 0) return {};
    return GoSlice{word(index), word(index + 1), word(index + 2)};
  }

 private:
  ByteView bytes_;
  unsigned pointer_size_;
  Endian endian_;
};

ModuleData decode_fields(const WordReader& reader, ModuleDataLayout layout) {
  const FieldWords& w = words_of(layout);
  ModuleData data;
  data.layout = layout;
  data.pcheader_vaddr = reader.word(w.pcheader);
  data.funcname_table = reader.slice(w.funcnametab);
  data.cu_table = reader.slice(w.cutab);
  data.file_table = reader.slice(w.filetab);
  data.pc_table = reader.slice(w.pctab);
  data.pclntable = reader.slice(w.pclntable);
  data.ftab = reader.slice(w.ftab);
  data.min_pc = reader.word(w.minpc);
  data.max_pc = reader.word(w.maxpc);
  data.text_start = reader.word(w.text);
  data.text_end = reader.word(w.etext);
  data.types = reader.word(w.types);
  data.etypes = reader.word(w.etypes);
  data.rodata = reader.word(w.rodata);
  data.gofunc = reader.word(w.gofunc);
  data.pclntab_end = reader.word(w.epclntab);
  data.textsect_map = reader.slice(w.textsectmap);
  data.typelinks = reader.slice(w.typelinks);
  data.itablinks = reader.slice(w.itablinks);
  return data;
}

// Address of a pclntab sub-table, from its position in the file view of the table.
uint64_t vaddr_in_pclntab(const Pclntab& pclntab, const ByteView& part) {
  return pclntab.vaddr + (part.file_offset() - pclntab.bytes.file_offset());
}

std::string mismatch(std::string_view field, uint64_t found, uint64_t expected) {
  return std::string(field) + " is " + hex(found) + ", expected " + hex(expected);
}

// Cross-checks against the pclntab header (reference §3.1): returns what disagrees, or "".
std::string disagreement(const ModuleData& data, const Pclntab& pclntab) {
  if (pclntab.vaddr != 0 && data.pcheader_vaddr != pclntab.vaddr) {
    return mismatch("the pcHeader pointer", data.pcheader_vaddr, pclntab.vaddr);
  }
  if (data.ftab.length != pclntab.function_count + 1) {
    return "ftab length " + std::to_string(data.ftab.length) +
           " is not nfunc+1 = " + std::to_string(pclntab.function_count + 1);
  }
  if (pclntab.vaddr != 0 && data.ftab.data != vaddr_in_pclntab(pclntab, pclntab.functab)) {
    return mismatch("ftab", data.ftab.data, vaddr_in_pclntab(pclntab, pclntab.functab));
  }
  if (pclntab.version != PclntabVersion::go12 && pclntab.vaddr != 0 &&
      data.funcname_table.data != vaddr_in_pclntab(pclntab, pclntab.funcname_table)) {
    return mismatch("funcnametab", data.funcname_table.data,
                    vaddr_in_pclntab(pclntab, pclntab.funcname_table));
  }
  if (data.text_end < data.text_start || data.max_pc < data.min_pc ||
      data.min_pc < data.text_start) {
    return "text " + hex(data.text_start) + "-" + hex(data.text_end) + " and pc range " +
           hex(data.min_pc) + "-" + hex(data.max_pc) + " are inconsistent";
  }
  return "";
}

// textsectmap: {vaddr, end, baseaddr} per text section; the first maps offset 0 to text.
Result<std::vector<TextSection>> read_text_sections(const BinaryImage& image,
                                                    const ModuleData& data, unsigned pointer_size,
                                                    Endian endian) {
  const GoSlice& map = data.textsect_map;
  if (map.length == 0 || map.length != map.capacity || map.length > kMaxTextSections) {
    return Error("textsectmap length " + std::to_string(map.length) + " capacity " +
                 std::to_string(map.capacity) + " is implausible");
  }
  uint64_t entry_bytes = 3ull * pointer_size;
  FG_TRY(ByteView bytes, image.at_address(map.data, map.length * entry_bytes));
  WordReader reader(bytes, pointer_size, endian);
  std::vector<TextSection> sections;
  sections.reserve(map.length);
  for (uint64_t i = 0; i < map.length; ++i) {
    int first = static_cast<int>(i * 3);
    sections.push_back({reader.word(first), reader.word(first + 1), reader.word(first + 2)});
  }
  if (sections[0].vaddr != 0 || sections[0].base_address != data.text_start) {
    return Error("textsectmap's first entry maps " + hex(sections[0].vaddr) + " to " +
                 hex(sections[0].base_address) + ", expected 0 to text " + hex(data.text_start));
  }
  // The linker lays text sections out in order; text_address() binary-searches on that.
  for (uint64_t i = 0; i < sections.size(); ++i) {
    bool ordered = sections[i].vaddr <= sections[i].end &&
                   (i == 0 || sections[i].vaddr >= sections[i - 1].end);
    if (!ordered) {
      return Error("textsectmap entry " + std::to_string(i) + " [" + hex(sections[i].vaddr) + ", " +
                   hex(sections[i].end) + ") ends before it starts or overlaps the previous entry");
    }
  }
  return sections;
}

Result<ModuleData> decode_layout(const BinaryImage& image, const Pclntab& pclntab, uint64_t vaddr,
                                 ModuleDataLayout layout) {
  uint64_t size_bytes = decoded_words(layout) * pclntab.pointer_size;
  FG_TRY(ByteView bytes, image.at_address(vaddr, size_bytes));
  ModuleData data = decode_fields(WordReader(bytes, pclntab.pointer_size, pclntab.endian), layout);
  data.vaddr = vaddr;
  data.file_offset = bytes.file_offset();
  if (std::string problem = disagreement(data, pclntab); !problem.empty()) return Error(problem);
  FG_TRY(data.text_sections, read_text_sections(image, data, pclntab.pointer_size, pclntab.endian));
  return data;
}

// Pointer-aligned words equal to the pclntab's address in the non-executable segments, writable
// ones first (moduledata lives in .noptrdata, or .go.module in Go 1.26).
std::optional<ModuleData> pointer_scan(const BinaryImage& image, const Pclntab& pclntab) {
  unsigned step = pclntab.pointer_size;
  for (bool want_writable : {true, false}) {
    for (const Segment& segment : image.loadable_segments()) {
      if (segment.executable || segment.writable != want_writable) continue;
      auto bytes = image.file().slice(segment.file_offset, segment.file_size);
      if (!bytes) continue;
      uint64_t misalignment = segment.vaddr % step;
      uint64_t first = misalignment == 0 ? 0 : step - misalignment;
      for (uint64_t offset = first; offset + step <= bytes->size(); offset += step) {
        if (load_uint(bytes->data() + offset, step, pclntab.endian) != pclntab.vaddr) continue;
        auto data = read_moduledata_at(image, pclntab, segment.vaddr + offset,
                                       "pointer scan in segment " + hex(segment.vaddr));
        if (data) return std::move(data).value();
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ModuleDataLayout layout) {
  switch (layout) {
    case ModuleDataLayout::go12:
      return "1.8-1.15";
    case ModuleDataLayout::go116:
      return "1.16-1.17";
    case ModuleDataLayout::go118:
      return "1.18-1.19";
    case ModuleDataLayout::go120:
      return "1.20-1.25";
    case ModuleDataLayout::go126:
      return "1.26";
    case ModuleDataLayout::go127:
      return "1.27";
  }
  return "unknown";
}

Result<ModuleData> read_moduledata_at(const BinaryImage& image, const Pclntab& pclntab,
                                      uint64_t vaddr, std::string found_in) {
  std::string problems;
  for (ModuleDataLayout layout : candidate_layouts(pclntab.version)) {
    auto data = decode_layout(image, pclntab, vaddr, layout);
    if (data) {
      data->found_in = std::move(found_in);
      return data;
    }
    problems += (problems.empty() ? "" : "; ") + std::string("as the ") +
                std::string(to_string(layout)) + " layout, " + data.error().message();
  }
  return Error("at " + hex(vaddr) + " (" + found_in + "): " + problems).within("moduledata");
}

Result<ModuleData> find_moduledata(const BinaryImage& image, const Pclntab& pclntab) {
  std::optional<Error> first_error;
  auto try_at = [&](uint64_t vaddr, std::string found_in) -> std::optional<ModuleData> {
    auto data = read_moduledata_at(image, pclntab, vaddr, std::move(found_in));
    if (data) return std::move(data).value();
    if (!first_error) first_error = data.error();
    return std::nullopt;
  };
  if (auto symbol = image.symbols.find("runtime.firstmoduledata")) {
    if (auto data = try_at(symbol->value, "symbol runtime.firstmoduledata"))
      return std::move(*data);
  }
  // Go 1.26 gives moduledata its own section (reference §3.1).
  if (const Section* section = image.section(".go.module")) {
    if (auto data = try_at(section->vaddr, "section .go.module")) return std::move(*data);
  }
  if (pclntab.vaddr != 0) {
    if (auto data = pointer_scan(image, pclntab)) return std::move(*data);
  }
  if (first_error) return *first_error;
  return Error(pclntab.vaddr == 0
                   ? "not found: no runtime.firstmoduledata symbol or .go.module section, and "
                     "the pclntab address needed for a pointer scan is unknown"
                   : "not found: no runtime.firstmoduledata symbol or .go.module section, and "
                     "no pointer to the pclntab at " +
                         hex(pclntab.vaddr) + " is followed by a matching moduledata")
      .within("moduledata");
}

uint64_t text_address(const ModuleData& moduledata, uint64_t entry_offset) {
  return text_address(moduledata.text_start, moduledata.text_sections, entry_offset);
}

uint64_t text_address(uint64_t text_start, std::span<const TextSection> sections,
                      uint64_t entry_offset) {
  if (sections.size() <= 1) return text_start + entry_offset;
  // runtime textAddr: the section holding the offset, or the end of the last one. Sections are
  // ordered and disjoint (read_text_sections checks), so the candidate is the last one starting
  // at or before the offset.
  auto after = std::upper_bound(
      sections.begin(), sections.end(), entry_offset,
      [](uint64_t offset, const TextSection& section) { return offset < section.vaddr; });
  if (after != sections.begin()) {
    const TextSection& section = *(after - 1);
    bool inside = entry_offset < section.end;
    bool at_last_end = after == sections.end() && entry_offset == section.end;
    if (inside || at_last_end) return entry_offset - section.vaddr + section.base_address;
  }
  return text_start + entry_offset;
}

}  // namespace fipsgate
