#include "report/evidence_words.h"

#include <cstdio>

namespace fipsgate::report_words {

std::string_view evidence_kind_name(Evidence::Kind kind) {
  switch (kind) {
    case Evidence::Kind::function:
      return "function";
    case Evidence::Kind::symbol:
      return "symbol";
    case Evidence::Kind::bytes:
      return "bytes";
    case Evidence::Kind::string:
      return "string";
    case Evidence::Kind::build_setting:
      return "build_setting";
    case Evidence::Kind::section:
      return "section";
    case Evidence::Kind::version:
      return "version";
  }
  return "bytes";
}

std::string hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string evidence_line(const Evidence& evidence) {
  std::string line = evidence.description.empty() ? std::string(evidence_kind_name(evidence.kind))
                                                  : evidence.description;
  if (!evidence.build_setting_line.empty() && evidence.description.empty()) {
    line = evidence.build_setting_line;
  }
  if (evidence.vaddr) line += " at " + hex(*evidence.vaddr);
  std::string where;
  if (evidence.file_offset) where = "file offset " + hex(*evidence.file_offset);
  if (!evidence.section.empty()) where += (where.empty() ? "" : ", ") + evidence.section;
  if (!where.empty()) line += " (" + where + ")";
  return line;
}

std::string module_summary(const BinaryVerdict& binary, Date scan_date) {
  if (!binary.facts.module) return "-";
  const ModuleIdentity& module = *binary.facts.module;
  std::string text = module.family.empty() ? std::string("module") : module.family;
  if (!module.version.empty()) text += " " + module.version;
  std::string details;
  if (!module.certificate.empty()) details = "#" + module.certificate;
  if (!module.standard.empty()) details += (details.empty() ? "" : ", ") + module.standard;
  details += (details.empty() ? "" : ", ") + effective_module_status(module, scan_date);
  return text + " (" + details + ")";
}

std::string fips_mode_summary(const FipsModeFact& mode) {
  std::string text = mode.enabled_at_start || mode.requirefips ? "on" : "off";
  if (mode.requirefips) text += " (requirefips)";
  if (mode.tls_restricted) text += " (TLS restricted)";
  return text;
}

std::string backends_summary(const Facts& facts) {
  std::string text;
  for (const BackendFact& fact : facts.backends) {
    text += (text.empty() ? "" : "+") + std::string(backend_name(fact.backend));
  }
  return text.empty() ? "-" : text;
}

std::string waiver_note(const Waiver& waiver) {
  std::string note = "waived until " + waiver.expires.iso();
  if (!waiver.ticket.empty()) note += " (" + waiver.ticket + ")";
  return note + ": " + waiver.reason;
}

}  // namespace fipsgate::report_words
