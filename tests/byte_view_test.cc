#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <string>

#include "fipsgate/io/byte_view.h"
#include "fipsgate/io/digest.h"
#include "fipsgate/io/mapped_file.h"
#include "support/scratch.h"

using fipsgate::ByteView;
using fipsgate::Endian;

TEST_CASE("a read past the end of a view is an error naming the offset, not a crash") {
  const std::string bytes = "\x01\x02\x03\x04";
  ByteView view(bytes, 0x100);
  CHECK(view.u32(0, Endian::little).value() == 0x04030201u);
  CHECK(view.u32(0, Endian::big).value() == 0x01020304u);
  auto past = view.u32(1, Endian::little);
  REQUIRE_FALSE(past.ok());
  CHECK(past.error().message().find("0x1") != std::string::npos);
  CHECK_FALSE(view.slice(2, UINT64_MAX).ok());  // length overflow does not wrap around
  CHECK_FALSE(view.slice(UINT64_MAX, 1).ok());
  CHECK(view.slice(1, 2).value().file_offset() == 0x101);
}

TEST_CASE("uvarint decodes Go's PutUvarint encoding and rejects overlong input") {
  const std::string bytes("\xff\x01\x08", 3);
  ByteView view(bytes);
  auto value = view.uvarint(0);
  REQUIRE(value.ok());
  CHECK(value->value == 255);
  CHECK(value->length_bytes == 2);
  const std::string endless(12, '\xff');
  CHECK_FALSE(ByteView(endless).uvarint(0).ok());
  const std::string truncated("\x80", 1);
  CHECK_FALSE(ByteView(truncated).uvarint(0).ok());
  CHECK_FALSE(view.uvarint(UINT64_MAX - 3).ok());  // offset + i would wrap to a valid index
}

TEST_CASE("cstring stops at the limit when there is no terminator") {
  const std::string bytes("abc\0def", 7);
  ByteView view(bytes);
  CHECK(view.cstring(0, 100).value() == "abc");
  CHECK_FALSE(view.cstring(4, 100).ok());
  CHECK_FALSE(view.cstring(0, 2).ok());
}

TEST_CASE("find honours alignment") {
  const std::string bytes = "xxMAGICxxxxxxxxxMAGIC";
  ByteView view(bytes);
  CHECK(view.find("MAGIC").value() == 2);
  CHECK(view.find("MAGIC", 0, 16).value() == 16);
  CHECK_FALSE(view.find("MAGIC", 17, 16).has_value());
}

TEST_CASE("sha256 of the empty input and of abc match the published vectors") {
  CHECK(fipsgate::sha256_hex(ByteView()).value() ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(fipsgate::sha256_hex(ByteView(std::string_view("abc"))).value() ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("find agrees with string_view::find at every start, length and boundary") {
  // A small alphabet makes partial matches (first and last byte equal, middle not) common.
  std::mt19937 random(20261127);
  for (int round = 0; round < 300; ++round) {
    std::string haystack(random() % 80, '\0');
    for (char& c : haystack) c = "ab\0c"[random() % 4];
    std::string needle(1 + random() % 6, '\0');
    for (char& c : needle) c = "ab\0c"[random() % 4];
    if (random() % 2 && needle.size() <= haystack.size()) {
      haystack.replace(random() % (haystack.size() - needle.size() + 1), needle.size(), needle);
    }
    const ByteView view(haystack);
    for (size_t from = 0; from <= haystack.size() + 1; ++from) {
      const size_t expected = std::string_view(haystack).find(needle, from);
      const auto found = view.find(needle, from);
      INFO("round ", round, " from ", from);
      if (expected == std::string_view::npos) {
        CHECK_FALSE(found.has_value());
      } else {
        CHECK(found.value_or(~uint64_t{0}) == expected);
      }
    }
  }
}

TEST_CASE("a file copies out exactly the bytes its view holds, mapped or read whole") {
  std::string bytes(200000, '\0');
  std::mt19937 random(7);
  for (char& byte : bytes) byte = static_cast<char>(random());
  const std::string path = fipsgate::testing::scratch_file("copy-out", bytes).string();
  for (const auto access :
       {fipsgate::MappedFile::Access::mapped, fipsgate::MappedFile::Access::automatic}) {
    const auto file = fipsgate::MappedFile::open(path, access);
    REQUIRE(file.ok());
    CHECK(file->in_memory() == (access == fipsgate::MappedFile::Access::automatic));
    std::string out(bytes.size(), 'x');
    auto* target = reinterpret_cast<uint8_t*>(out.data());
    REQUIRE(file->copy_out(0, target, bytes.size()));
    CHECK(out == bytes);
    REQUIRE(file->copy_out(123457, target, 4));
    CHECK(out.substr(0, 4) == bytes.substr(123457, 4));
    CHECK(file->copy_out(bytes.size(), target, 0));
    CHECK_FALSE(file->copy_out(bytes.size() - 3, target, 4));
    CHECK_FALSE(file->copy_out(bytes.size() + 1, target, 0));
    CHECK_FALSE(file->copy_out(1, target, UINT64_MAX));  // no wrap-around
    CHECK(file->holds(file->view().clamp(100, 1000)));
    CHECK_FALSE(file->holds(ByteView(file->view().data() + 100, 1000, 99)));  // another offset
    CHECK_FALSE(file->holds(ByteView(bytes, 100)));                           // other memory
  }
  std::string out(4, 'x');
  CHECK_FALSE(fipsgate::MappedFile().copy_out(0, reinterpret_cast<uint8_t*>(out.data()), 0));
}

TEST_CASE("a file's sha256 is the same read in windows copied out of it, whole or in place") {
  // Three windows and part of a fourth, and a vector: "abc" repeated.
  std::string bytes;
  while (bytes.size() < 3 * fipsgate::MappedFile::kWindowBytes + 1234) bytes += "abc";
  const std::string path = fipsgate::testing::scratch_file("digest", bytes).string();
  const std::string in_place = fipsgate::sha256_hex(ByteView(bytes)).value();
  for (const auto access :
       {fipsgate::MappedFile::Access::mapped, fipsgate::MappedFile::Access::automatic}) {
    const auto file = fipsgate::MappedFile::open(path, access);
    REQUIRE(file.ok());
    CHECK(file->better_copied_out(file->view()) ==
          (access == fipsgate::MappedFile::Access::mapped));
    CHECK(fipsgate::sha256_hex(file->view(), &*file).value() == in_place);
    // A region of the file, starting past its first window.
    const ByteView region = file->view().clamp(70000, 100000);
    CHECK(fipsgate::sha256_hex(region, &*file).value() ==
          fipsgate::sha256_hex(ByteView(std::string_view(bytes).substr(70000, 100000))).value());
  }
}

TEST_CASE("a region is copied out up to 64 MiB and read in place beyond") {
  // A sparse file: nothing is written, so the size costs no disk.
  const auto path = fipsgate::testing::scratch_file("big", "");
  std::filesystem::resize_file(path, fipsgate::MappedFile::kCopiedOutBytes + 4096);
  const auto file = fipsgate::MappedFile::open(path.string());
  REQUIRE(file.ok());
  REQUIRE_FALSE(file->in_memory());  // past kReadWholeBytes
  CHECK_FALSE(file->better_copied_out(file->view()));
  CHECK(file->better_copied_out(file->view().clamp(4096, fipsgate::MappedFile::kCopiedOutBytes)));
  CHECK_FALSE(file->better_copied_out(ByteView("in memory")));
}
