#include "fipsgate/io/byte_view.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fipsgate {

std::string hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string ByteView::where(uint64_t offset) const {
  return "at file offset " + hex(file_offset_ + offset);
}

Error ByteView::out_of_bounds(uint64_t offset, uint64_t length) const {
  return Error("read of " + std::to_string(length) + " bytes at offset " + hex(offset) +
               " runs past the end of a " + std::to_string(size_) + "-byte region " +
               "(region starts at file offset " + hex(file_offset_) + ")");
}

Result<ByteView> ByteView::slice(uint64_t offset, uint64_t length) const {
  if (!contains(offset, length)) return out_of_bounds(offset, length);
  return ByteView(data_ + offset, length, file_offset_ + offset);
}

Result<ByteView> ByteView::suffix(uint64_t offset) const {
  if (offset > size_) return out_of_bounds(offset, 0);
  return ByteView(data_ + offset, size_ - offset, file_offset_ + offset);
}

ByteView ByteView::clamp(uint64_t offset, uint64_t length) const {
  if (offset > size_) offset = size_;
  length = std::min(length, size_ - offset);
  return ByteView(data_ + offset, length, file_offset_ + offset);
}

Result<uint8_t> ByteView::u8(uint64_t offset) const {
  if (!contains(offset, 1)) return out_of_bounds(offset, 1);
  return data_[offset];
}

Result<uint16_t> ByteView::u16(uint64_t offset, Endian endian) const {
  if (!contains(offset, 2)) return out_of_bounds(offset, 2);
  return static_cast<uint16_t>(load_uint(data_ + offset, 2, endian));
}

Result<uint32_t> ByteView::u32(uint64_t offset, Endian endian) const {
  if (!contains(offset, 4)) return out_of_bounds(offset, 4);
  return static_cast<uint32_t>(load_uint(data_ + offset, 4, endian));
}

Result<uint64_t> ByteView::u64(uint64_t offset, Endian endian) const {
  if (!contains(offset, 8)) return out_of_bounds(offset, 8);
  return load_uint(data_ + offset, 8, endian);
}

Result<uint64_t> ByteView::word(uint64_t offset, unsigned size_bytes, Endian endian) const {
  if (size_bytes != 4 && size_bytes != 8) {
    return Error("pointer size " + std::to_string(size_bytes) + " is neither 4 nor 8");
  }
  if (!contains(offset, size_bytes)) return out_of_bounds(offset, size_bytes);
  return load_uint(data_ + offset, size_bytes, endian);
}

Result<std::string_view> ByteView::cstring(uint64_t offset, uint64_t max_len) const {
  if (offset >= size_) return out_of_bounds(offset, 1);
  uint64_t limit = std::min(max_len, size_ - offset);
  const void* nul = std::memchr(data_ + offset, 0, limit);
  if (nul == nullptr) {
    return Error("string " + where(offset) + " has no NUL terminator within " +
                 std::to_string(limit) + " bytes");
  }
  auto length = static_cast<uint64_t>(static_cast<const uint8_t*>(nul) - (data_ + offset));
  return std::string_view(reinterpret_cast<const char*>(data_ + offset), length);
}

Result<Varint> ByteView::uvarint(uint64_t offset) const {
  Varint result;
  // offset + i must not wrap: an offset near 2^64 is simply past the end.
  if (offset >= size_) return out_of_bounds(offset, 1);
  for (unsigned i = 0; i < 10; ++i) {
    if (!contains(offset + i, 1)) return out_of_bounds(offset + i, 1);
    uint8_t byte = data_[offset + i];
    if (i == 9 && byte > 1) return Error("varint " + where(offset) + " overflows 64 bits");
    result.value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      result.length_bytes = i + 1;
      return result;
    }
  }
  return Error("varint " + where(offset) + " is longer than 10 bytes");
}

namespace {

// The first occurrence of needle in haystack at or after `from`, or npos. Candidates are the
// positions where both the needle's first and its last byte agree, found 16 at a time; a
// string_view::find would call memchr once per occurrence of the first byte, which for a common
// letter in 100 MB of read-only data is a million calls.
size_t find_bytes(std::string_view haystack, std::string_view needle, size_t from) {
  const size_t length = needle.size();
  if (length > haystack.size() || from > haystack.size() - length) return std::string_view::npos;
  const char* data = haystack.data();
  const size_t last_start = haystack.size() - length;  // the last position a match can start at
  size_t i = from;
#if defined(__SSE2__)
  if (length >= 2) {
    const __m128i first = _mm_set1_epi8(needle.front());
    const __m128i last = _mm_set1_epi8(needle.back());
    for (; i + 16 <= last_start + 1; i += 16) {
      const __m128i starts = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      const __m128i ends = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + length - 1));
      auto mask = static_cast<uint32_t>(_mm_movemask_epi8(
          _mm_and_si128(_mm_cmpeq_epi8(starts, first), _mm_cmpeq_epi8(ends, last))));
      while (mask != 0) {
        const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
        if (std::memcmp(data + at + 1, needle.data() + 1, length - 2) == 0) return at;
        mask &= mask - 1;
      }
    }
  }
#endif
  return haystack.find(needle, i);
}

}  // namespace

std::optional<uint64_t> ByteView::find(std::string_view needle, uint64_t from,
                                       uint64_t alignment) const {
  if (needle.empty() || alignment == 0) return std::nullopt;
  std::string_view haystack = chars();
  while (from < size_) {
    size_t hit = find_bytes(haystack, needle, from);
    if (hit == std::string_view::npos) return std::nullopt;
    if (hit % alignment == 0) return hit;
    from = (hit / alignment + 1) * alignment;
  }
  return std::nullopt;
}

}  // namespace fipsgate
