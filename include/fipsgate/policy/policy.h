// Policies: what a binary must show to pass. The built-in profiles are YAML files in
// signatures/profiles/; --policy takes a profile name or a policy file of the same schema.
// A file may start from a profile with `extends:` and change any field.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/io/result.h"
#include "fipsgate/policy/rules.h"

namespace fipsgate {

struct Policy {
  std::string name;
  std::string description;
  std::string source;                            // file it was read from
  std::set<Backend> accepted_backends;           // a binary needs one of these with code evidence
  std::set<std::string> accepted_module_status;  // "active", "historical", "in-process"
  // "FIPS 140-2", "FIPS 140-3"; empty = any. Checked for modules inside the binary (an OpenSSL
  // backend's module is the host's libcrypto and cannot be checked here).
  std::set<std::string> accepted_standards;
  bool require_fips_mode = false;                 // FG310 when the binary does not turn it on
  bool require_tls_restricted = false;            // FG311 when TLS is not FIPS-only
  std::vector<std::string> allowed_non_approved;  // package globs ("golang.org/x/crypto/bcrypt")
  // Per-rule severity; std::nullopt turns the rule off ("off" in the file).
  std::map<std::string, std::optional<Severity>> severity_overrides;
};

// "boringcrypto", "go-native-fips140", "openssl-golang-fips", "openssl-microsoft",
// "standard-go", "none": the spelling used in policy files and reports.
std::string_view backend_name(Backend backend);
Result<Backend> parse_backend(std::string_view text);

// The names of the built-in profiles (files in signatures/profiles/), sorted.
std::vector<std::string> builtin_profile_names();

// `name_or_path` is a built-in profile name or the path of a policy file. Unknown rule IDs in
// `severity:` are errors, checked against the catalogue.
Result<Policy> load_policy(std::string_view name_or_path, const RuleCatalogue& catalogue);
Result<Policy> parse_policy(std::string_view yaml_text, std::string_view source_name,
                            const RuleCatalogue& catalogue);

}  // namespace fipsgate
