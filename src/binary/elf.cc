// Our own zero-copy ELF reader (ELF32/ELF64, either byte order). Every table is bounded by the
// file before it is walked, so a hostile count or offset becomes an Error or a warning, never a
// read past the end. Layouts: the System V gABI, "Object Files" chapter (elf(5) on Linux).
#include "fipsgate/binary/elf.h"

#include <algorithm>
#include <string>

#include "fipsgate/io/limits.h"

namespace fipsgate {

namespace {

// e_ident
constexpr uint8_t kClass32 = 1, kClass64 = 2;
constexpr uint8_t kDataLittle = 1, kDataBig = 2;
// e_type
constexpr uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3;
// e_machine
constexpr uint16_t kEm386 = 3, kEmMips = 8, kEmPpc64 = 21, kEmS390 = 22, kEmArm = 40,
                   kEmX86_64 = 62, kEmAarch64 = 183, kEmRiscv = 243, kEmLoongarch = 258;
// p_type, p_flags
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3, kPtNote = 4;
constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;
// sh_type, sh_flags, special section indexes
constexpr uint32_t kShtSymtab = 2, kShtDynamic = 6, kShtNote = 7, kShtNobits = 8, kShtDynsym = 11;
constexpr uint64_t kShfWrite = 1, kShfAlloc = 2, kShfExecinstr = 4;
constexpr uint32_t kShnXindex = 0xffff;  // e_shstrndx escape: real index in section 0's sh_link
constexpr uint32_t kPnXnum = 0xffff;     // e_phnum escape: real count in section 0's sh_info
// d_tag
constexpr uint64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtSoname = 14,
                   kDtFlags1 = 0x6ffffffb;
constexpr uint64_t kDf1Pie = 0x08000000;
// Note types: Go's linker writes name "Go" type 4 for the build ID (cmd/link/internal/ld/elf.go);
// GNU ld writes name "GNU" type 3 (NT_GNU_BUILD_ID).
constexpr uint32_t kNoteGoBuildId = 4, kNtGnuBuildId = 3;

// Beyond kMaxReaderWarnings a hostile file only gets one more saying the rest were dropped.
// A build ID is a few dozen bytes; anything over kMaxBuildIdBytes is not one.
using limits::kMaxBuildIdBytes, limits::kMaxInterpreterBytes, limits::kMaxLibraryNameBytes,
    limits::kMaxProgramHeaders, limits::kMaxReaderWarnings, limits::kMaxSectionHeaders,
    limits::kMaxSectionNameBytes;

// The fields of one fixed-size record, read after the whole record was bounds-checked.
class Record {
 public:
  Record(const uint8_t* bytes, Endian endian) : bytes_(bytes), endian_(endian) {}
  uint64_t u(unsigned offset, unsigned size_bytes) const {
    return load_uint(bytes_ + offset, size_bytes, endian_);
  }

