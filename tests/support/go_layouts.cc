#include "support/go_layouts.h"

#include <cassert>

namespace fipsgate::testing {

namespace {

constexpr uint32_t kMagic[] = {0xFFFFFFFB, 0xFFFFFFFA, 0xFFFFFFF0, 0xFFFFFFF1};

// An output buffer that writes in one byte order and can patch what it wrote earlier.
class Out {
 public:
  Out(Endian endian, unsigned pointer_size) : endian_(endian), pointer_size_(pointer_size) {}
  void u8(uint64_t value) { bytes.push_back(static_cast<char>(value)); }
  void u32(uint64_t value) { put_uint(bytes, value, 4, endian_); }
  void word(uint64_t value) { put_uint(bytes, value, pointer_size_, endian_); }
  void slice(uint64_t data, uint64_t length) {
    word(data);
    word(length);
    word(length);
  }
  void cstring(const std::string& text) {
    bytes += text;
    bytes.push_back('\0');
  }
  void align(uint64_t alignment) { pad_to(bytes, alignment); }
  void patch(uint64_t offset, uint64_t value, unsigned size) {
    std::string encoded;
    put_uint(encoded, value, size, endian_);
    bytes.replace(offset, size, encoded);
  }
  void patch_word(uint64_t offset, uint64_t value) { patch(offset, value, pointer_size_); }
  uint64_t size() const { return bytes.size(); }

  std::string bytes;

 private:
  Endian endian_;
  unsigned pointer_size_;
};

void write_prefix(Out& out, const PclntabSpec& spec) {
  out.u32(kMagic[static_cast<int>(spec.version)]);
  out.u8(0);
  out.u8(0);
  out.u8(spec.quantum);
  out.u8(spec.pointer_size);
}

std::vector<uint64_t> entry_offsets(const PclntabSpec& spec, uint64_t& total) {
  std::vector<uint64_t> offsets;
  total = 0;
  for (const GoFunctionSpec& function : spec.functions) {
    offsets.push_back(total);
    total += function.size_bytes;
  }
  return offsets;
}

// Go 1.16–1.25 layout: pcHeader, funcnametab, cutab, filetab, pctab, then the functab and the
// _func records (cmd/link/internal/ld/pcln.go; runtime/runtime2.go _func).
BuiltPclntab build_go116_and_later(const PclntabSpec& spec) {
  const bool entry_is_offset = spec.version >= PclntabVersion::go118;
  const bool has_start_line = spec.version >= PclntabVersion::go120;
  BuiltPclntab built;
  Out out(spec.endian, spec.pointer_size);
  write_prefix(out, spec);
  const uint64_t words_at = out.size();
  const unsigned words = entry_is_offset ? 8 : 7;
  for (unsigned i = 0; i < words; ++i) out.word(0);
  auto set_word = [&](unsigned index, uint64_t value) {
    out.patch_word(words_at + uint64_t{index} * spec.pointer_size, value);
  };
  const unsigned first_offset_word = entry_is_offset ? 3 : 2;

  built.funcname_offset = out.size();
  for (const GoFunctionSpec& function : spec.functions) {
    built.name_offsets.push_back(out.size() - built.funcname_offset);
    out.cstring(function.name);
  }
  for (const std::string& name : spec.inlined_only_names) out.cstring(name);
  built.cu_offset = out.size();
  uint64_t file_name_offset = 0;
  for (const std::string& file : spec.files) {
    out.u32(file_name_offset);
    file_name_offset += file.size() + 1;
  }
  built.filetab_offset = out.size();
  for (const std::string& file : spec.files) out.cstring(file);
  built.pctab_offset = out.size();
  for (int i = 0; i < 8; ++i) out.u8(0);
  out.align(spec.pointer_size);
  built.functab_offset = out.size();

  uint64_t text_size = 0;
  std::vector<uint64_t> entries = entry_offsets(spec, text_size);
  const uint64_t n = spec.functions.size();
  const unsigned field = entry_is_offset ? 4 : spec.pointer_size;
  auto put_field = [&](uint64_t value) { entry_is_offset ? out.u32(value) : out.word(value); };
  auto entry_value = [&](uint64_t offset) {
    return entry_is_offset ? offset : spec.text_start + offset;
  };
  const uint64_t functab_at = out.size();
  for (uint64_t i = 0; i < 2 * n + 1; ++i) put_field(0);
  out.align(spec.pointer_size);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t record = out.size() - built.functab_offset;  // funcoff counts from pclnOffset
    out.patch(functab_at + 2 * i * field, entry_value(entries[i]), field);
    out.patch(functab_at + (2 * i + 1) * field, record, field);
    built.record_offsets.push_back(out.size());
    put_field(entry_value(entries[i]));      // entry (uintptr) or entryOff (uint32)
    out.u32(built.name_offsets[i]);          // nameOff
    for (int k = 0; k < 7; ++k) out.u32(0);  // args deferreturn pcsp pcfile pcln npcdata cuOffset
    if (has_start_line) out.u32(0);          // startLine
    out.u8(0);                               // funcID
    out.u8(0);                               // flag
    out.u8(0);                               // pad
    out.u8(0);                               // nfuncdata
    out.align(spec.pointer_size);
  }
  out.patch(functab_at + 2 * n * field, entry_value(text_size), field);

