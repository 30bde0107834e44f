#include "fipsgate/io/copied_region.h"

#include <cstdint>
#include <utility>

#include "fipsgate/io/mapped_file.h"
#include "io/thread_buffer.h"

namespace fipsgate {

namespace {

// Whether `outer`'s file bytes include all of `inner`'s.
bool holds_bytes(const ByteView& outer, const ByteView& inner) {
  return inner.file_offset() >= outer.file_offset() &&
         inner.file_offset() - outer.file_offset() <= outer.size() &&
         inner.size() <= outer.size() - (inner.file_offset() - outer.file_offset());
}

// Each copy starts on a cache line.
constexpr uint64_t kCopyAlignment = 64;

}  // namespace

std::optional<CopiedRegion> CopiedRegion::copy(const MappedFile& file,
                                               std::span<const ByteView> regions) {
  // A file read whole is already in memory.
  if (file.size() > kMaxFileBytes || file.in_memory()) return std::nullopt;
  // Where each region's copy starts in the buffer, or which earlier region holds it.
  std::vector<uint64_t> starts(regions.size(), 0);
  std::vector<size_t> held_by(regions.size(), SIZE_MAX);
  uint64_t total = 0;  // buffer bytes, each copy padded to the alignment
  uint64_t copied_bytes = 0;
  for (size_t i = 0; i < regions.size(); ++i) {
    if (!file.holds(regions[i])) return std::nullopt;
    for (size_t earlier = 0; earlier < i && held_by[i] == SIZE_MAX; ++earlier) {
      if (held_by[earlier] == SIZE_MAX && holds_bytes(regions[earlier], regions[i])) {
        held_by[i] = earlier;
      }
    }
    if (held_by[i] != SIZE_MAX) continue;
    copied_bytes += regions[i].size();
    if (copied_bytes > kMaxBytes) return std::nullopt;
    starts[i] = total;
    total += (regions[i].size() + kCopyAlignment - 1) / kCopyAlignment * kCopyAlignment;
  }
  std::shared_ptr<ThreadBuffer> buffer = ThreadBuffer::borrow();
  if (buffer == nullptr) return std::nullopt;
  CopiedRegion copied(buffer);  // gives the buffer back if a step below fails
  if (!buffer->reserve(total)) return std::nullopt;
  for (size_t i = 0; i < regions.size(); ++i) {
    const ByteView& region = regions[i];
    if (held_by[i] != SIZE_MAX) {
      const ByteView& holder = copied.views_[held_by[i]];
      copied.views_.emplace_back(holder.data() + (region.file_offset() - holder.file_offset()),
                                 region.size(), region.file_offset());
      continue;
    }
    uint8_t* at = buffer->data + starts[i];
    if (!file.copy_out(region.file_offset(), at, region.size())) return std::nullopt;
    copied.views_.emplace_back(at, region.size(), region.file_offset());
  }
  return copied;
}

std::optional<ByteView> CopiedRegion::rebased(const ByteView& bytes) const {
  for (const ByteView& view : views_) {
    if (holds_bytes(view, bytes)) {
      return ByteView(view.data() + (bytes.file_offset() - view.file_offset()), bytes.size(),
                      bytes.file_offset());
    }
  }
  return std::nullopt;
}

CopiedRegion::CopiedRegion(CopiedRegion&& other) noexcept
    : buffer_(std::move(other.buffer_)), views_(std::exchange(other.views_, {})) {}

CopiedRegion& CopiedRegion::operator=(CopiedRegion&& other) noexcept {
  if (this != &other) {
    give_back();
    buffer_ = std::move(other.buffer_);
    views_ = std::exchange(other.views_, {});
  }
  return *this;
}

CopiedRegion::~CopiedRegion() {
  give_back();
}

void CopiedRegion::give_back() {
  if (buffer_) buffer_->give_back();
  buffer_.reset();
}

}  // namespace fipsgate