 private:
  const uint8_t* bytes_;
  Endian endian_;
};

struct FileHeader {
  bool is_64bit = true;
  Endian endian = Endian::little;
  uint16_t type = 0;
  uint16_t machine = 0;
  uint64_t entry = 0;
  uint64_t phoff = 0;
  uint64_t shoff = 0;
  uint16_t phentsize = 0;
  uint32_t phnum = 0;
  uint16_t shentsize = 0;
  uint64_t shnum = 0;
  uint32_t shstrndx = 0;
};

struct ProgramHeader {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint64_t align = 0;
};

struct SectionHeader {
  uint32_t name = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t addralign = 0;
  uint64_t entsize = 0;
};

std::string table_description(std::string_view what, uint64_t offset, uint64_t count,
                              uint64_t entry_bytes) {
  return std::string(what) + " at file offset " + hex(offset) + " (" + std::to_string(count) +
         " entries x " + std::to_string(entry_bytes) + " bytes)";
}

// [offset, offset + count * entry_bytes) within a file of file_size bytes, without overflow.
bool table_fits(uint64_t offset, uint64_t count, uint64_t entry_bytes, uint64_t file_size) {
  if (offset > file_size) return false;
  if (entry_bytes == 0) return true;
  return count <= (file_size - offset) / entry_bytes;
}

Arch arch_of(uint16_t machine, bool is_64bit, Endian endian) {
  const bool little = endian == Endian::little;
  switch (machine) {
    case kEm386:
      return Arch::x86;
    case kEmX86_64:
      return Arch::amd64;
    case kEmArm:
      return Arch::arm;
    case kEmAarch64:
      return Arch::arm64;
    case kEmPpc64:
      return little ? Arch::ppc64le : Arch::ppc64;
    case kEmS390:
      return Arch::s390x;
    case kEmRiscv:
      return is_64bit ? Arch::riscv64 : Arch::unknown;
    case kEmMips:
      if (is_64bit) return little ? Arch::mips64le : Arch::mips64;
      return little ? Arch::mipsle : Arch::mips;
    case kEmLoongarch:
      return is_64bit ? Arch::loong64 : Arch::unknown;
    default:
      return Arch::unknown;
  }
}

std::string hex_bytes(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (uint64_t i = 0; i < bytes.size(); ++i) {
    text.push_back(kDigits[bytes.data()[i] >> 4]);
    text.push_back(kDigits[bytes.data()[i] & 0xf]);
  }
  return text;
}

// A note's name without the NUL padding that writers disagree about ("Go\0\0" vs "Go\0").
std::string_view note_name(ByteView name) {
  std::string_view text = name.chars();
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  return text;
}

uint64_t align_up(uint64_t value, uint64_t alignment) {
  uint64_t remainder = value % alignment;
  return remainder == 0 ? value : value + (alignment - remainder);
}

class ElfReader {
 public:
  explicit ElfReader(ByteView file) : file_(file) {}

  Result<BinaryImage> read() {
    image_.set_file(file_);
    image_.format = FileFormat::elf;
    if (auto status = read_file_header(); !status.ok()) return status.error().within("ELF");
    if (auto status = read_program_headers(); !status.ok()) return status.error().within("ELF");
    if (image_.segments.empty() && header_.type != kEtRel) {
      warn("no PT_LOAD segments: virtual addresses cannot be mapped to file offsets");
    }
    read_section_headers();
    read_symbol_tables();
    read_notes();
    read_dynamic();
    decide_linkage();
    return std::move(image_);
  }

 private:
  void warn(std::string message) {
    if (image_.warnings.size() < kMaxReaderWarnings) {
      image_.warnings.push_back("ELF: " + std::move(message));
    } else if (image_.warnings.size() == kMaxReaderWarnings) {
      image_.warnings.push_back("ELF: further warnings suppressed");
    }
  }

  Endian endian() const { return header_.endian; }
  unsigned word_bytes() const { return header_.is_64bit ? 8 : 4; }

  // --- file header -----------------------------------------------------------------------

  Status read_file_header() {
    if (!is_elf(file_)) return Error("file does not start with the ELF magic 7f 45 4c 46");
    if (file_.size() < 16) {
      return Error("identification bytes need 16 bytes, the file has " +
                   std::to_string(file_.size()));
    }
    const uint8_t elf_class = file_.data()[4], data = file_.data()[5];
    if (elf_class != kClass32 && elf_class != kClass64) {
      return Error("class byte " + hex(elf_class) + " at file offset 0x4 is neither 1 (ELF32) " +
                   "nor 2 (ELF64)");
    }
    if (data != kDataLittle && data != kDataBig) {
      return Error("data encoding byte " + hex(data) + " at file offset 0x5 is neither 1 " +
                   "(little endian) nor 2 (big endian)");
    }
    header_.is_64bit = elf_class == kClass64;
    header_.endian = data == kDataLittle ? Endian::little : Endian::big;
    const uint64_t header_bytes = header_.is_64bit ? 64 : 52;
    if (file_.size() < header_bytes) {
      return Error("the " + std::to_string(header_bytes) + "-byte file header runs past the end " +
                   "of the " + std::to_string(file_.size()) + "-byte file");
    }
    decode_file_header(Record(file_.data(), endian()));
    image_.is_64bit = header_.is_64bit;
    image_.endian = header_.endian;
    image_.pointer_size = word_bytes();
    image_.entry_vaddr = header_.entry;
    image_.arch = arch_of(header_.machine, header_.is_64bit, header_.endian);
    if (image_.arch == Arch::unknown) {
      warn("machine " + std::to_string(header_.machine) + " (e_machine) is not an architecture " +
           "Go supports");
    }
    return Ok{};
  }

