// The limits in include/fipsgate/io/limits.h are the ones the readers enforce: each reader turns
// a quantity just past its limit into the documented error (docs/limits.md).
#include <doctest/doctest.h>

#include <string>

#include "fipsgate/binary/elf.h"
#include "fipsgate/go/go_version.h"
#include "fipsgate/go/module_info.h"
#include "fipsgate/go/pclntab.h"
#include "fipsgate/io/limits.h"
#include "fipsgate/io/yaml.h"
#include "support/elf_builder.h"

using namespace fipsgate;

static_assert(limits::kMaxGoVersionBytes == kMaxGoVersionBytes);
static_assert(limits::kMaxModuleTextBytes == kMaxModuleTextBytes);

TEST_CASE("a version string one byte over the limit is rejected with the limit in the message") {
  std::string text = "go1.22" + std::string(limits::kMaxGoVersionBytes - 5, '1');
  REQUIRE(text.size() == limits::kMaxGoVersionBytes + 1);
  auto version = parse_go_version(text);
  REQUIRE_FALSE(version.ok());
  CHECK(version.error().message().find("1024-byte limit") != std::string::npos);
}

TEST_CASE("module text one byte over the limit is rejected with the limit in the message") {
  std::string text(limits::kMaxModuleTextBytes + 1, '\n');
  auto modules = parse_module_info(text);
  REQUIRE_FALSE(modules.ok());
  CHECK(modules.error().message().find("16777216-byte limit") != std::string::npos);
}

TEST_CASE("a uvarint longer than the limit is an error, one at the limit is read") {
  std::string eleven(limits::kMaxUvarintBytes, '\x80');
  eleven += '\x01';
  auto too_long = ByteView(eleven).uvarint(0);
  REQUIRE_FALSE(too_long.ok());
  std::string ten(limits::kMaxUvarintBytes - 1, '\x80');
  ten += '\x01';
  auto at_limit = ByteView(ten).uvarint(0);
  REQUIRE(at_limit.ok());
  CHECK(at_limit->length_bytes == limits::kMaxUvarintBytes);
}

TEST_CASE("a pclntab claiming more functions than the limit is rejected even when it is large") {
  // Go 1.20 header (reference §2.2) with nfunc one past the limit and offsets inside the table.
  std::string table;
  testing::put_uint(table, 0xFFFFFFF1, 4, Endian::little);
  table += std::string("\0\0\x01\x08", 4);
  const uint64_t header_bytes = 8 + 8 * 8;
  for (uint64_t word : {limits::kMaxFunctions + 1, uint64_t{1}, uint64_t{0x401000}, header_bytes,
                        header_bytes, header_bytes, header_bytes, header_bytes})
    testing::put_uint(table, word, 8, Endian::little);
  table.resize(table.size() + 4096, '\0');
  auto parsed = parse_pclntab(ByteView(table), 0, "test");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message().find("nfunc") != std::string::npos);
}

// A little-endian ELF64 with one 64-byte .text of RET instructions, then `table_bytes` of zeros
// at an 8-aligned offset (table_offset) for a header table the test fills in.
struct ElfWithTable {
  testing::BuiltElf built;
  std::string bytes;
  uint64_t table_offset;

  ElfWithTable(bool section_headers, uint64_t table_bytes) {
    testing::ElfSpec spec;
    spec.write_section_headers = section_headers;
    spec.sections.push_back(
        {".text", 1, testing::kShfAlloc | testing::kShfExec, 0, 16, std::string(64, '\xc3')});
    built = testing::build_elf(spec);
    bytes = built.bytes;
    testing::pad_to(bytes, 8);
    table_offset = bytes.size();
    bytes.resize(table_offset + table_bytes, '\0');
  }
  void put(uint64_t offset, uint64_t value, unsigned size) {
    std::string field;
    testing::put_uint(field, value, size, Endian::little);
    bytes.replace(offset, size, field);
  }
};

TEST_CASE("a section header table over the entry limit is ignored with a warning, not allocated") {
  // Extended numbering: e_shnum 0 and the real count in section 0's sh_size. The table fits in
  // the file, so only the entry limit stops the reader from keeping 65537 headers.
  const uint64_t count = limits::kMaxSectionHeaders + 1;
  ElfWithTable elf(true, count * 64);
  elf.put(40, elf.table_offset, 8);          // e_shoff
  elf.put(60, 0, 2);                         // e_shnum: see section 0
  elf.put(62, 0, 2);                         // e_shstrndx
  elf.put(elf.table_offset + 32, count, 8);  // section 0's sh_size: the real count
  auto image = read_elf(ByteView(elf.bytes));
  REQUIRE(image.ok());
  CHECK(image->sections.empty());
  bool warned = false;
  for (const std::string& warning : image->warnings)
    warned = warned || warning.find("65536-entry limit") != std::string::npos;
  CHECK(warned);
  const testing::BuiltElf::Placed* text = elf.built.find(".text");
  REQUIRE(text != nullptr);
  auto code = image->at_address(text->vaddr, text->size);  // the segments still work
  REQUIRE(code.ok());
  CHECK(code->chars() == std::string(64, '\xc3'));
}

TEST_CASE("a program header table over the entry limit is an error naming the limit") {
  // e_phnum 0xffff: the real count is in section 0's sh_info, placed after the table.
  const uint64_t count = limits::kMaxProgramHeaders + 1;
  ElfWithTable elf(false, count * 56 + 64);
  const uint64_t section_zero = elf.table_offset + count * 56;
  elf.put(32, elf.table_offset, 8);      // e_phoff
  elf.put(40, section_zero, 8);          // e_shoff
  elf.put(56, 0xffff, 2);                // e_phnum
  elf.put(58, 64, 2);                    // e_shentsize
  elf.put(60, 1, 2);                     // e_shnum
  elf.put(section_zero + 44, count, 4);  // sh_info
  auto image = read_elf(ByteView(elf.bytes));
  REQUIRE_FALSE(image.ok());
  CHECK(image.error().message().find("65536-entry limit") != std::string::npos);
}

TEST_CASE("YAML nested one level past the limit is an error naming the limit; at it, it is read") {
  auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(yaml::parse(nested(limits::kMaxYamlDepth), "deep.yaml").ok());
  auto deeper = yaml::parse(nested(limits::kMaxYamlDepth + 1), "deep.yaml");
  REQUIRE_FALSE(deeper.ok());
  CHECK(deeper.error().message() == "deep.yaml:1:65: YAML nests deeper than the 64-level limit");
  // Far deeper input stops at the same place instead of exhausting the stack or the heap.
  auto hostile = yaml::parse(std::string(1 << 20, '['), "deep.yaml");
  REQUIRE_FALSE(hostile.ok());
  CHECK(hostile.error().message().find("64-level limit") != std::string::npos);
  // Block nesting counts the same way.
  std::string block;
  for (size_t level = 0; level <= limits::kMaxYamlDepth; ++level) {
    block += std::string(level * 2, ' ') + "k:\n";
  }
  block += std::string((limits::kMaxYamlDepth + 1) * 2, ' ') + "k: v\n";
  CHECK(yaml::parse(block, "deep.yaml").error().message().find("64-level limit") !=
        std::string::npos);
}
