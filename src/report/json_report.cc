#include <nlohmann/json.hpp>

#include "fipsgate/report/report.h"
#include "report/evidence_words.h"

namespace fipsgate {
namespace {

using json = nlohmann::ordered_json;
using report_words::hex;

constexpr std::string_view kJsonSchema = "fipsgate.scan/v1";

// Addresses and offsets are hex strings ("0x4a1b20"): exact beyond 2^53, and the form xxd
// and objdump take.
json optional_hex(const std::optional<uint64_t>& value) {
  return value ? json(hex(*value)) : json(nullptr);
}

json evidence_json(const Evidence& evidence) {
  return {{"kind", report_words::evidence_kind_name(evidence.kind)},
          {"marker_id", evidence.marker_id},
          {"description", evidence.description},
          {"file_offset", optional_hex(evidence.file_offset)},
          {"vaddr", optional_hex(evidence.vaddr)},
          {"section", evidence.section},
          {"function", evidence.function},
          {"build_setting_line", evidence.build_setting_line}};
}

json evidence_list(const std::vector<Evidence>& evidence) {
  json list = json::array();
  for (const Evidence& item : evidence) list.push_back(evidence_json(item));
  return list;
}

json module_json(const std::optional<ModuleIdentity>& module, Date scan_date) {
  if (!module) return nullptr;
  return {{"family", module->family},
          {"version", module->version},
          {"certificate", module->certificate},
          {"standard", module->standard},
          {"status", module->status},
          {"status_on_scan_date", effective_module_status(*module, scan_date)},
          {"sunset_date", module->sunset_date},
          {"source", module->source},
          {"evidence", evidence_list(module->evidence)}};
}

json fips_mode_json(const FipsModeFact& mode) {
  return {{"enabled_at_start", mode.enabled_at_start},
          {"default_godebug", mode.default_godebug},
          {"gofips140", mode.gofips140 ? json(*mode.gofips140) : json(nullptr)},
          {"requirefips", mode.requirefips},
          {"tls_restricted", mode.tls_restricted},
          {"evidence", evidence_list(mode.evidence)}};
}

json non_approved_json(const NonApprovedUse& use) {
  json callers = json::array();
  for (const Caller& caller : use.callers) {
    callers.push_back({{"function", caller.function},
                       {"package", caller.package},
                       {"call_site_vaddr", hex(caller.call_site_vaddr)},
                       {"callee", caller.callee}});
  }
  return {{"package", use.package},        {"reason_code", use.reason_code},
          {"reason", use.reason},          {"functions", use.functions},
          {"callers", std::move(callers)}, {"std_internal_only", use.std_internal_only}};
}

json waiver_json(const Waiver& waiver) {
  return {{"rule", waiver.rule_id},          {"path", waiver.path_glob},
          {"sha256", waiver.sha256},         {"build_id", waiver.build_id},
          {"reason", waiver.reason},         {"ticket", waiver.ticket},
          {"expires", waiver.expires.iso()}, {"location", waiver.location}};
}

json finding_json(const JudgedFinding& judged, const RuleCatalogue& catalogue) {
  const Finding& finding = judged.finding;
  const Rule* rule = catalogue.find(finding.rule_id);
  return {{"rule_id", finding.rule_id},
          {"title", rule ? rule->title : ""},
          {"severity", severity_name(finding.severity)},
          {"message", finding.message},
          {"waived", judged.waived_by.has_value()},
          {"waiver", judged.waived_by ? waiver_json(*judged.waived_by) : json(nullptr)},
          {"evidence", evidence_list(finding.evidence)}};
}

json binary_json(const BinaryVerdict& binary, const ScanReport& report,
                 const RuleCatalogue& catalogue) {
  const Facts& facts = binary.facts;
  json backends = json::array();
  for (const BackendFact& fact : facts.backends) {
    backends.push_back(
        {{"backend", backend_name(fact.backend)}, {"evidence", evidence_list(fact.evidence)}});
  }
  json non_approved = json::array();
  for (const NonApprovedUse& use : facts.non_approved)
    non_approved.push_back(non_approved_json(use));
  json findings = json::array();
  for (const JudgedFinding& judged : binary.findings)
    findings.push_back(finding_json(judged, catalogue));
  return {{"path", facts.path},
          {"verdict", verdict_name(binary.verdict)},
          {"sha256", facts.sha256},
          {"go_version", facts.go_version},
          {"go_build_id", facts.go_build_id},
          {"arch", facts.arch},
          {"analyzable", facts.analyzable},
          {"backends", std::move(backends)},
          {"module", module_json(facts.module, report.scan_date)},
          {"fips_mode", fips_mode_json(facts.fips_mode)},
          {"linkage",
           {{"cgo", facts.linkage.cgo},
            {"statically_linked", facts.linkage.statically_linked},
            {"needed_libraries", facts.linkage.needed_libraries},
            {"libcrypto_candidates", facts.linkage.libcrypto_candidates}}},
          {"non_approved", std::move(non_approved)},
          {"findings", std::move(findings)},
          {"errors", facts.errors}};
}

}  // namespace

std::string render_json(const ScanReport& report, const RuleCatalogue& catalogue) {
  ScanCounts counts = count_verdicts(report);
  json binaries = json::array();
  for (const BinaryVerdict& binary : report.binaries) {
    binaries.push_back(binary_json(binary, report, catalogue));
  }
  json document = {{"schema", kJsonSchema},
                   {"tool", {{"name", "fipsgate"}, {"version", report.tool_version}}},
                   {"scan_date", report.scan_date.iso()},
                   {"policy", {{"name", report.policy_name}, {"source", report.policy_source}}},
                   {"summary",
                    {{"binaries", report.binaries.size()},
                     {"pass", counts.pass},
                     {"warn", counts.warn},
                     {"fail", counts.fail},
                     {"unanalyzable", counts.unanalyzable}}},
                   {"binaries", std::move(binaries)}};
  // Replacement of invalid UTF-8 (paths and strings from hostile binaries) instead of throwing.
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace fipsgate