  void decode_file_header(Record r) {
    header_.type = static_cast<uint16_t>(r.u(16, 2));
    header_.machine = static_cast<uint16_t>(r.u(18, 2));
    if (header_.is_64bit) {
      header_.entry = r.u(24, 8);
      header_.phoff = r.u(32, 8);
      header_.shoff = r.u(40, 8);
      header_.phentsize = static_cast<uint16_t>(r.u(54, 2));
      header_.phnum = static_cast<uint32_t>(r.u(56, 2));
      header_.shentsize = static_cast<uint16_t>(r.u(58, 2));
      header_.shnum = r.u(60, 2);
      header_.shstrndx = static_cast<uint32_t>(r.u(62, 2));
    } else {
      header_.entry = r.u(24, 4);
      header_.phoff = r.u(28, 4);
      header_.shoff = r.u(32, 4);
      header_.phentsize = static_cast<uint16_t>(r.u(42, 2));
      header_.phnum = static_cast<uint32_t>(r.u(44, 2));
      header_.shentsize = static_cast<uint16_t>(r.u(46, 2));
      header_.shnum = r.u(48, 2);
      header_.shstrndx = static_cast<uint32_t>(r.u(50, 2));
    }
  }

  // --- program headers -------------------------------------------------------------------

  unsigned program_header_bytes() const { return header_.is_64bit ? 56 : 32; }
  unsigned section_header_bytes() const { return header_.is_64bit ? 64 : 40; }

  Status read_program_headers() {
    uint64_t count = header_.phnum;
    if (count == kPnXnum) {
      // gABI extended numbering: the real count is in section header 0's sh_info.
      auto first = section_header_zero();
      if (!first) {
        return Error("e_phnum is 0xffff (extended numbering) but section header 0, which " +
                     std::string("holds the real count, cannot be read"));
      }
      count = first->info;
    }
    if (count == 0) return Ok{};
    if (header_.phentsize < program_header_bytes()) {
      return Error("program header entries are " + std::to_string(header_.phentsize) +
                   " bytes (e_phentsize), less than the " + std::to_string(program_header_bytes()) +
                   " an ELF" + (header_.is_64bit ? "64" : "32") + " program header needs");
    }
    if (!table_fits(header_.phoff, count, header_.phentsize, file_.size())) {
      return Error(
          table_description("program header table", header_.phoff, count, header_.phentsize) +
          " runs past the end of the " + std::to_string(file_.size()) + "-byte file");
    }
    if (count > kMaxProgramHeaders) {
      return Error(
          table_description("program header table", header_.phoff, count, header_.phentsize) +
          " has more than the " + std::to_string(kMaxProgramHeaders) + "-entry limit");
    }
    for (uint64_t index = 0; index < count; ++index) {
      uint64_t offset = header_.phoff + index * header_.phentsize;
      use_program_header(decode_program_header(Record(file_.data() + offset, endian())), offset);
    }
    return Ok{};
  }

