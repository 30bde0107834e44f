// The tree behind yaml::Document, and the documents the build parsed ahead of time.
//
// libyaml spends ~130 instructions on every byte it reads: the shipped signature, rule and
// profile files (53 KB) cost each run ~2 ms, more than the rest of a small binary's scan. The
// build parses them once (src/prebuild/prebuild_yaml.cc) and compiles their trees into the
// program; yaml::parse takes a tree from there only when the text it is given is byte for byte
// the text the build parsed, so an edited or unknown file still goes through libyaml.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fipsgate/io/yaml.h"

namespace fipsgate::yaml {

struct NodeData {
  Kind kind = Kind::null;
  uint32_t line = 0;
  uint32_t column = 0;
  // Children are links[first, first + count); a mapping's alternate key, value.
  uint32_t first = 0;
  uint32_t count = 0;
  std::string text;  // scalars only
};

// Every node of a document in one array (the root first) and every child list in another, so
// that neither building nor destroying a deep document recurses.
struct Tree {
  std::vector<NodeData> nodes;
  std::vector<uint32_t> links;
};

// A NodeData whose scalar text is scalars.substr(text_offset, text_size) of its document.
struct PrebuiltNode {
  Kind kind;
  uint32_t line;
  uint32_t column;
  uint32_t first;
  uint32_t count;
  uint32_t text_offset;
  uint32_t text_size;
};

struct PrebuiltDocument {
  std::string_view name;  // the file's path under signatures/, for messages and tests
  std::string_view text;  // the exact bytes that were parsed
  std::span<const PrebuiltNode> nodes;
  std::span<const uint32_t> links;
  std::string_view scalars;
};

// The build's documents: defined in the generated prebuilt_yaml.cc, and empty in the program
// that generates it.
std::span<const PrebuiltDocument> prebuilt_documents();

// The prebuilt document whose text is `text`, or null.
const PrebuiltDocument* find_prebuilt(std::string_view text);

// yaml::parse without the prebuilt documents: what the build and the tests compare against.
Result<Document> parse_with_libyaml(std::string_view text, std::string_view source_name);

// A document's tree: read by the generator and the tests, given by a prebuilt document.
struct DocumentAccess {
  static const Tree& tree(const Document& document) { return *document.tree_; }
  static Document make(std::unique_ptr<Tree> tree) { return Document(std::move(tree)); }
};

}  // namespace fipsgate::yaml
