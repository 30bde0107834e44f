#include "synthetic_go.h"

#include "fipsgate/go/module_info.h"

namespace fipsgate::fuzzing {

namespace {

using testing::put_uint;

uint32_t magic_of(PclntabVersion version) {
  switch (version) {
    case PclntabVersion::go12:
      return 0xFFFFFFFB;
    case PclntabVersion::go116:
      return 0xFFFFFFFA;
    case PclntabVersion::go118:
      return 0xFFFFFFF0;
    case PclntabVersion::go120:
      return 0xFFFFFFF1;
  }
  return 0;
}

// The 8 common header bytes (reference §2.1).
std::string header_prefix(const PclntabSpec& spec) {
  std::string out;
  put_uint(out, magic_of(spec.version), 4, spec.endian);
  out.push_back('\0');
  out.push_back('\0');
  out.push_back(static_cast<char>(spec.quantum));
  out.push_back(static_cast<char>(spec.pointer_size));
  return out;
}

// _func fields after entry and nameoff, all zero but cuOffset and (1.20+) startLine; no pcdata
// and no funcdata (reference §2.3).
void put_func_tail(std::string& out, const PclntabSpec& spec) {
  for (int field = 0; field < 5; ++field) put_uint(out, 0, 4, spec.endian);     // args..pcln
  put_uint(out, 0, 4, spec.endian);                                             // npcdata
  if (spec.version != PclntabVersion::go12) put_uint(out, 0, 4, spec.endian);   // cuOffset
  if (spec.version == PclntabVersion::go120) put_uint(out, 1, 4, spec.endian);  // startLine
  out.append(4, '\0');  // funcID, flag, pad, nfuncdata
}

// Go 1.16+: header words, then funcnametab, cutab, filetab, pctab, pclntable.
std::string make_modern(const PclntabSpec& spec) {
  const unsigned ptr = spec.pointer_size;
  const bool has_text_start =
      spec.version == PclntabVersion::go118 || spec.version == PclntabVersion::go120;
  const uint64_t word_count = has_text_start ? 8 : 7;
  const uint64_t header_bytes = 8 + word_count * ptr;

  std::string names;
  std::vector<uint64_t> name_offsets;
  for (const SyntheticFunction& function : spec.functions) {
    name_offsets.push_back(names.size());
    names += function.name;
    names.push_back('\0');
  }
  std::string cutab, filetab;
  for (const std::string& file : spec.files) {
    put_uint(cutab, filetab.size(), 4, spec.endian);
    filetab += file;
    filetab.push_back('\0');
  }
  const std::string pctab(1, '\0');

  // pclntable: functab then _func records; funcoff counts from the pclntable start.
  const uint64_t count = spec.functions.size();
  const uint64_t entry_bytes = has_text_start ? 8 : 2 * ptr;
  const unsigned entry_field = has_text_start ? 4 : ptr;
  std::string functab, records;
  uint64_t offset = 0;
  const uint64_t records_start = (count + 1) * entry_bytes;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t entry = has_text_start ? offset : spec.text_start + offset;
    put_uint(functab, entry, entry_field, spec.endian);
    put_uint(functab, records_start + records.size(), entry_field, spec.endian);
    put_uint(records, entry, entry_field, spec.endian);
    put_uint(records, name_offsets[i], 4, spec.endian);
    put_func_tail(records, spec);
    offset += spec.functions[i].size_bytes;
  }
  put_uint(functab, has_text_start ? offset : spec.text_start + offset, entry_field, spec.endian);
  put_uint(functab, 0, entry_field, spec.endian);

