// Hostile and broken ELF files: truncated at every boundary, header fields pushed to absurd
// values, random byte damage. The reader must answer with an Error or warnings, never crash,
// hang or read outside the file (these tests also run under ASan/UBSan).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/binary/elf.h"
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

// Everything the reader knows how to read, so that damage can reach every parser step.
BuiltElf full_featured_elf(bool is_64bit, Endian endian) {
  ElfSpec spec;
  spec.is_64bit = is_64bit;
  spec.endian = endian;
  spec.type = 3;  // ET_DYN
  spec.interpreter = "/lib64/ld-linux-x86-64.so.2";
  spec.needed = {"libc.so.6", "libcrypto.so.3"};
  spec.notes = {NoteSpec{"Go", 4, "build/id/of/go"}, NoteSpec{"GNU", 3, "0123456789abcdef"}};
  spec.sections = {
      SectionSpec{".text", 1, kShfAlloc | kShfExec, 0, 16, std::string(128, '\xc3'), 0},
      SectionSpec{".rodata", 1, kShfAlloc, 0, 16, std::string(64, 'r'), 0},
      SectionSpec{".data", 1, kShfAlloc | kShfWrite, 0, 16, std::string(32, 'd'), 0},
      SectionSpec{".bss", 8, kShfAlloc | kShfWrite, 0, 16, "", 0x800},
  };
  spec.symbols = {SymbolSpec{"main.main", 0x401000, 16, 2, ".text"},
                  SymbolSpec{"runtime.buildVersion", 0x402000, 16, 1, ".rodata"},
                  SymbolSpec{"absolute", 7, 0, 0, ""}};
  return testing::build_elf(spec);
}

// Reads the file and touches everything a caller could: any crash or out-of-bounds read shows
// up here (under the sanitizers). Returns the result for further checks.
Result<BinaryImage> read_and_use(ByteView file) {
  auto image = read_binary_image(file);
  if (!image.ok()) {
    CHECK_FALSE(image.error().message().empty());
    return image;
  }
  for (const Section& section : image->sections) {
    auto bytes = image->section_bytes(section);
    if (bytes.ok()) CHECK(bytes->file_offset() + bytes->size() <= file.size());
  }
  for (const Segment& segment : image->segments) {
    CHECK(segment.file_offset + segment.file_size <= file.size());
    // Segments may overlap: the lookup may answer from another one, but always inside the file.
    auto bytes = image->from_address(segment.vaddr);
    if (bytes.ok()) CHECK(bytes->file_offset() + bytes->size() <= file.size());
    (void)image->at_address(segment.vaddr, segment.file_size);
    (void)image->at_address(segment.vaddr + segment.memory_size - 1, 1);
    (void)image->vaddr_of_file_offset(segment.file_offset);
  }
  for (const SymbolTable* table : {&image->symbols, &image->dynamic_symbols}) {
    uint64_t seen = 0;
    uint64_t undecodable = table->for_each([&](const Symbol& symbol) {
      ++seen;
      CHECK(symbol.name.size() <= file.size());
      return true;
    });
    CHECK(seen + undecodable == table->size());
  }
  for (std::string_view library : image->needed_libraries) CHECK(library.size() <= file.size());
  return image;
}

struct Variant {
  bool is_64bit;
  Endian endian;
  const char* label;
};

constexpr Variant kVariants[] = {{true, Endian::little, "ELF64 little endian"},
                                 {false, Endian::big, "ELF32 big endian"},
                                 {true, Endian::big, "ELF64 big endian"},
                                 {false, Endian::little, "ELF32 little endian"}};

// Where the file and section headers put things, decoded independently of the reader.
struct HeaderLayout {
  bool is_64bit;
  Endian endian;
  uint64_t phoff, shoff;
  unsigned phentsize, shentsize, phnum, shnum;

