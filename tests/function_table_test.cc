// moduledata and the lazy function table on synthetic Go ELF files (tests/support/go_layouts):
// every layout, each way of finding moduledata, Go 1.26's textStart 0, split text, and
// malformed functabs, records and names.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/function_table.h"
#include "fipsgate/go/moduledata.h"
#include "fipsgate/go/pclntab.h"
#include "support/go_layouts.h"

namespace fipsgate {
namespace {

using testing::BuiltGoElf;
using testing::GoElfSpec;

constexpr uint64_t kText = 0x401000;

struct Variant {
  PclntabVersion version;
  ModuleDataLayout layout;
  Endian endian;
  unsigned pointer_size;
};

std::vector<Variant> all_variants() {
  std::vector<Variant> variants;
  const std::pair<PclntabVersion, ModuleDataLayout> pairs[] = {
      {PclntabVersion::go12, ModuleDataLayout::go12},
      {PclntabVersion::go116, ModuleDataLayout::go116},
      {PclntabVersion::go118, ModuleDataLayout::go118},
      {PclntabVersion::go120, ModuleDataLayout::go120},
      {PclntabVersion::go120, ModuleDataLayout::go126},
      {PclntabVersion::go120, ModuleDataLayout::go127}};
  for (auto [version, layout] : pairs) {
    for (auto endian : {Endian::little, Endian::big}) {
      for (unsigned pointer_size : {4u, 8u}) {
        variants.push_back({version, layout, endian, pointer_size});
      }
    }
  }
  return variants;
}

std::string describe(const Variant& variant) {
  return "pclntab " + std::string(to_string(variant.version)) + ", moduledata " +
         std::string(to_string(variant.layout)) +
         (variant.endian == Endian::little ? ", little endian, " : ", big endian, ") +
         std::to_string(variant.pointer_size * 8) + "-bit";
}

GoElfSpec spec_for(const Variant& variant) {
  GoElfSpec spec;
  spec.pclntab.version = variant.version;
  spec.pclntab.endian = variant.endian;
  spec.pclntab.pointer_size = variant.pointer_size;
  spec.pclntab.text_start = kText;
  spec.pclntab.functions = testing::sample_functions();
  spec.pclntab.inlined_only_names = {"crypto/sha256.block"};
  spec.layout = variant.layout;
  if (variant.layout >= ModuleDataLayout::go126) {
    // Go 1.26: textStart 0, pclntab inside rodata, moduledata in .go.module (reference §2.4, §3.1).
    spec.pclntab.header_text_start = false;
    spec.pclntab_placement = testing::PclntabPlacement::inside_rodata;
    spec.moduledata_placement = testing::ModuleDataPlacement::go_module;
  }
  return spec;
}

void patch(std::string& bytes, uint64_t offset, uint64_t value, unsigned size, Endian endian) {
  std::string encoded;
  testing::put_uint(encoded, value, size, endian);
  bytes.replace(offset, size, encoded);
}

// Everything a test needs from one built file, read the way the pipeline reads it.
struct Loaded {
  BuiltGoElf built;
  BinaryImage image;
  Pclntab pclntab;
};

Loaded load(const GoElfSpec& spec) {
  Loaded loaded{testing::build_go_elf(spec), {}, {}};
  auto image = read_binary_image(loaded.built.elf.view());
  REQUIRE_MESSAGE(image.ok(), image.error().message());
  loaded.image = std::move(image).value();
  auto table = find_pclntab(loaded.image);
  REQUIRE_MESSAGE(table.ok(), table.error().message());
  loaded.pclntab = std::move(table).value();
  return loaded;
}

TEST_CASE("moduledata is decoded for every layout, found by runtime.firstmoduledata") {
  for (const Variant& variant : all_variants()) {
    CAPTURE(describe(variant));
    GoElfSpec spec = spec_for(variant);
    spec.write_symbols = true;
    Loaded loaded = load(spec);
    auto moduledata = find_moduledata(loaded.image, loaded.pclntab);
    REQUIRE_MESSAGE(moduledata.ok(), moduledata.error().message());
    CHECK(moduledata->found_in == "symbol runtime.firstmoduledata");
    CHECK(moduledata->layout == variant.layout);
    CHECK(moduledata->vaddr == loaded.built.moduledata_vaddr);
    CHECK(moduledata->text_start == kText);
    CHECK(moduledata->text_end == kText + 0xe0);
    CHECK(moduledata->min_pc == kText);
    CHECK(moduledata->max_pc == kText + 0xe0);
    CHECK(moduledata->ftab.length == 4);
    REQUIRE(moduledata->text_sections.size() == 1);
    CHECK(moduledata->text_sections[0].base_address == kText);
    if (variant.layout >= ModuleDataLayout::go126) {
      CHECK(moduledata->pclntab_end ==
            loaded.built.pclntab_vaddr + loaded.built.pclntab.bytes.size());
    }
  }
}

TEST_CASE("Go 1.26+ moduledata is found in its .go.module section without symbols") {
  for (const Variant& variant : all_variants()) {
    if (variant.layout < ModuleDataLayout::go126) continue;
    CAPTURE(describe(variant));
    Loaded loaded = load(spec_for(variant));
    auto moduledata = find_moduledata(loaded.image, loaded.pclntab);
    REQUIRE_MESSAGE(moduledata.ok(), moduledata.error().message());
    CHECK(moduledata->found_in == "section .go.module");
    CHECK(moduledata->layout == variant.layout);
  }
}

TEST_CASE("with section headers stripped, the pointer scan skips a decoy and finds moduledata") {
  for (const Variant& variant : all_variants()) {
    CAPTURE(describe(variant));
    GoElfSpec spec = spec_for(variant);
    spec.write_section_headers = false;
    spec.decoy_pointer = true;
    Loaded loaded = load(spec);
    auto moduledata = find_moduledata(loaded.image, loaded.pclntab);
    REQUIRE_MESSAGE(moduledata.ok(), moduledata.error().message());
    CHECK(moduledata->found_in.rfind("pointer scan in segment 0x", 0) == 0);
    CHECK(moduledata->vaddr == loaded.built.moduledata_vaddr);
    CHECK(moduledata->layout == variant.layout);
    CHECK(moduledata->text_start == kText);
  }
}

TEST_CASE("a missing moduledata is an error that says what was searched") {
  GoElfSpec spec = spec_for({PclntabVersion::go118, ModuleDataLayout::go118, Endian::little, 8});
  spec.moduledata_placement = testing::ModuleDataPlacement::absent;
  spec.decoy_pointer = true;
  Loaded loaded = load(spec);
  auto moduledata = find_moduledata(loaded.image, loaded.pclntab);
  REQUIRE_FALSE(moduledata.ok());
  CHECK(moduledata.error().message().rfind("moduledata: not found", 0) == 0);
}

TEST_CASE("functions have their entry, end and name in every layout") {
  for (const Variant& variant : all_variants()) {
    CAPTURE(describe(variant));
    Loaded loaded = load(spec_for(variant));
    auto moduledata = find_moduledata(loaded.image, loaded.pclntab);
    REQUIRE_MESSAGE(moduledata.ok(), moduledata.error().message());
    auto functions = read_function_table(loaded.image, loaded.pclntab, &*moduledata);
    REQUIRE_MESSAGE(functions.ok(), functions.error().message());
    REQUIRE(functions->size() == 3);
    Function first = functions->at(0), second = functions->at(1), third = functions->at(2);
    CHECK(first.name == "internal/cpu.Initialize");
    CHECK(first.entry == kText);
    CHECK(first.end == kText + 0x40);
    CHECK(second.name == "crypto/sha256.(*digest).Write");
    CHECK(second.entry == kText + 0x40);
    CHECK(second.end == kText + 0xc0);
    CHECK(third.name == "main.main");
    CHECK(third.end == kText + 0xe0);
    std::vector<std::string> names;
    for (Function function : *functions) names.emplace_back(function.name);
    CHECK(names == std::vector<std::string>{"internal/cpu.Initialize",
                                            "crypto/sha256.(*digest).Write", "main.main"});
  }
}

TEST_CASE("containing() finds the function whose range holds an address") {
  Loaded loaded =
      load(spec_for({PclntabVersion::go120, ModuleDataLayout::go120, Endian::little, 8}));
  auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
  REQUIRE_MESSAGE(functions.ok(), functions.error().message());
  CHECK(functions->containing(kText)->name == "internal/cpu.Initialize");
  CHECK(functions->containing(kText + 0x3f)->name == "internal/cpu.Initialize");
  CHECK(functions->containing(kText + 0x40)->name == "crypto/sha256.(*digest).Write");
  CHECK(functions->containing(kText + 0xbf)->name == "crypto/sha256.(*digest).Write");
  CHECK(functions->containing(kText + 0xdf)->name == "main.main");
  CHECK_FALSE(functions->containing(kText - 1).has_value());
  CHECK_FALSE(functions->containing(kText + 0xe0).has_value());
  CHECK(functions->find("main.main")->entry == kText + 0xc0);
  CHECK_FALSE(functions->find("main.absent").has_value());
}

TEST_CASE("the funcname table also lists functions that only appear inlined") {
  for (const Variant& variant : all_variants()) {
    CAPTURE(describe(variant));
    Loaded loaded = load(spec_for(variant));
    auto moduledata = find_moduledata(loaded.image, loaded.pclntab);
    REQUIRE(moduledata.ok());
    auto functions = read_function_table(loaded.image, loaded.pclntab, &*moduledata);
    REQUIRE_MESSAGE(functions.ok(), functions.error().message());
    std::set<std::string> names;
    functions->for_each_funcname_table_name([&](std::string_view name) {
      names.emplace(name);
      return true;
    });
    CHECK(names.count("main.main") == 1);
    CHECK(names.count("crypto/sha256.(*digest).Write") == 1);
    // Before 1.16 there is no separate name table, so only functab functions are listed.
    bool has_name_table = variant.version != PclntabVersion::go12;
    CHECK(names.count("crypto/sha256.block") == (has_name_table ? 1u : 0u));
    CHECK(names.size() == (has_name_table ? 4u : 3u));
  }
}

TEST_CASE("Go 1.26's textStart 0 needs moduledata or runtime.text to place functions") {
  GoElfSpec spec = spec_for({PclntabVersion::go120, ModuleDataLayout::go126, Endian::little, 8});
  Loaded loaded = load(spec);
  auto without = read_function_table(loaded.image, loaded.pclntab, nullptr);
  REQUIRE_FALSE(without.ok());
  CHECK_MESSAGE(without.error().message().find("textStart") != std::string::npos,
                without.error().message());

  auto moduledata = find_moduledata(loaded.image, loaded.pclntab);
  REQUIRE(moduledata.ok());
  auto with = read_function_table(loaded.image, loaded.pclntab, &*moduledata);
  REQUIRE_MESSAGE(with.ok(), with.error().message());
  CHECK(with->at(0).entry == kText);
  CHECK(with->text_base() == kText);

  spec.write_symbols = true;
  Loaded with_symbols = load(spec);
  auto by_symbol = read_function_table(with_symbols.image, with_symbols.pclntab, nullptr);
  REQUIRE_MESSAGE(by_symbol.ok(), by_symbol.error().message());
  CHECK(by_symbol->at(2).entry == kText + 0xc0);
}

TEST_CASE("split text sections map entry offsets through textsectmap") {
  ModuleData moduledata;
  moduledata.text_start = 0x401000;
  moduledata.text_sections = {{0, 0x1000, 0x401000}, {0x1000, 0x2000, 0x500000}};
  CHECK(text_address(moduledata, 0x10) == 0x401010);
  CHECK(text_address(moduledata, 0x1000) == 0x500000);
  CHECK(text_address(moduledata, 0x1800) == 0x500800);
  CHECK(text_address(moduledata, 0x2000) == 0x501000);  // the end of the last section
  moduledata.text_sections.resize(1);
  CHECK(text_address(moduledata, 0x1800) == 0x402800);
}

TEST_CASE("an unsorted functab is an error naming the entry") {
  for (const Variant& variant : all_variants()) {
    if (variant.layout >= ModuleDataLayout::go126) continue;
    CAPTURE(describe(variant));
    GoElfSpec spec = spec_for(variant);
    Loaded loaded = load(spec);
    // Give the third function an entry before the second's.
    unsigned field = static_cast<unsigned>(loaded.pclntab.functab_entry_size / 2);
    uint64_t at = loaded.pclntab.functab.file_offset() + 4 * field;
    uint64_t early = variant.version >= PclntabVersion::go118 ? 0x10 : kText + 0x10;
    patch(loaded.built.elf.bytes, at, early, field, variant.endian);
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    REQUIRE_FALSE(functions.ok());
    CHECK(functions.error().message().find("functab entry 2") != std::string::npos);
    CHECK(functions.error().message().find("not sorted") != std::string::npos);
  }
}

TEST_CASE("a functab entry whose end loops back before its start is an error") {
  Loaded loaded = load(spec_for({PclntabVersion::go118, ModuleDataLayout::go118, Endian::big, 8}));
  // The end word (entry 3) points back to the start of the text.
  uint64_t at = loaded.pclntab.functab.file_offset() + 6 * 4;
  patch(loaded.built.elf.bytes, at, 0, 4, Endian::big);
  auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
  REQUIRE_FALSE(functions.ok());
  CHECK(functions.error().message().find("functab entry 3") != std::string::npos);
}

TEST_CASE("a _func record offset past the func table is an error") {
  for (const Variant& variant : all_variants()) {
    if (variant.layout >= ModuleDataLayout::go126) continue;
    CAPTURE(describe(variant));
    Loaded loaded = load(spec_for(variant));
    unsigned field = static_cast<unsigned>(loaded.pclntab.functab_entry_size / 2);
    uint64_t at = loaded.pclntab.functab.file_offset() + 3 * field;  // funcoff of function 1
    patch(loaded.built.elf.bytes, at, 0xFFFFFFF0, 4, variant.endian);
    if (field == 8) patch(loaded.built.elf.bytes, at, 0xFFFFFFF0, 8, variant.endian);
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    REQUIRE_FALSE(functions.ok());
    CHECK(functions.error().message().find("functab entry 1 points to a _func record") !=
          std::string::npos);
  }
}

TEST_CASE("a name offset outside the funcname table is an error") {
  for (const Variant& variant : all_variants()) {
    if (variant.layout >= ModuleDataLayout::go126) continue;
    CAPTURE(describe(variant));
    Loaded loaded = load(spec_for(variant));
    uint64_t record = loaded.built.pclntab.record_offsets[2];
    unsigned entry_bytes = variant.version >= PclntabVersion::go118 ? 4 : variant.pointer_size;
    uint64_t at = loaded.pclntab.bytes.file_offset() + record + entry_bytes;
    patch(loaded.built.elf.bytes, at, 0x7FFFFFF0, 4, variant.endian);
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    REQUIRE_FALSE(functions.ok());
    CHECK(functions.error().message().find("function 2 has nameOff 0x7ffffff0") !=
          std::string::npos);
  }
}

TEST_CASE("a name without a NUL terminator is an error") {
  // 1.16+: the last name of the funcname table loses its NUL; names must end before the tail.
  Variant variant{PclntabVersion::go120, ModuleDataLayout::go120, Endian::little, 8};
  GoElfSpec spec = spec_for(variant);
  spec.pclntab.inlined_only_names.clear();
  Loaded loaded = load(spec);
  const ByteView& names = loaded.pclntab.funcname_table;
  loaded.built.elf.bytes[names.file_offset() + names.size() - 1] = 'x';
  auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
  REQUIRE_FALSE(functions.ok());
  CHECK(functions.error().message().find("function 2 has nameOff") != std::string::npos);

  // 1.2: names sit among the records; the last name now points at a long stretch without NUL.
  testing::PclntabSpec old_spec =
      spec_for({PclntabVersion::go12, ModuleDataLayout::go12, Endian::little, 8}).pclntab;
  testing::BuiltPclntab old_table = testing::build_pclntab(old_spec);
  std::string bytes = old_table.bytes;
  patch(bytes, old_table.record_offsets[2] + 8, bytes.size(), 4, Endian::little);
  bytes += std::string(100000, 'x');
  auto parsed = parse_pclntab(ByteView(bytes), 0x540000, "test");
  REQUIRE_MESSAGE(parsed.ok(), parsed.error().message());
  BinaryImage empty;
  auto old_functions = read_function_table(empty, *parsed, nullptr);
  REQUIRE_FALSE(old_functions.ok());
  CHECK(old_functions.error().message().find("has no NUL") != std::string::npos);
}

TEST_CASE("moduledata that disagrees with the pclntab is rejected with the reason") {
  Variant variant{PclntabVersion::go118, ModuleDataLayout::go118, Endian::little, 8};
  GoElfSpec spec = spec_for(variant);
  spec.write_symbols = true;
  Loaded loaded = load(spec);
  // ftab.len (word 17) no longer matches nfunc+1.
  uint64_t at = loaded.image.file_offset_of(loaded.built.moduledata_vaddr).value() + 17 * 8;
  patch(loaded.built.elf.bytes, at, 99, 8, Endian::little);
  auto moduledata =
      read_moduledata_at(loaded.image, loaded.pclntab, loaded.built.moduledata_vaddr, "test");
  REQUIRE_FALSE(moduledata.ok());
  CHECK(moduledata.error().message().find("ftab length 99 is not nfunc+1 = 4") !=
        std::string::npos);
}

}  // namespace
TEST_CASE(
    "a name longer than the limit is an error naming where it starts, one at the limit is not") {
  // The funcname table is checked 64 bytes at a time: a name at the limit (64 KiB) passes, one
  // byte longer fails, wherever the blocks fall.
  Variant variant{PclntabVersion::go120, ModuleDataLayout::go120, Endian::little, 8};
  for (size_t length : {size_t{65536}, size_t{65537}}) {
    CAPTURE(length);
    GoElfSpec spec = spec_for(variant);
    spec.pclntab.functions.insert(spec.pclntab.functions.begin() + 1,
                                  {"p." + std::string(length - 2, 'x'), 0x20});
    Loaded loaded = load(spec);
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    if (length <= 65536) {
      REQUIRE_MESSAGE(functions.ok(), functions.error().message());
      CHECK(functions->at(1).name.size() == length);
    } else {
      REQUIRE_FALSE(functions.ok());
      CHECK(functions.error().message().find("more than 65536 bytes without a NUL") !=
            std::string::npos);
    }
  }
}

TEST_CASE("a table of 120k functions, checked on two threads, fails with the same errors") {
  // From 20,000 functions the funcname table and the entries are checked at once; a failure is
  // re-checked in order, so each error below must name the same entry as the one-thread check.
  Variant variant{PclntabVersion::go120, ModuleDataLayout::go120, Endian::little, 8};
  GoElfSpec spec = spec_for(variant);
  spec.pclntab.inlined_only_names.clear();
  spec.pclntab.functions.clear();
  for (int i = 0; i < 120000; ++i) {
    spec.pclntab.functions.push_back(
        {"example.com/p" + std::to_string(i % 97) + ".F" + std::to_string(i), 0x20});
  }
  const uint64_t count = spec.pclntab.functions.size();
  {
    Loaded loaded = load(spec);
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    REQUIRE_MESSAGE(functions.ok(), functions.error().message());
    CHECK(functions->size() == count);
    CHECK(functions->at(count - 1).name ==
          "example.com/p" + std::to_string((count - 1) % 97) + ".F" + std::to_string(count - 1));
  }
  SUBCASE("the last name loses its NUL: the largest nameOff is past the terminated names") {
    Loaded loaded = load(spec);
    const ByteView& names = loaded.pclntab.funcname_table;
    loaded.built.elf.bytes[names.file_offset() + names.size() - 1] = 'x';
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    REQUIRE_FALSE(functions.ok());
    CHECK(functions.error().message().find("function " + std::to_string(count - 1) +
                                           " has nameOff") != std::string::npos);
  }
  SUBCASE("an entry out of order and a later bad nameOff: the entry is named, as in order") {
    Loaded loaded = load(spec);
    uint64_t at = loaded.pclntab.functab.file_offset() + 2 * 4 * 50001;  // entry 50001
    patch(loaded.built.elf.bytes, at, 0x10, 4, Endian::little);
    uint64_t record = loaded.built.pclntab.record_offsets[60000];
    patch(loaded.built.elf.bytes, loaded.pclntab.bytes.file_offset() + record + 4, 0x7FFFFFF0, 4,
          Endian::little);
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    REQUIRE_FALSE(functions.ok());
    CHECK(functions.error().message().find("functab entry 50001") != std::string::npos);
  }
  SUBCASE("a bad nameOff before an entry out of order: the nameOff is named, as in order") {
    Loaded loaded = load(spec);
    uint64_t record = loaded.built.pclntab.record_offsets[40000];
    patch(loaded.built.elf.bytes, loaded.pclntab.bytes.file_offset() + record + 4, 0x7FFFFFF0, 4,
          Endian::little);
    uint64_t at = loaded.pclntab.functab.file_offset() + 2 * 4 * 50001;
    patch(loaded.built.elf.bytes, at, 0x10, 4, Endian::little);
    auto functions = read_function_table(loaded.image, loaded.pclntab, nullptr);
    REQUIRE_FALSE(functions.ok());
    CHECK(functions.error().message().find("function 40000 has nameOff") != std::string::npos);
  }
}

}  // namespace fipsgate
