// Policy layer: the rule catalogue, the built-in profiles and policy files, and verdicts over
// hand-built Facts (the contract with the analysis, not a parser).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fipsgate/policy/policy.h"
#include "fipsgate/policy/rules.h"
#include "fipsgate/policy/verdict.h"
#include "support/policy_fixtures.h"

using namespace fipsgate;
using namespace fipsgate::testing;

TEST_CASE("the shipped rule catalogue has every stable rule ID with all its fields") {
  const RuleCatalogue& catalogue = shipped_catalogue();
  for (std::string id :
       {"FG101", "FG102", "FG103", "FG110", "FG111", "FG120", "FG121", "FG201", "FG202", "FG301",
        "FG302", "FG303", "FG310", "FG311", "FG901", "FG902", "FG903", "FG904", "FG905"}) {
    const Rule* rule = catalogue.find(id);
    REQUIRE_MESSAGE(rule != nullptr, id);
    CHECK_FALSE(rule->title.empty());
    CHECK_FALSE(rule->checks.empty());
    CHECK_FALSE(rule->why.empty());
    CHECK_FALSE(rule->fix.empty());
  }
  CHECK(catalogue.find("FG110")->default_severity == Severity::error);
  CHECK(catalogue.find("FG101")->default_severity == Severity::note);
}

TEST_CASE("a rule without a 'why' is rejected with the file, line and field") {
  std::string yaml =
      "schema: fipsgate.rules/v1\n"
      "rules:\n"
      "  - id: FG101\n"
      "    title: t\n"
      "    default_severity: note\n"
      "    checks: c\n"
      "    fix: f\n";
  Result<RuleCatalogue> catalogue = RuleCatalogue::parse(yaml, "rules.yaml");
  REQUIRE_FALSE(catalogue.ok());
  CHECK(catalogue.error().message() == "rules.yaml:3: rule FG101: field 'why' is missing");
}

TEST_CASE("a rule with an unknown severity names the line of the bad value") {
  std::string yaml =
      "schema: fipsgate.rules/v1\n"
      "rules:\n"
      "  - id: FG101\n"
      "    title: t\n"
      "    default_severity: fatal\n"
      "    checks: c\n"
      "    why: w\n"
      "    fix: f\n";
  Result<RuleCatalogue> catalogue = RuleCatalogue::parse(yaml, "rules.yaml");
  REQUIRE_FALSE(catalogue.ok());
  CHECK(catalogue.error().message().find("rules.yaml:5: rule FG101: field 'default_severity'") ==
        0);
  CHECK(catalogue.error().message().find("fatal") != std::string::npos);
}

TEST_CASE("a misspelt field and a repeated rule ID are both errors") {
  std::string misspelt =
      "schema: fipsgate.rules/v1\n"
      "rules:\n"
      "  - {id: FG101, title: t, default_severity: note, checks: c, why: w, fix: f, fixx: g}\n";
  Result<RuleCatalogue> first = RuleCatalogue::parse(misspelt, "r.yaml");
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().message().find("field 'fixx' is not a known field") != std::string::npos);
  std::string repeated =
      "schema: fipsgate.rules/v1\n"
      "rules:\n"
      "  - {id: FG101, title: t, default_severity: note, checks: c, why: w, fix: f}\n"
      "  - {id: FG101, title: t, default_severity: note, checks: c, why: w, fix: f}\n";
  Result<RuleCatalogue> second = RuleCatalogue::parse(repeated, "r.yaml");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message() == "r.yaml:4: rule FG101: field 'id' repeats an earlier rule");
}

TEST_CASE("YAML syntax errors name the line and column") {
  Result<RuleCatalogue> catalogue = RuleCatalogue::parse("rules: [\n  - a: b\n", "bad.yaml");
  REQUIRE_FALSE(catalogue.ok());
  CHECK(catalogue.error().message().find("bad.yaml:") == 0);
  CHECK(catalogue.error().message().find("not valid YAML") != std::string::npos);
}

TEST_CASE("the three built-in profiles load by name") {
  std::vector<std::string> names = builtin_profile_names();
  CHECK(names == std::vector<std::string>{"any-validated", "fips140-2-boring", "fips140-3"});
  for (const std::string& name : names) {
    Result<Policy> policy = load_policy(name, shipped_catalogue());
    REQUIRE_MESSAGE(policy.ok(), (policy.ok() ? std::string() : policy.error().message()));
    CHECK(policy->name == name);
    CHECK_FALSE(policy->accepted_backends.empty());
  }
}

TEST_CASE("an unknown policy name is an error that lists the profiles") {
  Result<Policy> policy = load_policy("fips-please", shipped_catalogue());
  REQUIRE_FALSE(policy.ok());
  CHECK(policy.error().message().find("fips140-2-boring") != std::string::npos);
}