  static HeaderLayout of(const BuiltElf& built, bool is_64bit, Endian endian) {
    auto field = [&](unsigned offset, unsigned size) {
      return load_uint(reinterpret_cast<const uint8_t*>(built.bytes.data()) + offset, size, endian);
    };
    HeaderLayout layout{is_64bit, endian, 0, 0, 0, 0, 0, 0};
    layout.phoff = is_64bit ? field(32, 8) : field(28, 4);
    layout.shoff = is_64bit ? field(40, 8) : field(32, 4);
    layout.phentsize = unsigned(field(is_64bit ? 54 : 42, 2));
    layout.phnum = unsigned(field(is_64bit ? 56 : 44, 2));
    layout.shentsize = unsigned(field(is_64bit ? 58 : 46, 2));
    layout.shnum = unsigned(field(is_64bit ? 60 : 48, 2));
    return layout;
  }

  // File offsets of ELF header fields.
  unsigned e_phoff() const { return is_64bit ? 32 : 28; }
  unsigned e_shoff() const { return is_64bit ? 40 : 32; }
  unsigned e_phentsize() const { return is_64bit ? 54 : 42; }
  unsigned e_phnum() const { return is_64bit ? 56 : 44; }
  unsigned e_shentsize() const { return is_64bit ? 58 : 46; }
  unsigned e_shnum() const { return is_64bit ? 60 : 48; }
  unsigned e_shstrndx() const { return is_64bit ? 62 : 50; }
  unsigned word() const { return is_64bit ? 8 : 4; }

  uint64_t program_header(unsigned index) const { return phoff + uint64_t(index) * phentsize; }
  uint64_t p_offset(unsigned index) const { return program_header(index) + (is_64bit ? 8 : 4); }
  uint64_t p_vaddr(unsigned index) const { return program_header(index) + (is_64bit ? 16 : 8); }
  uint64_t p_filesz(unsigned index) const { return program_header(index) + (is_64bit ? 32 : 16); }
  uint64_t p_memsz(unsigned index) const { return program_header(index) + (is_64bit ? 40 : 20); }
  uint64_t section_header(unsigned index) const { return shoff + uint64_t(index) * shentsize; }
  uint64_t sh_name(unsigned index) const { return section_header(index); }
  uint64_t sh_offset(unsigned index) const { return section_header(index) + (is_64bit ? 24 : 16); }
  uint64_t sh_size(unsigned index) const { return section_header(index) + (is_64bit ? 32 : 20); }
  uint64_t sh_link(unsigned index) const { return section_header(index) + (is_64bit ? 40 : 24); }
  uint64_t sh_entsize(unsigned index) const { return section_header(index) + (is_64bit ? 56 : 36); }
};

std::string patched(const std::string& bytes, uint64_t offset, unsigned size, uint64_t value,
                    Endian endian) {
  std::string copy = bytes;
  std::string field;
  testing::put_uint(field, value, size, endian);
  copy.replace(offset, size, field);
  return copy;
}

bool mentions(const Result<BinaryImage>& image, std::string_view text) {
  if (!image.ok()) return image.error().message().find(text) != std::string::npos;
  for (const std::string& warning : image->warnings) {
    if (warning.find(text) != std::string::npos) return true;
  }
  return false;
}

// Section header index of the section with this name in a builder file (builder order).
unsigned section_index(const BuiltElf& built, const std::string& name) {
  auto image = read_elf(built.view());
  REQUIRE(image.ok());
  for (unsigned index = 0; index < image->sections.size(); ++index) {
    if (image->sections[index].name == name) return index;
  }
  FAIL("no section " << name);
  return 0;
}

TEST_CASE("the full-featured synthetic file reads cleanly before any damage") {
  for (const Variant& variant : kVariants) {
    CAPTURE(std::string(variant.label));
    BuiltElf built = full_featured_elf(variant.is_64bit, variant.endian);
    auto image = read_and_use(built.view());
    REQUIRE(image.ok());
    CHECK(image->warnings.empty());
    CHECK(image->symbols.size() == 3);
    CHECK(image->needed_libraries.size() == 2);
    CHECK(image->build_ids.go_build_id == "build/id/of/go");
    CHECK(image->linkage == Linkage::pie);
  }
}

