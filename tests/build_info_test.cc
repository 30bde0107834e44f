#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/build_info.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/io/mapped_file.h"
#include "support/elf_builder.h"

using fipsgate::BinaryImage;
using fipsgate::BuildInfo;
using fipsgate::Endian;
using fipsgate::hex;
using fipsgate::testing::build_elf;
using fipsgate::testing::BuiltElf;
using fipsgate::testing::ElfSpec;
using fipsgate::testing::put_uint;
using fipsgate::testing::put_uvarint;
using fipsgate::testing::SectionSpec;

namespace {

constexpr uint64_t kWritable = 3;  // SHF_ALLOC | SHF_WRITE
constexpr uint64_t kReadOnly = 2;  // SHF_ALLOC

const std::string kModuleText =
    "path\texample.com/hello\n"
    "mod\texample.com/hello\t(devel)\t\n"
    "dep\tgolang.org/x/crypto\tv0.1.0\th1:abc=\n"
    "build\tCGO_ENABLED=1\n";

std::string framed(const std::string& text) {
  return std::string(fipsgate::kModInfoStart) + text + std::string(fipsgate::kModInfoEnd);
}

std::string blob_header(unsigned pointer_size, Endian endian, bool is_inline) {
  std::string header(fipsgate::kBuildInfoMagic);
  header.push_back(static_cast<char>(pointer_size));
  header.push_back(static_cast<char>((endian == Endian::big ? 1 : 0) | (is_inline ? 2 : 0)));
  return header;
}

// Go 1.18+ layout: header, zero pointer slots, then varint-prefixed strings (reference §1.2).
std::string inline_blob(const std::string& version, const std::string& module_text) {
  std::string blob = blob_header(8, Endian::little, true);
  blob.append(16, '\0');
  put_uvarint(blob, version.size());
  blob += version;
  put_uvarint(blob, framed(module_text).size());
  blob += framed(module_text);
  fipsgate::testing::pad_to(blob, 16);
  return blob;
}

BinaryImage image_of(const BuiltElf&& elf) = delete;  // views would outlive a temporary
BinaryImage image_of(const BuiltElf& elf) {
  auto image = fipsgate::read_binary_image(elf.view());
  REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
  return std::move(*image);
}

std::optional<BuildInfo> read_ok(const BuiltElf& elf) {
  BinaryImage image = image_of(elf);
  auto info = fipsgate::read_build_info(image);
  REQUIRE_MESSAGE(info.ok(), (info.ok() ? "" : info.error().message()));
  return *info;
}

std::string read_error(const BuiltElf& elf) {
  BinaryImage image = image_of(elf);
  auto info = fipsgate::read_build_info(image);
  REQUIRE_FALSE(info.ok());
  return info.error().message();
}

ElfSpec spec_with(std::vector<SectionSpec> sections) {
  ElfSpec spec;
  spec.sections = std::move(sections);
  return spec;
}

SectionSpec text_section() {
  return SectionSpec{".text", 1, 6, 0, 16, std::string(64, '\xcc'), 0};
}

void check_hello_modules(const BuildInfo& info) {
  CHECK(info.module_text == kModuleText);
  CHECK(info.modules.main_package_path == "example.com/hello");
  REQUIRE(info.modules.main.has_value());
  CHECK(info.modules.main->module.version == "(devel)");
  REQUIRE(info.modules.deps.size() == 1);
  CHECK(info.modules.deps[0].module.path == "golang.org/x/crypto");
  CHECK(info.modules.setting("CGO_ENABLED") == "1");
}

// Go 1.13–1.17 layout: two pointers to Go string headers {data, len} in .data; the string
// bytes in .rodata. Fixed addresses keep the pointers simple.
BuiltElf pointer_format_elf(bool is_64bit, Endian endian, bool strip_headers = false) {
  const unsigned word = is_64bit ? 8 : 4;
  const uint64_t rodata = 0x401000, buildinfo = 0x402000, data = 0x403000;
  const std::string version = "go1.16.15";
  std::string rodata_bytes = version + framed(kModuleText);
  std::string blob = blob_header(word, endian, false);
  put_uint(blob, data, word, endian);
  put_uint(blob, data + 2 * word, word, endian);
  fipsgate::testing::pad_to(blob, 16);
  while (blob.size() < 32) blob.push_back('\0');
  std::string headers;
  put_uint(headers, rodata, word, endian);
  put_uint(headers, version.size(), word, endian);
  put_uint(headers, rodata + version.size(), word, endian);
  put_uint(headers, framed(kModuleText).size(), word, endian);
  ElfSpec spec;
  spec.is_64bit = is_64bit;
  spec.endian = endian;
  spec.machine = is_64bit ? (endian == Endian::big ? 21 : 62) : (endian == Endian::big ? 20 : 3);
  spec.sections = {SectionSpec{".rodata", 1, kReadOnly, rodata, 16, rodata_bytes, 0},
                   SectionSpec{".go.buildinfo", 1, kWritable, buildinfo, 16, blob, 0},
                   SectionSpec{".data", 1, kWritable, data, 16, headers, 0}};
  spec.write_section_headers = !strip_headers;
  return build_elf(spec);
}

}  // namespace

