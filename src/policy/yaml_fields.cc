#include "policy/yaml_fields.h"

#include <algorithm>
#include <utility>

namespace fipsgate::yaml_fields {

namespace {

// Longest value an error message quotes; a whole list would bury the message.
constexpr size_t kMaxShownBytes = 80;

// Appends the value on one line in flow style ("[a, b]", "{k: v}", null as "~"). Recursion is
// bounded by the parser's nesting limit, and the walk stops once the text is long enough.
void append_flow(const yaml::Node& node, std::string& out) {
  if (node.is_null()) out += "~";
  if (node.is_scalar()) out += node.text();
  if (node.is_sequence()) {
    out += "[";
    const char* separator = "";
    for (const yaml::Node& item : node.items()) {
      if (out.size() > kMaxShownBytes) break;
      out += std::exchange(separator, ", ");
      append_flow(item, out);
    }
    out += "]";
  }
  if (node.is_mapping()) {
    out += "{";
    const char* separator = "";
    for (const yaml::Entry& entry : node.entries()) {
      if (out.size() > kMaxShownBytes) break;
      out += std::exchange(separator, ", ");
      append_flow(entry.key, out);
      out += ": ";
      append_flow(entry.value, out);
    }
    out += "}";
  }
}

std::string shown(const yaml::Node& node) {
  std::string out;
  append_flow(node, out);
  if (out.size() > kMaxShownBytes) out = out.substr(0, kMaxShownBytes) + "...";
  return out;
}

}  // namespace

std::string where(std::string_view source_name, const yaml::Node& node) {
  // Line 0: the node is absent or the document is empty.
  if (node.line() == 0) return std::string(source_name);
  return std::string(source_name) + ":" + std::to_string(node.line());
}

Error MapReader::error_at(const yaml::Node& at, std::string_view field,
                          std::string_view problem) const {
  std::string message = where(source_name, at) + ": ";
  if (!context.empty()) message += context + ": ";
  message += "field '" + std::string(field) + "' " + std::string(problem);
  return Error(message);
}

// A field given as null (`name:` or `name: ~`) is present but not a single value.
Result<std::optional<std::string>> MapReader::optional_string(std::string_view field) const {
  yaml::Node value = node[field];
  if (!value) return std::optional<std::string>();
  if (!value.is_scalar()) return error_at(value, field, "must be a single value");
  return std::optional<std::string>(value.text());
}

Result<std::string> MapReader::required_string(std::string_view field) const {
  FG_TRY(std::optional<std::string> value, optional_string(field));
  if (!value) return error_at(node, field, "is missing");
  if (value->empty()) return error_at(node[field], field, "is empty");
  return *value;
}

Result<std::optional<bool>> MapReader::optional_bool(std::string_view field) const {
  yaml::Node value = node[field];
  if (!value) return std::optional<bool>();
  std::optional<bool> parsed = value.as_bool();
  if (!parsed) {
    return error_at(value, field, "must be true or false, found '" + shown(value) + "'");
  }
  return parsed;
}

Result<std::optional<std::vector<std::string>>> MapReader::optional_string_list(
    std::string_view field) const {
  yaml::Node value = node[field];
  if (!value) return std::optional<std::vector<std::string>>();
  if (!value.is_sequence()) return error_at(value, field, "must be a list");
  std::vector<std::string> items;
  for (const yaml::Node& item : value.items()) {
    if (!item.is_scalar() || item.text().empty()) {
      return error_at(item, field, "must list non-empty single values");
    }
    items.push_back(item.text());
  }
  return std::optional<std::vector<std::string>>(std::move(items));
}

// A key that is not a scalar (a list used as a key) has no name and is never known.
Status MapReader::only_fields(const std::vector<std::string_view>& known) const {
  for (const yaml::Entry& entry : node.entries()) {
    const std::string& key = entry.key.text();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return error_at(entry.key, key, "is not a known field");
    }
  }
  return Ok{};
}

}  // namespace fipsgate::yaml_fields
