// A name stored NUL-terminated inside a mapped table (the pclntab's function names), not yet
// measured. Most lookups decide on a name's first bytes (a prefix trie rejects almost every
// function name within a few bytes), so measuring all of it first, as a string_view needs, would
// read every byte of the table once more for nothing.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace fipsgate {

// Whether the n bytes at a and b are equal: memcmp for the short runs a name lookup compares (a
// trie edge's label, the bytes that decided the previous name), inlined 8 bytes at a time. The
// provider's name walk made over a million such compares, and the calls to memcmp were 7-10 % of
// its scan.
inline bool same_bytes(const char* a, const char* b, uint64_t n) {
  const auto word = [](const char* at) {
    uint64_t value;
    std::memcpy(&value, at, sizeof value);
    return value;
  };
  if (n >= 8) {
    for (uint64_t i = 0; i + 8 < n; i += 8) {
      if (word(a + i) != word(b + i)) return false;
    }
    return word(a + n - 8) == word(b + n - 8);  // the last 8, overlapping the loop's
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

struct TerminatedName {
  const char* data = nullptr;
  uint64_t limit = 0;  // bytes readable from data; the name ends at the first NUL or here

  bool ends_at(uint64_t position) const { return position >= limit || data[position] == '\0'; }
  bool within(uint64_t bytes) const { return bytes <= limit; }
  char at(uint64_t position) const { return data[position]; }  // position before the end
  // Whether the bytes from `position` on start with `text` (a NUL in text only matches a NUL).
  bool continues_with(uint64_t position, std::string_view text) const {
    return text.size() <= limit - position && same_bytes(data + position, text.data(), text.size());
  }
  std::string_view measured() const { return std::string_view(data, strnlen(data, limit)); }
};

}  // namespace fipsgate
