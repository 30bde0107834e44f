// Differential check of our ELF reader against LIEF's ELF loader on real files: the Go sample
// binaries, the Go toolchain's own binaries on this machine, and the synthetic files. Both must
// agree on every section, every PT_LOAD segment and every .symtab symbol.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/binary/elf.h"
#include "fipsgate/binary/lief_image.h"
#include "fipsgate/io/mapped_file.h"
#include "support/elf_builder.h"

namespace fipsgate {
namespace {

// LIEF 0.9 copies and decodes everything: keep the oracle to files it reads in seconds.
constexpr uint64_t kMaxOracleFileBytes = 30ull * 1024 * 1024;

bool samples_required() {
  const char* value = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
  return value != nullptr && std::string(value) == "1";
}

void compare_sections(const BinaryImage& ours, const BinaryImage& lief) {
  REQUIRE(ours.sections.size() == lief.sections.size());
  for (size_t index = 0; index < ours.sections.size(); ++index) {
    const Section& a = ours.sections[index];
    const Section& b = lief.sections[index];
    CAPTURE(index);
    CAPTURE(std::string(a.name));
    CHECK(a.name == b.name);
    CHECK(a.type == b.type);
    CHECK(a.flags == b.flags);
    CHECK(a.vaddr == b.vaddr);
    CHECK(a.size == b.size);
    CHECK(a.file_offset == b.file_offset);
    CHECK(a.has_file_bytes == b.has_file_bytes);
  }
}

void compare_segments(const BinaryImage& ours, const BinaryImage& lief) {
  REQUIRE(ours.segments.size() == lief.segments.size());
  for (size_t index = 0; index < ours.segments.size(); ++index) {
    const Segment& a = ours.segments[index];
    const Segment& b = lief.segments[index];
    CAPTURE(index);
    CHECK(a.vaddr == b.vaddr);
    CHECK(a.memory_size == b.memory_size);
    CHECK(a.file_offset == b.file_offset);
    CHECK(a.file_size == b.file_size);
    CHECK(a.readable == b.readable);
    CHECK(a.writable == b.writable);
    CHECK(a.executable == b.executable);
  }
}

// LIEF lists the null symbol at index 0 too; ours starts after it.
void compare_symbols(const BinaryImage& ours, const BinaryImage& lief) {
  uint64_t lief_count = lief.symbols.size();
  if (lief_count == 0) {
    CHECK(ours.symbols.size() == 0);
    return;
  }
  REQUIRE(ours.symbols.size() + 1 == lief_count);
  uint64_t index = 0;
  uint64_t mismatches = 0;
  uint64_t undecodable = ours.symbols.for_each([&](const Symbol& symbol) {
    auto expected = lief.symbols.at(index + 1);
    ++index;
    if (!expected.ok() || expected->name != symbol.name || expected->value != symbol.value ||
        expected->size != symbol.size || expected->section_index != symbol.section_index) {
      if (++mismatches <= 5) {
        CAPTURE(index);
        CHECK(symbol.name == (expected.ok() ? expected->name : "<none>"));
        CHECK(symbol.value == (expected.ok() ? expected->value : 0));
      }
    }
    return true;
  });
  CHECK(undecodable == 0);
  CHECK(mismatches == 0);
  CHECK(index == ours.symbols.size());
}

void compare_with_lief(ByteView file) {
  auto ours = read_elf(file);
  REQUIRE_MESSAGE(ours.ok(), (ours.ok() ? "" : ours.error().message()));
  CHECK(ours->warnings.empty());
  auto lief = read_elf_with_lief(file);
  REQUIRE_MESSAGE(lief.ok(), (lief.ok() ? "" : lief.error().message()));
  CHECK(ours->is_64bit == lief->is_64bit);
  CHECK(ours->entry_vaddr == lief->entry_vaddr);
  CHECK(ours->interpreter == lief->interpreter);
  compare_sections(*ours, *lief);
  compare_segments(*ours, *lief);
  compare_symbols(*ours, *lief);
}

// Returns false when the file is not one the oracle takes (absent, not ELF, too big).
bool compare_file_with_lief(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  if (std::filesystem::file_size(path, error) > kMaxOracleFileBytes) return false;
  auto mapped = MappedFile::open(path.string());
  if (!mapped.ok() || !is_elf(mapped->view())) return false;
  CAPTURE(path.string());
  compare_with_lief(mapped->view());
  return true;
}

TEST_CASE("our ELF reader agrees with LIEF on the synthetic files of every class and byte order") {
  for (bool is_64bit : {true, false}) {
    for (Endian endian : {Endian::little, Endian::big}) {
      CAPTURE(is_64bit);
      CAPTURE(endian == Endian::little);
      testing::ElfSpec spec;
      spec.is_64bit = is_64bit;
      spec.endian = endian;
      spec.interpreter = "/lib/ld.so";
      spec.needed = {"libc.so.6"};
      spec.sections = {
          testing::SectionSpec{".text", 1, 6, 0, 16, std::string(64, '\x90'), 0},
          testing::SectionSpec{".rodata", 1, 2, 0, 16, "constant", 0},
          testing::SectionSpec{".data", 1, 3, 0, 16, "variable", 0},
          testing::SectionSpec{".bss", 8, 3, 0, 16, "", 0x100},
      };
      spec.symbols = {testing::SymbolSpec{"main.main", 0x401000, 64, 2, ".text"},
                      testing::SymbolSpec{"main.value", 0x402000, 8, 1, ".data"}};
      testing::BuiltElf built = testing::build_elf(spec);
      compare_with_lief(built.view());
    }
  }
}

TEST_CASE("our ELF reader agrees with LIEF on the Go toolchain binaries of this machine") {
  const char* toolchain_files[] = {"/usr/lib/go-1.19/bin/go",
                                   "/usr/lib/go-1.19/pkg/tool/linux_amd64/link",
                                   "/usr/lib/go-1.19/pkg/tool/linux_amd64/compile"};
  int compared = 0;
  for (const char* path : toolchain_files) {
    if (compare_file_with_lief(path)) ++compared;
  }
  if (compared == 0) MESSAGE("no Go 1.19 toolchain binaries under /usr/lib/go-1.19; skipped");
}

TEST_CASE("our ELF reader agrees with LIEF on every ELF sample binary") {
  const std::filesystem::path samples = FIPSGATE_SAMPLES_DIR;
  std::error_code error;
  if (!std::filesystem::is_directory(samples, error)) {
    if (samples_required()) FAIL("sample directory " << samples.string() << " is missing");
    MESSAGE("no sample binaries in " << samples.string() << " (run tools/build-samples); skipped");
    return;
  }
  int compared = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(samples, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (compare_file_with_lief(it->path())) ++compared;
  }
  if (compared == 0 && samples_required()) FAIL("no ELF sample binaries in " << samples.string());
  MESSAGE("compared " << compared << " ELF sample binaries with LIEF");
}

// Go's PE and Mach-O samples: the adapter gives the Go layer what it looks up.
void check_go_pe_or_macho(const BinaryImage& image) {
  CHECK_FALSE(image.sections.empty());
  CHECK_FALSE(image.segments.empty());
  CHECK(image.build_ids.go_build_id.has_value());
  CHECK(image.warnings.empty());
  const char* pclntab = image.format == FileFormat::macho ? "__gopclntab" : ".rdata";
  CHECK(image.section(pclntab) != nullptr);
  for (const Section& section : image.sections) {
    if (!section.has_file_bytes || section.size == 0 || !section.allocated) continue;
    CAPTURE(std::string(section.name));
    auto through_section = image.section_bytes(section);
    REQUIRE(through_section.ok());
    // Zero-fill tails aside, an allocated section's first byte is reachable by address.
    auto through_address = image.at_address(section.vaddr, 1);
    if (through_address.ok()) CHECK(through_address->file_offset() == section.file_offset);
  }
  bool found_main = false;
  image.symbols.for_each([&](const Symbol& symbol) {
    if (symbol.name != "main.main" && symbol.name != "_main.main") return true;
    found_main = true;
    const Segment* segment = image.segment_containing(symbol.value);
    REQUIRE(segment != nullptr);
    CHECK(segment->executable);
    return false;
  });
  CHECK(found_main);
}

TEST_CASE(
    "every PE and Mach-O sample binary is read with sections, segments, symbols and a build ID") {
  const std::filesystem::path samples = FIPSGATE_SAMPLES_DIR;
  std::error_code error;
  if (!std::filesystem::is_directory(samples, error)) {
    if (samples_required()) FAIL("sample directory " << samples.string() << " is missing");
    MESSAGE("no sample binaries in " << samples.string() << " (run tools/build-samples); skipped");
    return;
  }
  int read = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(samples, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    auto mapped = MappedFile::open(it->path().string());
    if (!mapped.ok() || !(is_pe(mapped->view()) || is_macho(mapped->view()))) continue;
    CAPTURE(it->path().string());
    auto image = read_binary_image(mapped->view());
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
    check_go_pe_or_macho(*image);
    ++read;
  }
  MESSAGE("read " << read << " PE and Mach-O sample binaries");
}

}  // namespace
}  // namespace fipsgate

