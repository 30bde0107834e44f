// A read-only file held as one ByteView. Mapped with mmap: the analysis touches a few scattered
// regions (headers, build info, name tables), so paging in only those beats reading it all.
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

 private:
  void release();

  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  std::string path_;
};

}  // namespace fipsgate
