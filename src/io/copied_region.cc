#include "fipsgate/io/copied_region.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <utility>

#include "fipsgate/io/mapped_file.h"

namespace fipsgate {

struct CopiedRegion::Buffer {
  // Allocated in 2 MiB steps, aligned, and marked for huge pages: the first touch of 16 MiB of
  // fresh anonymous memory took 40 ms in 4 KiB pages and 1-4 ms in huge pages on this machine.
  static constexpr uint64_t kStep = uint64_t{2} << 20;

  ~Buffer() { std::free(data); }

  bool reserve(uint64_t size) {
    if (size <= capacity) return true;
    const uint64_t rounded = (size + kStep - 1) / kStep * kStep;
    void* grown = std::aligned_alloc(kStep, rounded);
    if (grown == nullptr) return false;
    ::madvise(grown, rounded, MADV_HUGEPAGE);  // a hint: without it the buffer still works
    std::free(data);
    data = static_cast<uint8_t*>(grown);
    capacity = rounded;
    return true;
  }

  uint8_t* data = nullptr;
  uint64_t capacity = 0;
  std::atomic<bool> lent{false};  // given back by whichever thread drops the copy
};

std::optional<CopiedRegion> CopiedRegion::copy(const MappedFile& file, const ByteView& bytes) {
  if (bytes.size() > kMaxBytes || file.size() > kMaxFileBytes || !file.holds(bytes)) {
    return std::nullopt;
  }
  thread_local const std::shared_ptr<Buffer> own = std::make_shared<Buffer>();
  if (own->lent.exchange(true)) return std::nullopt;
  CopiedRegion region(own, ByteView(nullptr, 0, bytes.file_offset()));
  if (!own->reserve(bytes.size()) || !file.copy_out(bytes.file_offset(), own->data, bytes.size())) {
    return std::nullopt;  // region's destructor gives the buffer back
  }
  region.view_ = ByteView(own->data, bytes.size(), bytes.file_offset());
  return region;
}

CopiedRegion::CopiedRegion(CopiedRegion&& other) noexcept
    : buffer_(std::move(other.buffer_)), view_(std::exchange(other.view_, ByteView())) {}

CopiedRegion& CopiedRegion::operator=(CopiedRegion&& other) noexcept {
  if (this != &other) {
    give_back();
    buffer_ = std::move(other.buffer_);
    view_ = std::exchange(other.view_, ByteView());
  }
  return *this;
}

CopiedRegion::~CopiedRegion() {
  give_back();
}

void CopiedRegion::give_back() {
  if (buffer_) buffer_->lent.store(false);
  buffer_.reset();
}

}  // namespace fipsgate
