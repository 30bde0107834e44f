#include "support/elf_builder.h"

#include <map>

namespace fipsgate::testing {

namespace {

constexpr uint32_t kShtProgbits = 1, kShtSymtab = 2, kShtStrtab = 3, kShtDynamic = 6, kShtNote = 7,
                   kShtNobits = 8;
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3, kPtNote = 4;
constexpr uint64_t kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtFlags1 = 0x6ffffffb;
constexpr uint64_t kPageBytes = 0x1000;

uint64_t align_up(uint64_t value, uint64_t alignment) {
  return alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment;
}

struct Layout {
  SectionSpec spec;
  uint64_t file_offset = 0;
  uint64_t size = 0;
};

// A string table under construction: offset 0 is the empty name.
struct StringTable {
  std::string bytes = std::string(1, '\0');
  uint32_t add(const std::string& text) {
    auto offset = static_cast<uint32_t>(bytes.size());
    bytes += text;
    bytes.push_back('\0');
    return offset;
  }
};

class Writer {
 public:
  explicit Writer(const ElfSpec& spec) : spec_(spec), word_(spec.is_64bit ? 8 : 4) {}

  void uint(uint64_t value, unsigned size) { put_uint(out_, value, size, spec_.endian); }
  void word(uint64_t value) { uint(value, word_); }
  std::string& out() { return out_; }