TEST_CASE("a file truncated at any section, segment or header boundary reads or fails cleanly") {
  for (const Variant& variant : kVariants) {
    CAPTURE(std::string(variant.label));
    BuiltElf built = full_featured_elf(variant.is_64bit, variant.endian);
    HeaderLayout layout = HeaderLayout::of(built, variant.is_64bit, variant.endian);
    std::set<uint64_t> cuts = {0, 1, 4, 5, 6, 15, 16, 17, 51, 52, 63, 64};
    for (const BuiltElf::Placed& placed : built.placed) {
      cuts.insert(placed.file_offset);
      cuts.insert(placed.file_offset + 1);
      cuts.insert(placed.file_offset + placed.size);
      if (placed.size > 0) cuts.insert(placed.file_offset + placed.size - 1);
    }
    for (unsigned index = 0; index <= layout.phnum; ++index) {
      cuts.insert(layout.program_header(index));
    }
    for (unsigned index = 0; index <= layout.shnum; ++index) {
      cuts.insert(layout.section_header(index));
      cuts.insert(layout.section_header(index) + 1);
    }
    for (uint64_t k = 0; k < 64; ++k) cuts.insert(built.bytes.size() * k / 64);
    for (uint64_t cut : cuts) {
      if (cut > built.bytes.size()) continue;
      CAPTURE(cut);
      ByteView truncated(built.view().data(), cut);
      auto image = read_and_use(truncated);
      if (cut < layout.phoff + uint64_t(layout.phnum) * layout.phentsize) {
        CHECK_FALSE(image.ok());  // without its program headers a file cannot be mapped
      } else {
        REQUIRE(image.ok());
        CHECK(image->segments.size() >= 1);
        if (cut < layout.shoff + uint64_t(layout.shnum) * layout.shentsize) {
          CHECK(image->sections.empty());
          CHECK_FALSE(image->warnings.empty());
        }
      }
    }
  }
}

TEST_CASE("a cut program header table is an error naming its offset, entries and the file size") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  ByteView truncated(built.view().data(), 100);
  auto image = read_elf(truncated);
  REQUIRE_FALSE(image.ok());
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  CHECK(image.error().message() ==
        "ELF: program header table at file offset 0x40 (" + std::to_string(layout.phnum) +
            " entries x 56 bytes) runs past the end of the 100-byte file");
}

TEST_CASE("files too short for an ELF header are errors") {
  for (std::string text : {std::string("\x7f"
                                       "ELF"),
                           std::string("\x7f"
                                       "ELF\x02\x01\x01"),
                           std::string("\x7f"
                                       "ELF\x02\x01\x01") +
                               std::string(40, '\0'),
                           std::string("\x7f"
                                       "ELF\x09\x01\x01") +
                               std::string(80, '\0'),
                           std::string("\x7f"
                                       "ELF\x02\x07\x01") +
                               std::string(80, '\0')}) {
    CAPTURE(text.size());
    auto image = read_and_use(ByteView(text));
    CHECK_FALSE(image.ok());
  }
}

TEST_CASE("absurd file header fields are errors or warnings") {
  const uint64_t absurd_values[] = {0, 1, 0x7fffffff, 0xffffffff, 0xffffffffffffffff};
  for (const Variant& variant : kVariants) {
    CAPTURE(std::string(variant.label));
    BuiltElf built = full_featured_elf(variant.is_64bit, variant.endian);
    HeaderLayout layout = HeaderLayout::of(built, variant.is_64bit, variant.endian);
    struct Field {
      const char* name;
      unsigned offset, size;
    };
    const Field fields[] = {
        {"e_phoff", layout.e_phoff(), layout.word()}, {"e_shoff", layout.e_shoff(), layout.word()},
        {"e_phentsize", layout.e_phentsize(), 2},     {"e_phnum", layout.e_phnum(), 2},
        {"e_shentsize", layout.e_shentsize(), 2},     {"e_shnum", layout.e_shnum(), 2},
        {"e_shstrndx", layout.e_shstrndx(), 2}};
    for (const Field& field : fields) {
      for (uint64_t value : absurd_values) {
        CAPTURE(std::string(field.name));
        CAPTURE(value);
        std::string image_bytes =
            patched(built.bytes, field.offset, field.size, value, variant.endian);
        auto image = read_and_use(ByteView(image_bytes));
        // No segments at all (e_phnum 0, or a table without PT_LOAD) is said, not silent.
        if (image.ok()) CHECK((!image->segments.empty() || !image->warnings.empty()));
      }
    }
  }
}

