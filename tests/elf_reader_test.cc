// The ELF reader on synthetic files from tests/support/elf_builder: every combination of class
// and byte order, stripped section headers, linkage kinds, notes, symbols and address mapping.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/binary/elf.h"
#include "fipsgate/io/mapped_file.h"
#include "support/elf_builder.h"

namespace fipsgate {
namespace {

using testing::BuiltElf;
using testing::ElfSpec;
using testing::NoteSpec;
using testing::SectionSpec;
using testing::SymbolSpec;

using testing::kShfAlloc;
using testing::kShfExec;
using testing::kShfWrite;

// A small Go-like executable: text, rodata, a writable .go.buildinfo, bss, and two symbols.
ElfSpec go_like_spec(bool is_64bit, Endian endian) {
  ElfSpec spec;
  spec.is_64bit = is_64bit;
  spec.endian = endian;
  spec.base_vaddr = is_64bit ? 0x400000 : 0x8048000;
  spec.sections = {
      SectionSpec{".text", 1, kShfAlloc | kShfExec, 0, 16, std::string(256, '\x90'), 0},
      SectionSpec{".rodata", 1, kShfAlloc, 0, 16, "read-only bytes", 0},
      SectionSpec{".go.buildinfo", 1, kShfAlloc | kShfWrite, 0, 16,
                  "\xff Go buildinf:" + std::string(18, '\0'), 0},
      SectionSpec{".bss", 8, kShfAlloc | kShfWrite, 0, 16, "", 0x1000},
  };
  spec.symbols = {SymbolSpec{"main.main", 0, 0x40, 2, ".text"},
                  SymbolSpec{"runtime.buildVersion", 0, 16, 1, ".rodata"}};
  return spec;
}

BuiltElf build_go_like(bool is_64bit, Endian endian) {
  ElfSpec spec = go_like_spec(is_64bit, endian);
  // Symbol values are addresses: build once to learn them, then again with the values filled in.
  BuiltElf first = testing::build_elf(spec);
  spec.symbols[0].value = first.find(".text")->vaddr;
  spec.symbols[1].value = first.find(".rodata")->vaddr;
  return testing::build_elf(spec);
}

struct Variant {
  bool is_64bit;
  Endian endian;
  const char* label;
};

constexpr Variant kVariants[] = {{true, Endian::little, "ELF64 little endian"},
                                 {true, Endian::big, "ELF64 big endian"},
                                 {false, Endian::little, "ELF32 little endian"},
                                 {false, Endian::big, "ELF32 big endian"}};

TEST_CASE("the ELF header gives class, byte order, pointer size, entry point and architecture") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    BuiltElf built = build_go_like(variant.is_64bit, variant.endian);
    auto image = read_elf(built.view());
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
    CHECK(image->format == FileFormat::elf);
    CHECK(image->is_64bit == variant.is_64bit);
    CHECK(image->endian == variant.endian);
    CHECK(image->pointer_size == (variant.is_64bit ? 8u : 4u));
    CHECK(image->arch == Arch::amd64);
    CHECK(image->entry_vaddr == built.find(".text")->vaddr);
    CHECK(image->warnings.empty());
  }
}

TEST_CASE("sections are found by name with the address, offset and size they were written at") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    BuiltElf built = build_go_like(variant.is_64bit, variant.endian);
    auto image = read_elf(built.view());
    REQUIRE(image.ok());
    for (const char* name : {".text", ".rodata", ".go.buildinfo", ".symtab", ".strtab"}) {
      CAPTURE(name);
      const Section* section = image->section(name);
      REQUIRE(section != nullptr);
      const BuiltElf::Placed* placed = built.find(name);
      CHECK(section->vaddr == placed->vaddr);
      CHECK(section->file_offset == placed->file_offset);
      CHECK(section->size == placed->size);
      auto bytes = image->section_bytes(*section);
      REQUIRE(bytes.ok());
      CHECK(bytes->chars() ==
            std::string_view(built.bytes).substr(placed->file_offset, placed->size));
    }
    CHECK(image->sections.front().name.empty());  // index 0 is the null section
    CHECK(image->section(".text")->executable);
    CHECK(image->section(".go.buildinfo")->writable);
    CHECK(image->section(".shstrtab") != nullptr);
  }
}

