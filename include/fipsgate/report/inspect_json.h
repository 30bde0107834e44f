// `fipsgate inspect`: what Go itself records in each binary, as the "fipsgate.inspect/v1" JSON
// document (docs/inspect-json.md) and the pieces the text output shares with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"

namespace fipsgate {

inline constexpr std::string_view kInspectSchema = "fipsgate.inspect/v1";

struct InspectOptions {
  bool functions = false;  // list every function (name, entry, end, package)
};

// One inspected file. image and go are null when the file could not be read as an executable
// (then error says why).
struct InspectedFile {
  std::string path;
  uint64_t size_bytes = 0;
  std::string sha256;
  std::optional<std::string> error;
  const BinaryImage* image = nullptr;
  const GoBinary* go = nullptr;
};

struct PackageFunctionCount {
  std::string path;  // import path ("gopkg.in/yaml.v3"), %xx escapes undone
  uint64_t functions = 0;
};

// Functions per Go package, sorted by path; functions without a package are not counted.
std::vector<PackageFunctionCount> package_function_counts(const FunctionTable& functions);

// The sections inspect shows (Go's own and the standard data/text ones), in section-header order.
std::vector<const Section*> inspected_sections(const BinaryImage& image);

// "A", "W", "X" for allocated, writable, executable, in that order ("AX", "AW", "").
std::string section_flags(const Section& section);

// The file's entry in "files".
nlohmann::ordered_json inspect_file_json(const InspectedFile& file, const InspectOptions& options);

// {"schema": "fipsgate.inspect/v1", "files": [...]}.
nlohmann::ordered_json inspect_document_json(nlohmann::ordered_json files);

}  // namespace fipsgate
