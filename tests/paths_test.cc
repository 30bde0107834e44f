// The directory walk of `scan`: which files it keeps, in what order, and the sizes it brings
// for sharing out the work (largest first) without another stat per file.
#include "fipsgate/source/paths.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/scratch.h"

using fipsgate::collect_artifacts;
using fipsgate::PathWalkOptions;

namespace {

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// An ELF file to the walk, which reads only the magic.
std::string elf_magic_and_zeros(size_t zeros) {
  return std::string(
             "\x7f"
             "ELF") +
         std::string(zeros, '\0');
}

}  // namespace

TEST_CASE("the walk keeps executables by their magic, sorted, with their sizes") {
  const std::filesystem::path dir = fipsgate::testing::scratch_directory("walk");
  const std::string elf = elf_magic_and_zeros(96);
  const std::string pe = "MZ" + std::string(10, '\0');
  write_file(dir / "b-elf", elf);
  write_file(dir / "a-pe", pe);
  write_file(dir / "c-text", "just text");
  const std::string named = (dir / "c-text").string();

  auto found = collect_artifacts({dir.string()}, PathWalkOptions{false});
  REQUIRE(found.ok());
  REQUIRE(found->size() == 2);
  CHECK((*found)[0].path == (dir / "a-pe").string());
  CHECK((*found)[0].size == pe.size());
  CHECK_FALSE((*found)[0].named_explicitly);
  CHECK((*found)[1].path == (dir / "b-elf").string());
  CHECK((*found)[1].size == elf.size());

  // Named on the command line, a file is kept whatever it holds; --all-files keeps every file.
  auto with_named = collect_artifacts({dir.string(), named}, PathWalkOptions{false});
  REQUIRE(with_named.ok());
  REQUIRE(with_named->size() == 3);
  CHECK(with_named->back().named_explicitly);
  CHECK(with_named->back().size == 9);
  auto all = collect_artifacts({dir.string()}, PathWalkOptions{true});
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
}

TEST_CASE("the walk follows symlinks to files and directories and skips dangling ones") {
  const std::filesystem::path dir = fipsgate::testing::scratch_directory("walk-links");
  const std::filesystem::path target = fipsgate::testing::scratch_directory("walk-links-target");
  const std::string elf = elf_magic_and_zeros(60);
  write_file(target / "tool", elf);
  write_file(target / "notes", "text");
  std::filesystem::create_symlink(target / "tool", dir / "a-link-to-tool");
  std::filesystem::create_directory_symlink(target, dir / "b-link-to-dir");
  std::filesystem::create_symlink(dir / "missing", dir / "c-dangling");
  std::filesystem::create_directory(dir / "d-sub");
  write_file(dir / "d-sub" / "e-elf", elf);

  auto found = collect_artifacts({dir.string()}, PathWalkOptions{false});
  REQUIRE(found.ok());
  REQUIRE(found->size() == 3);
  CHECK((*found)[0].path == (dir / "a-link-to-tool").string());
  CHECK((*found)[0].size == elf.size());  // the size of the file the link names
  CHECK((*found)[1].path == (dir / "b-link-to-dir" / "tool").string());
  CHECK((*found)[2].path == (dir / "d-sub" / "e-elf").string());
}