TEST_CASE("an inline build-info blob (Go 1.18+) is read from the .go.buildinfo section") {
  BuiltElf elf =
      build_elf(spec_with({text_section(),
                           SectionSpec{".go.buildinfo", 1, kWritable, 0, 16,
                                       inline_blob("go1.19.8 X:boringcrypto", kModuleText), 0},
                           SectionSpec{".data", 1, kWritable, 0, 16, std::string(64, '\x01'), 0}}));
  auto info = read_ok(elf);
  REQUIRE(info.has_value());
  CHECK(info->format == BuildInfo::Format::inline_varint);
  CHECK(info->found_in == "section .go.buildinfo");
  CHECK(info->go_version_text == "go1.19.8 X:boringcrypto");
  CHECK(info->go_version.minor == 19);
  CHECK(info->go_version.has_experiment("boringcrypto"));
  const auto* placed = elf.find(".go.buildinfo");
  REQUIRE(placed != nullptr);
  CHECK(info->blob_file_offset == placed->file_offset);
  CHECK(info->blob_vaddr == placed->vaddr);
  CHECK(info->warnings.empty());
  check_hello_modules(*info);
}

TEST_CASE(
    "a pointer-format blob (Go 1.13-1.17) is read with 8- and 4-byte pointers in both byte "
    "orders") {
  for (bool is_64bit : {true, false}) {
    for (Endian endian : {Endian::little, Endian::big}) {
      CAPTURE(is_64bit);
      CAPTURE(endian == Endian::big);
      auto info = read_ok(pointer_format_elf(is_64bit, endian));
      REQUIRE(info.has_value());
      CHECK(info->format == BuildInfo::Format::pointer);
      CHECK(info->go_version_text == "go1.16.15");
      CHECK(info->go_version.patch == 15);
      check_hello_modules(*info);
    }
  }
}

TEST_CASE("without section headers the blob is found by scanning the writable segments") {
  auto info = read_ok(pointer_format_elf(true, Endian::little, /*strip_headers=*/true));
  REQUIRE(info.has_value());
  CHECK(info->found_in == "writable segment at 0x402000");
  CHECK(info->go_version_text == "go1.16.15");

  ElfSpec spec = spec_with({text_section(), SectionSpec{".go.buildinfo", 1, kWritable, 0, 16,
                                                        inline_blob("go1.22.1", kModuleText), 0}});
  spec.write_section_headers = false;
  BuiltElf elf = build_elf(spec);
  auto inline_info = read_ok(elf);
  REQUIRE(inline_info.has_value());
  CHECK(inline_info->found_in == "writable segment at " + hex(elf.find(".go.buildinfo")->vaddr));
  CHECK(inline_info->go_version_text == "go1.22.1");
}

TEST_CASE("the blob in the second writable segment is found (internal-link PIE layout)") {
  // The first RW segment holds .data.rel.ro (GNU_RELRO); the blob opens the second (reference
  // §1.3).
  ElfSpec spec = spec_with(
      {text_section(),
       SectionSpec{".data.rel.ro", 1, kWritable, 0x480000, 16, std::string(4096, '\x07'), 0},
       SectionSpec{".go.buildinfo", 1, kWritable, 0x500000, 16,
                   inline_blob("go1.19.8", kModuleText), 0}});
  spec.type = 3;  // ET_DYN
  spec.write_section_headers = false;
  BuiltElf elf = build_elf(spec);
  auto info = read_ok(elf);
  REQUIRE(info.has_value());
  CHECK(info->found_in == "writable segment at 0x500000");
  CHECK(info->blob_vaddr == 0x500000);
  CHECK(info->blob_file_offset == elf.find(".go.buildinfo")->file_offset);
}