TEST_CASE("a program header table offset past the end of the file is an error naming it") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  std::string image_bytes = patched(built.bytes, layout.e_phoff(), 8, 0xffffffff, Endian::little);
  auto image = read_and_use(ByteView(image_bytes));
  REQUIRE_FALSE(image.ok());
  CHECK(mentions(image, "program header table at file offset 0xffffffff"));
  std::string wrapped_bytes =
      patched(built.bytes, layout.e_phoff(), 8, 0xfffffffffffffff0, Endian::little);
  auto wrapped = read_and_use(ByteView(wrapped_bytes));
  CHECK_FALSE(wrapped.ok());
}

TEST_CASE("an e_phnum of 0xffff without a section header 0 to hold the real count is an error") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  std::string bytes = patched(built.bytes, layout.e_phnum(), 2, 0xffff, Endian::little);
  bytes = patched(bytes, layout.e_shoff(), 8, 0, Endian::little);
  CHECK_FALSE(read_and_use(ByteView(bytes)).ok());
}

TEST_CASE("unusable section headers leave the segments working, with a warning") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  const BuiltElf::Placed* rodata = built.find(".rodata");
  for (auto [offset, size, value] :
       {std::tuple<unsigned, unsigned, uint64_t>{layout.e_shoff(), 8, 0xffffffff},
        {layout.e_shoff(), 8, 0xffffffffffffffc0},
        {layout.e_shnum(), 2, 0xfff0},
        {layout.e_shentsize(), 2, 8}}) {
    CAPTURE(offset);
    CAPTURE(value);
    std::string image_bytes = patched(built.bytes, offset, size, value, Endian::little);
    auto image = read_and_use(ByteView(image_bytes));
    REQUIRE(image.ok());
    CHECK(image->sections.empty());
    CHECK_FALSE(image->warnings.empty());
    auto bytes = image->at_address(rodata->vaddr, rodata->size);
    REQUIRE(bytes.ok());
    CHECK(bytes->chars() == std::string(64, 'r'));
    CHECK(image->build_ids.go_build_id == "build/id/of/go");  // PT_NOTE still read
    CHECK(image->needed_libraries.size() == 2);               // DT_STRTAB still mapped
  }
}

TEST_CASE("a section name table index out of range leaves sections unnamed, with a warning") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  for (uint64_t value : {uint64_t(0), uint64_t(layout.shnum), uint64_t(0xfeff)}) {
    CAPTURE(value);
    std::string image_bytes = patched(built.bytes, layout.e_shstrndx(), 2, value, Endian::little);
    auto image = read_and_use(ByteView(image_bytes));
    REQUIRE(image.ok());
    CHECK(image->sections.size() == layout.shnum);
    CHECK(image->section(".text") == nullptr);
    CHECK(mentions(image, "e_shstrndx"));
  }
}

TEST_CASE("absurd section header fields are errors or warnings") {
  const uint64_t absurd_values[] = {0xffffffff, 0xffffffffffffffff, 0x7fffffff, 1};
  for (const Variant& variant : kVariants) {
    CAPTURE(std::string(variant.label));
    BuiltElf built = full_featured_elf(variant.is_64bit, variant.endian);
    HeaderLayout layout = HeaderLayout::of(built, variant.is_64bit, variant.endian);
    for (unsigned index = 0; index < layout.shnum; ++index) {
      for (uint64_t (HeaderLayout::*field)(unsigned) const :
           {&HeaderLayout::sh_name, &HeaderLayout::sh_offset, &HeaderLayout::sh_size,
            &HeaderLayout::sh_link, &HeaderLayout::sh_entsize}) {
        unsigned size =
            field == &HeaderLayout::sh_name || field == &HeaderLayout::sh_link ? 4 : layout.word();
        for (uint64_t value : absurd_values) {
          CAPTURE(index);
          CAPTURE(value);
          std::string image_bytes =
              patched(built.bytes, (layout.*field)(index), size, value, variant.endian);
          auto image = read_and_use(ByteView(image_bytes));
          REQUIRE(image.ok());  // section headers never stop the reader
          CHECK_FALSE(image->segments.empty());
        }
      }
    }
  }
}

