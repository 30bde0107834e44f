// Hand-built Facts for policy, waiver and report tests: the analysis contract filled the way
// the analysis fills it for typical binaries (backend evidence with offsets, a module row from
// signatures/modules.yaml, non-approved calls from main).
#pragma once

#include <string>
#include <vector>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/policy/policy.h"
#include "fipsgate/policy/rules.h"
#include "fipsgate/policy/verdict.h"
#include "fipsgate/policy/waivers.h"

namespace fipsgate::testing {

inline constexpr const char* kBeforeSunset = "2026-03-01";
inline constexpr const char* kAfterSunset = "2026-11-27";

const RuleCatalogue& shipped_catalogue();

Facts standard_go_facts(std::string path = "bin/plain");
Facts boring_140_2_facts(std::string path = "bin/boring");
Facts native_v1_facts(bool fips_mode_on, std::string path = "bin/native");
NonApprovedUse md5_from_main();

BinaryVerdict judge_with(const Policy& policy, Facts facts, const std::vector<Waiver>& waivers,
                         const char* date);
BinaryVerdict judge_under(const std::string& profile, Facts facts, const char* date = kAfterSunset,
                          const std::vector<Waiver>& waivers = {});

const JudgedFinding* find_finding(const BinaryVerdict& verdict, const std::string& rule_id);
bool has_finding(const BinaryVerdict& verdict, const std::string& rule_id);

// Whether a test that needs an external tool or a sample must fail instead of skipping.
bool samples_required();

}  // namespace fipsgate::testing