  std::string out = header_prefix(spec);
  uint64_t funcname_offset = header_bytes;
  uint64_t cu_offset = funcname_offset + names.size();
  uint64_t filetab_offset = cu_offset + cutab.size();
  uint64_t pctab_offset = filetab_offset + filetab.size();
  uint64_t pcln_offset = pctab_offset + pctab.size();
  pcln_offset = (pcln_offset + ptr - 1) / ptr * ptr;
  put_uint(out, count, ptr, spec.endian);
  put_uint(out, spec.files.size(), ptr, spec.endian);
  if (has_text_start) put_uint(out, spec.text_start, ptr, spec.endian);
  for (uint64_t value : {funcname_offset, cu_offset, filetab_offset, pctab_offset, pcln_offset})
    put_uint(out, value, ptr, spec.endian);
  out += names + cutab + filetab + pctab;
  out.resize(pcln_offset, '\0');
  out += functab + records;
  return out;
}

// Go 1.2–1.15: nfunctab, functab at 8+ptrsize, end PC, filetab offset, then _func records and
// names; every offset counts from the table start.
std::string make_go12(const PclntabSpec& spec) {
  const unsigned ptr = spec.pointer_size;
  const uint64_t count = spec.functions.size();
  const uint64_t functab_start = 8 + ptr;
  const uint64_t functab_bytes = (2 * count + 1) * ptr + 4;
  const uint64_t record_bytes = ptr + 4 + 6 * 4 + 4;
  const uint64_t records_start = (functab_start + functab_bytes + ptr - 1) / ptr * ptr;
  const uint64_t names_start = records_start + count * record_bytes;

  std::string names, records, functab;
  uint64_t pc = spec.text_start;
  for (uint64_t i = 0; i < count; ++i) {
    put_uint(functab, pc, ptr, spec.endian);
    put_uint(functab, records_start + records.size(), ptr, spec.endian);
    put_uint(records, pc, ptr, spec.endian);
    put_uint(records, names_start + names.size(), 4, spec.endian);
    put_func_tail(records, spec);
    names += spec.functions[i].name;
    names.push_back('\0');
    pc += spec.functions[i].size_bytes;
  }
  put_uint(functab, pc, ptr, spec.endian);
  const uint64_t filetab_offset = names_start + names.size();
  put_uint(functab, filetab_offset, 4, spec.endian);

  std::string out = header_prefix(spec);
  put_uint(out, count, ptr, spec.endian);
  out += functab;
  out.resize(records_start, '\0');
  out += records + names;
  // filetab: nfiletab (files + 1), then the offset of each file name, then the names.
  uint64_t names_at = out.size() + 4 * (spec.files.size() + 1);
  put_uint(out, spec.files.size() + 1, 4, spec.endian);
  std::string file_names;
  for (const std::string& file : spec.files) {
    put_uint(out, names_at + file_names.size(), 4, spec.endian);
    file_names += file;
    file_names.push_back('\0');
  }
  return out + file_names;
}

uint64_t total_text_bytes(const PclntabSpec& spec) {
  uint64_t total = 0;
  for (const SyntheticFunction& function : spec.functions) total += function.size_bytes;
  return total;
}

}  // namespace