  ProgramHeader decode_program_header(Record r) const {
    ProgramHeader ph;
    ph.type = static_cast<uint32_t>(r.u(0, 4));
    if (header_.is_64bit) {
      ph.flags = static_cast<uint32_t>(r.u(4, 4));
      ph.offset = r.u(8, 8);
      ph.vaddr = r.u(16, 8);
      ph.filesz = r.u(32, 8);
      ph.memsz = r.u(40, 8);
      ph.align = r.u(48, 8);
    } else {
      ph.offset = r.u(4, 4);
      ph.vaddr = r.u(8, 4);
      ph.filesz = r.u(16, 4);
      ph.memsz = r.u(20, 4);
      ph.flags = static_cast<uint32_t>(r.u(24, 4));
      ph.align = r.u(28, 4);
    }
    return ph;
  }

  // The file bytes a program header names, cut to the file with a warning when they run past.
  ByteView segment_file_bytes(const ProgramHeader& ph, uint64_t header_offset,
                              std::string_view what) {
    auto bytes = file_.slice(ph.offset, ph.filesz);
    if (bytes.ok()) return *bytes;
    warn(std::string(what) + " (program header at file offset " + hex(header_offset) +
         ") claims file bytes " + hex(ph.offset) + "+" + hex(ph.filesz) + " past the end of the " +
         std::to_string(file_.size()) + "-byte file; using what is there");
    return file_.clamp(ph.offset, ph.filesz);
  }

  void use_program_header(const ProgramHeader& ph, uint64_t header_offset) {
    switch (ph.type) {
      case kPtLoad:
        add_load_segment(ph, header_offset);
        break;
      case kPtInterp:
        read_interpreter(segment_file_bytes(ph, header_offset, "PT_INTERP"));
        break;
      case kPtDynamic:
        if (!dynamic_) dynamic_ = segment_file_bytes(ph, header_offset, "PT_DYNAMIC");
        break;
      case kPtNote:
        note_areas_.push_back(
            {segment_file_bytes(ph, header_offset, "PT_NOTE"), ph.align == 8 ? 8u : 4u});
        break;
      default:
        break;
    }
  }

  void add_load_segment(const ProgramHeader& ph, uint64_t header_offset) {
    if (ph.memsz > UINT64_MAX - ph.vaddr) {
      warn("PT_LOAD at file offset " + hex(header_offset) + ": virtual range " + hex(ph.vaddr) +
           "+" + hex(ph.memsz) + " wraps around the address space; segment ignored");
      return;
    }
    ByteView bytes = segment_file_bytes(ph, header_offset, "PT_LOAD");
    Segment segment;
    segment.vaddr = ph.vaddr;
    segment.file_offset = bytes.file_offset();
    segment.file_size = bytes.size();
    // A file size above the memory size is malformed; the loader maps only memsz.
    segment.memory_size = std::max(ph.memsz, segment.file_size);
    if (segment.memory_size > UINT64_MAX - ph.vaddr) segment.memory_size = ph.memsz;
    segment.readable = (ph.flags & kPfR) != 0;
    segment.writable = (ph.flags & kPfW) != 0;
    segment.executable = (ph.flags & kPfX) != 0;
    image_.segments.push_back(segment);
  }

  void read_interpreter(ByteView bytes) {
    auto path = bytes.cstring(0, kMaxInterpreterBytes);
    if (!path.ok()) {
      // Some linkers omit the NUL; accept the bytes as they are if they look like a path.
      std::string_view text = bytes.clamp(0, kMaxInterpreterBytes).chars();
      if (text.empty()) {
        warn("PT_INTERP at file offset " + hex(bytes.file_offset()) + " is empty");
        return;
      }
      image_.interpreter = text;
      return;
    }
    image_.interpreter = *path;
  }

  // --- section headers -------------------------------------------------------------------

  // Section header 0 carries the real counts when e_shnum/e_phnum/e_shstrndx overflow.
  std::optional<SectionHeader> section_header_zero() const {
    if (header_.shoff == 0 || header_.shentsize < section_header_bytes()) return std::nullopt;
    if (!table_fits(header_.shoff, 1, header_.shentsize, file_.size())) return std::nullopt;
    return decode_section_header(Record(file_.data() + header_.shoff, endian()));
  }