TEST_CASE("a binary without a blob has no build info, which is not an error") {
  BuiltElf elf = build_elf(spec_with(
      {text_section(), SectionSpec{".data", 1, kWritable, 0, 16, std::string(256, '\0'), 0}}));
  auto info = read_ok(elf);
  CHECK_FALSE(info.has_value());
}

TEST_CASE("a magic that is not 16-byte aligned is not a blob") {
  std::string data(8, '\0');
  data += inline_blob("go1.20.1", kModuleText);
  BuiltElf elf = build_elf(
      spec_with({text_section(), SectionSpec{".data", 1, kWritable, 0x500000, 16, data, 0}}));
  CHECK_FALSE(read_ok(elf).has_value());
}

TEST_CASE("a stray magic that does not decode is skipped for a later blob that does") {
  std::string data = blob_header(3, Endian::little, false);  // pointer size 3: not a blob
  data.append(16, '\0');
  data += inline_blob("go1.20.1", kModuleText);
  BuiltElf elf = build_elf(
      spec_with({text_section(), SectionSpec{".data", 1, kWritable, 0x500000, 16, data, 0}}));
  auto info = read_ok(elf);
  REQUIRE(info.has_value());
  CHECK(info->go_version_text == "go1.20.1");
  CHECK(info->blob_vaddr == 0x500020);
}

TEST_CASE("a version length varint that runs past the section is an error naming its offset") {
  std::string blob = blob_header(8, Endian::little, true);
  blob.append(16, '\0');
  blob.append(16, '\x80');  // continuation bits to the end of the section
  BuiltElf elf = build_elf(
      spec_with({text_section(), SectionSpec{".go.buildinfo", 1, kWritable, 0, 16, blob, 0}}));
  uint64_t blob_offset = elf.find(".go.buildinfo")->file_offset;
  std::string message = read_error(elf);
  CAPTURE(message);
  CHECK(message.find("build info at file offset " + hex(blob_offset)) != std::string::npos);
  CHECK(message.find("version length varint at file offset " + hex(blob_offset + 32)) !=
        std::string::npos);
}

TEST_CASE("a string length past the end of the segment is an error naming its offset") {
  std::string blob = blob_header(8, Endian::little, true);
  blob.append(16, '\0');
  put_uvarint(blob, 8);
  blob += "go1.20.1";
  put_uvarint(blob, 5000);  // module text longer than what follows
  blob.append(40, 'x');
  BuiltElf elf = build_elf(
      spec_with({text_section(), SectionSpec{".go.buildinfo", 1, kWritable, 0, 16, blob, 0}}));
  uint64_t blob_offset = elf.find(".go.buildinfo")->file_offset;
  std::string message = read_error(elf);
  CAPTURE(message);
  CHECK(message.find("module text of 5000 bytes at file offset " +
                     hex(blob_offset + 32 + 1 + 8 + 2)) != std::string::npos);
  CHECK(message.find("runs past the end") != std::string::npos);
}

TEST_CASE("a version length over the limit is an error, not an allocation") {
  std::string blob = blob_header(8, Endian::little, true);
  blob.append(16, '\0');
  put_uvarint(blob, uint64_t{1} << 40);
  blob.append(16, 'x');
  BuiltElf elf = build_elf(
      spec_with({text_section(), SectionSpec{".go.buildinfo", 1, kWritable, 0, 16, blob, 0}}));
  std::string message = read_error(elf);
  CAPTURE(message);
  CHECK(message.find("exceeds the 1024-byte limit") != std::string::npos);
}

TEST_CASE("a pointer-format blob pointing to an unmapped address is an error naming the address") {
  std::string blob = blob_header(8, Endian::little, false);
  put_uint(blob, 0x9999999, 8, Endian::little);
  put_uint(blob, 0x9999999, 8, Endian::little);
  BuiltElf elf = build_elf(
      spec_with({text_section(), SectionSpec{".go.buildinfo", 1, kWritable, 0, 16, blob, 0}}));
  uint64_t blob_offset = elf.find(".go.buildinfo")->file_offset;
  std::string message = read_error(elf);
  CAPTURE(message);
  CHECK(message.find("build info at file offset " + hex(blob_offset)) != std::string::npos);
  CHECK(message.find("version string header at virtual address 0x9999999") != std::string::npos);
}

