// Waivers: a recorded, time-limited decision to accept one rule's finding for some binaries.
// A waiver names the rule, matches binaries by path glob, SHA-256 or Go build ID (every
// matcher given must match), says why and until when. An expired waiver waives nothing and is
// itself a finding (FG905).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/io/result.h"
#include "fipsgate/policy/date.h"
#include "fipsgate/policy/rules.h"

namespace fipsgate {

struct Waiver {
  std::string rule_id;
  std::string path_glob;  // fnmatch(3) pattern, '*' crosses '/'; empty = any path
  std::string sha256;     // lower-case hex; empty = any
  std::string build_id;   // Go build ID; empty = any
  std::string reason;
  std::string ticket;
  Date expires;          // last day on which the waiver applies
  std::string location;  // "waivers.yaml:12", for messages
};

Result<std::vector<Waiver>> load_waivers(const std::string& path, const RuleCatalogue& catalogue);
Result<std::vector<Waiver>> parse_waivers(std::string_view yaml_text, std::string_view source_name,
                                          const RuleCatalogue& catalogue);

// True when the waiver's matchers all match this binary (expiry and rule not considered).
bool waiver_matches_binary(const Waiver& waiver, const Facts& facts);

}  // namespace fipsgate