TEST_CASE("a section whose bytes run past the end of the file is reported and has no bytes") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  unsigned rodata = section_index(built, ".rodata");
  std::string image_bytes =
      patched(built.bytes, layout.sh_size(rodata), 8, 0xffffffff, Endian::little);
  auto image = read_and_use(ByteView(image_bytes));
  REQUIRE(image.ok());
  CHECK(mentions(image, "(.rodata)"));
  auto bytes = image->section_bytes(*image->section(".rodata"));
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().message().find("runs past the end") != std::string::npos);
}

TEST_CASE("a symbol table linked to a missing string table yields undecodable symbols") {
  for (const Variant& variant : kVariants) {
    CAPTURE(std::string(variant.label));
    BuiltElf built = full_featured_elf(variant.is_64bit, variant.endian);
    HeaderLayout layout = HeaderLayout::of(built, variant.is_64bit, variant.endian);
    unsigned symtab = section_index(built, ".symtab");
    std::string image_bytes =
        patched(built.bytes, layout.sh_link(symtab), 4, 0xffffffff, variant.endian);
    auto image = read_and_use(ByteView(image_bytes));
    REQUIRE(image.ok());
    CHECK(mentions(image, "sh_link"));
    CHECK(image->symbols.size() == 3);
    uint64_t undecodable = image->symbols.for_each([](const Symbol&) { return true; });
    CHECK(undecodable == 3);
    auto symbol = image->symbols.at(0);
    REQUIRE_FALSE(symbol.ok());
    CHECK(symbol.error().message().find("name offset") != std::string::npos);
  }
}

TEST_CASE("a symbol table of the wrong entry size is ignored with a warning") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  unsigned symtab = section_index(built, ".symtab");
  std::string image_bytes = patched(built.bytes, layout.sh_entsize(symtab), 8, 16, Endian::little);
  auto image = read_and_use(ByteView(image_bytes));
  REQUIRE(image.ok());
  CHECK(image->symbols.empty());
  CHECK(mentions(image, "sh_entsize"));
}

TEST_CASE("absurd program header fields are errors or warnings, and segments stay in the file") {
  const uint64_t absurd_values[] = {0xffffffff, 0xffffffffffffffff, 0xfffffffffffff000, 1};
  for (const Variant& variant : kVariants) {
    CAPTURE(std::string(variant.label));
    BuiltElf built = full_featured_elf(variant.is_64bit, variant.endian);
    HeaderLayout layout = HeaderLayout::of(built, variant.is_64bit, variant.endian);
    for (unsigned index = 0; index < layout.phnum; ++index) {
      for (uint64_t (HeaderLayout::*field)(unsigned) const :
           {&HeaderLayout::p_offset, &HeaderLayout::p_vaddr, &HeaderLayout::p_filesz,
            &HeaderLayout::p_memsz}) {
        for (uint64_t value : absurd_values) {
          CAPTURE(index);
          CAPTURE(value);
          std::string image_bytes =
              patched(built.bytes, (layout.*field)(index), layout.word(), value, variant.endian);
          auto image = read_and_use(ByteView(image_bytes));
          CHECK(image.ok());
        }
      }
    }
  }
}

TEST_CASE("a segment whose file bytes run past the end of the file is cut to the file") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  auto clean = read_elf(built.view());
  REQUIRE(clean.ok());
  // Find the PT_LOAD of .rodata and give it an absurd file size.
  const BuiltElf::Placed* rodata = built.find(".rodata");
  for (unsigned index = 0; index < layout.phnum; ++index) {
    uint64_t vaddr =
        load_uint(reinterpret_cast<const uint8_t*>(built.bytes.data()) + layout.p_vaddr(index), 8,
                  Endian::little);
    uint32_t type = uint32_t(load_uint(
        reinterpret_cast<const uint8_t*>(built.bytes.data()) + layout.program_header(index), 4,
        Endian::little));
    if (vaddr != rodata->vaddr || type != 1) continue;
    std::string image_bytes =
        patched(built.bytes, layout.p_filesz(index), 8, 0xffffffff, Endian::little);
    auto image = read_and_use(ByteView(image_bytes));
    REQUIRE(image.ok());
    CHECK(mentions(image, "past the end"));
    const Segment* segment = image->segment_containing(rodata->vaddr);
    REQUIRE(segment != nullptr);
    CHECK(segment->file_offset + segment->file_size == built.bytes.size());
    return;
  }
  FAIL("no PT_LOAD for .rodata");
}