  SectionHeader decode_section_header(Record r) const {
    SectionHeader sh;
    sh.name = static_cast<uint32_t>(r.u(0, 4));
    sh.type = static_cast<uint32_t>(r.u(4, 4));
    if (header_.is_64bit) {
      sh.flags = r.u(8, 8);
      sh.addr = r.u(16, 8);
      sh.offset = r.u(24, 8);
      sh.size = r.u(32, 8);
      sh.link = static_cast<uint32_t>(r.u(40, 4));
      sh.info = static_cast<uint32_t>(r.u(44, 4));
      sh.addralign = r.u(48, 8);
      sh.entsize = r.u(56, 8);
    } else {
      sh.flags = r.u(8, 4);
      sh.addr = r.u(12, 4);
      sh.offset = r.u(16, 4);
      sh.size = r.u(20, 4);
      sh.link = static_cast<uint32_t>(r.u(24, 4));
      sh.info = static_cast<uint32_t>(r.u(28, 4));
      sh.addralign = r.u(32, 4);
      sh.entsize = r.u(36, 4);
    }
    return sh;
  }

  // Section headers are optional for execution: any problem here is a warning, and the image
  // keeps working from its segments.
  void read_section_headers() {
    if (header_.shoff == 0) {
      if (header_.shnum != 0)
        warn("e_shnum is " + std::to_string(header_.shnum) +
             " but e_shoff is 0; no section headers");
      return;
    }
    if (header_.shentsize < section_header_bytes()) {
      warn("section header entries are " + std::to_string(header_.shentsize) +
           " bytes (e_shentsize), less than the " + std::to_string(section_header_bytes()) +
           " needed; section headers ignored");
      return;
    }
    auto first = section_header_zero();
    if (!first) {
      warn("section header table at file offset " + hex(header_.shoff) + " (e_shoff) is past " +
           "the end of the " + std::to_string(file_.size()) +
           "-byte file; section headers ignored");
      return;
    }
    uint64_t count = header_.shnum == 0 ? first->size : header_.shnum;  // extended numbering
    uint64_t names_index = header_.shstrndx == kShnXindex ? first->link : header_.shstrndx;
    if (!table_fits(header_.shoff, count, header_.shentsize, file_.size())) {
      warn(table_description("section header table", header_.shoff, count, header_.shentsize) +
           " runs past the end of the " + std::to_string(file_.size()) +
           "-byte file; section headers ignored");
      return;
    }
    // Each section costs heap (its header and a Section), so the count needs a bound of its own:
    // by file size alone, a 700 MB file could claim 11 million sections.
    if (count > kMaxSectionHeaders) {
      warn(table_description("section header table", header_.shoff, count, header_.shentsize) +
           " has more than the " + std::to_string(kMaxSectionHeaders) +
           "-entry limit; section headers ignored");
      return;
    }
    headers_.reserve(count);
    for (uint64_t index = 0; index < count; ++index) {
      headers_.push_back(decode_section_header(
          Record(file_.data() + header_.shoff + index * header_.shentsize, endian())));
    }
    ByteView names = section_names(names_index);
    image_.sections.reserve(count);
    for (uint64_t index = 0; index < count; ++index) {
      image_.sections.push_back(to_section(headers_[index], names, index));
    }
  }

  ByteView section_names(uint64_t names_index) {
    if (names_index == 0) {
      warn("no section name string table (e_shstrndx is 0); sections have no names");
      return {};
    }
    if (names_index >= headers_.size()) {
      warn("section name string table index " + std::to_string(names_index) +
           " (e_shstrndx) is not below the " + std::to_string(headers_.size()) +
           " sections; sections have no names");
      return {};
    }
    const SectionHeader& sh = headers_[names_index];
    auto bytes = file_.slice(sh.offset, sh.size);
    if (!bytes.ok()) {
      warn("section name string table at file offset " + hex(sh.offset) + " (" +
           std::to_string(sh.size) + " bytes) runs past the end of the " +
           std::to_string(file_.size()) + "-byte file; sections have no names");
      return {};
    }
    return *bytes;
  }

