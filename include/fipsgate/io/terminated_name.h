// A name stored NUL-terminated inside a mapped table (the pclntab's function names), not yet
// measured. Most lookups decide on a name's first bytes (a prefix trie rejects almost every
// function name within a few bytes), so measuring all of it first, as a string_view needs, would
// read every byte of the table once more for nothing.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace fipsgate {

struct TerminatedName {
  const char* data = nullptr;
  uint64_t limit = 0;  // bytes readable from data; the name ends at the first NUL or here

  bool ends_at(uint64_t position) const { return position >= limit || data[position] == '\0'; }
  bool within(uint64_t bytes) const { return bytes <= limit; }
  char at(uint64_t position) const { return data[position]; }  // position before the end
  // Whether the bytes from `position` on start with `text` (a NUL in text only matches a NUL).
  bool continues_with(uint64_t position, std::string_view text) const {
    return text.size() <= limit - position &&
           std::memcmp(data + position, text.data(), text.size()) == 0;
  }
  std::string_view measured() const { return std::string_view(data, strnlen(data, limit)); }
};

}  // namespace fipsgate