TEST_CASE("notes with absurd sizes are skipped with a warning") {
  BuiltElf built = full_featured_elf(false, Endian::big);
  const BuiltElf::Placed* note = built.find(".note");
  REQUIRE(note != nullptr);
  for (unsigned field_offset : {0u, 4u}) {
    CAPTURE(field_offset);
    std::string image_bytes =
        patched(built.bytes, note->file_offset + field_offset, 4, 0xffffffff, Endian::big);
    auto image = read_and_use(ByteView(image_bytes));
    REQUIRE(image.ok());
    CHECK_FALSE(image->build_ids.go_build_id.has_value());
    CHECK(mentions(image, "note"));
  }
}

TEST_CASE("DT_NEEDED and DT_STRTAB values pointing nowhere are warnings") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  const BuiltElf::Placed* dynamic = built.find(".dynamic");
  REQUIRE(dynamic != nullptr);
  // Entry 0 is the first DT_NEEDED, entry 2 is DT_STRTAB (builder order).
  std::string bad_name_bytes =
      patched(built.bytes, dynamic->file_offset + 8, 8, 0xffffffff, Endian::little);
  auto bad_name = read_and_use(ByteView(bad_name_bytes));
  REQUIRE(bad_name.ok());
  CHECK(bad_name->needed_libraries.size() == 1);
  CHECK(mentions(bad_name, "DT_NEEDED"));
  std::string bad_table_bytes =
      patched(built.bytes, dynamic->file_offset + 40, 8, 0xdead0000, Endian::little);
  auto bad_table = read_and_use(ByteView(bad_table_bytes));
  REQUIRE(bad_table.ok());
  CHECK(mentions(bad_table, "DT_STRTAB"));
  CHECK(bad_table->needed_libraries.size() == 2);  // found through .dynamic's sh_link instead
}

TEST_CASE("random byte damage never crashes the reader") {
  for (const Variant& variant : kVariants) {
    CAPTURE(std::string(variant.label));
    BuiltElf built = full_featured_elf(variant.is_64bit, variant.endian);
    uint64_t state = 0x9e3779b97f4a7c15;  // fixed seed: failures reproduce
    auto next = [&state] {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return state;
    };
    HeaderLayout layout = HeaderLayout::of(built, variant.is_64bit, variant.endian);
    // Aim half the damage at the headers, where it reaches the most code.
    uint64_t header_end = layout.program_header(layout.phnum);
    for (int round = 0; round < 600; ++round) {
      std::string damaged = built.bytes;
      int flips = 1 + int(next() % 8);
      for (int i = 0; i < flips; ++i) {
        uint64_t offset = (next() % 2 == 0) ? next() % header_end : next() % damaged.size();
        if (next() % 3 == 0 && offset >= layout.shoff)
          offset = layout.shoff + next() % (damaged.size() - layout.shoff);
        damaged[offset] = static_cast<char>(next() & 0xff);
      }
      CAPTURE(round);
      (void)read_and_use(ByteView(damaged));
    }
  }
}

TEST_CASE("a file claiming the maximum number of sections and segments is bounded by its size") {
  BuiltElf built = full_featured_elf(true, Endian::little);
  HeaderLayout layout = HeaderLayout::of(built, true, Endian::little);
  std::string bytes = patched(built.bytes, layout.e_shnum(), 2, 0xfffe, Endian::little);
  bytes = patched(bytes, layout.e_shoff(), 8, 64, Endian::little);
  auto image = read_and_use(ByteView(bytes));
  REQUIRE(image.ok());
  CHECK(image->sections.empty());
  CHECK(mentions(image, "65534 entries x 64 bytes"));
}

}  // namespace
}  // namespace fipsgate
