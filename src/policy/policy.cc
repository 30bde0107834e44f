#include "fipsgate/policy/policy.h"

#include <algorithm>
#include <filesystem>

#include "policy/yaml_fields.h"

namespace fipsgate {
namespace {

using yaml_fields::MapReader;

constexpr std::string_view kPolicySchema = "fipsgate.policy/v1";
constexpr int kMaxExtendsDepth = 4;

struct BackendSpelling {
  Backend backend;
  std::string_view name;
};
constexpr BackendSpelling kBackendSpellings[] = {
    {Backend::boringcrypto, "boringcrypto"},
    {Backend::go_native_fips140, "go-native-fips140"},
    {Backend::openssl_golang_fips, "openssl-golang-fips"},
    {Backend::openssl_microsoft, "openssl-microsoft"},
    {Backend::standard_go, "standard-go"},
    {Backend::none, "none"},
};

const std::set<std::string>& known_module_statuses() {
  static const std::set<std::string> statuses = {"active", "historical", "in-process"};
  return statuses;
}

std::string profiles_directory() {
  return signatures_directory() + "/profiles";
}

Result<Policy> parse_policy_at_depth(std::string_view yaml_text, std::string_view source_name,
                                     const RuleCatalogue& catalogue, int depth);

Result<Policy> load_policy_at_depth(std::string_view name_or_path, const RuleCatalogue& catalogue,
                                    int depth) {
  std::string path(name_or_path);
  std::vector<std::string> profiles = builtin_profile_names();
  if (std::find(profiles.begin(), profiles.end(), path) != profiles.end()) {
    path = profiles_directory() + "/" + path + ".yaml";
  } else if (!std::filesystem::exists(path)) {
    std::string known;
    for (const std::string& profile : profiles) known += (known.empty() ? "" : ", ") + profile;
    return Error("policy '" + std::string(name_or_path) + "' is neither a built-in profile (" +
                 known + ") nor an existing file");
  }
  FG_TRY(std::string text, yaml::read_text_file(path));
  return parse_policy_at_depth(text, path, catalogue, depth);
}

Status read_backends(const MapReader& reader, Policy& policy) {
  FG_TRY(auto names, reader.optional_string_list("accepted_backends"));
  if (!names) return Ok{};
  policy.accepted_backends.clear();
  for (const std::string& name : *names) {
    Result<Backend> backend = parse_backend(name);
    if (!backend) {
      return reader.error_at(reader.node["accepted_backends"], "accepted_backends",
                             backend.error().message());
    }
    policy.accepted_backends.insert(*backend);
  }
  return Ok{};
}

Status read_module_statuses(const MapReader& reader, Policy& policy) {
  FG_TRY(auto statuses, reader.optional_string_list("accepted_module_status"));
  if (!statuses) return Ok{};
  policy.accepted_module_status.clear();
  for (const std::string& status : *statuses) {
    if (!known_module_statuses().count(status)) {
      return reader.error_at(reader.node["accepted_module_status"], "accepted_module_status",
                             "must list active, historical or in-process, found '" + status + "'");
    }
    policy.accepted_module_status.insert(status);
  }
  return Ok{};
}

Status read_standards(const MapReader& reader, Policy& policy) {
  FG_TRY(auto standards, reader.optional_string_list("accepted_standards"));
  if (!standards) return Ok{};
  policy.accepted_standards.clear();
  for (const std::string& standard : *standards) {
    if (standard != "FIPS 140-2" && standard != "FIPS 140-3") {
      return reader.error_at(reader.node["accepted_standards"], "accepted_standards",
                             "must list FIPS 140-2 or FIPS 140-3, found '" + standard + "'");
    }
    policy.accepted_standards.insert(standard);
  }
  return Ok{};
}

Status read_severities(const MapReader& reader, const RuleCatalogue& catalogue, Policy& policy) {
  const yaml::Node severities = reader.node["severity"];
  if (!severities) return Ok{};
  if (!severities.is_mapping()) return reader.error_at(severities, "severity", "must be a mapping");
  for (const yaml::Entry& entry : severities.entries()) {
    const std::string& rule_id = entry.key.text();
    std::string field = "severity." + rule_id;
    if (catalogue.find(rule_id) == nullptr) {
      return reader.error_at(entry.key, field, "names a rule that is not in the catalogue");
    }
    if (!entry.value.is_scalar()) return reader.error_at(entry.value, field, "must be a value");
    const std::string& value = entry.value.text();
    if (value == "off") {
      policy.severity_overrides[rule_id] = std::nullopt;
      continue;
    }
    Result<Severity> severity = parse_severity(value);
    if (!severity) {
      return reader.error_at(entry.value, field,
                             "must be note, warning, error or off, found '" + value + "'");
    }
    policy.severity_overrides[rule_id] = *severity;
  }
  return Ok{};
}

Result<Policy> start_policy(const MapReader& reader, const RuleCatalogue& catalogue, int depth) {
  FG_TRY(std::optional<std::string> base, reader.optional_string("extends"));
  if (!base) return Policy{};
  if (depth >= kMaxExtendsDepth) {
    return reader.error_at(reader.node["extends"], "extends",
                           "nests deeper than " + std::to_string(kMaxExtendsDepth) + " policies");
  }
  Result<Policy> parent = load_policy_at_depth(*base, catalogue, depth + 1);
  if (!parent) return reader.error_at(reader.node["extends"], "extends", parent.error().message());
  return parent;
}

Result<Policy> parse_policy_at_depth(std::string_view yaml_text, std::string_view source_name,
                                     const RuleCatalogue& catalogue, int depth) {
  FG_TRY(yaml::Document parsed, yaml::parse(yaml_text, source_name));
  const yaml::Node document = parsed.root();
  if (!document.is_mapping()) return Error(std::string(source_name) + ": expected a mapping");
  MapReader reader{document, source_name, "policy"};
  if (Status known =
          reader.only_fields({"schema", "name", "description", "extends", "accepted_backends",
                              "accepted_module_status", "accepted_standards", "require_fips_mode",
                              "require_tls_restricted", "allowed_non_approved", "severity"});
      !known) {
    return known.error();
  }
  FG_TRY(std::string schema, reader.required_string("schema"));
  if (schema != kPolicySchema) {
    return reader.error_at(document["schema"], "schema",
                           "must be " + std::string(kPolicySchema) + ", found '" + schema + "'");
  }
  FG_TRY(Policy policy, start_policy(reader, catalogue, depth));
  FG_TRY(policy.name, reader.required_string("name"));
  FG_TRY(auto description, reader.optional_string("description"));
  if (description) policy.description = *description;
  policy.source = std::string(source_name);
  if (Status status = read_backends(reader, policy); !status) return status.error();
  if (Status status = read_module_statuses(reader, policy); !status) return status.error();
  if (Status status = read_standards(reader, policy); !status) return status.error();
  FG_TRY(auto fips_mode, reader.optional_bool("require_fips_mode"));
  if (fips_mode) policy.require_fips_mode = *fips_mode;
  FG_TRY(auto tls, reader.optional_bool("require_tls_restricted"));
  if (tls) policy.require_tls_restricted = *tls;
  FG_TRY(auto allowed, reader.optional_string_list("allowed_non_approved"));
  if (allowed) {
    policy.allowed_non_approved.insert(policy.allowed_non_approved.end(), allowed->begin(),
                                       allowed->end());
  }
  if (Status status = read_severities(reader, catalogue, policy); !status) return status.error();
  if (policy.accepted_backends.empty()) {
    return reader.error_at(document, "accepted_backends",
                           "is missing or empty: a policy must accept at least one backend");
  }
  return policy;
}

}  // namespace

std::string_view backend_name(Backend backend) {
  for (const BackendSpelling& spelling : kBackendSpellings) {
    if (spelling.backend == backend) return spelling.name;
  }
  return "none";
}

Result<Backend> parse_backend(std::string_view text) {
  for (const BackendSpelling& spelling : kBackendSpellings) {
    if (spelling.name == text) return spelling.backend;
  }
  std::string known;
  for (const BackendSpelling& spelling : kBackendSpellings) {
    known += (known.empty() ? "" : ", ") + std::string(spelling.name);
  }
  return Error("names no backend: '" + std::string(text) + "' (known: " + known + ")");
}

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(profiles_directory(), error)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<Policy> load_policy(std::string_view name_or_path, const RuleCatalogue& catalogue) {
  return load_policy_at_depth(name_or_path, catalogue, 0);
}

Result<Policy> parse_policy(std::string_view yaml_text, std::string_view source_name,
                            const RuleCatalogue& catalogue) {
  return parse_policy_at_depth(yaml_text, source_name, catalogue, 0);
}

}  // namespace fipsgate
