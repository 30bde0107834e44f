// Name patterns in one byte trie, walked in a compressed form (see the header).
#include "fipsgate/match/name_matcher.h"

#include <algorithm>

namespace fipsgate {

namespace {
constexpr uint32_t kNoNode = ~0u;

uint32_t size32(size_t size) {
  return static_cast<uint32_t>(size);
}
}  // namespace

NameMatcher::NameMatcher() : nodes_(1) {}

uint32_t NameMatcher::child(uint32_t node, uint8_t byte) const {
  const auto& children = nodes_[node].children;
  auto it = std::lower_bound(children.begin(), children.end(), byte,
                             [](const auto& edge, uint8_t b) { return edge.first < b; });
  return it != children.end() && it->first == byte ? it->second : kNoNode;
}

uint32_t NameMatcher::add_path(std::string_view literal) {
  uint32_t node = 0;
  for (char c : literal) {
    const auto byte = static_cast<uint8_t>(c);
    uint32_t next = child(node, byte);
    if (next == kNoNode) {
      next = size32(nodes_.size());
      nodes_.emplace_back();
      auto& children = nodes_[node].children;
      auto it = std::lower_bound(children.begin(), children.end(), byte,
                                 [](const auto& edge, uint8_t b) { return edge.first < b; });
      children.insert(it, {byte, next});
    }
    node = next;
  }
  return node;
}

void NameMatcher::add(uint32_t id, NameMatch how, std::string_view pattern) {
  ++pattern_count_;
  flat_.clear();
  // Names end at their NUL, so a pattern holding one matches nothing; filed, it would let a
  // TerminatedName match across its NUL into the next name of the table.
  if (pattern.find('\0') != std::string_view::npos) return;
  switch (how) {
    case NameMatch::exact:
      nodes_[add_path(pattern)].exact_ids.push_back(id);
      return;
    case NameMatch::prefix:
      nodes_[add_path(pattern)].prefix_ids.push_back(id);
      return;
    case NameMatch::glob: {
      // Filed under the literal head; the rest is checked when a name reaches that node.
      const size_t wildcard = pattern.find_first_of("*?");
      const std::string_view head = pattern.substr(0, wildcard);
      nodes_[add_path(head)].globs.emplace_back(std::string(pattern), id);
      return;
    }
  }
}

// Breadth-first over the trie (no recursion: a pattern may be long). Each trie node that ends a
// pattern or branches becomes a flat node; the single-child chains between them become edge
// labels. A node's edges and ids are appended when it is taken from the queue, so each node's
// ranges are contiguous.
void NameMatcher::finish() {
  flat_.assign(1, FlatNode{});
  edges_.clear();
  labels_.clear();
  ids_.clear();
  globs_.clear();
  std::vector<std::pair<uint32_t, uint32_t>> queue{{0, 0}};  // (trie node, flat node)
  for (size_t next = 0; next < queue.size(); ++next) {
    const auto [trie_index, flat_index] = queue[next];
    const Node& node = nodes_[trie_index];
    auto append_ids = [&](const std::vector<uint32_t>& ids) {
      const Range range{size32(ids_.size()), size32(ids_.size() + ids.size())};
      ids_.insert(ids_.end(), ids.begin(), ids.end());
      return range;
    };
    FlatNode flat;
    flat.exact_ids = append_ids(node.exact_ids);
    flat.prefix_ids = append_ids(node.prefix_ids);
    flat.globs = {size32(globs_.size()), size32(globs_.size() + node.globs.size())};
    globs_.insert(globs_.end(), node.globs.begin(), node.globs.end());
    flat.edges = {size32(edges_.size()), size32(edges_.size() + node.children.size())};
    for (auto [byte, target] : node.children) {
      const uint32_t label_begin = size32(labels_.size());
      for (const Node* chain = &nodes_[target];
           chain->children.size() == 1 && chain->exact_ids.empty() && chain->prefix_ids.empty() &&
           chain->globs.empty();
           chain = &nodes_[target]) {
        labels_ += static_cast<char>(chain->children[0].first);
        target = chain->children[0].second;
      }
      edges_.push_back({byte, {label_begin, size32(labels_.size())}, size32(flat_.size())});
      queue.emplace_back(target, size32(flat_.size()));
      flat_.emplace_back();
    }
    flat_[flat_index] = flat;
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