  set_word(0, n);
  set_word(1, spec.files.size());
  if (entry_is_offset) set_word(2, spec.header_text_start ? spec.text_start : 0);
  set_word(first_offset_word + 0, built.funcname_offset);
  set_word(first_offset_word + 1, built.cu_offset);
  set_word(first_offset_word + 2, built.filetab_offset);
  set_word(first_offset_word + 3, built.pctab_offset);
  set_word(first_offset_word + 4, built.functab_offset);
  built.function_count = n;
  built.text_size_bytes = text_size;
  built.bytes = std::move(out.bytes);
  return built;
}

// Go 1.2–1.15 layout: nfunctab, the functab of absolute PCs, the file-table offset, then the
// _func records with names and the file table, all counted from the pclntab start.
BuiltPclntab build_go12(const PclntabSpec& spec) {
  BuiltPclntab built;
  Out out(spec.endian, spec.pointer_size);
  write_prefix(out, spec);
  const uint64_t n = spec.functions.size();
  out.word(n);
  built.functab_offset = out.size();
  for (uint64_t i = 0; i < 2 * n + 1; ++i) out.word(0);
  const uint64_t file_offset_at = out.size();
  out.u32(0);
  out.align(spec.pointer_size);

  uint64_t text_size = 0;
  std::vector<uint64_t> entries = entry_offsets(spec, text_size);
  std::vector<uint64_t> name_patch_at;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t record = out.size();
    out.patch_word(built.functab_offset + 2 * i * spec.pointer_size, spec.text_start + entries[i]);
    out.patch_word(built.functab_offset + (2 * i + 1) * spec.pointer_size, record);
    built.record_offsets.push_back(record);
    out.word(spec.text_start + entries[i]);  // entry
    name_patch_at.push_back(out.size());
    out.u32(0);                              // nameoff, patched below
    for (int k = 0; k < 6; ++k) out.u32(0);  // args deferreturn pcsp pcfile pcln npcdata
    out.u32(0);                              // funcID, 2 pad bytes, nfuncdata
    out.align(spec.pointer_size);
  }
  out.patch_word(built.functab_offset + 2 * n * spec.pointer_size, spec.text_start + text_size);
  for (uint64_t i = 0; i < n; ++i) {
    built.name_offsets.push_back(out.size());
    out.patch(name_patch_at[i], out.size(), 4);
    out.cstring(spec.functions[i].name);
  }
  out.align(4);
  // File table: a uint32 count (entries + 1; entry 0 is the count itself), then offsets.
  out.patch(file_offset_at, out.size(), 4);
  out.u32(spec.files.size() + 1);
  const uint64_t file_offsets_at = out.size();
  for (size_t i = 0; i < spec.files.size(); ++i) out.u32(0);
  for (size_t i = 0; i < spec.files.size(); ++i) {
    out.patch(file_offsets_at + 4 * i, out.size(), 4);
    out.cstring(spec.files[i]);
  }
  built.function_count = n;
  built.text_size_bytes = text_size;
  built.bytes = std::move(out.bytes);
  return built;
}

