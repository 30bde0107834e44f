#include "support/policy_fixtures.h"

#include <cstdlib>
#include <stdexcept>

namespace fipsgate::testing {

const RuleCatalogue& shipped_catalogue() {
  static const RuleCatalogue catalogue = [] {
    Result<RuleCatalogue> loaded =
        RuleCatalogue::load_file(std::string(FIPSGATE_SOURCE_DIR) + "/signatures/rules.yaml");
    if (!loaded) throw std::runtime_error(loaded.error().message());
    return std::move(loaded).value();
  }();
  return catalogue;
}

namespace {

Evidence function_evidence(std::string function, uint64_t vaddr, uint64_t offset) {
  Evidence evidence;
  evidence.kind = Evidence::Kind::function;
  evidence.marker_id = "test.marker";
  evidence.description = "function " + function;
  evidence.function = function;
  evidence.vaddr = vaddr;
  evidence.file_offset = offset;
  evidence.section = ".text";
  return evidence;
}

Facts go_facts(std::string path, std::string version) {
  Facts facts;
  facts.path = std::move(path);
  facts.sha256 = std::string(64, 'a');
  facts.go_version = std::move(version);
  facts.go_build_id = "abc/def";
  facts.arch = "amd64";
  return facts;
}

}  // namespace

Facts standard_go_facts(std::string path) {
  Facts facts = go_facts(std::move(path), "go1.19.8");
  facts.backends.push_back(
      {Backend::standard_go,
       {function_evidence("crypto/internal/boring/sig.StandardCrypto", 0x4b2c40, 0xb2c40)}});
  return facts;
}

Facts boring_140_2_facts(std::string path) {
  Facts facts = go_facts(std::move(path), "go1.19.8 X:boringcrypto");
  facts.go_experiments = {"boringcrypto"};
  facts.backends.push_back(
      {Backend::boringcrypto,
       {function_evidence("crypto/internal/boring/sig.BoringCrypto", 0x4b2c00, 0xb2c00)}});
  ModuleIdentity module;
  module.family = "boringcrypto";
  module.version = "fips-20190808";
  module.certificate = "3678";
  module.standard = "FIPS 140-2";
  module.status = "active";
  module.sunset_date = "2026-09-21";
  module.source = "signatures/modules.yaml";
  facts.module = module;
  facts.fips_mode.enabled_at_start = true;
  facts.linkage.cgo = true;
  return facts;
}

Facts native_v1_facts(bool fips_mode_on, std::string path) {
  Facts facts = go_facts(std::move(path), "go1.24.4");
  facts.backends.push_back(
      {Backend::go_native_fips140,
       {function_evidence("crypto/internal/fips140/v1.0.0/sha256.New", 0x4c0000, 0xc0000)}});
  ModuleIdentity module;
  module.family = "go-fips140";
  module.version = "v1.0.0";
  module.certificate = "5247";
  module.standard = "FIPS 140-3";
  module.status = "active";
  facts.module = module;
  facts.fips_mode.enabled_at_start = fips_mode_on;
  facts.fips_mode.default_godebug = fips_mode_on ? "fips140=on" : "";
  facts.fips_mode.gofips140 = "v1.0.0";
  return facts;
}

NonApprovedUse md5_from_main() {
  NonApprovedUse use;
  use.package = "crypto/md5";
  use.reason_code = "NA";
  use.reason = "MD5 is not an approved hash";
  use.functions = {"crypto/md5.Sum"};
  use.callers = {Caller{"main.main", "main", 0x4a1b20, "crypto/md5.Sum"}};
  return use;
}

BinaryVerdict judge_with(const Policy& policy, Facts facts, const std::vector<Waiver>& waivers,
                         const char* date) {
  JudgeContext context{policy, waivers, shipped_catalogue(), Date::parse(date).value()};
  return judge(std::move(facts), context);
}

BinaryVerdict judge_under(const std::string& profile, Facts facts, const char* date,
                          const std::vector<Waiver>& waivers) {
  Result<Policy> policy = load_policy(profile, shipped_catalogue());
  if (!policy) throw std::runtime_error(policy.error().message());
  return judge_with(*policy, std::move(facts), waivers, date);
}

const JudgedFinding* find_finding(const BinaryVerdict& verdict, const std::string& rule_id) {
  for (const JudgedFinding& judged : verdict.findings) {
    if (judged.finding.rule_id == rule_id) return &judged;
  }
  return nullptr;
}

bool has_finding(const BinaryVerdict& verdict, const std::string& rule_id) {
  return find_finding(verdict, rule_id) != nullptr;
}

bool samples_required() {
  const char* value = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace fipsgate::testing