TEST_CASE("a zero-fill section has no file bytes and asking for them is an error") {
  BuiltElf built = build_go_like(true, Endian::little);
  auto image = read_elf(built.view());
  REQUIRE(image.ok());
  const Section* bss = image->section(".bss");
  REQUIRE(bss != nullptr);
  CHECK_FALSE(bss->has_file_bytes);
  CHECK(bss->size == 0x1000);
  auto bytes = image->section_bytes(*bss);
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().message().find("zero-fill") != std::string::npos);
}

TEST_CASE("virtual addresses map to file offsets through the loadable segments") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    BuiltElf built = build_go_like(variant.is_64bit, variant.endian);
    auto image = read_elf(built.view());
    REQUIRE(image.ok());
    const BuiltElf::Placed* rodata = built.find(".rodata");
    auto offset = image->file_offset_of(rodata->vaddr + 5);
    REQUIRE(offset.ok());
    CHECK(*offset == rodata->file_offset + 5);
    CHECK(image->vaddr_of_file_offset(rodata->file_offset + 5) == rodata->vaddr + 5);
    auto bytes = image->at_address(rodata->vaddr, 9);
    REQUIRE(bytes.ok());
    CHECK(bytes->chars() == "read-only");
    CHECK(bytes->file_offset() == rodata->file_offset);
    auto rest = image->from_address(rodata->vaddr + 10);
    REQUIRE(rest.ok());
    CHECK(rest->chars().substr(0, 5) == "bytes");
    const Segment* segment = image->segment_containing(rodata->vaddr);
    REQUIRE(segment != nullptr);
    CHECK(segment->readable);
    CHECK_FALSE(segment->writable);
  }
}

TEST_CASE("addresses outside every segment or in zero-fill memory have no file bytes") {
  BuiltElf built = build_go_like(true, Endian::little);
  auto image = read_elf(built.view());
  REQUIRE(image.ok());
  auto nowhere = image->at_address(0x10, 4);
  REQUIRE_FALSE(nowhere.ok());
  CHECK(nowhere.error().message().find("not in any") != std::string::npos);
  const BuiltElf::Placed* bss = built.find(".bss");
  auto zero_fill = image->file_offset_of(bss->vaddr + 8);
  REQUIRE_FALSE(zero_fill.ok());
  CHECK(zero_fill.error().message().find("zero-fill") != std::string::npos);
  CHECK(image->segment_containing(bss->vaddr + 8) != nullptr);
  const BuiltElf::Placed* rodata = built.find(".rodata");
  auto past_end = image->at_address(rodata->vaddr, rodata->size + 1);
  CHECK_FALSE(past_end.ok());
  CHECK_FALSE(image->at_address(UINT64_MAX - 2, 8).ok());
}

TEST_CASE("symbols are decoded one at a time with names, values, sizes and kinds") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    BuiltElf built = build_go_like(variant.is_64bit, variant.endian);
    auto image = read_elf(built.view());
    REQUIRE(image.ok());
    REQUIRE(image->symbols.size() == 2);
    auto first = image->symbols.at(0);
    REQUIRE(first.ok());
    CHECK(first->name == "main.main");
    CHECK(first->value == built.find(".text")->vaddr);
    CHECK(first->size == 0x40);
    CHECK(first->kind == SymbolKind::function);
    CHECK(first->is_global);
    CHECK(image->sections.at(first->section_index).name == ".text");
    std::vector<std::string_view> names;
    uint64_t undecodable = image->symbols.for_each([&](const Symbol& symbol) {
      names.push_back(symbol.name);
      return true;
    });
    CHECK(undecodable == 0);
    CHECK(names == std::vector<std::string_view>{"main.main", "runtime.buildVersion"});
    auto second = image->symbols.at(1);
    REQUIRE(second.ok());
    CHECK(second->kind == SymbolKind::object);
    CHECK_FALSE(image->symbols.at(2).ok());
    CHECK(image->dynamic_symbols.empty());
  }
}

