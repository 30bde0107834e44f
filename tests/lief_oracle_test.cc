// Differential check of our ELF reader against LIEF's ELF loader on real files: the Go sample
// binaries, the Go toolchain's own binaries on this machine, and the synthetic files. Both must
// agree on every section, every PT_LOAD segment and every .symtab symbol.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

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

}  // namespace
}  // namespace fipsgate
