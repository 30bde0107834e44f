// pclntab location and header decoding on synthetic Go ELF files (tests/support/go_layouts):
// every magic, both byte orders, 4- and 8-byte pointers, each placement, and malformed headers.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/pclntab.h"
#include "support/go_layouts.h"

namespace fipsgate {
namespace {

using testing::BuiltGoElf;
using testing::GoElfSpec;

struct Variant {
  PclntabVersion version;
  Endian endian;
  unsigned pointer_size;
};

std::vector<Variant> all_variants() {
  std::vector<Variant> variants;
  for (auto version : {PclntabVersion::go12, PclntabVersion::go116, PclntabVersion::go118,
                       PclntabVersion::go120}) {
    for (auto endian : {Endian::little, Endian::big}) {
      for (unsigned pointer_size : {4u, 8u}) variants.push_back({version, endian, pointer_size});
    }
  }
  return variants;
}

std::string describe(const Variant& variant) {
  return "Go " + std::string(to_string(variant.version)) +
         (variant.endian == Endian::little ? " little endian " : " big endian ") +
         std::to_string(variant.pointer_size * 8) + "-bit";
}

ModuleDataLayout layout_for(PclntabVersion version) {
  switch (version) {
    case PclntabVersion::go12:
      return ModuleDataLayout::go12;
    case PclntabVersion::go116:
      return ModuleDataLayout::go116;
    case PclntabVersion::go118:
      return ModuleDataLayout::go118;
    case PclntabVersion::go120:
      return ModuleDataLayout::go120;
  }
  return ModuleDataLayout::go120;
}

GoElfSpec spec_for(const Variant& variant) {
  GoElfSpec spec;
  spec.pclntab.version = variant.version;
  spec.pclntab.endian = variant.endian;
  spec.pclntab.pointer_size = variant.pointer_size;
  spec.pclntab.quantum = variant.endian == Endian::big ? 4 : 1;
  spec.pclntab.functions = testing::sample_functions();
  spec.layout = layout_for(variant.version);
  return spec;
}

void patch_word(std::string& bytes, uint64_t offset, uint64_t value, unsigned size, Endian endian) {
  std::string encoded;
  testing::put_uint(encoded, value, size, endian);
  bytes.replace(offset, size, encoded);
}

TEST_CASE("every pclntab magic in both byte orders and pointer sizes is decoded from .gopclntab") {
  for (const Variant& variant : all_variants()) {
    CAPTURE(describe(variant));
    BuiltGoElf built = testing::build_go_elf(spec_for(variant));
    auto image = read_binary_image(built.elf.view());
    REQUIRE_MESSAGE(image.ok(), image.error().message());
    auto table = find_pclntab(*image);
    REQUIRE_MESSAGE(table.ok(), table.error().message());
    CHECK(table->version == variant.version);
    CHECK(table->endian == variant.endian);
    CHECK(table->pointer_size == variant.pointer_size);
    CHECK(table->quantum == (variant.endian == Endian::big ? 4u : 1u));
    CHECK(table->function_count == 3);
    CHECK(table->file_count == 1);
    CHECK(table->found_in == "section .gopclntab");
    CHECK(table->vaddr == testing::kGoPclntabSectionVaddr);
    CHECK(table->bytes.file_offset() == built.elf.find(".gopclntab")->file_offset);
    CHECK(table->functab.size() == 7 * table->functab_entry_size / 2);
    CHECK(table->text_start == (variant.version >= PclntabVersion::go118 ? 0x401000u : 0u));
  }
}

TEST_CASE("1.16+ sub-tables are the views between the header's offsets") {
  for (const Variant& variant : all_variants()) {
    if (variant.version == PclntabVersion::go12) continue;
    CAPTURE(describe(variant));
    BuiltGoElf built = testing::build_go_elf(spec_for(variant));
    auto image = read_binary_image(built.elf.view());
    REQUIRE(image.ok());
    auto table = find_pclntab(*image);
    REQUIRE_MESSAGE(table.ok(), table.error().message());
    const testing::BuiltPclntab& layout = built.pclntab;
    uint64_t start = table->bytes.file_offset();
    CHECK(table->funcname_table.file_offset() == start + layout.funcname_offset);
    CHECK(table->funcname_table.size() == layout.cu_offset - layout.funcname_offset);
    CHECK(table->cu_table.file_offset() == start + layout.cu_offset);
    CHECK(table->file_table.file_offset() == start + layout.filetab_offset);
    CHECK(table->file_table.chars().substr(0, 12) == "/src/main.go");
    CHECK(table->pc_table.file_offset() == start + layout.pctab_offset);
    CHECK(table->func_table.file_offset() == start + layout.functab_offset);
    CHECK(table->functab.file_offset() == start + layout.functab_offset);
  }
}

TEST_CASE("the magic search finds every layout when section headers are stripped") {
  for (const Variant& variant : all_variants()) {
    CAPTURE(describe(variant));
    GoElfSpec spec = spec_for(variant);
    spec.write_section_headers = false;
    BuiltGoElf built = testing::build_go_elf(spec);
    auto image = read_binary_image(built.elf.view());
    REQUIRE_MESSAGE(image.ok(), image.error().message());
    REQUIRE(image->sections.empty());
    auto table = find_pclntab(*image);
    REQUIRE_MESSAGE(table.ok(), table.error().message());
    CHECK(table->version == variant.version);
    CHECK(table->vaddr == testing::kGoPclntabSectionVaddr);
    CHECK(table->found_in == "magic search in segment " + hex(testing::kGoPclntabSectionVaddr));
    CHECK(table->function_count == 3);
  }
}

TEST_CASE("a Go 1.26 pclntab inside rodata with textStart 0 is found by the magic search") {
  for (Endian endian : {Endian::little, Endian::big}) {
    GoElfSpec spec = spec_for({PclntabVersion::go120, endian, 8});
    spec.pclntab.header_text_start = false;
    spec.layout = ModuleDataLayout::go126;
    spec.pclntab_placement = testing::PclntabPlacement::inside_rodata;
    spec.moduledata_placement = testing::ModuleDataPlacement::go_module;
    BuiltGoElf built = testing::build_go_elf(spec);
    auto image = read_binary_image(built.elf.view());
    REQUIRE_MESSAGE(image.ok(), image.error().message());
    REQUIRE(image->section(".rodata") != nullptr);
    auto table = find_pclntab(*image);
    REQUIRE_MESSAGE(table.ok(), table.error().message());
    // The search passed over the stray magic that rodata_filler plants at .rodata+0x40.
    CHECK(table->vaddr == testing::kGoRodataVaddr + testing::kGoPclntabInRodataOffset);
    CHECK(table->found_in == "magic search in segment " + hex(testing::kGoRodataVaddr));
    CHECK(table->text_start == 0);
    CHECK(table->version == PclntabVersion::go120);
  }
}

TEST_CASE("runtime.pclntab and runtime.epclntab symbols bound a table without its own section") {
  GoElfSpec spec = spec_for({PclntabVersion::go118, Endian::little, 8});
  spec.pclntab_placement = testing::PclntabPlacement::inside_rodata;
  spec.write_symbols = true;
  BuiltGoElf built = testing::build_go_elf(spec);
  auto image = read_binary_image(built.elf.view());
  REQUIRE(image.ok());
  auto table = find_pclntab(*image);
  REQUIRE_MESSAGE(table.ok(), table.error().message());
  CHECK(table->found_in == "symbol runtime.pclntab");
  CHECK(table->vaddr == built.pclntab_vaddr);
  CHECK(table->bytes.size() == built.pclntab.bytes.size());
}

TEST_CASE("a huge nfunc is an error that names the count, the table size and the file offset") {
  for (const Variant& variant : all_variants()) {
    CAPTURE(describe(variant));
    BuiltGoElf built = testing::build_go_elf(spec_for(variant));
    uint64_t table_at = built.elf.find(".gopclntab")->file_offset;
    patch_word(built.elf.bytes, table_at + 8, 0xFFFFFFFF, variant.pointer_size, variant.endian);
    auto image = read_binary_image(built.elf.view());
    REQUIRE(image.ok());
    auto table = find_pclntab(*image);
    REQUIRE_FALSE(table.ok());
    CHECK(table.error().message() == "pclntab: nfunc 4294967295 exceeds the " +
                                         std::to_string(built.pclntab.bytes.size()) +
                                         "-byte table at file offset " + hex(table_at));
  }
}

TEST_CASE("a sub-table offset past the end of the table is an error") {
  Variant variant{PclntabVersion::go120, Endian::little, 8};
  BuiltGoElf built = testing::build_go_elf(spec_for(variant));
  uint64_t table_at = built.elf.find(".gopclntab")->file_offset;
  // Word 6 is pctabOffset in the 1.18+ header.
  patch_word(built.elf.bytes, table_at + 8 + 6 * 8, 0x7fffffff, 8, Endian::little);
  auto image = read_binary_image(built.elf.view());
  REQUIRE(image.ok());
  auto table = find_pclntab(*image);
  REQUIRE_FALSE(table.ok());
  CHECK(table.error().message().find("pctabOffset 0x7fffffff exceeds") != std::string::npos);
}

TEST_CASE("sub-table offsets out of order are an error") {
  Variant variant{PclntabVersion::go116, Endian::big, 4};
  testing::PclntabSpec spec = spec_for(variant).pclntab;
  testing::BuiltPclntab built = testing::build_pclntab(spec);
  // Word 3 is cuOffset in the 1.16 header; point it before funcnameOffset.
  patch_word(built.bytes, 8 + 3 * 4, 4, 4, Endian::big);
  auto table = parse_pclntab(ByteView(built.bytes), 0, "test");
  REQUIRE_FALSE(table.ok());
  CHECK(table.error().message().find("out of order") != std::string::npos);
}

TEST_CASE("a header cut short is an error, not a read past the end") {
  Variant variant{PclntabVersion::go118, Endian::little, 8};
  testing::BuiltPclntab built = testing::build_pclntab(spec_for(variant).pclntab);
  for (uint64_t size : {0u, 8u, 16u, 40u, 71u, 72u}) {
    CAPTURE(size);
    std::string cut = built.bytes.substr(0, size);
    auto table = parse_pclntab(ByteView(cut), 0, "test");
    CHECK_FALSE(table.ok());
  }
}

TEST_CASE("the header sanity test rejects bad pad bytes, quantum and pointer size") {
  Variant variant{PclntabVersion::go120, Endian::little, 8};
  testing::BuiltPclntab built = testing::build_pclntab(spec_for(variant).pclntab);
  CHECK(looks_like_pclntab_header(ByteView(built.bytes)));
  for (auto [offset, value] : std::vector<std::pair<size_t, char>>{
           {4, 1}, {5, 1}, {6, 3}, {6, 0}, {7, 2}, {7, 16}, {0, '\xf2'}}) {
    CAPTURE(offset);
    std::string bad = built.bytes;
    bad[offset] = value;
    CHECK_FALSE(looks_like_pclntab_header(ByteView(bad)));
    CHECK_FALSE(parse_pclntab(ByteView(bad), 0, "test").ok());
  }
}

TEST_CASE("a binary without any pclntab is an error saying where it looked") {
  testing::ElfSpec spec;
  spec.sections.push_back({".text", 1, 6, 0x401000, 16, std::string(64, '\x90'), 0});
  spec.sections.push_back({".rodata", 1, 2, 0, 16, std::string(256, '\xff'), 0});
  testing::BuiltElf built = testing::build_elf(spec);
  auto image = read_binary_image(built.view());
  REQUIRE(image.ok());
  auto table = find_pclntab(*image);
  REQUIRE_FALSE(table.ok());
  CHECK(table.error().message().find("no pclntab") != std::string::npos);
}

TEST_CASE("version names follow the Go release that introduced each magic") {
  CHECK(to_string(PclntabVersion::go12) == "1.2");
  CHECK(to_string(PclntabVersion::go116) == "1.16");
  CHECK(to_string(PclntabVersion::go118) == "1.18");
  CHECK(to_string(PclntabVersion::go120) == "1.20");
}

}  // namespace
}  // namespace fipsgate