TEST_CASE("each ELF symbol knows the file offset of its entry, after the null symbol") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    BuiltElf built = build_go_like(variant.is_64bit, variant.endian);
    auto image = read_elf(built.view());
    REQUIRE(image.ok());
    const uint64_t entry_bytes = variant.is_64bit ? 24 : 16;
    const uint64_t symtab = built.find(".symtab")->file_offset;
    CHECK(image->symbols.entry_file_offset(0) == symtab + entry_bytes);
    CHECK(image->symbols.entry_file_offset(1) == symtab + 2 * entry_bytes);
    CHECK_FALSE(image->symbols.entry_file_offset(2).has_value());
    // The entry's st_value field holds the value the reader decoded.
    const uint64_t value_at = *image->symbols.entry_file_offset(1) + (variant.is_64bit ? 8 : 4);
    CHECK(load_uint(reinterpret_cast<const uint8_t*>(built.bytes.data()) + value_at,
                    variant.is_64bit ? 8 : 4, variant.endian) == image->symbols.at(1)->value);
  }
}

TEST_CASE("symbol iteration stops when the visitor returns false") {
  BuiltElf built = build_go_like(true, Endian::little);
  auto image = read_elf(built.view());
  REQUIRE(image.ok());
  int visited = 0;
  image->symbols.for_each([&](const Symbol&) {
    ++visited;
    return false;
  });
  CHECK(visited == 1);
}

// What find(name) must return: the first symbol for_each gives with that name.
std::optional<Symbol> first_named(const SymbolTable& table, std::string_view name) {
  std::optional<Symbol> found;
  table.for_each([&](const Symbol& symbol) {
    if (symbol.name != name) return true;
    found = symbol;
    return false;
  });
  return found;
}

void check_find(const SymbolTable& table, std::string_view name) {
  CAPTURE(name);
  const std::optional<Symbol> expected = first_named(table, name);
  const std::optional<Symbol> found = table.find(name);
  REQUIRE(found.has_value() == expected.has_value());
  if (!found) return;
  CHECK(found->name == expected->name);
  CHECK(found->name.data() == expected->name.data());  // the same entry, not an equal one
  CHECK(found->value == expected->value);
  CHECK(found->size == expected->size);
}

TEST_CASE("find(name) gives the symbol for_each reaches first, comparing names in place") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    ElfSpec spec = go_like_spec(variant.is_64bit, variant.endian);
    // A repeated name (the first one wins) and a name that extends another.
    spec.symbols.push_back(SymbolSpec{"main.main", 0x1234, 8, 2, ".text"});
    spec.symbols.push_back(SymbolSpec{"main.mainly", 0x5678, 8, 2, ".text"});
    BuiltElf built = testing::build_elf(spec);
    auto image = read_elf(built.view());
    REQUIRE(image.ok());
    for (std::string_view name : {"main.main", "main.mainly", "runtime.buildVersion", "main.mai",
                                  "main.mainl", "runtime.buildVersionX", "", "nothing"}) {
      check_find(image->symbols, name);
    }
    CHECK(image->symbols.find("main.main")->size == 0x40);  // not the later 8-byte one
    CHECK_FALSE(image->symbols.find("main.mai").has_value());

    // The last name's NUL overwritten: the string table ends inside it, so the entry is
    // undecodable and neither for_each nor find gives it.
    const BuiltElf::Placed* strtab = built.find(".strtab");
    REQUIRE(strtab != nullptr);
    std::string bytes = built.bytes;
    REQUIRE(bytes[strtab->file_offset + strtab->size - 1] == '\0');
    bytes[strtab->file_offset + strtab->size - 1] = 'X';
    auto patched = read_elf(ByteView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    REQUIRE(patched.ok());
    check_find(patched->symbols, "main.mainly");
    CHECK_FALSE(patched->symbols.find("main.mainly").has_value());
    check_find(patched->symbols, "main.main");
  }
}