  Section to_section(const SectionHeader& sh, ByteView names, uint64_t index) {
    Section section;
    section.type = sh.type;
    section.flags = sh.flags;
    section.vaddr = sh.addr;
    section.size = sh.size;
    section.file_offset = sh.offset;
    section.has_file_bytes = sh.type != kShtNobits && sh.type != 0;
    section.allocated = (sh.flags & kShfAlloc) != 0;
    section.writable = (sh.flags & kShfWrite) != 0;
    section.executable = (sh.flags & kShfExecinstr) != 0;
    if (!names.empty() && (index != 0 || sh.name != 0)) {
      auto name = names.cstring(sh.name, kMaxSectionNameBytes);
      if (name.ok()) {
        section.name = *name;
      } else {
        warn("section " + std::to_string(index) + ": name offset " + hex(sh.name) +
             " is not a string in the section name table");
      }
    }
    if (section.has_file_bytes && !file_.contains(sh.offset, sh.size)) {
      warn("section " + std::to_string(index) + " (" + std::string(section.name) +
           ") at file offset " + hex(sh.offset) + " (" + std::to_string(sh.size) +
           " bytes) runs past the end of the " + std::to_string(file_.size()) + "-byte file");
    }
    return section;
  }

  // The file bytes of section header `index`, or nothing (with a warning naming `role`).
  std::optional<ByteView> section_file_bytes(uint64_t index, std::string_view role) {
    if (index >= headers_.size()) {
      warn(std::string(role) + ": section index " + std::to_string(index) + " is not below the " +
           std::to_string(headers_.size()) + " sections");
      return std::nullopt;
    }
    const SectionHeader& sh = headers_[index];
    if (sh.type == kShtNobits) return ByteView();
    auto bytes = file_.slice(sh.offset, sh.size);
    if (!bytes.ok()) {
      warn(std::string(role) + ": section " + std::to_string(index) + " at file offset " +
           hex(sh.offset) + " (" + std::to_string(sh.size) + " bytes) runs past the end of the " +
           std::to_string(file_.size()) + "-byte file");
      return std::nullopt;
    }
    return *bytes;
  }

  // --- symbols ---------------------------------------------------------------------------

  void read_symbol_tables() {
    for (uint64_t index = 0; index < headers_.size(); ++index) {
      const SectionHeader& sh = headers_[index];
      if (sh.type == kShtSymtab && image_.symbols.empty()) {
        image_.symbols = symbol_table(index, ".symtab");
      } else if (sh.type == kShtDynsym && image_.dynamic_symbols.empty()) {
        image_.dynamic_symbols = symbol_table(index, ".dynsym");
      }
    }
  }

  SymbolTable symbol_table(uint64_t index, std::string_view role) {
    const SectionHeader& sh = headers_[index];
    const uint64_t entry_bytes = header_.is_64bit ? 24 : 16;
    if (sh.entsize != 0 && sh.entsize != entry_bytes) {
      warn(std::string(role) + ": entry size " + std::to_string(sh.entsize) +
           " (sh_entsize) is not the " + std::to_string(entry_bytes) + " bytes of an ELF" +
           (header_.is_64bit ? "64" : "32") + " symbol; table ignored");
      return {};
    }
    auto entries = section_file_bytes(index, role);
    if (!entries) return {};
    std::string strings_role = std::string(role) + " string table (sh_link)";
    auto strings = section_file_bytes(sh.link, strings_role);
    if (!strings) return SymbolTable(*entries, ByteView(), header_.is_64bit, endian());
    return SymbolTable(*entries, *strings, header_.is_64bit, endian());
  }

  // --- notes -----------------------------------------------------------------------------

