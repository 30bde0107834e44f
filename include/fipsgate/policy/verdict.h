// Verdicts: a policy and waivers applied to one binary's facts on a scan date. Every finding
// is kept (not only the first), each with the severity the policy gives it and, when waived,
// the waiver that did so.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/policy/date.h"
#include "fipsgate/policy/policy.h"
#include "fipsgate/policy/rules.h"
#include "fipsgate/policy/waivers.h"

namespace fipsgate {

enum class Verdict : uint8_t { pass, warn, fail, unanalyzable };
std::string_view verdict_name(Verdict verdict);

struct JudgedFinding {
  Finding finding;                  // severity here is the effective one under the policy
  std::optional<Waiver> waived_by;  // set when a live waiver accepted this finding
};

struct BinaryVerdict {
  Facts facts;
  Verdict verdict = Verdict::unanalyzable;
  std::vector<JudgedFinding> findings;  // sorted by rule ID, then message
};

struct JudgeContext {
  const Policy& policy;
  const std::vector<Waiver>& waivers;
  const RuleCatalogue& catalogue;
  Date scan_date;
};

// The module's certificate status on the scan date: the table's status, turned "historical"
// when the sunset date has passed.
std::string effective_module_status(const ModuleIdentity& module, Date scan_date);

// Findings the policy derives from the facts (FG1xx, FG2xx, FG31x, FG904), before waivers.
// A rule the analysis already reported is not derived again.
std::vector<Finding> derive_findings(const Facts& facts, const Policy& policy,
                                     const RuleCatalogue& catalogue, Date scan_date);

BinaryVerdict judge(Facts facts, const JudgeContext& context);

// A binary that could not be read at all: its verdict is unanalyzable with one FG904 finding.
BinaryVerdict judge_unreadable(std::string path, const Error& error, const JudgeContext& context);

}  // namespace fipsgate
