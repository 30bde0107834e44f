// Name patterns in one byte trie, walked in a compressed form (see the header).
#include "fipsgate/match/name_matcher.h"

#include <algorithm>

namespace fipsgate {

namespace {
uint32_t size32(size_t size) {
  return static_cast<uint32_t>(size);
}
}  // namespace

void NameMatcher::add(uint32_t id, NameMatch how, std::string_view pattern) {
  ++pattern_count_;
  flat_.clear();
  // Names end at their NUL, so a pattern holding one matches nothing; filed, it would let a
  // TerminatedName match across its NUL into the next name of the table.
  if (pattern.find('\0') != std::string_view::npos) return;
  // A glob is filed under its literal head; the rest is checked when a name reaches that node.
  const size_t key_size = how == NameMatch::glob
                              ? std::min(pattern.find_first_of("*?"), pattern.size())
                              : pattern.size();
  patterns_.push_back({std::string(pattern), key_size, how, id});
}

// Breadth-first over the patterns sorted by key (no recursion: a pattern may be long), the same
// trie as one built byte by byte. A node holds the keys of one range that share its first
// `depth` bytes; those that end there give its ids (a key sorts before its extensions, and equal
// keys stay in the order they were added). The rest are grouped by their next byte, and each
// group's edge is labelled with the bytes all its keys share until one ends or they part, so no
// node is made where nothing ends and nothing branches.
void NameMatcher::finish() {
  std::vector<const Pattern*> sorted;
  sorted.reserve(patterns_.size());
  for (const Pattern& pattern : patterns_) sorted.push_back(&pattern);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Pattern* a, const Pattern* b) { return a->key() < b->key(); });
  flat_.assign(1, FlatNode{});
  edges_.clear();
  labels_.clear();
  ids_.clear();
  globs_.clear();
  struct Pending {
    size_t begin, end;  // in sorted
    size_t depth;
    uint32_t flat;
  };
  std::vector<Pending> queue{{0, sorted.size(), 0, 0}};
  for (size_t next = 0; next < queue.size(); ++next) {
    const Pending at = queue[next];
    size_t ending = at.begin;
    while (ending < at.end && sorted[ending]->key().size() == at.depth) ++ending;
    FlatNode flat;
    const auto append_ids = [&](NameMatch how) {
      const uint32_t begin = size32(ids_.size());
      for (size_t k = at.begin; k < ending; ++k) {
        if (sorted[k]->how == how) ids_.push_back(sorted[k]->id);
      }
      return Range{begin, size32(ids_.size())};
    };
    flat.exact_ids = append_ids(NameMatch::exact);
    flat.prefix_ids = append_ids(NameMatch::prefix);
    flat.globs.begin = size32(globs_.size());
    for (size_t k = at.begin; k < ending; ++k) {
      if (sorted[k]->how == NameMatch::glob) globs_.emplace_back(sorted[k]->text, sorted[k]->id);
    }
    flat.globs.end = size32(globs_.size());
    flat.edges.begin = size32(edges_.size());
    for (size_t group = ending; group < at.end;) {
      const std::string_view first = sorted[group]->key();
      const auto byte = static_cast<uint8_t>(first[at.depth]);
      size_t group_end = group + 1;
      while (group_end < at.end &&
             static_cast<uint8_t>(sorted[group_end]->key()[at.depth]) == byte) {
        ++group_end;
      }
      // Sorted, the first and last keys of the group share what all of them share.
      const std::string_view last = sorted[group_end - 1]->key();
      size_t shared = at.depth + 1;
      while (shared < first.size() && shared < last.size() && first[shared] == last[shared]) {
        ++shared;
      }
      const uint32_t label_begin = size32(labels_.size());
      labels_.append(first.substr(at.depth + 1, shared - at.depth - 1));
      edges_.push_back({byte, {label_begin, size32(labels_.size())}, size32(flat_.size())});
      queue.push_back({group, group_end, shared, size32(flat_.size())});
      flat_.emplace_back();
      group = group_end;
    }
    flat.edges.end = size32(edges_.size());
    flat_[at.flat] = flat;
  }
}

bool NameMatcher::matches_any(std::string_view name) const {
  bool any = false;
  walk(MeasuredName{name}, [&](uint32_t) {
    any = true;
    return false;
  });
  return any;
}

bool NameMatcher::matches_any(TerminatedName name, RejectionMemo& last) const {
  if (last.rejects(name)) return false;
  bool any = false;
  last.remember(name, walk(name, [&](uint32_t) {
                  any = true;
                  return false;
                }));
  return any;
}

// Iterative glob with one backtrack point (the last '*'): linear in practice, never recursive.
bool glob_matches(std::string_view glob, std::string_view text) {
  size_t g = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace fipsgate