// ---------------------------------------------------------------------------------------------
// The same LIEF as the loader of PE and Mach-O: synthetic files laid out by the format specs.

namespace fipsgate {
namespace {

using testing::put_uint;

void put_name(std::string& out, std::string_view name, size_t width) {
  std::string field(name.substr(0, width));
  field.resize(width, '\0');
  out += field;
}

constexpr std::string_view kGoBuildIdText = "\xff Go build ID: \"abc/def/ghi/jkl\"\n \xff";

// A PE32+ image (PE/COFF specification): DOS stub pointer, COFF header, optional header, four
// sections (.text, .rdata, .data, .bss) and one with a long name kept in the COFF string
// table, plus two COFF symbols.
std::string synthetic_pe() {
  const Endian le = Endian::little;
  const uint64_t imagebase = 0x400000;
  struct PeSection {
    std::string name;
    uint32_t rva, virtual_size, raw_offset, raw_size, characteristics;
    std::string bytes;
  };
  std::vector<PeSection> sections = {
      {".text", 0x1000, 0x100, 0x400, 0x200, 0x60000020, std::string(kGoBuildIdText)},
      {".rdata", 0x2000, 0x20, 0x600, 0x200, 0x40000040, "read-only data"},
      {".data", 0x3000, 0x40, 0x800, 0x200, 0xc0000040, "\xff Go buildinf:"},
      {".bss", 0x4000, 0x1000, 0, 0, 0xc0000080, ""},
      {"/4", 0x5000, 0x10, 0xa00, 0x200, 0x42000040, "debug"},
  };
  std::string out = "MZ";
  out.resize(0x3c, '\0');
  put_uint(out, 0x80, 4, le);  // e_lfanew
  out.resize(0x80, '\0');
  out += std::string("PE\0\0", 4);
  const uint32_t symbol_table = 0xc00;
  put_uint(out, 0x8664, 2, le);  // IMAGE_FILE_MACHINE_AMD64
  put_uint(out, sections.size(), 2, le);
  put_uint(out, 0, 4, le);             // TimeDateStamp
  put_uint(out, symbol_table, 4, le);  // PointerToSymbolTable
  put_uint(out, 2, 4, le);             // NumberOfSymbols
  put_uint(out, 240, 2, le);           // SizeOfOptionalHeader (PE32+)
  put_uint(out, 0x22, 2, le);          // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
  put_uint(out, 0x20b, 2, le);         // PE32+
  put_uint(out, 0, 2, le);             // linker version
  put_uint(out, 0x200, 4, le);         // SizeOfCode
  put_uint(out, 0x400, 4, le);         // SizeOfInitializedData
  put_uint(out, 0x1000, 4, le);        // SizeOfUninitializedData
  put_uint(out, 0x1040, 4, le);        // AddressOfEntryPoint
  put_uint(out, 0x1000, 4, le);        // BaseOfCode
  put_uint(out, imagebase, 8, le);
  put_uint(out, 0x1000, 4, le);  // SectionAlignment
  put_uint(out, 0x200, 4, le);   // FileAlignment
  put_uint(out, 6, 2, le);       // OS version
  put_uint(out, 1, 2, le);
  put_uint(out, 0, 4, le);  // image version
  put_uint(out, 6, 2, le);  // subsystem version
  put_uint(out, 1, 2, le);
  put_uint(out, 0, 4, le);                                     // Win32VersionValue
  put_uint(out, 0x6000, 4, le);                                // SizeOfImage
  put_uint(out, 0x400, 4, le);                                 // SizeOfHeaders
  put_uint(out, 0, 4, le);                                     // CheckSum
  put_uint(out, 3, 2, le);                                     // IMAGE_SUBSYSTEM_WINDOWS_CUI
  put_uint(out, 0, 2, le);                                     // DllCharacteristics
  for (int i = 0; i < 4; ++i) put_uint(out, 0x100000, 8, le);  // stack and heap sizes
  put_uint(out, 0, 4, le);                                     // LoaderFlags
  put_uint(out, 16, 4, le);                                    // NumberOfRvaAndSizes
  out.append(16 * 8, '\0');                                    // empty data directories
  for (const PeSection& section : sections) {
    put_name(out, section.name, 8);
    put_uint(out, section.virtual_size, 4, le);
    put_uint(out, section.rva, 4, le);
    put_uint(out, section.raw_size, 4, le);
    put_uint(out, section.raw_offset, 4, le);
    out.append(12, '\0');  // relocations and line numbers
    put_uint(out, section.characteristics, 4, le);
  }
  for (const PeSection& section : sections) {
    if (section.raw_size == 0) continue;
    out.resize(section.raw_offset, '\0');
    out += section.bytes;
    out.resize(section.raw_offset + section.raw_size, '\0');
  }
  // COFF symbols: "main.main" (long: string table offset) in .text, "x" in .data.
  out.resize(symbol_table, '\0');
  put_uint(out, 0, 4, le);
  put_uint(out, 4 + std::string(".zdebug_info\0", 13).size(), 4, le);
  put_uint(out, 0x40, 4, le);  // value: offset in the section
  put_uint(out, 1, 2, le);     // section number (1-based)
  put_uint(out, 0x20, 2, le);  // function
  out.push_back(2);            // IMAGE_SYM_CLASS_EXTERNAL
  out.push_back(0);
  put_name(out, "x", 8);
  put_uint(out, 0x10, 4, le);
  put_uint(out, 3, 2, le);
  put_uint(out, 0, 2, le);
  out.push_back(3);  // IMAGE_SYM_CLASS_STATIC
  out.push_back(0);
  std::string strings = std::string(".zdebug_info\0main.main\0", 23);
  put_uint(out, 4 + strings.size(), 4, le);
  out += strings;
  return out;
}

// A 64-bit little-endian Mach-O executable (<mach-o/loader.h>): __PAGEZERO, __TEXT with
// __text, __DATA with __go_buildinfo and a zero-fill __bss, LC_MAIN, the dyld loader, one
// library and a symbol table.
std::string synthetic_macho() {
  const Endian le = Endian::little;
  const uint64_t base = 0x100000000;
  std::string commands;
  int command_count = 0;
  auto segment =
      [&](std::string_view name, uint64_t vmaddr, uint64_t vmsize, uint64_t fileoff,
          uint64_t filesize, uint32_t protection,
          const std::vector<std::tuple<std::string, uint64_t, uint64_t, uint32_t, uint32_t>>&
              sections) {
        put_uint(commands, 0x19, 4, le);  // LC_SEGMENT_64
        put_uint(commands, 72 + 80 * sections.size(), 4, le);
        put_name(commands, name, 16);
        put_uint(commands, vmaddr, 8, le);
        put_uint(commands, vmsize, 8, le);
        put_uint(commands, fileoff, 8, le);
        put_uint(commands, filesize, 8, le);
        put_uint(commands, protection, 4, le);  // maxprot
        put_uint(commands, protection, 4, le);  // initprot
        put_uint(commands, sections.size(), 4, le);
        put_uint(commands, 0, 4, le);
        for (const auto& [section_name, addr, size, offset, flags] : sections) {
          put_name(commands, section_name, 16);
          put_name(commands, name, 16);
          put_uint(commands, addr, 8, le);
          put_uint(commands, size, 8, le);
          put_uint(commands, offset, 4, le);
          put_uint(commands, 4, 4, le);  // align 2^4
          put_uint(commands, 0, 4, le);
          put_uint(commands, 0, 4, le);
          put_uint(commands, flags, 4, le);
          commands.append(12, '\0');
        }
        ++command_count;
      };
  segment("__PAGEZERO", 0, base, 0, 0, 0, {});
  segment("__TEXT", base, 0x2000, 0, 0x2000, 5,
          {{"__text", base + 0x1000, 0x100, 0x1000, 0x80000400}});
  segment(
      "__DATA", base + 0x2000, 0x2000, 0x2000, 0x1000, 3,
      {{"__go_buildinfo", base + 0x2000, 0x20, 0x2000, 0}, {"__bss", base + 0x3000, 0x1000, 0, 1}});
  segment("__LINKEDIT", base + 0x4000, 0x1000, 0x3000, 0x100, 1, {});
  put_uint(commands, 0x80000028, 4, le);  // LC_MAIN
  put_uint(commands, 24, 4, le);
  put_uint(commands, 0x1040, 8, le);  // entryoff
  put_uint(commands, 0, 8, le);
  ++command_count;
  put_uint(commands, 0xe, 4, le);  // LC_LOAD_DYLINKER
  put_uint(commands, 32, 4, le);
  put_uint(commands, 12, 4, le);
  put_name(commands, "/usr/lib/dyld", 20);
  ++command_count;
  put_uint(commands, 0xc, 4, le);  // LC_LOAD_DYLIB
  put_uint(commands, 56, 4, le);
  put_uint(commands, 24, 4, le);
  put_uint(commands, 2, 4, le);
  put_uint(commands, 0x10000, 4, le);
  put_uint(commands, 0x10000, 4, le);
  put_name(commands, "/usr/lib/libSystem.B.dylib", 32);
  ++command_count;
  put_uint(commands, 0x2, 4, le);  // LC_SYMTAB
  put_uint(commands, 24, 4, le);
  put_uint(commands, 0x3000, 4, le);  // symoff
  put_uint(commands, 1, 4, le);       // nsyms
  put_uint(commands, 0x3010, 4, le);  // stroff
  put_uint(commands, 16, 4, le);      // strsize
  ++command_count;

  std::string out;
  put_uint(out, 0xfeedfacf, 4, le);  // MH_MAGIC_64
  put_uint(out, 0x01000007, 4, le);  // CPU_TYPE_X86_64
  put_uint(out, 3, 4, le);
  put_uint(out, 2, 4, le);  // MH_EXECUTE
  put_uint(out, command_count, 4, le);
  put_uint(out, commands.size(), 4, le);
  put_uint(out, 0x200085, 4, le);  // MH_PIE | MH_NOUNDEFS | MH_DYLDLINK | MH_TWOLEVEL
  put_uint(out, 0, 4, le);
  out += commands;
  out.resize(0x1000, '\0');
  out += kGoBuildIdText;
  out.resize(0x2000, '\0');
  out += "\xff Go buildinf:";
  out.resize(0x3000, '\0');
  put_uint(out, 1, 4, le);  // n_strx
  out.push_back(0x0f);      // N_SECT | N_EXT
  out.push_back(1);         // n_sect: __text
  put_uint(out, 0, 2, le);  // n_desc
  put_uint(out, base + 0x1040, 8, le);
  out += std::string("\0_main.main\0\0\0\0\0", 16);
  out.resize(0x3100, '\0');
  return out;
}

TEST_CASE("a PE file is read through LIEF into sections, loadable ranges, symbols and a build ID") {
  std::string pe = synthetic_pe();
  ByteView file(pe);
  CHECK(is_pe(file));
  CHECK_FALSE(is_macho(file));
  CHECK(looks_like_executable(file));
  auto image = read_binary_image(file);
  REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
  CHECK(image->format == FileFormat::pe);
  CHECK(image->arch == Arch::amd64);
  CHECK(image->pointer_size == 8);
  CHECK(image->entry_vaddr == 0x401040);
  REQUIRE(image->sections.size() == 5);
  const Section* data = image->section(".data");
  REQUIRE(data != nullptr);
  CHECK(data->vaddr == 0x403000);
  CHECK(data->file_offset == 0x800);
  CHECK(data->size == 0x40);  // the virtual size, not the padded raw size
  CHECK(data->writable);
  auto buildinfo = image->at_address(0x403000, 14);
  REQUIRE(buildinfo.ok());
  CHECK(buildinfo->chars() == "\xff Go buildinf:");
  CHECK(buildinfo->file_offset() == 0x800);
  const Section* bss = image->section(".bss");
  REQUIRE(bss != nullptr);
  CHECK_FALSE(bss->has_file_bytes);
  CHECK(image->section(".zdebug_info") != nullptr);  // long name from the string table
  CHECK(image->build_ids.go_build_id == "abc/def/ghi/jkl");
  REQUIRE(image->symbols.size() == 2);
  auto main_symbol = image->symbols.at(0);
  REQUIRE(main_symbol.ok());
  CHECK(main_symbol->name == "main.main");
  CHECK(main_symbol->value == 0x401040);
  CHECK(main_symbol->kind == SymbolKind::function);
  CHECK(main_symbol->is_global);
  auto data_symbol = image->symbols.at(1);
  REQUIRE(data_symbol.ok());
  CHECK(data_symbol->name == "x");
  CHECK(data_symbol->value == 0x403010);
  CHECK(data_symbol->kind == SymbolKind::object);
}

TEST_CASE("a Mach-O file is read through LIEF into sections, segments, symbols and a build ID") {
  std::string macho = synthetic_macho();
  ByteView file(macho);
  CHECK(is_macho(file));
  CHECK_FALSE(is_pe(file));
  auto image = read_binary_image(file);
  REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
  CHECK(image->format == FileFormat::macho);
  CHECK(image->arch == Arch::amd64);
  CHECK(image->entry_vaddr == 0x100001040);
  CHECK(image->linkage == Linkage::pie);
  CHECK(image->interpreter == "/usr/lib/dyld");
  CHECK(image->needed_libraries == std::vector<std::string_view>{"/usr/lib/libSystem.B.dylib"});
  CHECK(image->segments.size() == 3);  // __PAGEZERO is not loadable
  const Section* buildinfo = image->section("__go_buildinfo");
  REQUIRE(buildinfo != nullptr);
  CHECK(buildinfo->writable);
  auto bytes = image->at_address(0x100002000, 14);
  REQUIRE(bytes.ok());
  CHECK(bytes->chars() == "\xff Go buildinf:");
  const Section* bss = image->section("__bss");
  REQUIRE(bss != nullptr);
  CHECK_FALSE(bss->has_file_bytes);
  CHECK(image->build_ids.go_build_id == "abc/def/ghi/jkl");
  REQUIRE(image->symbols.size() == 1);
  auto symbol = image->symbols.at(0);
  REQUIRE(symbol.ok());
  CHECK(symbol->name == "_main.main");
  CHECK(symbol->value == 0x100001040);
  CHECK(symbol->kind == SymbolKind::function);
}

TEST_CASE("a Java class file is not taken for a fat Mach-O") {
  std::string java_class =
      std::string("\xca\xfe\xba\xbe\x00\x00\x00\x34", 8) + std::string(64, '\0');
  CHECK_FALSE(is_macho(ByteView(java_class)));
  std::string fat = std::string("\xca\xfe\xba\xbe\x00\x00\x00\x02", 8) + std::string(64, '\0');
  CHECK(is_macho(ByteView(fat)));
}

// Writes a little-endian field into a copy of the file.
std::string with_field(std::string bytes, uint64_t offset, unsigned size, uint64_t value) {
  std::string field;
  put_uint(field, value, size, Endian::little);
  bytes.replace(offset, size, field);
  return bytes;
}

bool error_mentions(const Result<BinaryImage>& image, std::string_view text) {
  return !image.ok() && image.error().message().find(text) != std::string::npos;
}

TEST_CASE("the synthetic PE and Mach-O files pass the structure checks") {
  CHECK(check_pe_structure(ByteView(synthetic_pe())).ok());
  CHECK(check_macho_structure(ByteView(synthetic_macho())).ok());
}

TEST_CASE("a Mach-O section claiming more relocations than the file holds is refused before LIEF") {
  // __text's section header: mach header (32) + __PAGEZERO (72) + __TEXT header (72); nreloc
  // is 60 bytes into the section header. LIEF 0.9 spent minutes on 2^32 relocations.
  const uint64_t nreloc = 32 + 72 + 72 + 60;
  std::string bytes = with_field(synthetic_macho(), nreloc, 4, 0xffffffff);
  auto image = read_binary_image(ByteView(bytes));
  CHECK(error_mentions(image, "section relocations"));
}

TEST_CASE("Mach-O load commands that do not fit the file are refused with their offset") {
  std::string macho = synthetic_macho();
  std::string too_many = with_field(macho, 16, 4, 100000);  // ncmds
  CHECK(error_mentions(read_binary_image(ByteView(too_many)), "load commands"));
  std::string bad_size = with_field(macho, 32 + 4, 4, 3);  // first cmdsize
  CHECK(error_mentions(read_binary_image(ByteView(bad_size)), "at file offset 0x20"));
  std::string many_sections = with_field(macho, 32 + 64, 4, 7942);  // __PAGEZERO nsects
  CHECK(error_mentions(read_binary_image(ByteView(many_sections)), "7942 sections"));
}

TEST_CASE("a Mach-O symbol table past the end of the file is refused") {
  std::string macho = synthetic_macho();
  const uint64_t symtab = macho.find(std::string("\x02\x00\x00\x00\x18\x00\x00\x00", 8));
  REQUIRE(symtab != std::string::npos);
  std::string bytes = with_field(macho, symtab + 12, 4, 0x10000000);  // nsyms
  CHECK(error_mentions(read_binary_image(ByteView(bytes)), "symbol table"));
  std::string bad_name = with_field(macho, 0x3000, 4, 0x7000);  // n_strx of the only symbol
  CHECK(error_mentions(read_binary_image(ByteView(bad_name)), "string offset"));
}

TEST_CASE("a fat Mach-O slice past the end of the file is refused") {
  std::string fat;
  put_uint(fat, 0xcafebabe, 4, Endian::big);
  put_uint(fat, 1, 4, Endian::big);
  put_uint(fat, 0x01000007, 4, Endian::big);
  put_uint(fat, 3, 4, Endian::big);
  put_uint(fat, 0x1000, 4, Endian::big);    // offset
  put_uint(fat, 0x100000, 4, Endian::big);  // size: far past the end
  put_uint(fat, 12, 4, Endian::big);
  fat.resize(0x1000, '\0');
  fat += synthetic_macho();
  REQUIRE(is_macho(ByteView(fat)));
  CHECK(error_mentions(read_binary_image(ByteView(fat)), "fat slice 0"));
  std::string fitting = fat;
  std::string size_field;
  put_uint(size_field, synthetic_macho().size(), 4, Endian::big);
  fitting.replace(20, 4, size_field);  // fat_arch.size
  auto image = read_binary_image(ByteView(fitting));
  REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
  const Section* buildinfo = image->section("__go_buildinfo");
  REQUIRE(buildinfo != nullptr);
  CHECK(buildinfo->file_offset == 0x1000 + 0x2000);  // offsets count from the file start
  auto bytes = image->section_bytes(*buildinfo);
  REQUIRE(bytes.ok());
  CHECK(bytes->chars().substr(0, 14) == "\xff Go buildinf:");
}

TEST_CASE("PE headers and tables that do not fit the file are refused before LIEF") {
  std::string pe = synthetic_pe();
  const uint64_t coff = 0x84;
  CHECK(error_mentions(read_binary_image(ByteView(with_field(pe, coff + 2, 2, 500))),
                       "500 sections"));
  CHECK(error_mentions(read_binary_image(ByteView(with_field(pe, coff + 12, 4, 0x10000000))),
                       "COFF symbol table"));
  CHECK(error_mentions(read_binary_image(ByteView(with_field(pe, coff + 16, 2, 0xfff0))),
                       "optional header"));
  const uint64_t first_section = coff + 20 + 240;
  CHECK(error_mentions(
      read_binary_image(ByteView(with_field(pe, first_section + 16, 4, 0x7fffffff))), "raw data"));
}

TEST_CASE("a PE resource directory that contains itself is refused before LIEF walks it") {
  std::string pe = synthetic_pe();
  // Resource directory (data directory 2) at .rdata's RVA: one ID entry whose subdirectory
  // offset (high bit set) is 0, the directory itself.
  const uint64_t directories = 0x84 + 20 + 112;
  pe = with_field(pe, directories + 2 * 8, 4, 0x2000);
  pe = with_field(pe, directories + 2 * 8 + 4, 4, 0x20);
  std::string directory(16, '\0');
  put_uint(directory, 1, 4, Endian::little);  // entry: ID 1
  put_uint(directory, 0x80000000, 4, Endian::little);
  directory.replace(14, 2, std::string("\x01\x00", 2));  // NumberOfIdEntries = 1
  pe.replace(0x600, directory.size(), directory);
  auto image = read_binary_image(ByteView(pe));
  CHECK(error_mentions(image, "resource directory nested deeper"));
}

TEST_CASE("truncated PE and Mach-O files are errors or partial images, never crashes") {
  for (const std::string& whole : {synthetic_pe(), synthetic_macho()}) {
    for (uint64_t k = 1; k < 64; ++k) {
      uint64_t cut = whole.size() * k / 64;
      CAPTURE(cut);
      ByteView truncated(reinterpret_cast<const uint8_t*>(whole.data()), cut);
      auto image = read_binary_image(truncated);
      if (!image.ok()) {
        CHECK_FALSE(image.error().message().empty());
        continue;
      }
      for (const Segment& segment : image->segments) {
        CHECK(segment.file_offset + segment.file_size <= cut);
      }
      for (const Section& section : image->sections) (void)image->section_bytes(section);
    }
  }
}

}  // namespace
}  // namespace fipsgate
