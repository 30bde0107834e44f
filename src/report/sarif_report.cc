#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>

#include "fipsgate/report/report.h"
#include "report/evidence_words.h"

namespace fipsgate {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view kSarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kScanRootBase = "SCANROOT";

std::string_view sarif_level(Severity severity) {
  switch (severity) {
    case Severity::note:
      return "note";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

// RFC 3986 path encoding: unreserved characters and '/' stay, every other byte is %XX.
std::string uri_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : path) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (unreserved) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 0xf];
    }
  }
  return encoded;
}

// Relative paths are resolved against SCANROOT (the working directory of the scan);
// absolute paths become file: URIs.
json artifact_location(const std::string& path) {
  if (!path.empty() && path.front() == '/') return {{"uri", "file://" + uri_path(path)}};
  std::string relative = path.rfind("./", 0) == 0 ? path.substr(2) : path;
  return {{"uri", uri_path(relative)}, {"uriBaseId", kScanRootBase}};
}

std::string working_directory_uri() {
  std::string directory(4096, '\0');
  if (getcwd(directory.data(), directory.size()) == nullptr) return "file:///";
  directory.resize(directory.find('\0'));
  if (directory.back() != '/') directory += '/';
  return "file://" + uri_path(directory);
}

// "No validated crypto module" → "NoValidatedCryptoModule" (SARIF rule names are identifiers).
std::string rule_name(std::string_view title) {
  std::string name;
  bool upper_next = true;
  for (char c : title) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper_next = true;
      continue;
    }
    name += upper_next && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper_next = false;
  }
  return name;
}

json rule_json(const Rule& rule) {
  std::string help = "Why: " + rule.why + "\n\nHow to fix: " + rule.fix;
  return {
      {"id", rule.id},
      {"name", rule_name(rule.title)},
      {"shortDescription", {{"text", rule.title + "."}}},
      {"fullDescription", {{"text", rule.checks}}},
      {"help",
       {{"text", help}, {"markdown", "**Why.** " + rule.why + "\n\n**How to fix.** " + rule.fix}}},
      {"helpUri", rule_help_uri(rule.id)},
      {"defaultConfiguration", {{"level", sarif_level(rule.default_severity)}}}};
}

json location_json(const std::string& path, size_t artifact_index, const Evidence* evidence) {
  json artifact = artifact_location(path);
  artifact["index"] = artifact_index;
  json physical = {{"artifactLocation", std::move(artifact)}};
  if (evidence != nullptr && evidence->file_offset) {
    physical["region"] = {{"byteOffset", *evidence->file_offset}};
  }
  // The virtual address as well, for objdump --start-address; SARIF's address object.
  if (evidence != nullptr && evidence->vaddr) {
    physical["address"] = {{"absoluteAddress", *evidence->vaddr}};
  }
  json location = {{"physicalLocation", std::move(physical)}};
  if (evidence != nullptr && !evidence->function.empty()) {
    location["logicalLocations"] =
        json::array({{{"fullyQualifiedName", evidence->function}, {"kind", "function"}}});
  }
  if (evidence != nullptr && !evidence->description.empty()) {
    location["message"] = {{"text", report_words::evidence_line(*evidence)}};
  }
  return location;
}

std::string sentence(std::string text) {
  if (!text.empty() && text.back() != '.') text += '.';
  return text;
}

json result_json(const JudgedFinding& judged, const BinaryVerdict& binary, size_t artifact_index,
                 const std::map<std::string, size_t>& rule_index) {
  const Finding& finding = judged.finding;
  json result = {{"ruleId", finding.rule_id}};
  if (auto found = rule_index.find(finding.rule_id); found != rule_index.end()) {
    result["ruleIndex"] = found->second;
  }
  result["level"] = sarif_level(finding.severity);
  result["message"] = {{"text", sentence(binary.facts.path + ": " + finding.message)}};
  // The first evidence locates the result; the rest are related locations.
  json locations = json::array();
  json related = json::array();
  if (finding.evidence.empty()) {
    locations.push_back(location_json(binary.facts.path, artifact_index, nullptr));
  }
  for (size_t index = 0; index < finding.evidence.size(); ++index) {
    json location = location_json(binary.facts.path, artifact_index, &finding.evidence[index]);
    if (index == 0) {
      locations.push_back(std::move(location));
    } else {
      location["id"] = index;
      related.push_back(std::move(location));
    }
  }
  result["locations"] = std::move(locations);
  if (!related.empty()) result["relatedLocations"] = std::move(related);
  if (judged.waived_by) {
    const Waiver& waiver = *judged.waived_by;
    std::string justification = waiver.reason;
    if (!waiver.ticket.empty()) justification += " (" + waiver.ticket + ")";
    justification += "; expires " + waiver.expires.iso() + "; " + waiver.location;
    result["suppressions"] = json::array(
        {{{"kind", "external"}, {"status", "accepted"}, {"justification", justification}}});
  }
  result["properties"] = {{"verdict", verdict_name(binary.verdict)}};
  return result;
}

json artifact_json(const BinaryVerdict& binary) {
  json artifact = {{"location", artifact_location(binary.facts.path)}};
  if (!binary.facts.sha256.empty()) artifact["hashes"] = {{"sha-256", binary.facts.sha256}};
  artifact["properties"] = {{"verdict", verdict_name(binary.verdict)},
                            {"goVersion", binary.facts.go_version},
                            {"backends", report_words::backends_summary(binary.facts)}};
  return artifact;
}

}  // namespace

std::string render_sarif(const ScanReport& report, const RuleCatalogue& catalogue) {
  json rules = json::array();
  std::map<std::string, size_t> rule_index;
  for (const Rule& rule : catalogue.rules()) {
    rule_index[rule.id] = rules.size();
    rules.push_back(rule_json(rule));
  }
  json artifacts = json::array();
  json results = json::array();
  for (const BinaryVerdict& binary : report.binaries) {
    size_t artifact_index = artifacts.size();
    artifacts.push_back(artifact_json(binary));
    for (const JudgedFinding& judged : binary.findings) {
      results.push_back(result_json(judged, binary, artifact_index, rule_index));
    }
  }
  ScanOutcome outcome = scan_outcome(report);
  json run = {
      {"tool",
       {{"driver",
         {{"name", "fipsgate"},
          {"version", report.tool_version},
          {"semanticVersion", report.tool_version},
          {"informationUri", rules_documentation_uri()},
          {"rules", std::move(rules)}}}}},
      {"invocations",
       json::array({{{"executionSuccessful", outcome != ScanOutcome::unanalyzable},
                     {"properties",
                      {{"scanDate", report.scan_date.iso()}, {"policy", report.policy_name}}}}})},
      {"originalUriBaseIds", {{kScanRootBase, {{"uri", working_directory_uri()}}}}},
      {"artifacts", std::move(artifacts)},
      {"results", std::move(results)},
      {"columnKind", "unicodeCodePoints"}};
  json log = {
      {"$schema", kSarifSchemaUri}, {"version", "2.1.0"}, {"runs", json::array({std::move(run)})}};
  return log.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace fipsgate