TEST_CASE("a policy file extends a profile and overrides severities per rule") {
  std::string yaml =
      "schema: fipsgate.policy/v1\n"
      "name: team\n"
      "extends: fips140-3\n"
      "allowed_non_approved: [golang.org/x/crypto/bcrypt]\n"
      "severity:\n"
      "  FG202: note\n"
      "  FG111: off\n";
  Result<Policy> policy = parse_policy(yaml, "team.yaml", shipped_catalogue());
  REQUIRE_MESSAGE(policy.ok(), (policy.ok() ? std::string() : policy.error().message()));
  CHECK(policy->name == "team");
  CHECK(policy->require_fips_mode);  // from fips140-3
  CHECK(policy->accepted_backends.count(Backend::go_native_fips140));
  CHECK(policy->severity_overrides.at("FG202") == Severity::note);
  CHECK_FALSE(policy->severity_overrides.at("FG111").has_value());
}

TEST_CASE("a policy that overrides a rule not in the catalogue is rejected at its line") {
  std::string yaml =
      "schema: fipsgate.policy/v1\n"
      "name: team\n"
      "accepted_backends: [boringcrypto]\n"
      "severity:\n"
      "  FG999: note\n";
  Result<Policy> policy = parse_policy(yaml, "team.yaml", shipped_catalogue());
  REQUIRE_FALSE(policy.ok());
  CHECK(policy.error().message() ==
        "team.yaml:5: policy: field 'severity.FG999' names a rule that is not in the catalogue");
}

TEST_CASE("a policy with an unknown backend names the known ones") {
  std::string yaml = "schema: fipsgate.policy/v1\nname: p\naccepted_backends: [wolfssl]\n";
  Result<Policy> policy = parse_policy(yaml, "p.yaml", shipped_catalogue());
  REQUIRE_FALSE(policy.ok());
  CHECK(policy.error().message().find("p.yaml:3: policy: field 'accepted_backends'") == 0);
  CHECK(policy.error().message().find("go-native-fips140") != std::string::npos);
}

TEST_CASE("plain Go crypto fails every profile with FG110") {
  for (const std::string& profile : builtin_profile_names()) {
    BinaryVerdict verdict = judge_under(profile, standard_go_facts());
    CHECK_MESSAGE(verdict.verdict == Verdict::fail, profile);
    CHECK(has_finding(verdict, "FG110"));
  }
}

TEST_CASE("a binary that links no crypto at all passes") {
  Facts facts = standard_go_facts();
  facts.backends.clear();
  BinaryVerdict verdict = judge_under("any-validated", facts);
  CHECK(verdict.verdict == Verdict::pass);
  CHECK(verdict.findings.empty());
}

TEST_CASE("a historical 140-2 BoringCrypto certificate warns under fips140-2-boring") {
  BinaryVerdict verdict = judge_under("fips140-2-boring", boring_140_2_facts(), kAfterSunset);
  CHECK(verdict.verdict == Verdict::warn);
  const JudgedFinding* historical = find_finding(verdict, "FG120");
  REQUIRE(historical != nullptr);
  CHECK(historical->finding.severity == Severity::warning);
  CHECK(historical->finding.message.find("3678") != std::string::npos);
  CHECK(has_finding(verdict, "FG101"));
}

TEST_CASE("the same BoringCrypto certificate is active before its sunset date") {
  BinaryVerdict verdict = judge_under("fips140-2-boring", boring_140_2_facts(), kBeforeSunset);
  CHECK(verdict.verdict == Verdict::pass);
  CHECK_FALSE(has_finding(verdict, "FG120"));
}

TEST_CASE("a FIPS 140-2 module fails fips140-3 and a FIPS 140-3 BoringCrypto passes it") {
  BinaryVerdict old_module = judge_under("fips140-3", boring_140_2_facts(), kBeforeSunset);
  CHECK(old_module.verdict == Verdict::fail);
  const JudgedFinding* standard = find_finding(old_module, "FG110");
  REQUIRE(standard != nullptr);
  CHECK(standard->finding.message.find("FIPS 140-2") != std::string::npos);

  Facts facts = boring_140_2_facts();
  facts.module->certificate = "4735";
  facts.module->standard = "FIPS 140-3";
  facts.module->sunset_date = "";
  CHECK(judge_under("fips140-3", facts, kAfterSunset).verdict == Verdict::pass);
}

