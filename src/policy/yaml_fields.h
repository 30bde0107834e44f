// Schema checks for the YAML files in signatures/ and the user's policy and waiver files.
// Every error names the file, the 1-based line of the node and the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/io/result.h"
#include "fipsgate/io/yaml.h"

namespace fipsgate::yaml_fields {

// "rules.yaml:12" for the node's position.
std::string where(std::string_view source_name, const yaml::Node& node);

struct MapReader {
  yaml::Node node;
  std::string_view source_name;
  std::string context;  // "rule FG301", "waiver 3"

  Error error_at(const yaml::Node& at, std::string_view field, std::string_view problem) const;
  Result<std::string> required_string(std::string_view field) const;
  Result<std::optional<std::string>> optional_string(std::string_view field) const;
  Result<std::optional<bool>> optional_bool(std::string_view field) const;
  Result<std::optional<std::vector<std::string>>> optional_string_list(
      std::string_view field) const;
  // Fields not in `known` are errors (a misspelt key must not be silently ignored).
  Status only_fields(const std::vector<std::string_view>& known) const;
};

}  // namespace fipsgate::yaml_fields
