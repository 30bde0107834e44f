// A region of a mapped file copied whole, with pread, into memory that the calling thread keeps
// and reuses for the next file's copy.
//
// For a region whose every byte a scan reads, and reads more than once (the pclntab: its records
// are validated, its names checked for NULs and walked, then looked up), the copy is the cheaper
// way on the 2-vCPU guests this runs on. There the first touch of each page of a new mapping
// costs about 2 us in a file held in small page-cache folios: touching the 459 MB of the
// 84-binary directory took 240 ms, reading every byte of it with pread 59 ms. And two CPUs
// touching pages at once slow each other by a quarter, where pread into memory already touched
// does not (tools/bench/scaling_probe; docs/BENCHMARKS.md, twelfth round). The buffer is reused
// because fresh anonymous memory costs even more to touch the first time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

class MappedFile;

class CopiedRegion {
 public:
  // Regions up to this size are copied, and only from files up to kMaxFileBytes: a bigger file
  // keeps its heap to the 2 % of its size that the targets allow, and reads in place.
  static constexpr uint64_t kMaxBytes = uint64_t{16} << 20;
  static constexpr uint64_t kMaxFileBytes = uint64_t{48} << 20;

  // `bytes` (which `file` holds) copied into this thread's buffer, the copy's view keeping
  // their file offset. nullopt when the region or the file is too big, this thread's buffer is
  // already lent to another copy, or the read fails: then the caller reads in place.
  static std::optional<CopiedRegion> copy(const MappedFile& file, const ByteView& bytes);

  CopiedRegion(CopiedRegion&& other) noexcept;
  CopiedRegion& operator=(CopiedRegion&& other) noexcept;
  CopiedRegion(const CopiedRegion&) = delete;
  CopiedRegion& operator=(const CopiedRegion&) = delete;
  ~CopiedRegion();

  const ByteView& view() const { return view_; }

  struct Buffer;  // one per thread, shared with the copies lent from it

 private:
  CopiedRegion(std::shared_ptr<Buffer> buffer, ByteView view)
      : buffer_(std::move(buffer)), view_(view) {}
  void give_back();

  std::shared_ptr<Buffer> buffer_;
  ByteView view_;
};

}  // namespace fipsgate