TEST_CASE("find(name) agrees with for_each on every symbol of a real Go binary") {
  const std::filesystem::path sample =
      std::filesystem::path(FIPSGATE_SAMPLES_DIR) / "go1.19-amd64-std";
  if (!std::filesystem::exists(sample)) {
    const char* required = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
    REQUIRE_MESSAGE(!(required && std::string(required) == "1"), "missing " << sample);
    MESSAGE("skipped: " << sample << " is not built");
    return;
  }
  auto file = MappedFile::open(sample.string());
  REQUIRE(file.ok());
  auto image = read_binary_image(file->view());
  REQUIRE(image.ok());
  std::vector<std::string> names;
  image->symbols.for_each([&](const Symbol& symbol) {
    names.emplace_back(symbol.name);
    return true;
  });
  REQUIRE(names.size() > 1000);
  for (size_t i = 0; i < names.size(); i += 7) {
    check_find(image->symbols, names[i]);
    check_find(image->symbols, names[i] + "x");
    if (names[i].size() > 1) check_find(image->symbols, names[i].substr(0, names[i].size() - 1));
  }
  for (const char* name : {"runtime.text", "runtime.firstmoduledata", "runtime.buildVersion",
                           "runtime.pclntab", "runtime.godebugDefault"}) {
    check_find(image->symbols, name);
  }
  CHECK(image->symbols.find("runtime.text").has_value());
}

TEST_CASE("with section headers stripped the image still maps addresses through its segments") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    ElfSpec spec = go_like_spec(variant.is_64bit, variant.endian);
    spec.write_section_headers = false;
    BuiltElf built = testing::build_elf(spec);
    auto image = read_elf(built.view());
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
    CHECK(image->sections.empty());
    CHECK(image->symbols.empty());
    CHECK(image->warnings.empty());
    CHECK(image->segments.size() == 4);
    const BuiltElf::Placed* buildinfo = built.find(".go.buildinfo");
    auto bytes = image->at_address(buildinfo->vaddr, 14);
    REQUIRE(bytes.ok());
    CHECK(bytes->chars() == "\xff Go buildinf:");
    int writable = 0;
    for (const Segment& segment : image->loadable_segments()) writable += segment.writable ? 1 : 0;
    CHECK(writable == 2);  // .go.buildinfo and .bss
  }
}

TEST_CASE("an executable without interpreter is static and one with it is dynamic") {
  ElfSpec spec = go_like_spec(true, Endian::little);
  BuiltElf static_image_file = testing::build_elf(spec);
  auto static_image = read_elf(static_image_file.view());
  REQUIRE(static_image.ok());
  CHECK(static_image->linkage == Linkage::static_exe);
  CHECK_FALSE(static_image->interpreter.has_value());

  spec.interpreter = "/lib64/ld-linux-x86-64.so.2";
  spec.needed = {"libc.so.6", "libpthread.so.0"};
  BuiltElf built = testing::build_elf(spec);
  auto dynamic_image = read_elf(built.view());
  REQUIRE(dynamic_image.ok());
  CHECK(dynamic_image->linkage == Linkage::dynamic_exe);
  CHECK(dynamic_image->interpreter == "/lib64/ld-linux-x86-64.so.2");
  CHECK(dynamic_image->needed_libraries ==
        std::vector<std::string_view>{"libc.so.6", "libpthread.so.0"});
}

TEST_CASE("needed libraries are found through DT_STRTAB when section headers are stripped") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    ElfSpec spec = go_like_spec(variant.is_64bit, variant.endian);
    spec.interpreter = "/lib/ld.so.1";
    spec.needed = {"libcrypto.so.3"};
    spec.write_section_headers = false;
    BuiltElf image_file = testing::build_elf(spec);
    auto image = read_elf(image_file.view());
    REQUIRE(image.ok());
    CHECK(image->needed_libraries == std::vector<std::string_view>{"libcrypto.so.3"});
    CHECK(image->interpreter == "/lib/ld.so.1");
  }
}

