#include "fipsgate/policy/verdict.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

namespace fipsgate {
namespace {

std::string hex_address(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

bool is_validated_backend(Backend backend) {
  return backend != Backend::standard_go && backend != Backend::none;
}

// Builds findings with the catalogue's default severity.
class FindingSink {
 public:
  FindingSink(const Facts& facts, const RuleCatalogue& catalogue) : catalogue_(catalogue) {
    for (const Finding& finding : facts.findings) reported_by_analysis_.insert(finding.rule_id);
  }

  // A rule the analysis reported itself is not derived a second time.
  bool wants(std::string_view rule_id) const {
    return !reported_by_analysis_.count(std::string(rule_id));
  }

  void add(std::string rule_id, std::string message, std::vector<Evidence> evidence = {}) {
    if (!wants(rule_id)) return;
    const Rule* rule = catalogue_.find(rule_id);
    Severity severity = rule ? rule->default_severity : Severity::error;
    findings_.push_back(
        Finding{std::move(rule_id), severity, std::move(message), std::move(evidence)});
  }

  Finding* last() { return findings_.empty() ? nullptr : &findings_.back(); }
  std::vector<Finding> take() { return std::move(findings_); }

 private:
  const RuleCatalogue& catalogue_;
  std::set<std::string> reported_by_analysis_;
  std::vector<Finding> findings_;
};

std::string list_backends(const std::set<Backend>& backends) {
  std::string text;
  for (Backend backend : backends)
    text += (text.empty() ? "" : ", ") + std::string(backend_name(backend));
  return text;
}

void derive_backend_findings(const Facts& facts, const Policy& policy, FindingSink& sink,
                             bool& accepted_backend_linked) {
  std::set<Backend> validated;
  bool uses_crypto = !facts.non_approved.empty();
  for (const BackendFact& fact : facts.backends) {
    if (fact.backend != Backend::none) uses_crypto = true;
    if (policy.accepted_backends.count(fact.backend)) accepted_backend_linked = true;
    if (!is_validated_backend(fact.backend)) continue;
    validated.insert(fact.backend);
    if (fact.backend == Backend::boringcrypto) {
      sink.add("FG101", "BoringCrypto (BoringSSL FIPS module) is linked", fact.evidence);
    } else if (fact.backend == Backend::go_native_fips140) {
      sink.add("FG102", "Go native FIPS 140-3 module is linked", fact.evidence);
    } else {
      sink.add("FG103",
               "OpenSSL backend " + std::string(backend_name(fact.backend)) +
                   " is linked; the validated module is the host's libcrypto",
               fact.evidence);
    }
  }
  if (validated.size() > 1) {
    sink.add("FG111", "more than one crypto backend is linked: " + list_backends(validated));
  }
  if (uses_crypto && !accepted_backend_linked) {
    std::set<Backend> found;
    for (const BackendFact& fact : facts.backends) found.insert(fact.backend);
    std::vector<Evidence> evidence;
    for (const BackendFact& fact : facts.backends) {
      evidence.insert(evidence.end(), fact.evidence.begin(), fact.evidence.end());
    }
    sink.add("FG110",
             "no accepted crypto module: found " +
                 (found.empty() ? "no backend" : list_backends(found)) + "; policy " + policy.name +
                 " accepts " + list_backends(policy.accepted_backends),
             std::move(evidence));
  }
}

std::string certificate_words(const ModuleIdentity& module) {
  std::string words = module.family.empty() ? std::string("module") : module.family;
  if (!module.version.empty()) words += " " + module.version;
  if (!module.certificate.empty()) words += " (certificate #" + module.certificate;
  if (!module.standard.empty())
    words += (module.certificate.empty() ? " (" : ", ") + module.standard;
  if (!module.certificate.empty() || !module.standard.empty()) words += ")";
  return words;
}

void derive_module_findings(const Facts& facts, const Policy& policy, Date scan_date,
                            FindingSink& sink) {
  bool native_accepted = false;
  bool boring_accepted = false;
  for (const BackendFact& fact : facts.backends) {
    if (!policy.accepted_backends.count(fact.backend)) continue;
    native_accepted |= fact.backend == Backend::go_native_fips140;
    boring_accepted |= fact.backend == Backend::boringcrypto;
  }
  if (!facts.module) {
    // OpenSSL backends load the host's libcrypto: there is no module in the binary to identify.
    if (native_accepted || boring_accepted) {
      sink.add("FG121", "the linked module's version could not be matched to a CMVP certificate");
    }
    return;
  }
  const ModuleIdentity& module = *facts.module;
  if (!native_accepted && !boring_accepted && module.family == "openssl") return;
  if (!policy.accepted_standards.empty() && !module.standard.empty() &&
      !policy.accepted_standards.count(module.standard)) {
    std::string accepted;
    for (const std::string& standard : policy.accepted_standards) {
      accepted += (accepted.empty() ? "" : " or ") + standard;
    }
    sink.add("FG110",
             certificate_words(module) + " is validated under " + module.standard + "; policy " +
                 policy.name + " requires " + accepted,
             module.evidence);
  }
  std::string status = effective_module_status(module, scan_date);
  if (status == "historical") {
    std::string when = module.sunset_date.empty() ? "" : " since " + module.sunset_date;
    sink.add("FG120",
             certificate_words(module) + " is historical" + when + " (scan date " +
                 scan_date.iso() + ")",
             module.evidence);
    // A profile that accepts historical certificates reports them as a warning by default.
    if (Finding* finding = sink.last(); finding && finding->rule_id == "FG120" &&
                                        policy.accepted_module_status.count("historical")) {
      finding->severity = Severity::warning;
    }
    return;
  }
  if (status == "active" || policy.accepted_module_status.count(status)) return;
  std::string why =
      status == "in-process" ? " is in process, not yet validated" : " has no CMVP certificate";
  sink.add("FG121", certificate_words(module) + why, module.evidence);
}

bool package_allowed(const Policy& policy, const std::string& package) {
  for (const std::string& pattern : policy.allowed_non_approved) {
    if (fnmatch(pattern.c_str(), package.c_str(), 0) == 0) return true;
  }
  return false;
}

std::vector<Evidence> caller_evidence(const NonApprovedUse& use) {
  std::vector<Evidence> evidence;
  for (const Caller& caller : use.callers) {
    Evidence item;
    item.kind = Evidence::Kind::function;
    item.description = caller.function + " calls " + caller.callee;
    item.function = caller.function;
    if (caller.call_site_vaddr != 0) item.vaddr = caller.call_site_vaddr;
    evidence.push_back(std::move(item));
  }
  if (evidence.empty()) {
    for (const std::string& function : use.functions) {
      Evidence item;
      item.kind = Evidence::Kind::function;
      item.description = "function " + function + " is linked";
      item.function = function;
      evidence.push_back(std::move(item));
    }
  }
  return evidence;
}

void derive_non_approved_findings(const Facts& facts, const Policy& policy, FindingSink& sink) {
  for (const NonApprovedUse& use : facts.non_approved) {
    if (use.std_internal_only || package_allowed(policy, use.package)) continue;
    std::string rule_id = use.reason_code == "NA" ? "FG201" : "FG202";
    std::string reason = use.reason.empty() ? use.reason_code : use.reason;
    while (!reason.empty() && (reason.back() == '.' || reason.back() == ' ')) reason.pop_back();
    std::string message = use.package + ": " + reason;
    if (!use.callers.empty()) {
      const Caller& first = use.callers.front();
      message += "; called by " + first.function;
      if (first.call_site_vaddr != 0) message += " at " + hex_address(first.call_site_vaddr);
      if (use.callers.size() > 1) {
        message += " and " + std::to_string(use.callers.size() - 1) + " more";
      }
    }
    sink.add(rule_id, message, caller_evidence(use));
  }
}

void derive_mode_findings(const Facts& facts, const Policy& policy, bool accepted_backend_linked,
                          FindingSink& sink) {
  if (!accepted_backend_linked) return;  // FG110 already says the module is missing
  bool boring_only =
      std::all_of(facts.backends.begin(), facts.backends.end(), [](const auto& fact) {
        return fact.backend == Backend::boringcrypto || !is_validated_backend(fact.backend);
      });
  const FipsModeFact& mode = facts.fips_mode;
  // BoringCrypto has no mode switch: its init refuses to run unless FIPS_mode() is 1 (§5.2).
  if (policy.require_fips_mode && !boring_only && !mode.enabled_at_start && !mode.requirefips) {
    std::string godebug = mode.default_godebug.empty() ? "empty" : "'" + mode.default_godebug + "'";
    sink.add("FG310",
             "FIPS mode is not turned on at start: default GODEBUG is " + godebug +
                 ", no requirefips tag",
             mode.evidence);
  }
  if (policy.require_tls_restricted && !mode.tls_restricted) {
    sink.add("FG311",
             "TLS is not restricted to FIPS-approved settings (no crypto/tls/fipsonly, "
             "no fips140=only)",
             mode.evidence);
  }
}

std::optional<Severity> effective_severity(const Finding& finding, const Policy& policy) {
  auto override_entry = policy.severity_overrides.find(finding.rule_id);
  if (override_entry != policy.severity_overrides.end()) return override_entry->second;
  return finding.severity;
}

void apply_waivers(BinaryVerdict& verdict, const JudgeContext& context) {
  std::vector<JudgedFinding> expiry_findings;
  for (JudgedFinding& judged : verdict.findings) {
    const Waiver* expired = nullptr;
    for (const Waiver& waiver : context.waivers) {
      if (waiver.rule_id != judged.finding.rule_id ||
          !waiver_matches_binary(waiver, verdict.facts)) {
        continue;
      }
      if (context.scan_date <= waiver.expires) {
        judged.waived_by = waiver;
        break;
      }
      expired = &waiver;
    }
    if (judged.waived_by || expired == nullptr) continue;
    const Rule* rule = context.catalogue.find("FG905");
    Finding expiry{"FG905",
                   rule ? rule->default_severity : Severity::warning,
                   "waiver " + expired->location + " for " + expired->rule_id + " expired on " +
                       expired->expires.iso() +
                       (expired->ticket.empty() ? "" : " (ticket " + expired->ticket + ")") +
                       "; the finding counts again",
                   {}};
    if (auto severity = effective_severity(expiry, context.policy)) {
      expiry.severity = *severity;
      expiry_findings.push_back(JudgedFinding{std::move(expiry), std::nullopt});
    }
  }
  for (JudgedFinding& judged : expiry_findings) verdict.findings.push_back(std::move(judged));
}

Verdict verdict_from_findings(const BinaryVerdict& verdict) {
  if (!verdict.facts.analyzable) return Verdict::unanalyzable;
  // A partly unreadable binary may be missing evidence: it never passes silently.
  Verdict result = verdict.facts.errors.empty() ? Verdict::pass : Verdict::warn;
  for (const JudgedFinding& judged : verdict.findings) {
    if (judged.waived_by) continue;
    if (judged.finding.severity == Severity::error) return Verdict::fail;
    if (judged.finding.severity == Severity::warning) result = Verdict::warn;
  }
  return result;
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "pass";
    case Verdict::warn:
      return "warn";
    case Verdict::fail:
      return "fail";
    case Verdict::unanalyzable:
      return "unanalyzable";
  }
  return "unanalyzable";
}

std::string effective_module_status(const ModuleIdentity& module, Date scan_date) {
  if (module.status == "historical") return "historical";
  if (!module.sunset_date.empty()) {
    Result<Date> sunset = Date::parse(module.sunset_date);
    if (sunset && scan_date >= *sunset) return "historical";
  }
  return module.status.empty() ? "none" : module.status;
}

std::vector<Finding> derive_findings(const Facts& facts, const Policy& policy,
                                     const RuleCatalogue& catalogue, Date scan_date) {
  FindingSink sink(facts, catalogue);
  if (!facts.analyzable) {
    std::string message = "binary could not be analyzed";
    for (const std::string& error : facts.errors) message += "; " + error;
    sink.add("FG904", message);
    return sink.take();
  }
  bool accepted_backend_linked = false;
  derive_backend_findings(facts, policy, sink, accepted_backend_linked);
  if (accepted_backend_linked) derive_module_findings(facts, policy, scan_date, sink);
  derive_non_approved_findings(facts, policy, sink);
  derive_mode_findings(facts, policy, accepted_backend_linked, sink);
  return sink.take();
}

BinaryVerdict judge(Facts facts, const JudgeContext& context) {
  BinaryVerdict verdict;
  std::vector<Finding> all = facts.findings;
  std::vector<Finding> derived =
      derive_findings(facts, context.policy, context.catalogue, context.scan_date);
  all.insert(all.end(), std::make_move_iterator(derived.begin()),
             std::make_move_iterator(derived.end()));
  verdict.facts = std::move(facts);
  for (Finding& finding : all) {
    std::optional<Severity> severity = effective_severity(finding, context.policy);
    if (!severity) continue;  // the policy turned this rule off
    finding.severity = *severity;
    verdict.findings.push_back(JudgedFinding{std::move(finding), std::nullopt});
  }
  apply_waivers(verdict, context);
  std::stable_sort(verdict.findings.begin(), verdict.findings.end(),
                   [](const JudgedFinding& left, const JudgedFinding& right) {
                     return std::tie(left.finding.rule_id, left.finding.message) <
                            std::tie(right.finding.rule_id, right.finding.message);
                   });
  verdict.verdict = verdict_from_findings(verdict);
  return verdict;
}

BinaryVerdict judge_unreadable(std::string path, const Error& error, const JudgeContext& context) {
  Facts facts;
  facts.path = std::move(path);
  facts.analyzable = false;
  facts.errors.push_back(error.message());
  return judge(std::move(facts), context);
}

}  // namespace fipsgate
