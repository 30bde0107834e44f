#include "fipsgate/policy/rules.h"

#include <cctype>
#include <set>

#include "fipsgate/match/signature_db.h"
#include "policy/yaml_fields.h"

namespace fipsgate {
namespace {

using yaml_fields::MapReader;

constexpr std::string_view kRulesSchema = "fipsgate.rules/v1";

bool is_rule_id(std::string_view id) {
  if (id.size() != 5 || id.substr(0, 2) != "FG") return false;
  for (char c : id.substr(2)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Result<Rule> parse_rule(const yaml::Node& node, std::string_view source_name, size_t index) {
  if (!node.is_mapping()) {
    return Error(yaml_fields::where(source_name, node) + ": rule " + std::to_string(index + 1) +
                 " must be a mapping");
  }
  MapReader reader{node, source_name, "rule " + std::to_string(index + 1)};
  Rule rule;
  FG_TRY(rule.id, reader.required_string("id"));
  if (!is_rule_id(rule.id)) {
    return reader.error_at(node["id"], "id", "must look like FG123, found '" + rule.id + "'");
  }
  reader.context = "rule " + rule.id;
  if (Status known =
          reader.only_fields({"id", "title", "default_severity", "checks", "why", "fix"});
      !known) {
    return known.error();
  }
  FG_TRY(rule.title, reader.required_string("title"));
  FG_TRY(rule.checks, reader.required_string("checks"));
  FG_TRY(rule.why, reader.required_string("why"));
  FG_TRY(rule.fix, reader.required_string("fix"));
  FG_TRY(std::string severity_text, reader.required_string("default_severity"));
  Result<Severity> severity = parse_severity(severity_text);
  if (!severity) {
    return reader.error_at(node["default_severity"], "default_severity",
                           severity.error().message());
  }
  rule.default_severity = *severity;
  return rule;
}

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::note:
      return "note";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

Result<Severity> parse_severity(std::string_view text) {
  if (text == "note") return Severity::note;
  if (text == "warning") return Severity::warning;
  if (text == "error") return Severity::error;
  return Error("must be note, warning or error, found '" + std::string(text) + "'");
}

Result<RuleCatalogue> RuleCatalogue::parse(std::string_view yaml_text,
                                           std::string_view source_name) {
  FG_TRY(yaml::Document parsed, yaml::parse(yaml_text, source_name));
  const yaml::Node document = parsed.root();
  if (!document.is_mapping()) {
    return Error(std::string(source_name) + ": expected a mapping with 'schema' and 'rules'");
  }
  MapReader top{document, source_name, ""};
  if (Status known = top.only_fields({"schema", "rules"}); !known) return known.error();
  FG_TRY(std::string schema, top.required_string("schema"));
  if (schema != kRulesSchema) {
    return top.error_at(document["schema"], "schema",
                        "must be " + std::string(kRulesSchema) + ", found '" + schema + "'");
  }
  const yaml::Node rules = document["rules"];
  if (!rules || !rules.is_sequence() || rules.size() == 0) {
    return top.error_at(rules ? rules : document, "rules", "must be a non-empty list");
  }
  RuleCatalogue catalogue;
  std::set<std::string> seen;
  for (size_t index = 0; index < rules.size(); ++index) {
    FG_TRY(Rule rule, parse_rule(rules[index], source_name, index));
    if (!seen.insert(rule.id).second) {
      return Error(yaml_fields::where(source_name, rules[index]) + ": rule " + rule.id +
                   ": field 'id' repeats an earlier rule");
    }
    catalogue.rules_.push_back(std::move(rule));
  }
  return catalogue;
}

Result<RuleCatalogue> RuleCatalogue::load_file(const std::string& path) {
  FG_TRY(std::string text, yaml::read_text_file(path));
  return parse(text, path);
}

const Rule* RuleCatalogue::find(std::string_view id) const {
  for (const Rule& rule : rules_) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

std::string signatures_directory() {
  return default_signatures_dir().string();
}

// The rule documentation ships with fipsgate (docs/rules.md, installed under the doc dir), so
// the link in a report works offline, where the scan ran.
std::string rules_documentation_uri() {
  return FIPSGATE_RULES_DOC_URI;
}

std::string rule_help_uri(std::string_view rule_id) {
  std::string anchor(rule_id);
  for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return rules_documentation_uri() + "#" + anchor;
}

}  // namespace fipsgate
