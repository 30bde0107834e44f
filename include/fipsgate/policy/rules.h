// The rule catalogue (signatures/rules.yaml): title, what each stable rule ID checks, why it
// matters, how to fix it and its default severity. Waivers, policies, SARIF and `explain` all
// read rules from here; the analysis emits the same IDs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

struct Rule {
  std::string id;  // "FG301"
  std::string title;
  std::string checks;
  std::string why;
  std::string fix;
  Severity default_severity = Severity::warning;
};

class RuleCatalogue {
 public:
  // Errors name the file, the line and the field: "rules.yaml:42: rule FG301: field 'why'
  // is missing".
  static Result<RuleCatalogue> load_file(const std::string& path);
  static Result<RuleCatalogue> parse(std::string_view yaml_text, std::string_view source_name);

  const Rule* find(std::string_view id) const;
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;  // in file order
};

// Where signatures/ lives: the signature database's directory ($FIPSGATE_SIGNATURES if set).
std::string signatures_directory();

// Where the rules are documented (docs/rules.md), and one rule's anchor there (SARIF helpUri).
std::string rules_documentation_uri();
std::string rule_help_uri(std::string_view rule_id);

// "note" | "warning" | "error" (the spelling in every YAML file and report).
std::string_view severity_name(Severity severity);
Result<Severity> parse_severity(std::string_view text);

}  // namespace fipsgate