  struct NoteArea {
    ByteView bytes;
    unsigned alignment;
  };

  void read_notes() {
    for (const SectionHeader& sh : headers_) {
      if (sh.type != kShtNote) continue;
      auto bytes = file_.slice(sh.offset, sh.size);
      if (bytes.ok() && !inside_note_segment(*bytes)) {
        note_areas_.push_back({*bytes, sh.addralign == 8 ? 8u : 4u});
      }
    }
    for (const NoteArea& area : note_areas_) read_note_area(area);
  }

  // Note sections usually repeat the bytes of a PT_NOTE segment: read those only once.
  bool inside_note_segment(ByteView bytes) const {
    for (const NoteArea& area : note_areas_) {
      uint64_t start = area.bytes.file_offset();
      if (bytes.file_offset() >= start &&
          bytes.file_offset() - start + bytes.size() <= area.bytes.size()) {
        return true;
      }
    }
    return false;
  }

  // Each note: namesz, descsz, type (4 bytes each), then name and desc, each padded to the
  // area's alignment. Every step advances at least 12 bytes, so the walk ends.
  void read_note_area(const NoteArea& area) {
    ByteView notes = area.bytes;
    uint64_t offset = 0;
    while (notes.contains(offset, 12)) {
      Record r(notes.data() + offset, endian());
      uint64_t name_bytes = r.u(0, 4), desc_bytes = r.u(4, 4);
      uint32_t type = static_cast<uint32_t>(r.u(8, 4));
      // Padding aligns the position within the area, not the length (8-byte GNU property
      // notes: name at 12, descriptor at 16).
      uint64_t name_start = offset + 12;
      uint64_t desc_start = align_up(name_start + name_bytes, area.alignment);
      if (!notes.contains(name_start, name_bytes) || !notes.contains(desc_start, desc_bytes)) {
        warn("note " + notes.where(offset) + " (name " + std::to_string(name_bytes) +
             " bytes, descriptor " + std::to_string(desc_bytes) +
             " bytes) runs past the end of its note area");
        return;
      }
      use_note(note_name(notes.clamp(name_start, name_bytes)), type,
               notes.clamp(desc_start, desc_bytes));
      offset = align_up(desc_start + desc_bytes, area.alignment);
    }
  }

  void use_note(std::string_view name, uint32_t type, ByteView desc) {
    if (desc.size() > kMaxBuildIdBytes) return;
    if (name == "Go" && type == kNoteGoBuildId && !image_.build_ids.go_build_id) {
      image_.build_ids.go_build_id = note_name(desc);
    } else if (name == "GNU" && type == kNtGnuBuildId && !image_.build_ids.gnu_build_id) {
      image_.build_ids.gnu_build_id = hex_bytes(desc);
    }
  }

  // --- dynamic section -------------------------------------------------------------------

  struct DynamicInfo {
    std::vector<uint64_t> needed_offsets;
    std::optional<uint64_t> strtab_vaddr;
    std::optional<uint64_t> strtab_size;
    bool has_soname = false;
    uint64_t flags_1 = 0;
  };

  void read_dynamic() {
    uint64_t strings_link = 0;
    if (!dynamic_) {
      for (const SectionHeader& sh : headers_) {
        if (sh.type != kShtDynamic) continue;
        auto bytes = file_.slice(sh.offset, sh.size);
        if (bytes.ok()) {
          dynamic_ = *bytes;
          strings_link = sh.link;
        }
        break;
      }
    } else {
      for (const SectionHeader& sh : headers_) {
        if (sh.type == kShtDynamic) strings_link = sh.link;
      }
    }
    if (!dynamic_) return;
    has_dynamic_ = true;
    DynamicInfo info = decode_dynamic(*dynamic_);
    has_soname_ = info.has_soname;
    is_pie_flagged_ = (info.flags_1 & kDf1Pie) != 0;
    if (info.needed_offsets.empty()) return;
    ByteView strings = dynamic_strings(info, strings_link);
    for (uint64_t offset : info.needed_offsets) {
      auto name = strings.cstring(offset, kMaxLibraryNameBytes);
      if (name.ok()) {
        image_.needed_libraries.push_back(*name);
      } else {
        warn("DT_NEEDED name offset " + hex(offset) + " is not a string in the " +
             std::to_string(strings.size()) + "-byte dynamic string table");
      }
    }
  }