TEST_CASE("a position-independent executable with an interpreter is a PIE") {
  ElfSpec spec = go_like_spec(true, Endian::little);
  spec.type = 3;  // ET_DYN
  spec.interpreter = "/lib64/ld-linux-x86-64.so.2";
  spec.needed = {"libc.so.6"};
  BuiltElf image_file = testing::build_elf(spec);
  auto image = read_elf(image_file.view());
  REQUIRE(image.ok());
  CHECK(image->linkage == Linkage::pie);
}

TEST_CASE("a position-independent executable without interpreter is a static PIE") {
  ElfSpec spec = go_like_spec(true, Endian::little);
  spec.type = 3;
  spec.dynamic_section = true;
  BuiltElf image_file = testing::build_elf(spec);
  auto image = read_elf(image_file.view());
  REQUIRE(image.ok());
  CHECK(image->linkage == Linkage::static_pie);

  spec.dynamic_flags_1 = 0x08000000;   // DF_1_PIE decides even without an entry point
  spec.sections[0].flags = kShfAlloc;  // no executable section: entry point 0
  BuiltElf flagged_file = testing::build_elf(spec);
  auto flagged = read_elf(flagged_file.view());
  REQUIRE(flagged.ok());
  CHECK(flagged->entry_vaddr == 0);
  CHECK(flagged->linkage == Linkage::static_pie);
}

TEST_CASE(
    "a position-independent file without interpreter, entry point or PIE flag is a shared object") {
  ElfSpec spec = go_like_spec(true, Endian::little);
  spec.type = 3;
  spec.needed = {"libc.so.6"};
  spec.sections[0].flags = kShfAlloc;  // entry point 0
  BuiltElf image_file = testing::build_elf(spec);
  auto image = read_elf(image_file.view());
  REQUIRE(image.ok());
  CHECK(image->linkage == Linkage::shared_object);
}

TEST_CASE("the Go build ID and GNU build ID are read from notes") {
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    ElfSpec spec = go_like_spec(variant.is_64bit, variant.endian);
    spec.notes = {NoteSpec{"GNU", 3, std::string("\x01\x23\x45\x67\x89\xab\xcd\xef", 8)},
                  NoteSpec{"Go", 4, "abcDEF/ghi_jkl/mno-pqr/stu"}};
    for (bool with_sections : {true, false}) {
      CAPTURE(with_sections);
      spec.write_section_headers = with_sections;
      BuiltElf image_file = testing::build_elf(spec);
      auto image = read_elf(image_file.view());
      REQUIRE(image.ok());
      CHECK(image->warnings.empty());
      CHECK(image->build_ids.go_build_id == "abcDEF/ghi_jkl/mno-pqr/stu");
      CHECK(image->build_ids.gnu_build_id == "0123456789abcdef");
    }
  }
}

TEST_CASE("notes in an 8-byte aligned note area are padded to 8 bytes") {
  // As GNU ld writes .note.gnu.property on 64-bit targets: a 4-byte descriptor padded to 8, so
  // the next note starts at 24, not at the 20 that 4-byte padding would give.
  std::string notes;
  const Endian le = Endian::little;
  testing::put_uint(notes, 4, 4, le);  // namesz
  testing::put_uint(notes, 4, 4, le);  // descsz
  testing::put_uint(notes, 5, 4, le);  // NT_GNU_PROPERTY_TYPE_0
  notes += std::string("GNU\0", 4) + std::string("\x01\x02\x03\x04", 4) + std::string(4, '\0');
  testing::put_uint(notes, 4, 4, le);
  testing::put_uint(notes, 8, 4, le);
  testing::put_uint(notes, 3, 4, le);  // NT_GNU_BUILD_ID
  notes += std::string("GNU\0", 4) + "\xaa\xbb\xcc\xdd\xee\xff\x11\x22";
  ElfSpec spec = go_like_spec(true, le);
  spec.sections.insert(spec.sections.begin(),
                       SectionSpec{".note.gnu.property", 7, kShfAlloc, 0, 8, notes, 0});
  for (bool with_sections : {true, false}) {
    CAPTURE(with_sections);
    spec.write_section_headers = with_sections;
    BuiltElf built = testing::build_elf(spec);
    auto image = read_elf(built.view());
    REQUIRE(image.ok());
    CHECK(image->warnings.empty());
    CHECK(image->build_ids.gnu_build_id == "aabbccddeeff1122");
  }
}

