// The limits in include/fipsgate/io/limits.h are the ones the readers enforce: each reader turns
// a quantity just past its limit into the documented error (docs/limits.md).
#include <doctest/doctest.h>

#include <string>

#include "fipsgate/go/go_version.h"
#include "fipsgate/go/module_info.h"
#include "fipsgate/go/pclntab.h"
#include "fipsgate/io/limits.h"
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
