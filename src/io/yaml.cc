#include "fipsgate/io/yaml.h"

#include <yaml.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "fipsgate/io/limits.h"
#include "io/yaml_tree.h"

namespace fipsgate::yaml {

namespace {

// The YAML 1.1 booleans in the spellings policies have always been allowed to use.
constexpr std::string_view kTrueWords[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                           "y",    "Y",    "on",   "On",  "ON"};
constexpr std::string_view kFalseWords[] = {"false", "False", "FALSE", "no",  "No", "NO",
                                            "n",     "N",     "off",   "Off", "OFF"};

bool is_null_word(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// libyaml counts from 0; a line past 2^32 (a file of 4 GiB) is clamped rather than wrapped.
uint32_t one_based(size_t zero_based) {
  constexpr size_t kLast = std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(std::min(zero_based, kLast - 1) + 1);
}

std::string position(size_t line, size_t column) {
  return std::to_string(line) + ":" + std::to_string(column);
}

// One libyaml event, released when it goes out of scope.
class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (held_) yaml_event_delete(&event_);
  }

  // False when libyaml reports an error (its parser then holds the details).
  bool read(yaml_parser_t& parser) {
    held_ = yaml_parser_parse(&parser, &event_) != 0;
    return held_;
  }
  const yaml_event_t& operator*() const { return event_; }

 private:
  yaml_event_t event_{};
  bool held_ = false;
};

}  // namespace

// Turns libyaml's event stream for the first document into a Tree.
class Builder {
 public:
  Builder(std::string_view text, std::string_view source_name) : text_(text), name_(source_name) {
    started_ = yaml_parser_initialize(&parser_) != 0;
    // libyaml asserts that the input pointer is set, which an empty string_view need not do.
    const char* bytes = text.data() != nullptr ? text.data() : "";
    if (started_) {
      yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(bytes),
                                   text.size());
    }
  }
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;
  ~Builder() {
    if (started_) yaml_parser_delete(&parser_);
  }

  Result<Document> run() {
    if (!started_) return Error(name_ + ": out of memory starting the YAML parser");
    for (;;) {
      Event event;
      if (!event.read(parser_)) return syntax_error();
      FG_TRY(bool done, take(*event));
      if (done) break;
    }
    // An empty stream has no document: its root is null and has no position.
    if (tree_->nodes.empty()) tree_->nodes.emplace_back();
    return Document(std::move(tree_));
  }

 private:
  struct OpenCollection {
    uint32_t node;
    size_t first_child;  // in pending_
  };

  // Adds the event's node to the tree; true once the first document is complete.
  Result<bool> take(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_SCALAR_EVENT:
        return add_scalar(event);
      case YAML_SEQUENCE_START_EVENT:
        return open(Kind::sequence, event.start_mark);
      case YAML_MAPPING_START_EVENT:
        return open(Kind::mapping, event.start_mark);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        close();
        return false;
      case YAML_ALIAS_EVENT:
        return error_at(event.start_mark,
                        "YAML alias '*" +
                            std::string(reinterpret_cast<const char*>(event.data.alias.anchor)) +
                            "' is not supported: write the value out in full");
      case YAML_DOCUMENT_END_EVENT:
      case YAML_STREAM_END_EVENT:
        return true;
      default:  // stream and document start
        return false;
    }
  }

  Result<bool> add_scalar(const yaml_event_t& event) {
    const auto& scalar = event.data.scalar;
    std::string_view text(reinterpret_cast<const char*>(scalar.value), scalar.length);
    // Null is a plain, untagged word: `"null"` and `!!str ~` are text.
    const bool null =
        scalar.tag == nullptr && scalar.style == YAML_PLAIN_SCALAR_STYLE && is_null_word(text);
    FG_TRY(uint32_t index, add(null ? Kind::null : Kind::scalar, event.start_mark));
    if (!null) tree_->nodes[index].text = text;
    return false;
  }

  Result<bool> open(Kind kind, const yaml_mark_t& mark) {
    if (open_.size() >= limits::kMaxYamlDepth) {
      return error_at(mark, "YAML nests deeper than the " + std::to_string(limits::kMaxYamlDepth) +
                                "-level limit");
    }
    FG_TRY(uint32_t index, add(kind, mark));
    open_.push_back({index, pending_.size()});
    return false;
  }

  // The collection's children move from pending_ to one contiguous run of links.
  void close() {
    const OpenCollection collection = open_.back();
    open_.pop_back();
    NodeData& node = tree_->nodes[collection.node];
    node.first = static_cast<uint32_t>(tree_->links.size());
    node.count = static_cast<uint32_t>(pending_.size() - collection.first_child);
    const auto children = pending_.begin() + static_cast<ptrdiff_t>(collection.first_child);
    tree_->links.insert(tree_->links.end(), children, pending_.end());
    pending_.erase(children, pending_.end());
  }

  Result<uint32_t> add(Kind kind, const yaml_mark_t& mark) {
    // Indices are 32-bit; a document this large is not a policy.
    if (tree_->nodes.size() >= std::numeric_limits<uint32_t>::max()) {
      return error_at(mark, "YAML has more nodes than fipsgate can index");
    }
    const auto index = static_cast<uint32_t>(tree_->nodes.size());
    NodeData& node = tree_->nodes.emplace_back();
    node.kind = kind;
    node.line = one_based(mark.line);
    node.column = one_based(mark.column);
    if (!open_.empty()) pending_.push_back(index);
    return index;
  }

  Error error_at(const yaml_mark_t& mark, const std::string& message) const {
    return Error(name_ + ":" + position(mark.line + 1, mark.column + 1) + ": " + message);
  }

  Error syntax_error() const {
    if (parser_.error == YAML_MEMORY_ERROR) return Error(name_ + ": out of memory reading YAML");
    const std::string problem = parser_.problem ? parser_.problem : "unreadable input";
    // Encoding errors carry a byte offset rather than a line and column.
    if (parser_.error == YAML_READER_ERROR) {
      return Error(name_ + ":" + offset_position(parser_.problem_offset) +
                   ": not valid YAML: " + problem);
    }
    std::string message = problem;
    if (parser_.context) {
      message += " (" + std::string(parser_.context) + " started at line " +
                 std::to_string(parser_.context_mark.line + 1) + ", column " +
                 std::to_string(parser_.context_mark.column + 1) + ")";
    }
    return error_at(parser_.problem_mark, "not valid YAML: " + message);
  }

  std::string offset_position(size_t offset) const {
    const std::string_view before = text_.substr(0, std::min(offset, text_.size()));
    const size_t newlines = static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t line_start = before.rfind('\n');
    const size_t column =
        line_start == std::string_view::npos ? before.size() + 1 : before.size() - line_start;
    return position(newlines + 1, column);
  }

  yaml_parser_t parser_{};
  bool started_ = false;
  std::string_view text_;
  std::string name_;
  std::unique_ptr<Tree> tree_ = std::make_unique<Tree>();
  std::vector<OpenCollection> open_;
  std::vector<uint32_t> pending_;  // children of the open collections, innermost last
};

