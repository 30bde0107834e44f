// NameMatcher: exact, prefix and glob name patterns evaluated against many names (every
// function of a pclntab, every ELF symbol) without copying them. finish() files the patterns in
// one byte trie: exact patterns end at a node, prefix patterns fire at every node they end on
// along the walk, and globs are filed under their literal head and verified on arrival. The trie
// is compressed, in flat arrays: a chain of nodes where nothing ends and nothing branches is one
// edge whose bytes are compared at once ("github.com/" is one compare, not eleven lookups). A
// name costs one walk down, which stops at the first byte no pattern shares.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/io/terminated_name.h"
#include "fipsgate/match/signature_db.h"

namespace fipsgate {

// Shell-style glob over bytes: '*' any run (also empty), '?' one byte; no character classes.
bool glob_matches(std::string_view glob, std::string_view text);

// For a run of names matched one after the other, such as a pclntab's (grouped by package, so
// neighbours share long prefixes): the leading bytes that decided the last name matched nothing.
// A name that starts with the same bytes takes the same path through the trie to the same end,
// so it is rejected with one comparison instead of a walk.
class RejectionMemo {
 public:
  bool rejects(TerminatedName name) const {
    return decided_ != 0 && name.continues_with(0, std::string_view(bytes_, decided_));
  }
  // `decided` as walk() returns it: 0 forgets.
  void remember(TerminatedName name, uint64_t decided) {
    bytes_ = name.data;
    decided_ = decided;
  }

 private:
  const char* bytes_ = nullptr;  // the previous name, in the same table
  uint64_t decided_ = 0;
};

class NameMatcher {
 public:
  NameMatcher() = default;
  void add(uint32_t id, NameMatch how, std::string_view pattern);
  // Builds the compressed trie that match() walks; call it after the last add() (adding again
  // needs another finish()). A matcher that was never finished matches nothing.
  void finish();
  // Calls on_match(id) for every pattern that matches name (an id may come once per pattern).
  // A template, not a std::function: it runs once per function of a binary (500k times in big
  // ones), and a capturing callback would be copied to the heap on every call.
  template <class OnMatch>
  void match(std::string_view name, OnMatch&& on_match) const {
    walk(MeasuredName{name}, [&](uint32_t id) {
      on_match(id);
      return true;
    });
  }
  // The same for a name read up to its NUL as the trie needs it: most names leave the trie
  // within a few bytes, and only a glob measures the whole name. `last` carries what decided the
  // previous name of a run (RejectionMemo).
  template <class OnMatch>
  void match(TerminatedName name, RejectionMemo& last, OnMatch&& on_match) const {
    if (last.rejects(name)) return;
    last.remember(name, walk(name, [&](uint32_t id) {
                    on_match(id);
                    return true;
                  }));
  }
  // Whether any pattern matches name; stops at the first.
  bool matches_any(std::string_view name) const;
  bool matches_any(TerminatedName name, RejectionMemo& last) const;
  size_t pattern_count() const { return pattern_count_; }

 private:
  struct Pattern {  // as added; finish() builds the trie from them
    std::string text;
    size_t key_size;  // the whole text, or a glob's literal head
    NameMatch how;
    uint32_t id;
    std::string_view key() const { return std::string_view(text).substr(0, key_size); }
  };
  struct Range {
    uint32_t begin = 0, end = 0;
  };
  struct FlatNode {  // a node of the compressed trie; ranges index the arrays below
    Range edges, exact_ids, prefix_ids, globs;
  };
  struct Edge {
    uint8_t byte = 0;  // the name byte that takes this edge
    Range label;       // bytes of labels_ that must follow it
    uint32_t target = 0;
  };
  // walk()'s view of a string_view name, with TerminatedName's interface.
  struct MeasuredName {
    std::string_view text;
    bool ends_at(uint64_t position) const { return position == text.size(); }
    bool within(uint64_t bytes) const { return bytes <= text.size(); }
    char at(uint64_t position) const { return text[position]; }
    bool continues_with(uint64_t position, std::string_view more) const {
      return text.substr(position).starts_with(more);
    }
    std::string_view measured() const { return text; }
  };
  // Calls on_match(id) for each matching pattern until it returns false. Name is MeasuredName
  // or TerminatedName. Returns how many leading bytes of the name decided that nothing matches
  // (any name starting with the same bytes gets the same answer), or 0 when something matched,
  // a glob was tried (it reads the whole name) or the decision involved the name's limit.
  template <class Name, class OnMatch>
  uint64_t walk(const Name& name, OnMatch on_match) const;

  std::vector<Pattern> patterns_;
  std::vector<FlatNode> flat_;
  std::vector<Edge> edges_;
  std::string labels_;
  std::vector<uint32_t> ids_;
  std::vector<std::pair<std::string, uint32_t>> globs_;
  size_t pattern_count_ = 0;
};

template <class Name, class OnMatch>
uint64_t NameMatcher::walk(const Name& name, OnMatch on_match) const {
  if (flat_.empty()) return 0;
  uint32_t node = 0;
  uint64_t depth = 0;
  bool matched = false, globbed = false;
  // The walk's outcome once `read` leading bytes are known; 0 when it is not theirs alone.
  const auto settled = [&](uint64_t read) {
    return matched || globbed || !name.within(read) ? 0 : read;
  };
  while (true) {
    const FlatNode& here = flat_[node];
    for (uint32_t k = here.prefix_ids.begin; k < here.prefix_ids.end; ++k) {
      matched = true;
      if (!on_match(ids_[k])) return 0;
    }
    for (uint32_t k = here.globs.begin; k < here.globs.end; ++k) {
      globbed = true;  // a glob reads the whole name
      if (glob_matches(globs_[k].first, name.measured()) && !on_match(globs_[k].second)) return 0;
    }
    if (name.ends_at(depth)) {
      for (uint32_t k = here.exact_ids.begin; k < here.exact_ids.end; ++k) {
        matched = true;
        if (!on_match(ids_[k])) return 0;
      }
      return settled(depth + 1);
    }
    const auto byte = static_cast<uint8_t>(name.at(depth));
    const Edge* edge = edges_.data() + here.edges.begin;
    const Edge* last = edges_.data() + here.edges.end;
    while (edge != last && edge->byte < byte) ++edge;
    if (edge == last || edge->byte != byte) return settled(depth + 1);
    const std::string_view label(labels_.data() + edge->label.begin,
                                 edge->label.end - edge->label.begin);
    if (!name.continues_with(depth + 1, label)) return settled(depth + 1 + label.size());
    depth += 1 + label.size();
    node = edge->target;
  }
}

}  // namespace fipsgate
