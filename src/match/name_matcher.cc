// Name patterns in one byte trie (see the header).
#include "fipsgate/match/name_matcher.h"

#include <algorithm>

namespace fipsgate {

namespace {
constexpr uint32_t kNoNode = ~0u;
}

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
      next = static_cast<uint32_t>(nodes_.size());
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

void NameMatcher::match(std::string_view name,
                        const std::function<void(uint32_t)>& on_match) const {
  uint32_t node = 0;
  size_t depth = 0;
  while (true) {
    const Node& here = nodes_[node];
    for (uint32_t id : here.prefix_ids) on_match(id);
    for (const auto& [glob, id] : here.globs) {
      if (glob_matches(glob, name)) on_match(id);
    }
    if (depth == name.size()) {
      for (uint32_t id : here.exact_ids) on_match(id);
      return;
    }
    node = child(node, static_cast<uint8_t>(name[depth]));
    if (node == kNoNode) return;
    ++depth;
  }
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
