#include "policy/yaml_fields.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fipsgate::yaml_fields {

std::string where(std::string_view source_name, const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  // yaml-cpp marks are 0-based; a null mark (-1) means the node was synthesised.
  if (mark.line < 0) return std::string(source_name);
  return std::string(source_name) + ":" + std::to_string(mark.line + 1);
}

Result<YAML::Node> load_document(std::string_view text, std::string_view source_name) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& exception) {
    return Error(std::string(source_name) + ":" + std::to_string(exception.mark.line + 1) + ":" +
                 std::to_string(exception.mark.column + 1) + ": not valid YAML: " + exception.msg);
  }
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return Error(path + ": cannot open for reading");
  std::ostringstream contents;
  contents << stream.rdbuf();
  if (stream.bad()) return Error(path + ": read failed");
  return contents.str();
}

Error MapReader::error_at(const YAML::Node& at, std::string_view field,
                          std::string_view problem) const {
  std::string message = where(source_name, at) + ": ";
  if (!context.empty()) message += context + ": ";
  message += "field '" + std::string(field) + "' " + std::string(problem);
  return Error(message);
}

Result<std::optional<std::string>> MapReader::optional_string(std::string_view field) const {
  YAML::Node value = node[std::string(field)];
  if (!value) return std::optional<std::string>();
  if (!value.IsScalar()) return error_at(value, field, "must be a single value");
  return std::optional<std::string>(value.Scalar());
}

Result<std::string> MapReader::required_string(std::string_view field) const {
  FG_TRY(std::optional<std::string> value, optional_string(field));
  if (!value) return error_at(node, field, "is missing");
  if (value->empty()) return error_at(node[std::string(field)], field, "is empty");
  return *value;
}

Result<std::optional<bool>> MapReader::optional_bool(std::string_view field) const {
  YAML::Node value = node[std::string(field)];
  if (!value) return std::optional<bool>();
  bool parsed = false;
  if (!value.IsScalar() || !YAML::convert<bool>::decode(value, parsed)) {
    return error_at(value, field, "must be true or false, found '" + YAML::Dump(value) + "'");
  }
  return std::optional<bool>(parsed);
}

Result<std::optional<std::vector<std::string>>> MapReader::optional_string_list(
    std::string_view field) const {
  YAML::Node value = node[std::string(field)];
  if (!value) return std::optional<std::vector<std::string>>();
  if (!value.IsSequence()) return error_at(value, field, "must be a list");
  std::vector<std::string> items;
  for (const YAML::Node& item : value) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return error_at(item, field, "must list non-empty single values");
    }
    items.push_back(item.Scalar());
  }
  return std::optional<std::vector<std::string>>(std::move(items));
}

Status MapReader::only_fields(const std::vector<std::string_view>& known) const {
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return error_at(entry.first, key, "is not a known field");
    }
  }
  return Ok{};
}

}  // namespace fipsgate::yaml_fields
