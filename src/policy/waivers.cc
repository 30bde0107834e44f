#include "fipsgate/policy/waivers.h"

#include <fnmatch.h>

#include <cctype>

#include "policy/yaml_fields.h"

namespace fipsgate {
namespace {

using yaml_fields::MapReader;

constexpr std::string_view kWaiversSchema = "fipsgate.waivers/v1";

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

Status read_matchers(const MapReader& reader, Waiver& waiver) {
  FG_TRY(auto path_glob, reader.optional_string("path"));
  FG_TRY(auto sha256, reader.optional_string("sha256"));
  FG_TRY(auto build_id, reader.optional_string("build_id"));
  waiver.path_glob = path_glob.value_or("");
  waiver.sha256 = sha256.value_or("");
  waiver.build_id = build_id.value_or("");
  if (waiver.path_glob.empty() && waiver.sha256.empty() && waiver.build_id.empty()) {
    return reader.error_at(reader.node, "path",
                           "is missing: a waiver needs path, sha256 or build_id");
  }
  if (!waiver.sha256.empty() && !is_sha256_hex(waiver.sha256)) {
    return reader.error_at(reader.node["sha256"], "sha256",
                           "must be 64 lower-case hex digits, found '" + waiver.sha256 + "'");
  }
  return Ok{};
}

Result<Waiver> parse_waiver(const yaml::Node& node, std::string_view source_name, size_t index,
                            const RuleCatalogue& catalogue) {
  std::string location = yaml_fields::where(source_name, node);
  if (!node.is_mapping())
    return Error(location + ": waiver " + std::to_string(index + 1) + " must be a mapping");
  MapReader reader{node, source_name, "waiver " + std::to_string(index + 1)};
  if (Status known =
          reader.only_fields({"rule", "path", "sha256", "build_id", "reason", "ticket", "expires"});
      !known) {
    return known.error();
  }
  Waiver waiver;
  waiver.location = location;
  FG_TRY(waiver.rule_id, reader.required_string("rule"));
  if (catalogue.find(waiver.rule_id) == nullptr) {
    return reader.error_at(node["rule"], "rule",
                           "names a rule that is not in the catalogue: '" + waiver.rule_id + "'");
  }
  if (Status matchers = read_matchers(reader, waiver); !matchers) return matchers.error();
  FG_TRY(waiver.reason, reader.required_string("reason"));
  FG_TRY(auto ticket, reader.optional_string("ticket"));
  waiver.ticket = ticket.value_or("");
  FG_TRY(std::string expires, reader.required_string("expires"));
  Result<Date> date = Date::parse(expires);
  if (!date) return reader.error_at(node["expires"], "expires", date.error().message());
  waiver.expires = *date;
  return waiver;
}

}  // namespace

Result<std::vector<Waiver>> parse_waivers(std::string_view yaml_text, std::string_view source_name,
                                          const RuleCatalogue& catalogue) {
  FG_TRY(yaml::Document parsed, yaml::parse(yaml_text, source_name));
  const yaml::Node document = parsed.root();
  if (!document.is_mapping()) {
    return Error(std::string(source_name) + ": expected a mapping with 'schema' and 'waivers'");
  }
  MapReader top{document, source_name, ""};
  if (Status known = top.only_fields({"schema", "waivers"}); !known) return known.error();
  FG_TRY(std::string schema, top.required_string("schema"));
  if (schema != kWaiversSchema) {
    return top.error_at(document["schema"], "schema",
                        "must be " + std::string(kWaiversSchema) + ", found '" + schema + "'");
  }
  const yaml::Node list = document["waivers"];
  if (!list) return std::vector<Waiver>{};
  if (!list.is_sequence()) return top.error_at(list, "waivers", "must be a list");
  std::vector<Waiver> waivers;
  for (size_t index = 0; index < list.size(); ++index) {
    FG_TRY(Waiver waiver, parse_waiver(list[index], source_name, index, catalogue));
    waivers.push_back(std::move(waiver));
  }
  return waivers;
}

Result<std::vector<Waiver>> load_waivers(const std::string& path, const RuleCatalogue& catalogue) {
  FG_TRY(std::string text, yaml::read_text_file(path));
  return parse_waivers(text, path, catalogue);
}

bool waiver_matches_binary(const Waiver& waiver, const Facts& facts) {
  if (!waiver.path_glob.empty() && fnmatch(waiver.path_glob.c_str(), facts.path.c_str(), 0) != 0) {
    return false;
  }
  if (!waiver.sha256.empty() && waiver.sha256 != facts.sha256) return false;
  if (!waiver.build_id.empty() && waiver.build_id != facts.go_build_id) return false;
  return true;
}

}  // namespace fipsgate
