// A YAML document read with libyaml into a small read-only tree: null, scalar, sequence and
// mapping nodes, each with the 1-based line and column where it starts. Only the first document
// of a stream is read. Scalars stay text: callers decide what a field means (a date, a release,
// a boolean), so "1.20" is never turned into the number 1.2.
//
// Hostile input (policy and waiver files come from users) costs memory linear in its size:
// nesting deeper than limits::kMaxYamlDepth is an error, aliases are rejected (an alias can
// multiply what a small file expands to), and nothing here recurses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "fipsgate/io/result.h"

namespace fipsgate::yaml {

enum class Kind : uint8_t { null, scalar, sequence, mapping };

struct Tree;
struct DocumentAccess;
struct Entry;
template <class Item>
class Children;

// A handle on one node of a Document; cheap to copy, valid while the Document lives (moving the
// Document keeps it valid). A default Node is absent: what a missing key or index gives.
class Node {
 public:
  Node() = default;

  bool defined() const { return tree_ != nullptr; }
  explicit operator bool() const { return defined(); }
  // A plain `~`, `null`, `Null`, `NULL` or empty value without a tag is null; quoted, it is a
  // scalar. An absent node is none of these.
  bool is(Kind kind) const;
  bool is_null() const { return is(Kind::null); }
  bool is_scalar() const { return is(Kind::scalar); }
  bool is_sequence() const { return is(Kind::sequence); }
  bool is_mapping() const { return is(Kind::mapping); }

  // A scalar's text; empty for every other node.
  const std::string& text() const;
  // The YAML 1.1 booleans (true/false, yes/no, y/n, on/off, each in lower, title or upper
  // case), quoted or not; nullopt for anything else.
  std::optional<bool> as_bool() const;

  // 1-based position of the node's first character (its anchor or tag if it has one); 0 for an
  // absent node and for the empty document.
  uint32_t line() const;
  uint32_t column() const;

  // Items of a sequence or entries of a mapping; 0 for other nodes.
  size_t size() const;
  // The index-th item of a sequence; absent past the end and for other nodes.
  Node operator[](size_t index) const;
  // The value of the first entry whose key is the scalar `key`; absent if there is none or the
  // node is not a mapping.
  Node operator[](std::string_view key) const;

  // Sequence items in order (none for other nodes).
  Children<Node> items() const;
  // Mapping entries in document order, repeated keys included (none for other nodes).
  Children<Entry> entries() const;

 private:
  friend class Document;
  template <class Item>
  friend class Children;
  Node(const Tree* tree, uint32_t index) : tree_(tree), index_(index) {}

  const Tree* tree_ = nullptr;
  uint32_t index_ = 0;
};

struct Entry {
  Node key;
  Node value;
};

// A range over a node's children: Node for sequence items, Entry for mapping entries.
template <class Item>
class Children {
 public:
  class iterator {
   public:
    iterator(const Tree* tree, const uint32_t* at) : tree_(tree), at_(at) {}
    Item operator*() const;
    iterator& operator++() {
      at_ += kStride;
      return *this;
    }
    bool operator==(const iterator& other) const { return at_ == other.at_; }

   private:
    const Tree* tree_;
    const uint32_t* at_;
  };

  Children(const Tree* tree, const uint32_t* begin, const uint32_t* end)
      : tree_(tree), begin_(begin), end_(end) {}
  iterator begin() const { return {tree_, begin_}; }
  iterator end() const { return {tree_, end_}; }

 private:
  // A mapping's children are stored as key, value, key, value.
  static constexpr size_t kStride = std::is_same_v<Item, Entry> ? 2 : 1;

  const Tree* tree_;
  const uint32_t* begin_;
  const uint32_t* end_;
};

template <>
inline Node Children<Node>::iterator::operator*() const {
  return Node(tree_, at_[0]);
}
template <>
inline Entry Children<Entry>::iterator::operator*() const {
  return Entry{Node(tree_, at_[0]), Node(tree_, at_[1])};
}

class Document {
 public:
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  // The empty document's root is a null node without a position.
  Node root() const;

 private:
  friend class Builder;
  friend struct DocumentAccess;
  explicit Document(std::unique_ptr<Tree> tree);

  std::unique_ptr<Tree> tree_;
};

// Reads the first document of `text`. Errors name `source_name`, the line and the column:
// "policy.yaml:3:7: not valid YAML: …".
Result<Document> parse(std::string_view text, std::string_view source_name);

// Reads a whole file into a string; the error names the path and the reason.
Result<std::string> read_text_file(const std::string& path);

// Reads and parses a whole file; the path is the source name.
Result<Document> load_file(const std::string& path);

}  // namespace fipsgate::yaml
