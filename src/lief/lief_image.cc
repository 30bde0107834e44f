// PE and Mach-O through Debian's LIEF 0.9 into the BinaryImage model, plus LIEF's ELF loader as a
// test oracle for our own reader. Built as the module fipsgate-lief.so, loaded at the first PE or
// Mach-O input (LIEF's static constructors would cost every process ~5 ms), and linked directly
// into the tests for the oracle. LIEF copies the file and throws on bad input: every call into
// it sits behind one try block that turns exceptions into Errors. Names LIEF builds live in the
// image (keep()); everything else still points into the caller's file view.
#include "fipsgate/binary/lief_image.h"

#include <LIEF/ELF.hpp>
#include <LIEF/MachO.hpp>
#include <LIEF/PE.hpp>
#include <LIEF/exception.hpp>
#include <LIEF/logging.hpp>
#include <algorithm>
#include <mutex>
#include <vector>

namespace fipsgate {

namespace {

// PE section characteristics (PE/COFF specification, "Section Flags").
constexpr uint32_t kScnCntUninitializedData = 0x00000080;
constexpr uint32_t kScnMemExecute = 0x20000000, kScnMemRead = 0x40000000, kScnMemWrite = 0x80000000;
constexpr uint16_t kPeFileDll = 0x2000;
// PE machine types.
constexpr uint32_t kPeI386 = 0x14c, kPeAmd64 = 0x8664, kPeArm = 0x1c0, kPeArmNt = 0x1c4,
                   kPeArm64 = 0xaa64;
// Mach-O (<mach-o/loader.h>, <mach/machine.h>).
constexpr uint32_t kMachoSectionTypeMask = 0xff, kMachoZerofill = 0x1, kMachoGbZerofill = 0xc,
                   kMachoThreadLocalZerofill = 0x12;
constexpr uint32_t kVmProtRead = 1, kVmProtWrite = 2, kVmProtExecute = 4;
constexpr int kCpuX86 = 7, kCpuX86_64 = 0x01000007, kCpuArm = 12, kCpuArm64 = 0x0100000c,
              kCpuPowerPc64 = 0x01000012;
constexpr uint32_t kMhExecute = 2, kMhDylib = 6, kMhBundle = 8, kMhPie = 0x200000;
constexpr uint8_t kNStab = 0xe0, kNTypeMask = 0x0e, kNSect = 0x0e, kNExt = 0x01;
// Go's non-ELF build ID marker (cmd/internal/buildid).
constexpr std::string_view kGoBuildIdPrefix = "\xff Go build ID: \"";
constexpr uint64_t kMaxGoBuildIdBytes = 1024;
constexpr uint64_t kGoBuildIdSearchBytes = 32 * 1024;

void silence_lief() {
  static std::once_flag once;
  std::call_once(once, [] { LIEF::Logger::disable(); });
}

std::vector<uint8_t> copy_for_lief(ByteView file) {
  return std::vector<uint8_t>(file.data(), file.data() + file.size());
}

// Cuts a claimed file range to the file, warning when it had to.
Segment bounded_segment(BinaryImage& image, std::string_view what, Segment segment) {
  ByteView bytes = image.file().clamp(segment.file_offset, segment.file_size);
  if (bytes.size() != segment.file_size || bytes.file_offset() != segment.file_offset) {
    image.warnings.push_back(std::string(what) + " claims file bytes " + hex(segment.file_offset) +
                             "+" + hex(segment.file_size) + " past the end of the " +
                             std::to_string(image.file().size()) +
                             "-byte file; using what is there");
    segment.file_offset = bytes.file_offset();
    segment.file_size = bytes.size();
  }
  segment.memory_size = std::max(segment.memory_size, segment.file_size);
  return segment;
}

// Go's non-ELF build ID: "\xff Go build ID: \"abc/def\"\n \xff" near the start of the text.
// Like Go's own cmd/internal/buildid, look for it in the first 32 KiB of the file (on 386 the
// text does not start with it).
void find_go_build_id(BinaryImage& image) {
  ByteView head = image.file().clamp(0, kGoBuildIdSearchBytes);
  auto prefix_at = head.find(kGoBuildIdPrefix);
  if (!prefix_at) return;
  ByteView rest = head.clamp(*prefix_at + kGoBuildIdPrefix.size(), kMaxGoBuildIdBytes);
  size_t quote = rest.chars().find('"');
  if (quote != std::string_view::npos) image.build_ids.go_build_id = rest.chars().substr(0, quote);
}

// --- PE --------------------------------------------------------------------------------------

Arch pe_arch(uint32_t machine) {
  switch (machine) {
    case kPeI386:
      return Arch::x86;
    case kPeAmd64:
      return Arch::amd64;
    case kPeArm:
    case kPeArmNt:
      return Arch::arm;
    case kPeArm64:
      return Arch::arm64;
    default:
      return Arch::unknown;
  }
}

// COFF keeps names longer than 8 bytes in the string table after the symbols and writes
// "/<decimal offset>" in the section header (PE/COFF specification, "Section Table"); LIEF 0.9
// leaves those unresolved. Go uses them for its DWARF sections (.zdebug_*).
std::optional<std::string_view> long_section_name(ByteView file, const LIEF::PE::Header& header,
                                                  std::string_view short_name) {
  if (short_name.size() < 2 || short_name[0] != '/') return std::nullopt;
  uint64_t offset = 0;
  for (char digit : short_name.substr(1)) {
    if (digit < '0' || digit > '9' || offset > 99999999) return std::nullopt;
    offset = offset * 10 + static_cast<uint64_t>(digit - '0');
  }
  constexpr uint64_t kCoffSymbolBytes = 18;
  const uint64_t table = header.pointerto_symbol_table();
  const uint64_t strings = table + uint64_t{header.numberof_symbols()} * kCoffSymbolBytes;
  if (table == 0) return std::nullopt;
  auto name = file.cstring(strings + offset, 256);
  if (!name.ok()) return std::nullopt;
  return *name;
}

void add_pe_section(BinaryImage& image, const LIEF::PE::Section& pe_section, uint64_t imagebase,
                    const LIEF::PE::Header& header) {
  const uint32_t characteristics = pe_section.characteristics();
  const uint64_t raw_size = pe_section.sizeof_raw_data();
  const uint64_t virtual_size = pe_section.virtual_size();
  Section section;
  section.name = long_section_name(image.file(), header, pe_section.name())
                     .value_or(image.keep(pe_section.name()));
  section.flags = characteristics;
  section.vaddr = imagebase + pe_section.virtual_address();
  section.file_offset = pe_section.pointerto_raw_data();
  section.has_file_bytes = raw_size != 0 && !(characteristics & kScnCntUninitializedData);
  // Raw data is padded to the file alignment; the virtual size is the section's real length.
  section.size = section.has_file_bytes && virtual_size != 0 ? std::min(raw_size, virtual_size)
                 : section.has_file_bytes                    ? raw_size
                                                             : virtual_size;
  section.allocated = true;
  section.writable = (characteristics & kScnMemWrite) != 0;
  section.executable = (characteristics & kScnMemExecute) != 0;
  image.sections.push_back(section);

  // Each PE section is mapped on its own: it is the PT_LOAD equivalent.
  Segment segment;
  segment.vaddr = section.vaddr;
  segment.memory_size = std::max(virtual_size, section.has_file_bytes ? section.size : 0);
  segment.file_offset = section.file_offset;
  segment.file_size = section.has_file_bytes ? section.size : 0;
  segment.readable = (characteristics & kScnMemRead) != 0;
  segment.writable = section.writable;
  segment.executable = section.executable;
  image.segments.push_back(
      bounded_segment(image, "PE section " + std::string(section.name), segment));
}

// COFF symbols hold a section number (1-based) and an offset in it; the model wants addresses.
// Read from the file directly (PE/COFF specification, "COFF Symbol Table"): LIEF 0.9 loses
// names of 8 bytes or less, and names read here are views into the file. Every entry is 18
// bytes; auxiliary entries follow their symbol and are skipped.
std::vector<Symbol> pe_symbols(BinaryImage& image, const LIEF::PE::Header& header) {
  constexpr uint64_t kEntryBytes = 18;
  constexpr uint8_t kClassExternal = 2;
  constexpr uint64_t kMaxNameBytes = 64 * 1024;
  const ByteView file = image.file();
  const uint64_t table_offset = header.pointerto_symbol_table();
  if (table_offset == 0 || table_offset > file.size()) return {};
  const uint64_t count =
      std::min<uint64_t>(header.numberof_symbols(), (file.size() - table_offset) / kEntryBytes);
  ByteView table = file.clamp(table_offset, count * kEntryBytes);
  ByteView strings = file.clamp(table_offset + count * kEntryBytes, UINT64_MAX);
  std::vector<Symbol> symbols;
  for (uint64_t index = 0; index < count; ++index) {
    const uint8_t* entry = table.data() + index * kEntryBytes;
    Symbol symbol;
    if (load_uint(entry, 4, Endian::little) == 0) {
      auto name = strings.cstring(load_uint(entry + 4, 4, Endian::little), kMaxNameBytes);
      if (name.ok()) symbol.name = *name;
    } else {
      std::string_view name = table.clamp(index * kEntryBytes, 8).chars();
      symbol.name = name.substr(0, name.find('\0'));
    }
    symbol.value = load_uint(entry + 8, 4, Endian::little);
    auto section_number = static_cast<int16_t>(load_uint(entry + 12, 2, Endian::little));
    if (section_number >= 1 && static_cast<size_t>(section_number) <= image.sections.size()) {
      const Section& section = image.sections[section_number - 1];
      symbol.value += section.vaddr;
      symbol.section_index = static_cast<uint16_t>(section_number - 1);
      symbol.kind = section.executable ? SymbolKind::function : SymbolKind::object;
    }
    symbol.is_global = entry[16] == kClassExternal;
    symbols.push_back(symbol);
    index += entry[17];  // auxiliary entries
  }
  return symbols;
}

Result<BinaryImage> read_pe(ByteView file) {
  if (auto status = check_pe_structure(file); !status.ok()) return status.error();
  std::unique_ptr<LIEF::PE::Binary> binary = LIEF::PE::Parser::parse(copy_for_lief(file));
  if (!binary) return Error("PE: LIEF could not parse the file");
  BinaryImage image;
  image.set_file(file);
  image.format = FileFormat::pe;
  image.endian = Endian::little;
  const bool is_64bit = binary->type() == LIEF::PE::PE_TYPE::PE32_PLUS;
  image.is_64bit = is_64bit;
  image.pointer_size = is_64bit ? 8 : 4;
  image.arch = pe_arch(static_cast<uint32_t>(binary->header().machine()));
  const uint64_t imagebase = binary->optional_header().imagebase();
  image.entry_vaddr = imagebase + binary->optional_header().addressof_entrypoint();
  for (const LIEF::PE::Section& section : binary->sections()) {
    add_pe_section(image, section, imagebase, binary->header());
  }
  if (binary->has_imports()) {
    for (const LIEF::PE::Import& import : binary->imports()) {
      image.needed_libraries.push_back(image.keep(import.name()));
    }
  }
  const bool is_dll = (static_cast<uint32_t>(binary->header().characteristics()) & kPeFileDll) != 0;
  image.linkage = is_dll                           ? Linkage::shared_object
                  : image.needed_libraries.empty() ? Linkage::static_exe
                                                   : Linkage::dynamic_exe;
  image.symbols = SymbolTable(pe_symbols(image, binary->header()));
  find_go_build_id(image);
  return image;
}

// --- Mach-O ----------------------------------------------------------------------------------

Arch macho_arch(int cpu_type) {
  switch (cpu_type) {
    case kCpuX86:
      return Arch::x86;
    case kCpuX86_64:
      return Arch::amd64;
    case kCpuArm:
      return Arch::arm;
    case kCpuArm64:
      return Arch::arm64;
    case kCpuPowerPc64:
      return Arch::ppc64;
    default:
      return Arch::unknown;
  }
}

// A fat file holds one slice per architecture; the model holds one image. Prefer the
// architectures Go ships most, else the first slice.
const LIEF::MachO::Binary& choose_slice(const LIEF::MachO::FatBinary& fat) {
  for (int preferred : {kCpuX86_64, kCpuArm64}) {
    for (size_t index = 0; index < fat.size(); ++index) {
      if (static_cast<int>(fat.at(index).header().cpu_type()) == preferred) return fat.at(index);
    }
  }
  return fat.at(0);
}

bool is_zerofill(uint32_t section_flags) {
  uint32_t type = section_flags & kMachoSectionTypeMask;
  return type == kMachoZerofill || type == kMachoGbZerofill || type == kMachoThreadLocalZerofill;
}

void add_macho_segments(BinaryImage& image, const LIEF::MachO::Binary& binary,
                        uint64_t slice_offset) {
  for (const LIEF::MachO::SegmentCommand& command : binary.segments()) {
    const uint32_t protection = command.init_protection();
    // __PAGEZERO (no access, no file bytes) is a guard, not a loadable segment.
    if (protection == 0 && command.file_size() == 0) continue;
    Segment segment;
    segment.vaddr = command.virtual_address();
    segment.memory_size = command.virtual_size();
    segment.file_offset = slice_offset + command.file_offset();
    segment.file_size = command.file_size();
    segment.readable = (protection & kVmProtRead) != 0;
    segment.writable = (protection & kVmProtWrite) != 0;
    segment.executable = (protection & kVmProtExecute) != 0;
    image.segments.push_back(bounded_segment(image, "Mach-O segment " + command.name(), segment));
    for (const LIEF::MachO::Section& macho_section : command.sections()) {
      Section section;
      section.name = image.keep(macho_section.name());
      section.flags = macho_section.raw_flags();
      section.vaddr = macho_section.address();
      section.size = macho_section.size();
      section.file_offset = slice_offset + macho_section.offset();
      section.has_file_bytes = !is_zerofill(section.flags);
      section.allocated = true;
      section.writable = segment.writable;
      section.executable = segment.executable;
      image.sections.push_back(section);
    }
  }
}

std::vector<Symbol> macho_symbols(BinaryImage& image, const LIEF::MachO::Binary& binary) {
  std::vector<Symbol> symbols;
  for (const LIEF::MachO::Symbol& nlist : binary.symbols()) {
    const uint8_t type = nlist.type();
    if ((type & kNStab) != 0) continue;  // debugging stabs, not symbols
    Symbol symbol;
    symbol.name = image.keep(nlist.name());
    symbol.value = nlist.value();
    symbol.is_global = (type & kNExt) != 0;
    const uint8_t section_number = nlist.numberof_sections();  // n_sect, 1-based
    if ((type & kNTypeMask) == kNSect && section_number >= 1 &&
        section_number <= image.sections.size()) {
      const Section& section = image.sections[section_number - 1];
      symbol.section_index = static_cast<uint16_t>(section_number - 1);
      symbol.kind = section.executable ? SymbolKind::function : SymbolKind::object;
    }
    symbols.push_back(symbol);
  }
  return symbols;
}

Linkage macho_linkage(const LIEF::MachO::Binary& binary) {
  const uint32_t file_type = static_cast<uint32_t>(binary.header().file_type());
  if (file_type == kMhDylib || file_type == kMhBundle) return Linkage::shared_object;
  if (file_type != kMhExecute) return Linkage::unknown;
  if (!binary.has_dylinker()) return Linkage::static_exe;
  return (binary.header().flags() & kMhPie) != 0 ? Linkage::pie : Linkage::dynamic_exe;
}

// LC_MAIN holds the entry as a file offset: map it through the segment that holds it.
// LC_UNIXTHREAD's program counter is already an address. (LIEF 0.9's entrypoint() adds the
// image base to both, one time too many.)
uint64_t macho_entry(const LIEF::MachO::Binary& binary) {
  if (binary.has_main_command()) {
    const uint64_t entry_offset = binary.main_command().entrypoint();
    for (const LIEF::MachO::SegmentCommand& command : binary.segments()) {
      if (entry_offset >= command.file_offset() &&
          entry_offset - command.file_offset() < command.file_size()) {
        return command.virtual_address() + (entry_offset - command.file_offset());
      }
    }
    return 0;
  }
  return binary.has_thread_command() ? binary.thread_command().pc() : 0;
}

Result<BinaryImage> read_macho(ByteView file) {
  if (auto status = check_macho_structure(file); !status.ok()) return status.error();
  // The quick configuration skips LIEF's dyld opcode and export trie decoding, which the model
  // does not use and which hostile tries can keep busy.
  std::unique_ptr<LIEF::MachO::FatBinary> fat =
      LIEF::MachO::Parser::parse(copy_for_lief(file), "", LIEF::MachO::ParserConfig::quick());
  if (!fat || fat->size() == 0) return Error("Mach-O: LIEF could not parse the file");
  const LIEF::MachO::Binary& binary = choose_slice(*fat);
  BinaryImage image;
  image.set_file(file);
  image.format = FileFormat::macho;
  if (fat->size() > 1) {
    image.warnings.push_back("Mach-O: fat file with " + std::to_string(fat->size()) +
                             " architectures; reading only one of them");
  }
  const int cpu_type = static_cast<int>(binary.header().cpu_type());
  image.arch = macho_arch(cpu_type);
  image.is_64bit = (cpu_type & 0x01000000) != 0;  // CPU_ARCH_ABI64
  image.pointer_size = image.is_64bit ? 8 : 4;
  image.endian = Endian::little;  // every architecture Go supports on Darwin
  add_macho_segments(image, binary, binary.fat_offset());
  image.entry_vaddr = macho_entry(binary);
  if (binary.has_dylinker()) image.interpreter = image.keep(binary.dylinker().name());
  for (const LIEF::MachO::DylibCommand& library : binary.libraries()) {
    image.needed_libraries.push_back(image.keep(library.name()));
  }
  image.linkage = macho_linkage(binary);
  image.symbols = SymbolTable(macho_symbols(image, binary));
  find_go_build_id(image);
  return image;
}

// --- ELF, for the test oracle ----------------------------------------------------------------

Result<BinaryImage> read_elf_through_lief(ByteView file) {
  std::unique_ptr<LIEF::ELF::Binary> binary = LIEF::ELF::Parser::parse(copy_for_lief(file));
  if (!binary) return Error("ELF: LIEF could not parse the file");
  BinaryImage image;
  image.set_file(file);
  image.format = FileFormat::elf;
  image.is_64bit = binary->type() == LIEF::ELF::ELF_CLASS::ELFCLASS64;
  image.pointer_size = image.is_64bit ? 8 : 4;
  image.entry_vaddr = binary->entrypoint();
  for (const LIEF::ELF::Section& elf_section : binary->sections()) {
    Section section;
    section.name = image.keep(elf_section.name());
    section.type = static_cast<uint32_t>(elf_section.type());
    section.flags = elf_section.flags();
    section.vaddr = elf_section.virtual_address();
    section.size = elf_section.size();
    section.file_offset = elf_section.file_offset();
    section.has_file_bytes = elf_section.type() != LIEF::ELF::ELF_SECTION_TYPES::SHT_NOBITS &&
                             elf_section.type() != LIEF::ELF::ELF_SECTION_TYPES::SHT_NULL;
    image.sections.push_back(section);
  }
  for (const LIEF::ELF::Segment& elf_segment : binary->segments()) {
    if (elf_segment.type() != LIEF::ELF::SEGMENT_TYPES::PT_LOAD) continue;
    const uint32_t flags = static_cast<uint32_t>(elf_segment.flags());
    Segment segment;
    segment.vaddr = elf_segment.virtual_address();
    segment.memory_size = elf_segment.virtual_size();
    segment.file_offset = elf_segment.file_offset();
    segment.file_size = elf_segment.physical_size();
    segment.readable = (flags & 4) != 0;
    segment.writable = (flags & 2) != 0;
    segment.executable = (flags & 1) != 0;
    image.segments.push_back(segment);
  }
  std::vector<Symbol> symbols;
  for (const LIEF::ELF::Symbol& elf_symbol : binary->static_symbols()) {
    Symbol symbol;
    symbol.name = image.keep(elf_symbol.name());
    symbol.value = elf_symbol.value();
    symbol.size = elf_symbol.size();
    symbol.section_index = elf_symbol.shndx();
    symbols.push_back(symbol);
  }
  image.symbols = SymbolTable(std::move(symbols));
  if (binary->has_interpreter()) image.interpreter = image.keep(binary->interpreter());
  return image;
}

// LIEF reports bad input by throwing; nothing may escape into the analysis.
template <class Reader>
Result<BinaryImage> guarded(std::string_view format, ByteView file, Reader reader) {
  silence_lief();
  try {
    return reader(file);
  } catch (const LIEF::exception& error) {
    return Error(std::string(format) + ": LIEF rejected the file: " + error.what());
  } catch (const std::exception& error) {
    return Error(std::string(format) + ": LIEF failed while reading the file: " + error.what());
  }
}

}  // namespace

Result<BinaryImage> read_pe_or_macho_with_lief(ByteView file) {
  if (is_pe(file)) return guarded("PE", file, read_pe);
  if (is_macho(file)) return guarded("Mach-O", file, read_macho);
  return Error("LIEF adapter: the file is neither PE nor Mach-O");
}

Result<BinaryImage> read_elf_with_lief(ByteView file) {
  return guarded("ELF", file, read_elf_through_lief);
}

}  // namespace fipsgate

// The module's entry point, looked up by name (src/binary/lief_loader.cc). C linkage keeps the
// name unmangled; the types on both sides come from the same headers and the same build.
extern "C" __attribute__((visibility("default"))) void fipsgate_lief_read_image(
    const fipsgate::ByteView* file, fipsgate::Result<fipsgate::BinaryImage>* image) {
  *image = fipsgate::read_pe_or_macho_with_lief(*file);
}