TEST_CASE("a blob whose module text does not parse keeps its version and warns") {
  BuiltElf elf = build_elf(spec_with(
      {text_section(), SectionSpec{".go.buildinfo", 1, kWritable, 0, 16,
                                   inline_blob("go1.21.0", "path\tx\nbogus\tline\n"), 0}}));
  auto info = read_ok(elf);
  REQUIRE(info.has_value());
  CHECK(info->go_version_text == "go1.21.0");
  REQUIRE(info->warnings.size() == 1);
  CHECK(info->warnings[0].find("line 2: unknown line kind 'bogus'") != std::string::npos);
}

TEST_CASE(
    "without a blob the version comes from runtime.buildVersion and the modules from rodata "
    "sentinels") {
  const uint64_t rodata = 0x401000, data = 0x403000;
  std::string rodata_bytes = "xxxxgo1.26.5" + framed(kModuleText);
  std::string header;
  put_uint(header, rodata + 4, 8, Endian::little);
  put_uint(header, 8, 8, Endian::little);
  ElfSpec spec = spec_with({SectionSpec{".rodata", 1, kReadOnly, rodata, 16, rodata_bytes, 0},
                            SectionSpec{".data", 1, kWritable, data, 16, header, 0}});
  spec.symbols = {{"runtime.buildVersion", data, 16, 1, ".data"}};
  const BuiltElf elf = build_elf(spec);  // the image's views point into these bytes
  BinaryImage image = image_of(elf);
  auto blob = fipsgate::read_build_info(image);
  REQUIRE(blob.ok());
  CHECK_FALSE(blob->has_value());
  std::vector<std::string> errors;
  auto fallback = fipsgate::find_build_info_fallback(image, errors, false);
  REQUIRE(fallback.has_value());
  CHECK(errors.empty());
  CHECK(fallback->go_version_text == "go1.26.5");
  CHECK(fallback->version_found_in == "symbol runtime.buildVersion");
  REQUIRE(fallback->modules.has_value());
  CHECK(fallback->modules->main_package_path == "example.com/hello");
  CHECK(fallback->modules_found_in.find("modinfo sentinels at file offset") == 0);
}

TEST_CASE("without symbols the version is found through a string header pointing into rodata") {
  const uint64_t rodata = 0x401000, data = 0x403000;
  // The release tag "go1.26" and the toolchain version "go1.26.5" are both Go strings; the newer
  // (longer) one is the toolchain's.
  std::string rodata_bytes = "go1.26go1.26.5abc";
  std::string headers;
  put_uint(headers, rodata, 8, Endian::little);
  put_uint(headers, 6, 8, Endian::little);
  put_uint(headers, rodata + 6, 8, Endian::little);
  put_uint(headers, 8, 8, Endian::little);
  const BuiltElf elf =
      build_elf(spec_with({SectionSpec{".rodata", 1, kReadOnly, rodata, 16, rodata_bytes, 0},
                           SectionSpec{".data", 1, kWritable, data, 16, headers, 0}}));
  BinaryImage image = image_of(elf);
  std::vector<std::string> errors;
  CHECK_FALSE(fipsgate::find_build_info_fallback(image, errors, false).has_value());
  auto fallback = fipsgate::find_build_info_fallback(image, errors, true);
  REQUIRE(fallback.has_value());
  CHECK(fallback->go_version_text == "go1.26.5");
  CHECK(fallback->version_found_in.find("string header at file offset") == 0);
}

TEST_CASE("the installed go1.19 toolchain binary has go1.19.8 build info") {
  const char* path = "/usr/lib/go-1.19/bin/go";
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped: " << path << " is not installed");
    return;
  }
  auto file = fipsgate::MappedFile::open(path);
  REQUIRE(file.ok());
  auto image = fipsgate::read_binary_image(file->view());
  REQUIRE(image.ok());
  auto info = fipsgate::read_build_info(*image);
  REQUIRE(info.ok());
  REQUIRE(info->has_value());
  CHECK((*info)->go_version_text == "go1.19.8");
  CHECK((*info)->format == BuildInfo::Format::inline_varint);
  CHECK((*info)->modules.main_package_path == "cmd/go");
  CHECK((*info)->modules.setting("GOOS") == "linux");
}