// moduledata in the layout that goes with the pclntab's version, with the fields
// find_moduledata checks (word indices from reference §3.2: slices are 3 words) and a one-entry
// textsectmap stored right after the 50 words the readers decode.
std::string make_moduledata(const PclntabSpec& spec, uint64_t pclntab_vaddr,
                            const std::string& pclntab, uint64_t text_vaddr,
                            uint64_t moduledata_vaddr) {
  const unsigned ptr = spec.pointer_size;
  constexpr uint64_t kWords = 50;
  std::string out((kWords + 3) * ptr, '\0');
  auto put_word = [&](uint64_t index, uint64_t value) {
    std::string word;
    put_uint(word, value, ptr, spec.endian);
    out.replace(index * ptr, ptr, word);
  };
  auto put_slice = [&](uint64_t index, uint64_t data, uint64_t length) {
    put_word(index, data);
    put_word(index + 1, length);
    put_word(index + 2, length);
  };
  ByteView table(pclntab);
  auto header_word = [&](unsigned index) {
    return table.word(8 + index * ptr, ptr, spec.endian).value_or(0);
  };
  const uint64_t count = spec.functions.size();
  const uint64_t text_end = text_vaddr + total_text_bytes(spec);
  uint64_t textsectmap = 0;
  if (spec.version == PclntabVersion::go12) {  // 1.8–1.15: pclntable slice first
    put_slice(0, pclntab_vaddr, pclntab.size());
    put_slice(3, pclntab_vaddr + 8 + ptr, count + 1);
    put_word(10, text_vaddr);
    put_word(11, text_end);
    put_word(12, text_vaddr);
    put_word(13, text_end);
    textsectmap = 27;
  } else {
    const unsigned first = spec.version == PclntabVersion::go116 ? 2 : 3;
    uint64_t funcname = header_word(first), cu = header_word(first + 1),
             filetab = header_word(first + 2), pctab = header_word(first + 3),
             pcln = header_word(first + 4);
    put_word(0, pclntab_vaddr);
    put_slice(1, pclntab_vaddr + funcname, cu - funcname);
    put_slice(4, pclntab_vaddr + cu, (filetab - cu) / 4);
    put_slice(7, pclntab_vaddr + filetab, pctab - filetab);
    put_slice(10, pclntab_vaddr + pctab, pcln - pctab);
    put_slice(13, pclntab_vaddr + pcln, pclntab.size() - pcln);
    put_slice(16, pclntab_vaddr + pcln, count + 1);
    put_word(20, text_vaddr);
    put_word(21, text_end);
    put_word(22, text_vaddr);
    put_word(23, text_end);
    textsectmap = spec.version == PclntabVersion::go116   ? 37
                  : spec.version == PclntabVersion::go118 ? 39
                                                          : 41;
  }
  put_slice(textsectmap, moduledata_vaddr + kWords * ptr, 1);
  put_word(kWords, 0);
  put_word(kWords + 1, text_end - text_vaddr);
  put_word(kWords + 2, text_vaddr);
  return out;
}

std::string make_pclntab(const PclntabSpec& spec) {
  return spec.version == PclntabVersion::go12 ? make_go12(spec) : make_modern(spec);
}

std::vector<SyntheticFunction> sample_functions() {
  return {{"internal/cpu.Initialize", 0x40},
          {"runtime.main", 0x80},
          {"crypto/internal/boring/sig.BoringCrypto.abi0", 0x10},
          {"_goboringcrypto_AES_encrypt", 0x20},
          {"crypto/sha256.(*digest).Write", 0x40},
          {"crypto/md5.Sum", 0x20},
          {"vendor/golang.org/x/crypto/hkdf.Extract", 0x20},
          {"crypto/internal/fips140/v1%2e0%2e0/sha256.New", 0x20},
          {"main.Map[...]", 0x10},
          {"main.main", 0x30}};
}

std::string frame_module_text(const std::string& text) {
  std::string framed(kModInfoStart);
  framed += text;
  framed += kModInfoEnd;
  return framed;
}

std::string make_inline_build_info(const std::string& version, const std::string& framed_modinfo,
                                   unsigned pointer_size, Endian endian) {
  std::string out("\xff Go buildinf:", 14);
  out.push_back(static_cast<char>(pointer_size));
  out.push_back(static_cast<char>(2 | (endian == Endian::big ? 1 : 0)));
  out.append(16, '\0');
  testing::put_uvarint(out, version.size());
  out += version;
  testing::put_uvarint(out, framed_modinfo.size());
  out += framed_modinfo;
  testing::pad_to(out, 16);
  return out;
}