TEST_CASE("the Go native module passes fips140-3 only when FIPS mode is on at start") {
  BinaryVerdict on = judge_under("fips140-3", native_v1_facts(true));
  CHECK(on.verdict == Verdict::pass);
  CHECK(has_finding(on, "FG102"));
  BinaryVerdict off = judge_under("fips140-3", native_v1_facts(false));
  CHECK(off.verdict == Verdict::fail);
  CHECK(has_finding(off, "FG310"));
}

TEST_CASE("an in-process native module passes fips140-3 but fails any-validated with FG121") {
  Facts facts = native_v1_facts(true);
  facts.module->version = "v1.26.0";
  facts.module->certificate = "";
  facts.module->status = "in-process";
  CHECK(judge_under("fips140-3", facts).verdict == Verdict::pass);
  BinaryVerdict strict = judge_under("any-validated", facts);
  CHECK(strict.verdict == Verdict::fail);
  const JudgedFinding* finding = find_finding(strict, "FG121");
  REQUIRE(finding != nullptr);
  CHECK(finding->finding.message.find("in process") != std::string::npos);
}

TEST_CASE("in-tree native module code without a certificate fails with FG121") {
  Facts facts = native_v1_facts(true);
  facts.module->version = "latest";
  facts.module->certificate = "";
  facts.module->status = "none";
  BinaryVerdict verdict = judge_under("fips140-3", facts);
  CHECK(verdict.verdict == Verdict::fail);
  CHECK(has_finding(verdict, "FG121"));
}

TEST_CASE("a non-approved algorithm called from main fails with FG201 and its call site") {
  Facts facts = native_v1_facts(true);
  facts.non_approved.push_back(md5_from_main());
  BinaryVerdict verdict = judge_under("fips140-3", facts);
  CHECK(verdict.verdict == Verdict::fail);
  const JudgedFinding* finding = find_finding(verdict, "FG201");
  REQUIRE(finding != nullptr);
  CHECK(finding->finding.message.find("crypto/md5") != std::string::npos);
  CHECK(finding->finding.message.find("main.main at 0x4a1b20") != std::string::npos);
  REQUIRE_FALSE(finding->finding.evidence.empty());
  CHECK(finding->finding.evidence[0].function == "main.main");
}

TEST_CASE("non-approved code reached only from the standard library is not a finding") {
  Facts facts = native_v1_facts(true);
  NonApprovedUse use = md5_from_main();
  use.callers.clear();
  use.std_internal_only = true;
  facts.non_approved.push_back(use);
  BinaryVerdict verdict = judge_under("fips140-3", facts);
  CHECK(verdict.verdict == Verdict::pass);
  CHECK_FALSE(has_finding(verdict, "FG201"));
}

TEST_CASE("a package the policy allows is not reported, by glob") {
  Facts facts = native_v1_facts(true);
  NonApprovedUse use = md5_from_main();
  use.package = "golang.org/x/crypto/bcrypt";
  facts.non_approved.push_back(use);
  std::string yaml =
      "schema: fipsgate.policy/v1\nname: p\nextends: fips140-3\n"
      "allowed_non_approved: [\"golang.org/x/crypto/*\"]\n";
  Result<Policy> policy = parse_policy(yaml, "p.yaml", shipped_catalogue());
  REQUIRE(policy.ok());
  BinaryVerdict verdict = judge_with(*policy, facts, {}, kAfterSunset);
  CHECK(verdict.verdict == Verdict::pass);
}

TEST_CASE("an approved algorithm outside the module is FG202, a warning by default") {
  Facts facts = native_v1_facts(true);
  NonApprovedUse use = md5_from_main();
  use.package = "crypto/sha1";
  use.reason_code = "UV";
  use.reason = "SHA-1 is implemented outside the validated module";
  facts.non_approved.push_back(use);
  BinaryVerdict verdict = judge_under("fips140-3", facts);
  CHECK(verdict.verdict == Verdict::warn);
  REQUIRE(find_finding(verdict, "FG202") != nullptr);
  CHECK(find_finding(verdict, "FG202")->finding.severity == Severity::warning);
}

TEST_CASE("every finding is kept, not only the first, sorted by rule ID") {
  Facts facts = native_v1_facts(false);
  facts.non_approved.push_back(md5_from_main());
  facts.findings.push_back({"FG903", Severity::note, "call-site budget reached", {}});
  BinaryVerdict verdict = judge_under("fips140-3", facts);
  std::vector<std::string> ids;
  for (const JudgedFinding& judged : verdict.findings) ids.push_back(judged.finding.rule_id);
  CHECK(ids == std::vector<std::string>{"FG102", "FG201", "FG310", "FG903"});
}