TEST_CASE("build IDs are read from note sections when no PT_NOTE segment covers them") {
  ElfSpec spec = go_like_spec(true, Endian::big);
  spec.notes = {NoteSpec{"Go", 4, "only/in/a/section"}};
  BuiltElf built = testing::build_elf(spec);
  // Turn the PT_NOTE program header into PT_NULL.
  bool patched = false;
  for (uint64_t offset = 64; offset + 56 <= 64 + 16 * 56; offset += 56) {
    if (load_uint(reinterpret_cast<const uint8_t*>(built.bytes.data()) + offset, 4, Endian::big) ==
        4) {
      built.bytes.replace(offset, 4, std::string(4, '\0'));
      patched = true;
    }
  }
  REQUIRE(patched);
  auto image = read_elf(built.view());
  REQUIRE(image.ok());
  CHECK(image->build_ids.go_build_id == "only/in/a/section");
}

TEST_CASE("extended section numbering takes the count and name table index from section 0") {
  // gABI: e_shnum 0 means "see sh_size of section 0"; e_shstrndx 0xffff means "see its sh_link".
  for (const Variant& variant : kVariants) {
    CAPTURE(variant.label);
    BuiltElf built = build_go_like(variant.is_64bit, variant.endian);
    auto clean = read_elf(built.view());
    REQUIRE(clean.ok());
    const bool is64 = variant.is_64bit;
    auto at = [&](uint64_t offset, unsigned size) {
      return load_uint(reinterpret_cast<const uint8_t*>(built.bytes.data()) + offset, size,
                       variant.endian);
    };
    auto put = [&](uint64_t offset, unsigned size, uint64_t value) {
      std::string field;
      testing::put_uint(field, value, size, variant.endian);
      built.bytes.replace(offset, size, field);
    };
    const uint64_t shoff = is64 ? at(40, 8) : at(32, 4);
    const uint64_t shnum = at(is64 ? 60 : 48, 2), shstrndx = at(is64 ? 62 : 50, 2);
    put(is64 ? 60 : 48, 2, 0);
    put(is64 ? 62 : 50, 2, 0xffff);
    put(shoff + (is64 ? 32 : 20), is64 ? 8 : 4, shnum);  // section 0 sh_size
    put(shoff + (is64 ? 40 : 24), 4, shstrndx);          // section 0 sh_link
    auto image = read_elf(built.view());
    REQUIRE(image.ok());
    CHECK(image->warnings.empty());
    CHECK(image->sections.size() == shnum);
    CHECK(image->section(".go.buildinfo") != nullptr);
    CHECK(image->symbols.size() == clean->symbols.size());
  }
}

TEST_CASE("notes of other owners and types are not taken for build IDs") {
  ElfSpec spec = go_like_spec(true, Endian::little);
  spec.notes = {NoteSpec{"Go", 1, "pkglist"}, NoteSpec{"GNU", 1, "abi tag!"},
                NoteSpec{"Gox", 4, "not go"}};
  BuiltElf image_file = testing::build_elf(spec);
  auto image = read_elf(image_file.view());
  REQUIRE(image.ok());
  CHECK_FALSE(image->build_ids.go_build_id.has_value());
  CHECK_FALSE(image->build_ids.gnu_build_id.has_value());
}

