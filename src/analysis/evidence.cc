// Turning marker hits into the Evidence values Facts carry, and the enum spellings of facts.h.
#include <set>

#include "analysis/analysis_internal.h"

namespace fipsgate {

std::string_view to_string(Backend backend) {
  switch (backend) {
    case Backend::boringcrypto:
      return "boringcrypto";
    case Backend::go_native_fips140:
      return "go_native_fips140";
    case Backend::openssl_golang_fips:
      return "openssl_golang_fips";
    case Backend::openssl_microsoft:
      return "openssl_microsoft";
    case Backend::standard_go:
      return "standard_go";
    case Backend::none:
      return "none";
  }
  return "none";
}

std::string_view to_string(Severity severity) {
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

namespace analysis {

namespace {

Evidence::Kind kind_of(const MarkerHit& hit) {
  const MarkerRule& rule = hit.marker->rule;
  if (std::holds_alternative<ByteRule>(rule)) return Evidence::Kind::bytes;
  if (std::holds_alternative<StringRule>(rule)) return Evidence::Kind::string;
  if (std::holds_alternative<SettingRule>(rule)) return Evidence::Kind::build_setting;
  if (std::holds_alternative<VersionRule>(rule)) return Evidence::Kind::version;
  if (std::holds_alternative<SectionRule>(rule)) return Evidence::Kind::section;
  return hit.from_symbol_table ? Evidence::Kind::symbol : Evidence::Kind::function;
}

}  // namespace

Evidence evidence_from_hit(const MarkerHit& hit) {
  Evidence evidence;
  evidence.kind = kind_of(hit);
  evidence.marker_id = hit.marker->id;
  evidence.description = hit.marker->description;
  evidence.file_offset = hit.file_offset;
  evidence.vaddr = hit.vaddr;
  evidence.section = std::string(hit.section);
  evidence.function = std::string(hit.function);
  switch (evidence.kind) {
    case Evidence::Kind::function:
    case Evidence::Kind::symbol:
      // An exact-name marker's description already names the function.
      if (std::get<NameRule>(hit.marker->rule).how != NameMatch::exact ||
          evidence.description.find(hit.text) == std::string::npos) {
        evidence.description += ": " + std::string(hit.text);
      }
      break;
    case Evidence::Kind::build_setting: {
      const auto& rule = std::get<SettingRule>(hit.marker->rule);
      evidence.build_setting_line = rule.test == SettingTest::absent
                                        ? ""
                                        : "build\t" + rule.key + "=" + std::string(hit.text);
      break;
    }
    case Evidence::Kind::version:
      evidence.description += ": " + std::string(hit.text);
      break;
    default:
      break;
  }
  return evidence;
}

std::vector<Evidence> evidence_for(const ScanResult& scan, std::initializer_list<Signal> signals,
                                   size_t limit, size_t per_signal) {
  std::vector<Evidence> out;
  std::set<std::pair<std::string, std::string>> seen;  // marker id + description
  for (Signal signal : signals) {
    size_t taken = 0;
    for (const MarkerHit* hit : scan.hits_for(signal)) {
      if (out.size() >= limit) return out;
      if (taken >= per_signal) break;
      Evidence evidence = evidence_from_hit(*hit);
      if (!seen.insert({evidence.marker_id, evidence.description}).second) continue;
      out.push_back(std::move(evidence));
      ++taken;
    }
  }
  return out;
}

}  // namespace analysis
}  // namespace fipsgate
