// A region of a mapped file copied whole, with pread, into memory that the calling thread keeps
// and reuses for the next file's copy.
//
// For a region whose every byte a scan reads, and reads more than once (a pclntab's function
// records, validated then looked up, and its names, checked for NULs, walked, then looked up),
// the copy is the cheaper way on the 2-vCPU guests this runs on. There the first touch of each
// page of a new mapping costs about 2 us in a file held in small page-cache folios: touching the
// 459 MB of the 84-binary directory took 240 ms, reading every byte of it with pread 59 ms. And
// two CPUs touching pages at once slow each other by a quarter, where pread into memory already
// touched does not (tools/bench/scaling_probe; docs/BENCHMARKS.md, twelfth round). The buffer is
// reused because fresh anonymous memory costs even more to touch the first time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

class MappedFile;
struct ThreadBuffer;

class CopiedRegion {
 public:
  // Copies of up to this many bytes in all are made, and only from files up to kMaxFileBytes: a
  // bigger file keeps its heap to the 2 % of its size that the targets allow, and reads in place.
  static constexpr uint64_t kMaxBytes = uint64_t{16} << 20;
  static constexpr uint64_t kMaxFileBytes = uint64_t{48} << 20;

  // The regions (views that `file` holds) copied one after another into this thread's buffer,
  // each copy keeping its region's file offsets; a region that an earlier one holds is not
  // copied twice. nullopt when they are too many bytes, the file is too big, this thread's
  // buffer is already lent to another copy, or a read fails: then the caller reads in place.
  static std::optional<CopiedRegion> copy(const MappedFile& file,
                                          std::span<const ByteView> regions);
  static std::optional<CopiedRegion> copy(const MappedFile& file, const ByteView& bytes) {
    return copy(file, std::span<const ByteView>(&bytes, 1));
  }

  CopiedRegion(CopiedRegion&& other) noexcept;
  CopiedRegion& operator=(CopiedRegion&& other) noexcept;
  CopiedRegion(const CopiedRegion&) = delete;
  CopiedRegion& operator=(const CopiedRegion&) = delete;
  ~CopiedRegion();

  // The copy of region `index`.
  const ByteView& view(size_t index = 0) const { return views_[index]; }
  // The same file bytes as `bytes`, read from the copy of a region that holds all of them;
  // nullopt when none does.
  std::optional<ByteView> rebased(const ByteView& bytes) const;

 private:
  explicit CopiedRegion(std::shared_ptr<ThreadBuffer> buffer) : buffer_(std::move(buffer)) {}
  void give_back();

  std::shared_ptr<ThreadBuffer> buffer_;  // this thread's (io/thread_buffer.h), lent to the copy
  std::vector<ByteView> views_;
};

}  // namespace fipsgate