// The runtime.moduledata declaration, field by field, for each layout (runtime/symtab.go of each
// release; reference §3.2). Fields the readers never look at are written as zero.
void write_moduledata_fields(Out& out, const ModuleDataSpec& spec, uint64_t textsect_vaddr) {
  const BuiltPclntab& table = *spec.pclntab;
  const uint64_t base = spec.pclntab_vaddr;
  const uint64_t n = table.function_count;
  const ModuleDataLayout layout = spec.layout;
  const uint64_t sections =
      spec.text_sections.empty() ? 1 : static_cast<uint64_t>(spec.text_sections.size());
  if (layout == ModuleDataLayout::go12) {
    out.slice(base, table.bytes.size());            // pclntable
    out.slice(base + table.functab_offset, n + 1);  // ftab
    out.slice(0, 0);                                // filetab
  } else {
    out.word(base);  // pcHeader
    out.slice(base + table.funcname_offset, table.cu_offset - table.funcname_offset);
    out.slice(base + table.cu_offset, 0);       // cutab
    out.slice(base + table.filetab_offset, 0);  // filetab
    out.slice(base + table.pctab_offset, 0);    // pctab
    out.slice(base + table.functab_offset, table.bytes.size() - table.functab_offset);
    out.slice(base + table.functab_offset, n + 1);  // ftab
  }
  out.word(0);                                                 // findfunctab
  out.word(spec.text_start);                                   // minpc
  out.word(spec.text_start + table.text_size_bytes);           // maxpc
  out.word(spec.text_start);                                   // text
  out.word(spec.text_end);                                     // etext
  for (int i = 0; i < 8; ++i) out.word(0x700000 + 0x100 * i);  // noptrdata … enoptrbss
  if (layout >= ModuleDataLayout::go120) {
    out.word(0);  // covctrs
    out.word(0);  // ecovctrs
  }
  out.word(0x780000);                                      // end
  out.word(0);                                             // gcdata
  out.word(0);                                             // gcbss
  out.word(0x500000);                                      // types
  if (layout >= ModuleDataLayout::go127) out.word(0x800);  // typedesclen
  out.word(0x510000);                                      // etypes
  if (layout >= ModuleDataLayout::go127) {
    out.word(0x900);  // itaboffset
    out.word(0x40);   // itabsize
  }
  if (layout >= ModuleDataLayout::go118) {
    out.word(0x500000);  // rodata
    out.word(0x520000);  // gofunc
  }
  if (layout >= ModuleDataLayout::go126) out.word(base + table.bytes.size());  // epclntab
  out.slice(textsect_vaddr, sections);                                         // textsectmap
  if (layout < ModuleDataLayout::go127) {
    out.slice(0, 0);  // typelinks
    out.slice(0, 0);  // itablinks
  }
  out.slice(0, 0);  // ptab
  out.word(0);      // pluginpath (string)
  out.word(0);
  out.slice(0, 0);  // pkghashes
  out.word(0);      // modulename (string)
  out.word(0);
  out.slice(0, 0);  // modulehashes
}

uint16_t machine_for(unsigned pointer_size, Endian endian) {
  if (endian == Endian::big) return pointer_size == 8 ? 21 : 20;  // EM_PPC64, EM_PPC
  return pointer_size == 8 ? 62 : 3;                              // EM_X86_64, EM_386
}

// Bytes that look like a pclntab header but are not one: a search must pass over them.
std::string rodata_filler(Endian endian, uint64_t size) {
  std::string filler(size, 'r');
  std::string stray;
  put_uint(stray, 0xFFFFFFF1, 4, endian);
  stray += std::string("\0\0\x01\x08", 4);
  stray += std::string(16, '\xff');  // nfunc that fits nowhere
  filler.replace(0x40, stray.size(), stray);
  return filler;
}

}  // namespace

BuiltPclntab build_pclntab(const PclntabSpec& spec) {
  return spec.version == PclntabVersion::go12 ? build_go12(spec) : build_go116_and_later(spec);
}

uint64_t moduledata_struct_bytes(ModuleDataLayout layout, unsigned pointer_size) {
  BuiltPclntab empty;
  ModuleDataSpec spec;
  spec.layout = layout;
  spec.pointer_size = pointer_size;
  spec.pclntab = &empty;
  Out out(Endian::little, pointer_size);
  write_moduledata_fields(out, spec, 0);
  return out.size();
}

std::string build_moduledata(const ModuleDataSpec& spec) {
  assert(spec.pclntab != nullptr);
  uint64_t struct_bytes = moduledata_struct_bytes(spec.layout, spec.pointer_size);
  Out out(spec.endian, spec.pointer_size);
  write_moduledata_fields(out, spec, spec.vaddr + struct_bytes);
  std::vector<TextSection> sections = spec.text_sections;
  if (sections.empty()) sections.push_back({0, spec.text_end - spec.text_start, spec.text_start});
  for (const TextSection& section : sections) {
    out.word(section.vaddr);
    out.word(section.end);
    out.word(section.base_address);
  }
  return out.bytes;
}

