// ByteView: a bounded, non-owning view of file bytes. Every read says how it can fail; nothing
// reads past size(). Each view remembers the file offset of its first byte so that errors and
// evidence can name a place a reader can check with xxd.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "fipsgate/io/result.h"

namespace fipsgate {

enum class Endian : uint8_t { little, big };

struct Varint {
  uint64_t value = 0;
  uint64_t length_bytes = 0;  // bytes the encoding used
};

class ByteView {
 public:
  ByteView() = default;
  ByteView(const uint8_t* data, uint64_t size, uint64_t file_offset = 0)
      : data_(data), size_(size), file_offset_(file_offset) {}
  explicit ByteView(std::string_view bytes, uint64_t file_offset = 0)
      : ByteView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), file_offset) {}

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // File offset of data()[0]; views cut from a file view keep counting from the file start.
  uint64_t file_offset() const { return file_offset_; }
  std::string_view chars() const { return {reinterpret_cast<const char*>(data_), size_}; }

  bool contains(uint64_t offset, uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }

  Result<ByteView> slice(uint64_t offset, uint64_t length) const;
  Result<ByteView> suffix(uint64_t offset) const;
  // Like slice() but clamps to the end instead of failing; for best-effort scans.
  ByteView clamp(uint64_t offset, uint64_t length) const;

  Result<uint8_t> u8(uint64_t offset) const;
  Result<uint16_t> u16(uint64_t offset, Endian endian) const;
  Result<uint32_t> u32(uint64_t offset, Endian endian) const;
  Result<uint64_t> u64(uint64_t offset, Endian endian) const;
  // A pointer-sized unsigned word (4 or 8 bytes).
  Result<uint64_t> word(uint64_t offset, unsigned size_bytes, Endian endian) const;
  // A NUL-terminated string starting at offset, at most max_len bytes before the NUL.
  Result<std::string_view> cstring(uint64_t offset, uint64_t max_len) const;
  // Unsigned LEB128 as written by Go's binary.PutUvarint (at most 10 bytes).
  Result<Varint> uvarint(uint64_t offset) const;

  // First occurrence of needle at or after from, optionally only at offsets that are multiples
  // of alignment.
  std::optional<uint64_t> find(std::string_view needle, uint64_t from = 0,
                               uint64_t alignment = 1) const;

  // "at file offset 0x1c3a000", for error messages.
  std::string where(uint64_t offset) const;

 private:
  Error out_of_bounds(uint64_t offset, uint64_t length) const;

  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t file_offset_ = 0;
};

// Unchecked decoding for code that has already bounded its reads (hot loops).
// The 4- and 8-byte loads are the hot ones (function tables, call displacements): one load and,
// for the other byte order, one byte swap.
inline uint64_t load_uint(const uint8_t* p, unsigned size_bytes, Endian endian) {
  constexpr Endian kNative =
      std::endian::native == std::endian::little ? Endian::little : Endian::big;
  if (size_bytes == 4) {
    uint32_t word;
    std::memcpy(&word, p, sizeof word);
    return endian == kNative ? word : __builtin_bswap32(word);
  }
  if (size_bytes == 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return endian == kNative ? word : __builtin_bswap64(word);
  }
  uint64_t value = 0;
  for (unsigned i = 0; i < size_bytes; ++i) {
    unsigned shift = endian == Endian::little ? 8 * i : 8 * (size_bytes - 1 - i);
    value |= static_cast<uint64_t>(p[i]) << shift;
  }
  return value;
}

std::string hex(uint64_t value);  // "0x1c3a000"

}  // namespace fipsgate
