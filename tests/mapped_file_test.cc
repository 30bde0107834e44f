// MappedFile's placements: small files read whole into a buffer their thread keeps, and mapped
// files up to kPooledFileBytes mapped one after another into addresses their thread keeps, and
// unmapped all at once when the range is full and none is open.
#include "fipsgate/io/mapped_file.h"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/scratch.h"

using fipsgate::MappedFile;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FIPSGATE_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define FIPSGATE_TEST_SANITIZED 1
#endif
#endif
#ifndef FIPSGATE_TEST_SANITIZED
#define FIPSGATE_TEST_SANITIZED 0
#endif

namespace {

constexpr uint64_t kSpan = uint64_t{2} << 20;  // each pooled file starts at a 2 MiB boundary

// A sparse scratch file of `size` bytes (no disk used) that starts with `tag` and ends with it.
std::string tagged_file(const std::string& name, uint64_t size, const std::string& tag) {
  const auto path = fipsgate::testing::scratch_file(name, tag);
  std::filesystem::resize_file(path, size);
  if (size >= 2 * tag.size()) {
    std::FILE* file = std::fopen(path.c_str(), "r+b");
    REQUIRE(file != nullptr);
    std::fseek(file, static_cast<long>(size - tag.size()), SEEK_SET);
    std::fwrite(tag.data(), 1, tag.size(), file);
    std::fclose(file);
  }
  return path.string();
}

MappedFile open_file(const std::string& path) {
  auto file = MappedFile::open(path, MappedFile::Access::mapped);
  REQUIRE_MESSAGE(file.ok(), (file.ok() ? "" : file.error().message()));
  return std::move(file).value();
}

// The file's first and last bytes read where it is mapped.
void check_tagged(const MappedFile& file, const std::string& tag) {
  const std::string_view bytes = file.view().chars();
  REQUIRE(bytes.size() >= 2 * tag.size());
  CHECK(bytes.substr(0, tag.size()) == tag);
  CHECK(bytes.substr(bytes.size() - tag.size()) == tag);
}

// Runs `body` on a new thread, whose range is empty, and passes on a failed REQUIRE. Nothing
// runs under a limit on the address space, where no range is reserved.
template <class Body>
void on_fresh_thread(Body body) {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur != RLIM_INFINITY) {
    MESSAGE("skipped: the address space is limited, so files are not pooled");
    return;
  }
  std::exception_ptr failure;
  std::thread([&] {
    try {
      body();
    } catch (...) {
      failure = std::current_exception();
    }
  }).join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("small files are mapped one after another, and a full range is unmapped at once") {
  on_fresh_thread([] {
    const std::string path = tagged_file("pooled", 3 << 20, "pooled-file");  // spans 4 MiB
    const uint8_t* first = nullptr;
    const uint64_t files_per_range = MappedFile::kReservedBytes / (2 * kSpan);
    for (uint64_t i = 0; i <= files_per_range; ++i) {
      CAPTURE(i);
      const MappedFile file = open_file(path);
      REQUIRE(file.pooled());
      if (i == 0) first = file.view().data();
      // The next free boundary, and after a full range its start again.
      CHECK(file.view().data() == first + (i % files_per_range) * 2 * kSpan);
      check_tagged(file, "pooled-file");
    }
  });
}

TEST_CASE("a range full of files still open is left alone: the next file is mapped on its own") {
  on_fresh_thread([] {
    const std::string path = tagged_file("pooled-held", 3 << 20, "held");
    std::vector<MappedFile> held;
    for (uint64_t i = 0; i < MappedFile::kReservedBytes / (2 * kSpan); ++i) {
      held.push_back(open_file(path));
    }
    CHECK(held.back().pooled());
    const MappedFile apart = open_file(path);
    CHECK_FALSE(apart.pooled());
    check_tagged(apart, "held");
    for (const MappedFile& file : held) check_tagged(file, "held");  // still mapped

    // Moved files keep their place; once every one is dropped the range is used again.
    std::vector<MappedFile> moved;
    for (MappedFile& file : held) moved.push_back(std::move(file));
    held.clear();
    const uint8_t* start = moved.front().view().data();
    moved.clear();
    const MappedFile again = open_file(path);
    CHECK(again.pooled());
    CHECK(again.view().data() == start);
    check_tagged(again, "held");
  });
}

TEST_CASE("a pooled file dropped on another thread counts as closed") {
  on_fresh_thread([] {
    const std::string path = tagged_file("pooled-elsewhere", 3 << 20, "elsewhere");
    std::optional<MappedFile> first(open_file(path));
    const uint8_t* start = first->view().data();
    for (uint64_t i = 1; i < MappedFile::kReservedBytes / (2 * kSpan); ++i) open_file(path);
    std::thread([&] { first.reset(); }).join();
    const MappedFile again = open_file(path);  // the range was full: it is unmapped and reused
    CHECK(again.pooled());
    CHECK(again.view().data() == start);
    check_tagged(again, "elsewhere");
  });
}

TEST_CASE("files past kPooledFileBytes and empty files are not pooled") {
  on_fresh_thread([] {
    const std::string big = tagged_file("pooled-big", MappedFile::kPooledFileBytes + 1, "big");
    const MappedFile file = open_file(big);
    CHECK_FALSE(file.pooled());
    check_tagged(file, "big");
    const std::string at_limit = tagged_file("pooled-limit", MappedFile::kPooledFileBytes, "lim");
    CHECK(open_file(at_limit).pooled());
    const MappedFile empty =
        open_file(fipsgate::testing::scratch_file("pooled-empty", "").string());
    CHECK_FALSE(empty.pooled());
    CHECK(empty.view().empty());
  });
}

TEST_CASE("under a limit on the address space no range is reserved: each file is mapped alone") {
  // In a child process, since the limit cannot be lifted again. Sanitizers reserve terabytes of
  // address space, so no limit can be set under them.
#if FIPSGATE_TEST_SANITIZED
  MESSAGE("skipped under a sanitizer");
#else
  const std::string path = tagged_file("pooled-limited", 3 << 20, "limited");
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    rlimit limit{};
    int code = getrlimit(RLIMIT_AS, &limit) == 0 ? 0 : 2;
    if (code == 0 && limit.rlim_cur == RLIM_INFINITY) {  // else a limit is set already
      limit.rlim_cur = rlim_t{64} << 30;                 // far above what the test uses
      if (setrlimit(RLIMIT_AS, &limit) != 0) code = 2;
    }
    std::thread([&] {
      auto file = MappedFile::open(path, MappedFile::Access::mapped);
      if (!file.ok())
        code = 3;
      else if (file->pooled())
        code = 4;
      else if (file->view().chars().substr(0, 7) != "limited")
        code = 5;
    }).join();
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
#endif
}

// Files read whole (MappedFile::Access::automatic, up to kReadWholeBytes) go into a buffer their
// thread keeps: one file at a time, the next one mapped while it is held.

namespace {

MappedFile open_whole(const std::string& path) {
  auto file = MappedFile::open(path);
  REQUIRE_MESSAGE(file.ok(), (file.ok() ? "" : file.error().message()));
  return std::move(file).value();
}

}  // namespace

TEST_CASE("a small file is read whole into its thread's buffer, reused by the next file") {
  std::thread([] {
    const std::string path = tagged_file("whole", 3 << 20, "whole-file");
    const uint8_t* buffer = nullptr;
    {
      const MappedFile file = open_whole(path);
      CHECK(file.in_memory());
      CHECK_FALSE(file.pooled());
      CHECK(file.size() == (3 << 20));
      check_tagged(file, "whole-file");
      buffer = file.view().data();
      // Read in place: nothing is copied out of memory in windows, and copy_out copies memory.
      CHECK_FALSE(file.better_copied_out(file.view()));
      std::string out(4, 'x');
      REQUIRE(file.copy_out(file.size() - 4, reinterpret_cast<uint8_t*>(out.data()), 4));
      CHECK(out == "file");
      CHECK_FALSE(file.copy_out(file.size() - 3, reinterpret_cast<uint8_t*>(out.data()), 4));
      // While it holds the buffer, the next file of this thread is mapped.
      const MappedFile second = open_whole(tagged_file("whole-second", 1 << 20, "second"));
      CHECK_FALSE(second.in_memory());
      check_tagged(second, "second");
    }
    const MappedFile again = open_whole(tagged_file("whole-again", 2 << 20, "again"));
    CHECK(again.in_memory());
    CHECK(again.view().data() == buffer);
    check_tagged(again, "again");
  }).join();
}

TEST_CASE("a file read whole gives its buffer back when dropped on another thread or moved") {
  std::thread([] {
    const std::string path = tagged_file("whole-moved", 1 << 20, "moved");
    std::optional<MappedFile> first(open_whole(path));
    REQUIRE(first->in_memory());
    MappedFile moved = std::move(*first);
    first.reset();  // the moved-from file holds nothing
    CHECK(moved.in_memory());
    check_tagged(moved, "moved");
    CHECK_FALSE(open_whole(path).in_memory());  // still held, by `moved`
    std::thread([&] { MappedFile dropped = std::move(moved); }).join();
    CHECK(open_whole(path).in_memory());
  }).join();
}

TEST_CASE("files past kReadWholeBytes, empty files and mapped access are not read whole") {
  std::thread([] {
    const std::string big =
        tagged_file("whole-big", MappedFile::kReadWholeBytes + 1, "past-the-limit");
    const MappedFile past = open_whole(big);
    CHECK_FALSE(past.in_memory());
    check_tagged(past, "past-the-limit");
    const std::string at_limit = tagged_file("whole-limit", MappedFile::kReadWholeBytes, "lim");
    CHECK(open_whole(at_limit).in_memory());
    CHECK_FALSE(
        open_whole(fipsgate::testing::scratch_file("whole-empty", "").string()).in_memory());
    const auto mapped = MappedFile::open(at_limit, MappedFile::Access::mapped);
    REQUIRE(mapped.ok());
    CHECK_FALSE(mapped->in_memory());
    check_tagged(*mapped, "lim");
  }).join();
}
