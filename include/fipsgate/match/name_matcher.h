// NameMatcher: exact, prefix and glob name patterns evaluated against many names (every
// function of a pclntab, every ELF symbol) without copying them. Patterns live in one byte
// trie: exact patterns end at a node, prefix patterns fire at every node they end on along the
// walk, and globs are filed under their literal head and verified on arrival. A name costs one
// walk down the trie, which stops at the first byte no pattern shares.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/match/signature_db.h"

namespace fipsgate {

class NameMatcher {
 public:
  NameMatcher();
  void add(uint32_t id, NameMatch how, std::string_view pattern);
  // Calls on_match(id) for every pattern that matches name (an id may come once per pattern).
  void match(std::string_view name, const std::function<void(uint32_t id)>& on_match) const;
  size_t pattern_count() const { return pattern_count_; }

 private:
  struct Node {
    std::vector<std::pair<uint8_t, uint32_t>> children;  // sorted by byte
    std::vector<uint32_t> exact_ids, prefix_ids;
    std::vector<std::pair<std::string, uint32_t>> globs;  // full glob text, id
  };
  uint32_t child(uint32_t node, uint8_t byte) const;
  uint32_t add_path(std::string_view literal);

  std::vector<Node> nodes_;
  size_t pattern_count_ = 0;
};

// Shell-style glob over bytes: '*' any run (also empty), '?' one byte; no character classes.
bool glob_matches(std::string_view glob, std::string_view text);

}  // namespace fipsgate