 private:
  const ElfSpec& spec_;
  unsigned word_;
  std::string out_;
};

std::string symbol_table(const ElfSpec& spec, const std::map<std::string, uint16_t>& index_of,
                         StringTable& names) {
  Writer table(spec);
  for (unsigned i = 0; i < (spec.is_64bit ? 24u : 16u); ++i) table.out().push_back('\0');
  for (const SymbolSpec& symbol : spec.symbols) {
    uint32_t name = names.add(symbol.name);
    uint16_t shndx = symbol.section.empty() ? 0xfff1 : index_of.at(symbol.section);
    auto info = static_cast<uint8_t>((1 << 4) | symbol.type);  // STB_GLOBAL
    if (spec.is_64bit) {
      table.uint(name, 4);
      table.uint(info, 1);
      table.uint(0, 1);
      table.uint(shndx, 2);
      table.uint(symbol.value, 8);
      table.uint(symbol.size, 8);
    } else {
      table.uint(name, 4);
      table.uint(symbol.value, 4);
      table.uint(symbol.size, 4);
      table.uint(info, 1);
      table.uint(0, 1);
      table.uint(shndx, 2);
    }
  }
  return table.out();
}

// Writes .dynstr's final address into the DT_STRTAB entry of .dynamic.
void patch_dynstr_address(std::vector<Layout>& layouts, const ElfSpec& spec) {
  const unsigned word = spec.is_64bit ? 8 : 4;
  uint64_t dynstr_vaddr = 0;
  for (const Layout& layout : layouts) {
    if (layout.spec.name == ".dynstr") dynstr_vaddr = layout.spec.vaddr;
  }
  for (Layout& layout : layouts) {
    if (layout.spec.name != ".dynamic") continue;
    std::string& bytes = layout.spec.bytes;
    for (size_t offset = 0; offset + 2 * word <= bytes.size(); offset += 2 * word) {
      if (load_uint(reinterpret_cast<const uint8_t*>(bytes.data()) + offset, word, spec.endian) !=
          kDtStrtab) {
        continue;
      }
      std::string value;
      put_uint(value, dynstr_vaddr, word, spec.endian);
      bytes.replace(offset + word, word, value);
    }
  }
}

}  // namespace

void put_uint(std::string& out, uint64_t value, unsigned size_bytes, Endian endian) {
  for (unsigned i = 0; i < size_bytes; ++i) {
    unsigned shift = endian == Endian::little ? 8 * i : 8 * (size_bytes - 1 - i);
    // Fields wider than 8 bytes (a zero pair of words) are zero-extended.
    out.push_back(shift >= 64 ? '\0' : static_cast<char>((value >> shift) & 0xff));
  }
}

void put_uvarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::string note_bytes(const NoteSpec& note, Endian endian) {
  std::string out;
  put_uint(out, note.name.size() + 1, 4, endian);
  put_uint(out, note.desc.size(), 4, endian);
  put_uint(out, note.type, 4, endian);
  out += note.name;
  out.push_back('\0');
  pad_to(out, 4);
  out += note.desc;
  pad_to(out, 4);
  return out;
}

void pad_to(std::string& out, uint64_t alignment) {
  while (out.size() % alignment != 0) out.push_back('\0');
}

const BuiltElf::Placed* BuiltElf::find(const std::string& name) const {
  for (const Placed& entry : placed) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

BuiltElf build_elf(const ElfSpec& spec) {
  const bool is64 = spec.is_64bit;
  const unsigned ehdr_size = is64 ? 64 : 52, phdr_size = is64 ? 56 : 32, shdr_size = is64 ? 64 : 40;

  // Section list: null, user sections, optional .interp/.dynstr/.dynamic, then symtab, strtab,
  // shstrtab (non-allocated, at the end of the file).
  std::vector<SectionSpec> sections = spec.sections;
  if (!spec.interpreter.empty()) {
    sections.insert(sections.begin(), SectionSpec{".interp", kShtProgbits, kShfAlloc, 0, 1,
                                                  spec.interpreter + std::string(1, '\0'), 0});
  }
  if (!spec.notes.empty()) {
    std::string notes;
    for (const NoteSpec& note : spec.notes) notes += note_bytes(note, spec.endian);
    sections.insert(sections.begin(), SectionSpec{".note", kShtNote, kShfAlloc, 0, 4, notes, 0});
  }
  StringTable dynstr;
  const unsigned word = is64 ? 8 : 4;
  if (!spec.needed.empty() || spec.dynamic_section || spec.dynamic_flags_1 != 0) {
    std::string dynamic;
    for (const std::string& library : spec.needed) {
      uint32_t offset = dynstr.add(library);
      put_uint(dynamic, kDtNeeded, word, spec.endian);
      put_uint(dynamic, offset, word, spec.endian);
    }
    // DT_STRTAB's value (the .dynstr address) is patched in once the layout is known.
    put_uint(dynamic, kDtStrtab, word, spec.endian);
    put_uint(dynamic, 0, word, spec.endian);
    put_uint(dynamic, kDtStrsz, word, spec.endian);
    put_uint(dynamic, dynstr.bytes.size(), word, spec.endian);
    if (spec.dynamic_flags_1 != 0) {
      put_uint(dynamic, kDtFlags1, word, spec.endian);
      put_uint(dynamic, spec.dynamic_flags_1, word, spec.endian);
    }
    put_uint(dynamic, 0, 2 * word, spec.endian);  // DT_NULL
    sections.push_back(SectionSpec{".dynstr", kShtStrtab, kShfAlloc, 0, 1, dynstr.bytes, 0});
    sections.push_back(
        SectionSpec{".dynamic", kShtDynamic, kShfAlloc | kShfWrite, 0, 8, dynamic, 0});
  }

  // Place allocated sections: one PT_LOAD per run of sections with the same permissions.
  const unsigned max_segments = 16;
  uint64_t header_bytes = ehdr_size + phdr_size * max_segments;
  uint64_t file_offset = align_up(header_bytes, 16);
  uint64_t vaddr = spec.base_vaddr + file_offset;
  std::vector<Layout> layouts;
  for (const SectionSpec& section : sections) {
    Layout layout{section, 0, 0};
    bool nobits = section.type == kShtNobits;
    layout.size = nobits ? section.nobits_size : section.bytes.size();
    if (section.flags & kShfAlloc) {
      uint64_t target = section.vaddr != 0 ? section.vaddr : align_up(vaddr, section.align);
      // Keep file offset congruent to vaddr modulo the page size, as loaders require.
      uint64_t wanted = align_up(file_offset, section.align);
      while (wanted % kPageBytes != target % kPageBytes) ++wanted;
      file_offset = wanted;
      layout.spec.vaddr = target;
      vaddr = target + layout.size;
    }
    layout.file_offset = file_offset;
    if (!nobits) file_offset += layout.size;
    layouts.push_back(layout);
  }

  patch_dynstr_address(layouts, spec);

  StringTable shstrtab, strtab;
  std::map<std::string, uint16_t> index_of;
  for (size_t i = 0; i < layouts.size(); ++i) index_of[layouts[i].spec.name] = uint16_t(i + 1);
  std::string symtab_bytes;
  if (!spec.symbols.empty()) {
    symtab_bytes = symbol_table(spec, index_of, strtab);
    file_offset = align_up(file_offset, 8);
    layouts.push_back(Layout{SectionSpec{".symtab", kShtSymtab, 0, 0, 8, symtab_bytes, 0},
                             file_offset, symtab_bytes.size()});
    file_offset += symtab_bytes.size();
    layouts.push_back(Layout{SectionSpec{".strtab", kShtStrtab, 0, 0, 1, strtab.bytes, 0},
                             file_offset, strtab.bytes.size()});
    file_offset += strtab.bytes.size();
  }
  std::vector<uint32_t> name_offsets;
  for (const Layout& layout : layouts) name_offsets.push_back(shstrtab.add(layout.spec.name));
  uint32_t shstrtab_name = shstrtab.add(".shstrtab");
  uint64_t shstrtab_offset = file_offset;
  file_offset += shstrtab.bytes.size();
  uint64_t shoff = align_up(file_offset, 8);

  // Program headers.
  struct Program {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
    uint64_t align = 8;  // PT_LOAD: the page size; PT_NOTE: its section's (4 or 8)
  };
  std::vector<Program> programs;
  for (const Layout& layout : layouts) {
    const SectionSpec& section = layout.spec;
    if (!(section.flags & kShfAlloc)) continue;
    uint32_t flags =
        4 | ((section.flags & kShfWrite) ? 2 : 0) | ((section.flags & kShfExec) ? 1 : 0);
    uint64_t filesz = section.type == kShtNobits ? 0 : layout.size;
    if (section.name == ".interp")
      programs.push_back({kPtInterp, 4, layout.file_offset, section.vaddr, filesz, layout.size});
    if (section.name == ".dynamic")
      programs.push_back({kPtDynamic, 6, layout.file_offset, section.vaddr, filesz, layout.size});
    if (section.type == kShtNote)
      programs.push_back(
          {kPtNote, 4, layout.file_offset, section.vaddr, filesz, layout.size, section.align});
    programs.push_back(
        {kPtLoad, flags, layout.file_offset, section.vaddr, filesz, layout.size, kPageBytes});
  }
  if (programs.size() > max_segments) programs.resize(max_segments);

  BuiltElf built;
  Writer w(spec);
  std::string& out = w.out();
  out +=
      "\x7f"
      "ELF";
  out.push_back(is64 ? 2 : 1);
  out.push_back(spec.endian == Endian::little ? 1 : 2);
  out.push_back(1);
  out.append(9, '\0');
  w.uint(spec.type, 2);
  w.uint(spec.machine, 2);
  w.uint(1, 4);
  uint64_t entry = 0;
  for (const Layout& layout : layouts) {
    if (layout.spec.flags & kShfExec) {
      entry = layout.spec.vaddr;
      break;
    }
  }
  w.word(entry);
  w.word(ehdr_size);                               // e_phoff
  w.word(spec.write_section_headers ? shoff : 0);  // e_shoff
  w.uint(0, 4);
  w.uint(ehdr_size, 2);
  w.uint(phdr_size, 2);
  w.uint(programs.size(), 2);
  w.uint(shdr_size, 2);
  w.uint(spec.write_section_headers ? layouts.size() + 2 : 0, 2);
  w.uint(spec.write_section_headers ? layouts.size() + 1 : 0, 2);
  for (const Program& program : programs) {
    w.uint(program.type, 4);
    if (is64) w.uint(program.flags, 4);
    w.word(program.offset);
    w.word(program.vaddr);
    w.word(program.vaddr);
    w.word(program.filesz);
    w.word(program.memsz);
    if (!is64) w.uint(program.flags, 4);
    w.word(program.align);
  }
  for (const Layout& layout : layouts) {
    if (layout.spec.type == kShtNobits) continue;
    if (out.size() < layout.file_offset) out.resize(layout.file_offset, '\0');
    out.replace(layout.file_offset, layout.spec.bytes.size(), layout.spec.bytes);
    built.placed.push_back({layout.spec.name, layout.spec.vaddr, layout.file_offset, layout.size});
  }
  for (const Layout& layout : layouts) {
    if (layout.spec.type == kShtNobits)
      built.placed.push_back(
          {layout.spec.name, layout.spec.vaddr, layout.file_offset, layout.size});
  }
  out.resize(shstrtab_offset, '\0');
  out += shstrtab.bytes;
  if (spec.write_section_headers) {
    out.resize(shoff, '\0');
    out.append(shdr_size, '\0');  // SHN_UNDEF
    auto section_header = [&](uint32_t name, const SectionSpec& section, uint64_t offset,
                              uint64_t size, uint32_t link, uint64_t entsize) {
      w.uint(name, 4);
      w.uint(section.type, 4);
      w.word(section.flags);
      w.word(section.vaddr);
      w.word(offset);
      w.word(size);
      w.uint(link, 4);
      w.uint(section.type == kShtSymtab ? 1 : 0, 4);
      w.word(section.align);
      w.word(entsize);
    };
    for (size_t i = 0; i < layouts.size(); ++i) {
      const Layout& layout = layouts[i];
      uint32_t link = 0;
      uint64_t entsize = 0;
      if (layout.spec.type == kShtSymtab) {
        link = index_of.size() + 2;  // .strtab follows .symtab
        entsize = is64 ? 24 : 16;
      }
      if (layout.spec.type == kShtDynamic) {
        link = index_of.at(".dynstr");
        entsize = is64 ? 16 : 8;
      }
      section_header(name_offsets[i], layout.spec, layout.file_offset, layout.size, link, entsize);
    }
    section_header(shstrtab_name, SectionSpec{".shstrtab", kShtStrtab, 0, 0, 1, "", 0},
                   shstrtab_offset, shstrtab.bytes.size(), 0, 0);
  }
  built.bytes = std::move(out);
  return built;
}

}  // namespace fipsgate::testing