TEST_CASE("e_machine values map to Go's architecture names") {
  struct Case {
    uint16_t machine;
    bool is_64bit;
    Endian endian;
    Arch arch;
    std::string_view goarch;
  };
  const Case cases[] = {
      {3, false, Endian::little, Arch::x86, "386"},
      {62, true, Endian::little, Arch::amd64, "amd64"},
      {40, false, Endian::little, Arch::arm, "arm"},
      {183, true, Endian::little, Arch::arm64, "arm64"},
      {21, true, Endian::big, Arch::ppc64, "ppc64"},
      {21, true, Endian::little, Arch::ppc64le, "ppc64le"},
      {22, true, Endian::big, Arch::s390x, "s390x"},
      {243, true, Endian::little, Arch::riscv64, "riscv64"},
      {8, false, Endian::big, Arch::mips, "mips"},
      {8, false, Endian::little, Arch::mipsle, "mipsle"},
      {8, true, Endian::big, Arch::mips64, "mips64"},
      {8, true, Endian::little, Arch::mips64le, "mips64le"},
      {258, true, Endian::little, Arch::loong64, "loong64"},
  };
  for (const Case& expected : cases) {
    CAPTURE(expected.goarch);
    ElfSpec spec = go_like_spec(expected.is_64bit, expected.endian);
    spec.machine = expected.machine;
    BuiltElf image_file = testing::build_elf(spec);
    auto image = read_elf(image_file.view());
    REQUIRE(image.ok());
    CHECK(image->arch == expected.arch);
    CHECK(to_string(image->arch) == expected.goarch);
  }
}

TEST_CASE("an unknown machine is read with a warning") {
  ElfSpec spec = go_like_spec(true, Endian::little);
  spec.machine = 0x1234;
  BuiltElf image_file = testing::build_elf(spec);
  auto image = read_elf(image_file.view());
  REQUIRE(image.ok());
  CHECK(image->arch == Arch::unknown);
  CHECK(image->warnings.size() == 1);
}

TEST_CASE("the format dispatcher reads ELF and rejects unknown formats by name") {
  BuiltElf built = build_go_like(true, Endian::little);
  CHECK(looks_like_executable(built.view()));
  auto image = read_binary_image(built.view());
  REQUIRE(image.ok());
  CHECK(image->format == FileFormat::elf);
  std::string text = "#!/bin/sh\necho not a binary\n";
  CHECK_FALSE(looks_like_executable(ByteView(text)));
  auto unknown = read_binary_image(ByteView(text));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message().find("unrecognized file format") != std::string::npos);
  CHECK_FALSE(read_binary_image(ByteView()).ok());
}

TEST_CASE("names the adapter builds are kept alive by the image") {
  BinaryImage image;
  std::string_view kept = image.keep(std::string("__go_buildinfo"));
  for (int i = 0; i < 100; ++i) image.keep(std::to_string(i));
  CHECK(kept == "__go_buildinfo");
}

TEST_CASE("a copy of an image keeps the names the adapter built after the original is gone") {
  auto original = std::make_unique<BinaryImage>();
  Section section;
  section.name = original->keep("__gopclntab");
  original->sections.push_back(section);
  BinaryImage copy = *original;
  original.reset();
  CHECK(copy.sections.at(0).name == "__gopclntab");
}

TEST_CASE("an owned symbol list is iterated like an ELF table") {
  SymbolTable table(
      std::vector<Symbol>{Symbol{"_main.main", 0x1000, 8, SymbolKind::function, 1, true}});
  CHECK(table.size() == 1);
  auto symbol = table.at(0);
  REQUIRE(symbol.ok());
  CHECK(symbol->name == "_main.main");
  CHECK_FALSE(table.at(1).ok());
  REQUIRE(table.find("_main.main").has_value());
  CHECK(table.find("_main.main")->value == 0x1000);
  CHECK_FALSE(table.find("_main.mai").has_value());
}

TEST_CASE("formats, architectures and linkages have readable names") {
  CHECK(to_string(FileFormat::elf) == "ELF");
  CHECK(to_string(FileFormat::pe) == "PE");
  CHECK(to_string(FileFormat::macho) == "Mach-O");
  CHECK(to_string(Arch::unknown) == "unknown");
  CHECK(to_string(Linkage::static_pie) == "static PIE");
  CHECK(to_string(Linkage::pie) == "PIE");
}

}  // namespace
}  // namespace fipsgate
