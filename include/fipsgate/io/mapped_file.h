// A read-only file held as one ByteView. Mapped with mmap: the analysis touches a few scattered
// regions (headers, build info, name tables), so paging in only those beats reading it all.
// The file stays open beside the mapping for the one pass that reads a large region once, in
// order (the call scan): copying it out in windows costs what `cat` pays per byte, where the
// first touch of each mapped page can cost far more (docs/BENCHMARKS.md, tenth round).
#pragma once

#include <cstdint>
#include <string>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  ByteView view() const { return ByteView(data_, size_, 0); }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Whether `bytes` are this mapping's bytes at their file offset (and so can be copied out).
  bool holds(const ByteView& bytes) const {
    return bytes.file_offset() <= size_ && bytes.size() <= size_ - bytes.file_offset() &&
           bytes.data() == data_ + bytes.file_offset();
  }
  // Copies the `size` bytes at file offset `offset` into `out` (pread). False when they could
  // not all be read; the mapping still holds them.
  bool copy_out(uint64_t offset, uint8_t* out, uint64_t size) const;

 private:
  void release();

  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  int fd_ = -1;
  std::string path_;
};

}  // namespace fipsgate
