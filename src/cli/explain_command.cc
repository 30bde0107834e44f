// fipsgate explain FG301: what a rule checks, why it matters and how to fix it, from the rule
// catalogue (signatures/rules.yaml). An unknown rule ID is a usage error (exit 2).
#include <iostream>

#include "cli/commands.h"
#include "fipsgate/policy/rules.h"

namespace fipsgate::cli {
namespace {

ExitCode explain(const std::string& rule_id) {
  Result<RuleCatalogue> catalogue =
      RuleCatalogue::load_file(signatures_directory() + "/rules.yaml");
  if (!catalogue) {
    std::cerr << "fipsgate explain: " << catalogue.error().message() << "\n";
    return kExitUsage;
  }
  const Rule* rule = catalogue->find(rule_id);
  if (rule == nullptr) {
    std::cerr << "fipsgate explain: no rule " << rule_id << "; known rules:";
    for (const Rule& known : catalogue->rules()) std::cerr << " " << known.id;
    std::cerr << "\n";
    return kExitUsage;
  }
  std::cout << rule->id << ": " << rule->title << "\n"
            << "Default severity: " << severity_name(rule->default_severity) << "\n\n"
            << "What it checks:\n  " << rule->checks << "\n\n"
            << "Why it matters:\n  " << rule->why << "\n\n"
            << "How to fix:\n  " << rule->fix << "\n\n"
            << "More: " << rule_help_uri(rule->id) << "\n";
  return kExitOk;
}

}  // namespace

void register_explain(CLI::App& app, ExitCode& exit_code) {
  auto* command = app.add_subcommand("explain", "Explain a rule: what it checks, why, how to fix");
  auto rule_id = std::make_shared<std::string>();
  command->add_option("rule", *rule_id, "Rule ID, e.g. FG301")->required();
  command->callback([rule_id, &exit_code] { exit_code = explain(*rule_id); });
}

}  // namespace fipsgate::cli