TEST_CASE("a finding the analysis reported is kept with its evidence and decides the verdict") {
  Facts facts = standard_go_facts();
  facts.go_experiments = {"boringcrypto"};
  Evidence setting;
  setting.kind = Evidence::Kind::build_setting;
  setting.build_setting_line = "build\tCGO_ENABLED=0";
  facts.findings.push_back(
      {"FG301", Severity::error, "GOEXPERIMENT=boringcrypto with CGO_ENABLED=0", {setting}});
  BinaryVerdict verdict = judge_under("fips140-2-boring", facts);
  CHECK(verdict.verdict == Verdict::fail);
  const JudgedFinding* finding = find_finding(verdict, "FG301");
  REQUIRE(finding != nullptr);
  CHECK(finding->finding.evidence.at(0).build_setting_line == "build\tCGO_ENABLED=0");
}

TEST_CASE("two validated backends in one binary are reported as FG111") {
  Facts facts = native_v1_facts(true);
  facts.backends.push_back(BackendFact{Backend::boringcrypto, {}});
  BinaryVerdict verdict = judge_under("fips140-3", facts);
  const JudgedFinding* finding = find_finding(verdict, "FG111");
  REQUIRE(finding != nullptr);
  CHECK(finding->finding.message.find("boringcrypto") != std::string::npos);
  CHECK(verdict.verdict == Verdict::warn);
}

TEST_CASE("a severity override of off removes the rule, and note does not fail") {
  Facts facts = native_v1_facts(false);
  std::string yaml =
      "schema: fipsgate.policy/v1\nname: p\nextends: fips140-3\nseverity: {FG310: off}\n";
  Result<Policy> policy = parse_policy(yaml, "p.yaml", shipped_catalogue());
  REQUIRE(policy.ok());
  BinaryVerdict verdict = judge_with(*policy, facts, {}, kAfterSunset);
  CHECK_FALSE(has_finding(verdict, "FG310"));
  CHECK(verdict.verdict == Verdict::pass);
}

TEST_CASE("TLS restriction is enforced only when the policy requires it") {
  Facts facts = native_v1_facts(true);
  std::string yaml =
      "schema: fipsgate.policy/v1\nname: p\nextends: fips140-3\nrequire_tls_restricted: true\n";
  Result<Policy> policy = parse_policy(yaml, "p.yaml", shipped_catalogue());
  REQUIRE(policy.ok());
  CHECK(has_finding(judge_with(*policy, facts, {}, kAfterSunset), "FG311"));
  facts.fips_mode.tls_restricted = true;
  CHECK_FALSE(has_finding(judge_with(*policy, facts, {}, kAfterSunset), "FG311"));
  CHECK_FALSE(has_finding(judge_under("fips140-3", native_v1_facts(true)), "FG311"));
}

TEST_CASE("an unanalyzable binary is never passing and carries FG904 with the error") {
  Facts facts;
  facts.path = "bin/broken";
  facts.analyzable = false;
  facts.errors = {"ELF: e_phoff 0xffffffff is past the end of the 64-byte file"};
  BinaryVerdict verdict = judge_under("any-validated", facts);
  CHECK(verdict.verdict == Verdict::unanalyzable);
  const JudgedFinding* finding = find_finding(verdict, "FG904");
  REQUIRE(finding != nullptr);
  CHECK(finding->finding.message.find("e_phoff 0xffffffff") != std::string::npos);
}

TEST_CASE("a partly unreadable binary without findings warns instead of passing") {
  Facts facts = standard_go_facts();
  facts.backends.clear();
  facts.errors = {"pclntab: nfunc 4294967295 exceeds the table"};
  CHECK(judge_under("any-validated", facts).verdict == Verdict::warn);
}

TEST_CASE("dates parse strictly and compare in calendar order") {
  CHECK(Date::parse("2026-02-29").ok() == false);
  CHECK(Date::parse("2024-02-29").ok());
  CHECK_FALSE(Date::parse("2026-9-21").ok());
  CHECK_FALSE(Date::parse("2026-13-01").ok());
  CHECK(Date::parse("2026-09-20").value() < Date::parse("2026-09-21").value());
  CHECK(Date::parse("2026-09-21")->iso() == "2026-09-21");
}

TEST_CASE("docs/rules.md documents every rule of the catalogue under its own heading") {
  std::ifstream stream(std::string(FIPSGATE_SOURCE_DIR) + "/docs/rules.md");
  std::stringstream text;
  text << stream.rdbuf();
  for (const Rule& rule : shipped_catalogue().rules()) {
    CHECK_MESSAGE(text.str().find("\n## " + rule.id + "\n") != std::string::npos, rule.id);
    CHECK_MESSAGE(text.str().find("**" + rule.title + "**") != std::string::npos, rule.id);
  }
}
