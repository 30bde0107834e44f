// CopiedRegion: a region of a mapped file copied into the calling thread's reused buffer, and
// the pclntab read from such a copy giving what the mapping gives.
#include "fipsgate/io/copied_region.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <tuple>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/io/mapped_file.h"
#include "support/go_layouts.h"
#include "support/scratch.h"

using fipsgate::ByteView;
using fipsgate::CopiedRegion;
using fipsgate::MappedFile;

namespace {

std::string random_bytes(size_t size, unsigned seed) {
  std::string bytes(size, '\0');
  std::mt19937 random(seed);
  for (char& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

}  // namespace

TEST_CASE("a copied region holds the file's bytes at their offset, one copy per thread at once") {
  const std::string bytes = random_bytes(300000, 11);
  const auto file = MappedFile::open(fipsgate::testing::scratch_file("copied", bytes).string(),
                                     MappedFile::Access::mapped);
  REQUIRE(file.ok());
  const ByteView region = file->view().clamp(4097, 200000);

  const uint8_t* first_buffer = nullptr;
  {
    auto copy = CopiedRegion::copy(*file, region);
    REQUIRE(copy.has_value());
    CHECK(copy->view().file_offset() == 4097);
    CHECK(copy->view().chars() == bytes.substr(4097, 200000));
    CHECK(copy->view().data() != region.data());  // not the mapping
    first_buffer = copy->view().data();

    // The thread's buffer is lent: a second copy reads in place instead.
    CHECK_FALSE(CopiedRegion::copy(*file, region).has_value());

    // A move keeps the loan; only dropping the last holder gives the buffer back.
    CopiedRegion moved = std::move(*copy);
    copy.reset();
    CHECK_FALSE(CopiedRegion::copy(*file, region).has_value());
    CHECK(moved.view().chars() == bytes.substr(4097, 200000));
  }

  // Given back, the same memory serves the next copy (it is not allocated again).
  auto again = CopiedRegion::copy(*file, file->view().clamp(10, 1000));
  REQUIRE(again.has_value());
  CHECK(again->view().data() == first_buffer);
  CHECK(again->view().chars() == bytes.substr(10, 1000));

  // Another thread has a buffer of its own.
  std::optional<std::string> other_copy;
  std::thread([&] {
    if (auto copy = CopiedRegion::copy(*file, region))
      other_copy = std::string(copy->view().chars());
  }).join();
  REQUIRE(other_copy.has_value());
  CHECK(*other_copy == bytes.substr(4097, 200000));
}

TEST_CASE("several regions share one copy; a region another holds is not copied twice") {
  const std::string bytes = random_bytes(100000, 13);
  const auto file = MappedFile::open(fipsgate::testing::scratch_file("copied-many", bytes).string(),
                                     MappedFile::Access::mapped);
  REQUIRE(file.ok());
  const ByteView whole = file->view();
  const ByteView regions[] = {whole.clamp(100, 5000), whole.clamp(60000, 30000),
                              whole.clamp(61000, 100)};  // the last inside the second
  auto copy = CopiedRegion::copy(*file, regions);
  REQUIRE(copy.has_value());
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(copy->view(i).file_offset() == regions[i].file_offset());
    CHECK(copy->view(i).chars() == regions[i].chars());
    CHECK(copy->view(i).data() != regions[i].data());
  }
  CHECK(copy->view(2).data() == copy->view(1).data() + 1000);  // read from the second's copy

  // Views of the file's bytes move to the copy when a copied region holds them all.
  const auto inside = copy->rebased(whole.clamp(200, 50));
  REQUIRE(inside.has_value());
  CHECK(inside->data() == copy->view(0).data() + 100);
  CHECK(inside->file_offset() == 200);
  CHECK(inside->chars() == bytes.substr(200, 50));
  CHECK_FALSE(copy->rebased(whole.clamp(5000, 200)).has_value());  // runs past the first
  CHECK_FALSE(copy->rebased(whole.clamp(20000, 10)).has_value());  // in neither
  CHECK(copy->rebased(whole.clamp(89990, 10)).has_value());        // the second's last bytes
  CHECK_FALSE(copy->rebased(whole.clamp(89995, 10)).has_value());  // past them
}

TEST_CASE("a region is not copied when it is too big, not the file's, or cannot be read") {
  const std::string bytes = random_bytes(8192, 12);
  const std::string path = fipsgate::testing::scratch_file("copied-no", bytes).string();
  const auto file = MappedFile::open(path, MappedFile::Access::mapped);
  REQUIRE(file.ok());
  CHECK_FALSE(CopiedRegion::copy(*file, ByteView(bytes, 0)).has_value());  // other memory
  CHECK_FALSE(CopiedRegion::copy(*file, ByteView(file->view().data(), 100, 1)).has_value());
  {
    // A file read whole is in memory already. It holds its thread's buffer, which copies share:
    // while it is open, no other file's region is copied either.
    const auto whole = MappedFile::open(path);
    REQUIRE(whole.ok());
    REQUIRE(whole->in_memory());
    CHECK_FALSE(CopiedRegion::copy(*whole, whole->view()).has_value());
    CHECK_FALSE(CopiedRegion::copy(*file, file->view()).has_value());
  }
  CHECK(CopiedRegion::copy(*file, file->view()).has_value());

  // Past kMaxBytes, or from a file past kMaxFileBytes (sparse files: no disk used).
  const auto big_path = fipsgate::testing::scratch_file("copied-big", "");
  std::filesystem::resize_file(big_path, CopiedRegion::kMaxFileBytes + 4096);
  const auto big = MappedFile::open(big_path.string(), MappedFile::Access::mapped);
  REQUIRE(big.ok());
  CHECK_FALSE(CopiedRegion::copy(*big, big->view().clamp(0, 4096)).has_value());
  const auto limit_path = fipsgate::testing::scratch_file("copied-limit", "");
  std::filesystem::resize_file(limit_path, CopiedRegion::kMaxBytes + 4096);
  const auto limit = MappedFile::open(limit_path.string(), MappedFile::Access::mapped);
  REQUIRE(limit.ok());
  CHECK_FALSE(
      CopiedRegion::copy(*limit, limit->view().clamp(0, CopiedRegion::kMaxBytes + 1)).has_value());
  const ByteView halves[] = {
      limit->view().clamp(0, CopiedRegion::kMaxBytes / 2),
      limit->view().clamp(CopiedRegion::kMaxBytes / 2 + 1, CopiedRegion::kMaxBytes / 2 + 1)};
  CHECK_FALSE(CopiedRegion::copy(*limit, halves).has_value());  // one byte too many in all
  auto at_limit = CopiedRegion::copy(*limit, limit->view().clamp(1, CopiedRegion::kMaxBytes));
  REQUIRE(at_limit.has_value());
  CHECK(at_limit->view().size() == CopiedRegion::kMaxBytes);
  at_limit.reset();

  // The file shrank after it was mapped: the read falls short, nothing is lent.
  const auto shrinking_path = fipsgate::testing::scratch_file("copied-shrinks", bytes);
  const auto shrinking = MappedFile::open(shrinking_path.string(), MappedFile::Access::mapped);
  REQUIRE(shrinking.ok());
  const ByteView tail = shrinking->view().clamp(4096, 4096);
  std::filesystem::resize_file(shrinking_path, 4096);
  CHECK_FALSE(CopiedRegion::copy(*shrinking, tail).has_value());
  CHECK(CopiedRegion::copy(*file, file->view().clamp(0, 16)).has_value());  // given back
}

TEST_CASE("a pclntab copied out of its file reads as the mapped one does") {
  fipsgate::testing::GoElfSpec spec;
  spec.pclntab.functions = fipsgate::testing::sample_functions();
  spec.pclntab.functions.push_back({"crypto/internal/boring.Enabled", 0x80});
  const auto built = fipsgate::testing::build_go_elf(spec);
  const auto file =
      MappedFile::open(fipsgate::testing::scratch_file("copied-go", built.elf.bytes).string(),
                       MappedFile::Access::mapped);
  REQUIRE(file.ok());

  auto in_memory = fipsgate::read_binary_image(file->view());
  REQUIRE(in_memory.ok());
  const fipsgate::GoBinary mapped = fipsgate::read_go_binary(*in_memory);
  CHECK_FALSE(mapped.pclntab_copy.has_value());  // no file to copy from

  auto with_source = fipsgate::read_binary_image(file->view());
  REQUIRE(with_source.ok());
  with_source->set_source(&*file);
  const fipsgate::GoBinary copied = fipsgate::read_go_binary(*with_source);
  REQUIRE(copied.pclntab_copy.has_value());
  REQUIRE(copied.pclntab.has_value());
  REQUIRE(mapped.pclntab.has_value());
  // The names and records are read from the copy, the pc-value tables where they lie; every
  // view keeps its file offset.
  const fipsgate::Pclntab& from_copy = *copied.pclntab;
  const fipsgate::Pclntab& in_place = *mapped.pclntab;
  for (const auto& [copy_view, mapped_view, is_copied] :
       {std::tuple{from_copy.funcname_table, in_place.funcname_table, true},
        std::tuple{from_copy.func_table, in_place.func_table, true},
        std::tuple{from_copy.functab, in_place.functab, true},
        std::tuple{from_copy.pc_table, in_place.pc_table, false},
        std::tuple{from_copy.bytes, in_place.bytes, false}}) {
    CHECK(copy_view.file_offset() == mapped_view.file_offset());
    CHECK(copy_view.chars() == mapped_view.chars());
    CHECK((copy_view.data() != mapped_view.data()) == is_copied);
  }
  CHECK(copied.pclntab->found_in == mapped.pclntab->found_in);
  CHECK(copied.errors == mapped.errors);

  REQUIRE(copied.functions.has_value());
  REQUIRE(mapped.functions.has_value());
  REQUIRE(copied.functions->size() == mapped.functions->size());
  CHECK(copied.functions->size() == spec.pclntab.functions.size());
  for (uint64_t i = 0; i < copied.functions->size(); ++i) {
    const fipsgate::Function a = copied.functions->at(i), b = mapped.functions->at(i);
    CHECK(a.entry == b.entry);
    CHECK(a.end == b.end);
    CHECK(a.name == b.name);
    CHECK(a.name == spec.pclntab.functions[i].name);
    CHECK(copied.functions->line_start_before(a.entry + 1) ==
          mapped.functions->line_start_before(b.entry + 1));
  }
}