  // Entries are (d_tag, d_val) word pairs up to DT_NULL; the count is bounded by the bytes.
  DynamicInfo decode_dynamic(ByteView dynamic) const {
    DynamicInfo info;
    const uint64_t entry_bytes = 2 * word_bytes();
    for (uint64_t offset = 0; dynamic.contains(offset, entry_bytes); offset += entry_bytes) {
      Record r(dynamic.data() + offset, endian());
      uint64_t tag = r.u(0, word_bytes()), value = r.u(word_bytes(), word_bytes());
      if (tag == kDtNull) break;
      if (tag == kDtNeeded) info.needed_offsets.push_back(value);
      if (tag == kDtStrtab) info.strtab_vaddr = value;
      if (tag == kDtStrsz) info.strtab_size = value;
      if (tag == kDtSoname) info.has_soname = true;
      if (tag == kDtFlags1) info.flags_1 = value;
    }
    return info;
  }

  // DT_STRTAB mapped through the segments (what the loader uses), else the section the
  // dynamic section links to, else .dynstr.
  ByteView dynamic_strings(const DynamicInfo& info, uint64_t strings_link) {
    if (info.strtab_vaddr) {
      auto bytes = image_.from_address(*info.strtab_vaddr);
      if (bytes.ok()) return bytes->clamp(0, info.strtab_size.value_or(bytes->size()));
      warn("DT_STRTAB " + hex(*info.strtab_vaddr) +
           " is not in the file: " + bytes.error().message());
    }
    if (strings_link != 0) {
      if (auto bytes = section_file_bytes(strings_link, "dynamic string table (sh_link)")) {
        return *bytes;
      }
    }
    if (const Section* dynstr = image_.section(".dynstr")) {
      auto bytes = image_.section_bytes(*dynstr);
      if (bytes.ok()) return *bytes;
    }
    warn("DT_NEEDED entries present but no dynamic string table could be found");
    return {};
  }

  // --- linkage ---------------------------------------------------------------------------

  void decide_linkage() {
    const bool has_interpreter = image_.interpreter.has_value();
    if (header_.type == kEtExec) {
      image_.linkage = has_interpreter ? Linkage::dynamic_exe : Linkage::static_exe;
    } else if (header_.type == kEtDyn) {
      if (has_interpreter) {
        image_.linkage = Linkage::pie;
      } else if (is_pie_flagged_ || (has_dynamic_ && header_.entry != 0 && !has_soname_)) {
        // Static PIE (Go's -buildmode=pie with internal linking and no cgo, or
        // gcc -static-pie): ET_DYN, a DYNAMIC segment for self-relocation, no interpreter.
        image_.linkage = Linkage::static_pie;
      } else {
        image_.linkage = Linkage::shared_object;
      }
    } else {
      image_.linkage = Linkage::unknown;
    }
  }

  ByteView file_;
  FileHeader header_;
  BinaryImage image_;
  std::vector<SectionHeader> headers_;
  std::vector<NoteArea> note_areas_;
  std::optional<ByteView> dynamic_;
  bool has_dynamic_ = false;
  bool has_soname_ = false;
  bool is_pie_flagged_ = false;
};

}  // namespace

bool is_elf(ByteView file) {
  return file.size() >= 4 && file.chars().substr(0, 4) == std::string_view(
                                                              "\x7f"
                                                              "ELF",
                                                              4);
}

Result<BinaryImage> read_elf(ByteView file) {
  return ElfReader(file).read();
}

}  // namespace fipsgate