// Pointer format (Go 1.13–1.17): the blob holds the addresses of two Go string headers, which
// are placed right after it in the same section and point at string data after them.
std::string make_pointer_build_info(const std::string& version, const std::string& framed,
                                    unsigned ptr, Endian endian, uint64_t blob_vaddr) {
  std::string out("\xff Go buildinf:", 14);
  out.push_back(static_cast<char>(ptr));
  out.push_back(static_cast<char>(endian == Endian::big ? 1 : 0));
  const uint64_t headers = blob_vaddr + 32;
  const uint64_t strings = headers + 4 * ptr;
  put_uint(out, headers, ptr, endian);
  put_uint(out, headers + 2 * ptr, ptr, endian);
  out.resize(32, '\0');
  put_uint(out, strings, ptr, endian);
  put_uint(out, version.size(), ptr, endian);
  put_uint(out, strings + version.size(), ptr, endian);
  put_uint(out, framed.size(), ptr, endian);
  out += version + framed;
  testing::pad_to(out, 16);
  return out;
}

testing::BuiltElf make_go_elf(const GoElfSpec& spec) {
  constexpr uint64_t kAlloc = 2, kWrite = 1, kExec = 4;
  const PclntabSpec& table = spec.pclntab;
  testing::ElfSpec elf;
  elf.is_64bit = table.pointer_size == 8;
  elf.endian = table.endian;
  elf.machine = table.endian == Endian::big ? (elf.is_64bit ? 22 : 8)   // s390x / mips
                                            : (elf.is_64bit ? 62 : 3);  // amd64 / 386
  elf.write_section_headers = spec.with_section_headers;

  // Two passes: section sizes do not depend on addresses, so the first build fixes the layout
  // and the second writes the addresses (text start, pclntab, moduledata pointers) into it.
  uint64_t text_vaddr = 0, pclntab_vaddr = 0, buildinfo_vaddr = 0, noptrdata_vaddr = 0;
  testing::BuiltElf built;
  for (int pass = 0; pass < 2; ++pass) {
    PclntabSpec placed_table = table;
    if (placed_table.text_start != 0) placed_table.text_start = text_vaddr;
    std::string pclntab = make_pclntab(placed_table);
    std::string text(total_text_bytes(table), '\xcc');
    std::string framed = frame_module_text(spec.module_text);
    std::string buildinfo =
        spec.pointer_format_build_info
            ? make_pointer_build_info(spec.go_version, framed, table.pointer_size, table.endian,
                                      buildinfo_vaddr)
            : make_inline_build_info(spec.go_version, framed, table.pointer_size, table.endian);
    std::string moduledata =
        make_moduledata(placed_table, pclntab_vaddr, pclntab, text_vaddr, noptrdata_vaddr);

    elf.sections.clear();
    elf.sections.push_back({".text", 1, kAlloc | kExec, 0, 16, text, 0});
    elf.sections.push_back({".gopclntab", 1, kAlloc, 0, 32, pclntab, 0});
    if (!spec.go_version.empty())
      elf.sections.push_back({".go.buildinfo", 1, kAlloc | kWrite, 0, 16, buildinfo, 0});
    if (spec.with_moduledata)
      elf.sections.push_back({".noptrdata", 1, kAlloc | kWrite, 0, 32, moduledata, 0});
    elf.symbols.clear();
    if (spec.with_symbols) {
      elf.symbols.push_back({"runtime.text", text_vaddr, 0, 2, ".text"});
      elf.symbols.push_back({"runtime.pclntab", pclntab_vaddr, 0, 1, ".gopclntab"});
      elf.symbols.push_back(
          {"runtime.epclntab", pclntab_vaddr + pclntab.size(), 0, 1, ".gopclntab"});
      if (spec.with_moduledata)
        elf.symbols.push_back(
            {"runtime.firstmoduledata", noptrdata_vaddr, moduledata.size(), 1, ".noptrdata"});
    }
    built = testing::build_elf(elf);
    text_vaddr = built.find(".text")->vaddr;
    pclntab_vaddr = built.find(".gopclntab")->vaddr;
    if (const auto* placed = built.find(".go.buildinfo")) buildinfo_vaddr = placed->vaddr;
    if (const auto* placed = built.find(".noptrdata")) noptrdata_vaddr = placed->vaddr;
  }
  return built;
}

}  // namespace fipsgate::fuzzing