TEST_CASE("every sample binary reports the Go version of the toolchain its name starts with") {
  const std::filesystem::path samples = FIPSGATE_SAMPLES_DIR;
  const char* require = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
  bool required = require != nullptr && std::string(require) == "1";
  unsigned checked = 0;
  if (std::filesystem::is_directory(samples)) {
    for (const auto& entry : std::filesystem::directory_iterator(samples)) {
      std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || !name.starts_with("go1.")) continue;
      std::string toolchain = name.substr(0, name.find('-'));  // "go1.19" of "go1.19-amd64-std"
      CAPTURE(name);
      auto file = fipsgate::MappedFile::open(entry.path().string());
      REQUIRE(file.ok());
      auto image = fipsgate::read_binary_image(file->view());
      REQUIRE(image.ok());
      auto info = fipsgate::read_build_info(*image);
      REQUIRE(info.ok());
      REQUIRE(info->has_value());
      const std::string& version = (*info)->go_version_text;
      CHECK((version == toolchain || version.starts_with(toolchain + ".") ||
             version.starts_with(toolchain + " ")));
      ++checked;
    }
  }
  if (checked == 0) {
    if (required) FAIL("no sample binaries in " << samples.string());
    MESSAGE("skipped: no sample binaries in " << samples.string());
  }
}

TEST_CASE("the segment scan finds a blob far beyond the first 64 KiB of the segment") {
  std::string data(96 * 1024, '\x05');
  data += inline_blob("go1.23.4", kModuleText);
  ElfSpec spec =
      spec_with({text_section(), SectionSpec{".data", 1, kWritable, 0x500000, 16, data, 0}});
  spec.write_section_headers = false;
  auto info = read_ok(build_elf(spec));
  REQUIRE(info.has_value());
  CHECK(info->blob_vaddr == 0x500000 + 96 * 1024);
  CHECK(info->go_version_text == "go1.23.4");
}

TEST_CASE("a failing stage is recorded while the other Go stages still run") {
  BuiltElf elf =
      build_elf(spec_with({text_section(), SectionSpec{".go.buildinfo", 1, kWritable, 0, 16,
                                                       inline_blob("go1.22.0", kModuleText), 0}}));
  BinaryImage image = image_of(elf);
  fipsgate::GoBinary go = fipsgate::read_go_binary(image);
  CHECK(go.is_go());
  REQUIRE(go.build_info.has_value());
  CHECK(go.go_version()->minor == 22);
  CHECK(go.modules()->main_package_path == "example.com/hello");
  CHECK_FALSE(go.pclntab.has_value());
  REQUIRE(go.errors.size() == 1);
  CHECK(go.errors[0].find("pclntab") != std::string::npos);
}

TEST_CASE("a file with neither build info nor pclntab is not Go and has no errors") {
  const BuiltElf elf =
      build_elf(spec_with({text_section(), SectionSpec{".rodata", 1, kReadOnly, 0, 16,
                                                       "text that mentions go1.21.3", 0}}));
  BinaryImage image = image_of(elf);
  fipsgate::GoBinary go = fipsgate::read_go_binary(image);
  CHECK_FALSE(go.is_go());
  CHECK(go.errors.empty());
  CHECK(go.go_version() == nullptr);
}

TEST_CASE("every Go stage decodes on the sample binaries") {
  const std::filesystem::path samples = FIPSGATE_SAMPLES_DIR;
  unsigned checked = 0;
  if (std::filesystem::is_directory(samples)) {
    for (const auto& entry : std::filesystem::directory_iterator(samples)) {
      std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || !name.starts_with("go1.")) continue;
      CAPTURE(name);
      auto file = fipsgate::MappedFile::open(entry.path().string());
      REQUIRE(file.ok());
      auto image = fipsgate::read_binary_image(file->view());
      REQUIRE(image.ok());
      fipsgate::GoBinary go = fipsgate::read_go_binary(*image);
      CHECK(go.errors.empty());
      CHECK(go.build_info.has_value());
      CHECK(go.pclntab.has_value());
      CHECK(go.functions.has_value());
      ++checked;
    }
  }
  if (checked == 0) {
    const char* require = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
    if (require != nullptr && std::string(require) == "1")
      FAIL("no sample binaries in " << samples.string());
    MESSAGE("skipped: no sample binaries in " << samples.string());
  }
}