bool Node::is(Kind kind) const {
  return tree_ != nullptr && tree_->nodes[index_].kind == kind;
}

const std::string& Node::text() const {
  static const std::string kEmpty;
  return tree_ != nullptr ? tree_->nodes[index_].text : kEmpty;
}

std::optional<bool> Node::as_bool() const {
  if (!is_scalar()) return std::nullopt;
  if (std::find(std::begin(kTrueWords), std::end(kTrueWords), text()) != std::end(kTrueWords)) {
    return true;
  }
  if (std::find(std::begin(kFalseWords), std::end(kFalseWords), text()) != std::end(kFalseWords)) {
    return false;
  }
  return std::nullopt;
}

uint32_t Node::line() const {
  return tree_ != nullptr ? tree_->nodes[index_].line : 0;
}

uint32_t Node::column() const {
  return tree_ != nullptr ? tree_->nodes[index_].column : 0;
}

size_t Node::size() const {
  if (is_sequence()) return tree_->nodes[index_].count;
  if (is_mapping()) return tree_->nodes[index_].count / 2;
  return 0;
}

Node Node::operator[](size_t index) const {
  if (!is_sequence() || index >= size()) return {};
  return Node(tree_, tree_->links[tree_->nodes[index_].first + index]);
}

Node Node::operator[](std::string_view key) const {
  for (const Entry& entry : entries()) {
    if (entry.key.is_scalar() && entry.key.text() == key) return entry.value;
  }
  return {};
}

Children<Node> Node::items() const {
  if (!is_sequence()) return {nullptr, nullptr, nullptr};
  const uint32_t* first = tree_->links.data() + tree_->nodes[index_].first;
  return {tree_, first, first + tree_->nodes[index_].count};
}

Children<Entry> Node::entries() const {
  if (!is_mapping()) return {nullptr, nullptr, nullptr};
  const uint32_t* first = tree_->links.data() + tree_->nodes[index_].first;
  return {tree_, first, first + tree_->nodes[index_].count};
}

Document::Document(std::unique_ptr<Tree> tree) : tree_(std::move(tree)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Node Document::root() const {
  return tree_ != nullptr ? Node(tree_.get(), 0) : Node();
}

const PrebuiltDocument* find_prebuilt(std::string_view text) {
  for (const PrebuiltDocument& document : prebuilt_documents()) {
    if (document.text == text) return &document;
  }
  return nullptr;
}

namespace {

std::unique_ptr<Tree> tree_of(const PrebuiltDocument& document) {
  auto tree = std::make_unique<Tree>();
  tree->nodes.reserve(document.nodes.size());
  for (const PrebuiltNode& node : document.nodes) {
    tree->nodes.push_back({node.kind, node.line, node.column, node.first, node.count,
                           std::string(document.scalars.substr(node.text_offset, node.text_size))});
  }
  tree->links.assign(document.links.begin(), document.links.end());
  return tree;
}

}  // namespace

Result<Document> parse_with_libyaml(std::string_view text, std::string_view source_name) {
  return Builder(text, source_name).run();
}

Result<Document> parse(std::string_view text, std::string_view source_name) {
  const PrebuiltDocument* known = find_prebuilt(text);
  if (known == nullptr) return parse_with_libyaml(text, source_name);
  return DocumentAccess::make(tree_of(*known));
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return Error(path + ": cannot open for reading");
  std::ostringstream contents;
  contents << stream.rdbuf();
  if (stream.bad()) return Error(path + ": read failed");
  return contents.str();
}

Result<Document> load_file(const std::string& path) {
  FG_TRY(std::string text, read_text_file(path));
  return parse(text, path);
}

}  // namespace fipsgate::yaml