BuiltGoElf build_go_elf(const GoElfSpec& spec) {
  const PclntabSpec& table_spec = spec.pclntab;
  BuiltGoElf result;
  result.pclntab = build_pclntab(table_spec);
  const std::string& table = result.pclntab.bytes;
  const bool in_rodata = spec.pclntab_placement == PclntabPlacement::inside_rodata;
  result.pclntab_vaddr =
      in_rodata ? kGoRodataVaddr + kGoPclntabInRodataOffset : kGoPclntabSectionVaddr;

  ElfSpec elf;
  elf.is_64bit = table_spec.pointer_size == 8;
  elf.endian = table_spec.endian;
  elf.machine = machine_for(table_spec.pointer_size, table_spec.endian);
  elf.write_section_headers = spec.write_section_headers;
  const uint64_t text_end = table_spec.text_start + result.pclntab.text_size_bytes;
  elf.sections.push_back(SectionSpec{".text", 1, 6, table_spec.text_start, 64,
                                     std::string(result.pclntab.text_size_bytes, '\xcc'), 0});
  std::string rodata = rodata_filler(table_spec.endian, kGoPclntabInRodataOffset);
  if (in_rodata) rodata += table + std::string(0x40, 'r');
  elf.sections.push_back(SectionSpec{".rodata", 1, 2, kGoRodataVaddr, 64, rodata, 0});
  if (!in_rodata) {
    elf.sections.push_back(SectionSpec{".gopclntab", 1, 2, kGoPclntabSectionVaddr, 64, table, 0});
  }

  // .noptrdata: an optional decoy pointer to the pclntab, then (≤1.25) the moduledata at +0x40.
  const bool own_module_section = spec.moduledata_placement == ModuleDataPlacement::go_module;
  const uint64_t moduledata_vaddr =
      own_module_section ? kGoDataVaddr + 0x10000 : kGoDataVaddr + 0x40;
  std::string noptrdata(0x40, '\0');
  if (spec.decoy_pointer) {
    std::string decoy;
    put_uint(decoy, result.pclntab_vaddr, table_spec.pointer_size, table_spec.endian);
    noptrdata.replace(0x8, decoy.size(), decoy);
  }
  std::string moduledata;
  if (spec.moduledata_placement != ModuleDataPlacement::absent) {
    ModuleDataSpec module;
    module.layout = spec.layout;
    module.endian = table_spec.endian;
    module.pointer_size = table_spec.pointer_size;
    module.vaddr = moduledata_vaddr;
    module.pclntab_vaddr = result.pclntab_vaddr;
    module.pclntab = &result.pclntab;
    module.text_start = table_spec.text_start;
    module.text_end = text_end;
    moduledata = build_moduledata(module);
    result.moduledata_vaddr = moduledata_vaddr;
  }
  if (!own_module_section) noptrdata += moduledata;
  elf.sections.push_back(SectionSpec{".noptrdata", 1, 3, kGoDataVaddr, 64, noptrdata, 0});
  if (own_module_section) {
    elf.sections.push_back(SectionSpec{".go.module", 1, 3, moduledata_vaddr, 64, moduledata, 0});
  }
  for (const SectionSpec& extra : spec.extra_sections) elf.sections.push_back(extra);

  if (spec.write_symbols) {
    std::string table_section = in_rodata ? ".rodata" : ".gopclntab";
    elf.symbols.push_back({"runtime.text", table_spec.text_start, 0, 2, ".text"});
    elf.symbols.push_back({"runtime.etext", text_end, 0, 2, ".text"});
    elf.symbols.push_back({"runtime.pclntab", result.pclntab_vaddr, 0, 1, table_section});
    elf.symbols.push_back(
        {"runtime.epclntab", result.pclntab_vaddr + table.size(), 0, 1, table_section});
    if (spec.moduledata_placement != ModuleDataPlacement::absent) {
      elf.symbols.push_back({"runtime.firstmoduledata", moduledata_vaddr, moduledata.size(), 1,
                             own_module_section ? ".go.module" : ".noptrdata"});
    }
  }
  result.elf = build_elf(elf);
  return result;
}

std::vector<GoFunctionSpec> sample_functions() {
  return {{"internal/cpu.Initialize", 0x40},
          {"crypto/sha256.(*digest).Write", 0x80},
          {"main.main", 0x20}};
}

}  // namespace fipsgate::testing
