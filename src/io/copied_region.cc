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
         outer.contains(inner.file_offset() - outer.file_offset(), inner.size());
}

// Each copy starts on a cache line.
constexpr uint64_t kCopyAlignment = 64;

}  // namespace

std::optional<CopiedRegion> CopiedRegion::copy(const MappedFile& file,
                                               std::span<const ByteView> regions) {
  // A file read whole is already in memory.
  if (file.size() > kMaxFileBytes || file.in_memory()) return std::nullopt;
  // Where each region's copy starts in the buffer, or whether an earlier copy holds it.
  std::vector<uint64_t> starts(regions.size(), 0);
  std::vector<bool> held(regions.size(), false);
  uint64_t total = 0;  // buffer bytes, each copy padded to the alignment
  uint64_t copied_bytes = 0;
  for (size_t i = 0; i < regions.size(); ++i) {
    if (!file.holds(regions[i])) return std::nullopt;
    for (size_t earlier = 0; earlier < i && !held[i]; ++earlier) {
      held[i] = !held[earlier] && holds_bytes(regions[earlier], regions[i]);
    }
    if (held[i]) continue;
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
    if (held[i]) {
      copied.views_.push_back(*copied.rebased(region));  // an earlier copy holds it
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
