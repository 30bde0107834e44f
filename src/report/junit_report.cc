#include <sstream>

#include "fipsgate/report/report.h"
#include "report/evidence_words.h"

namespace fipsgate {
namespace {

// XML 1.0 text: escapes markup characters and drops bytes XML cannot carry at all (control
// characters other than tab, newline and carriage return), which a hostile binary's strings
// may contain.
std::string xml_escape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          escaped += '?';
        } else {
          escaped += c;
        }
    }
  }
  return escaped;
}

std::string finding_text(const JudgedFinding& judged) {
  std::string text = judged.finding.rule_id + " " +
                     std::string(severity_name(judged.finding.severity)) + ": " +
                     judged.finding.message + "\n";
  if (judged.waived_by) text += "  " + report_words::waiver_note(*judged.waived_by) + "\n";
  for (const Evidence& evidence : judged.finding.evidence) {
    text += "  evidence: " + report_words::evidence_line(evidence) + "\n";
  }
  return text;
}

// The findings that decide the verdict: unwaived ones at the severity that failed it.
std::string deciding_findings(const BinaryVerdict& binary, Severity severity,
                              std::string& first_rule, std::string& first_message) {
  std::string text;
  for (const JudgedFinding& judged : binary.findings) {
    if (judged.waived_by || judged.finding.severity != severity) continue;
    if (first_rule.empty()) {
      first_rule = judged.finding.rule_id;
      first_message = judged.finding.message;
    }
    text += finding_text(judged);
  }
  for (const std::string& error : binary.facts.errors) text += "error: " + error + "\n";
  return text;
}

void write_testcase(std::ostream& out, const BinaryVerdict& binary, const std::string& classname) {
  out << "    <testcase name=\"" << xml_escape(binary.facts.path) << "\" classname=\""
      << xml_escape(classname) << "\" time=\"0\">\n";
  std::string rule;
  std::string message;
  if (binary.verdict == Verdict::unanalyzable) {
    std::string body = deciding_findings(binary, Severity::error, rule, message);
    out << "      <error type=\"" << xml_escape(rule.empty() ? "FG904" : rule) << "\" message=\""
        << xml_escape(message.empty() ? "binary could not be analyzed" : message) << "\">"
        << xml_escape(body) << "</error>\n";
  } else if (binary.verdict == Verdict::fail) {
    std::string body = deciding_findings(binary, Severity::error, rule, message);
    out << "      <failure type=\"" << xml_escape(rule) << "\" message=\"" << xml_escape(message)
        << "\">" << xml_escape(body) << "</failure>\n";
  }
  std::string all;
  for (const JudgedFinding& judged : binary.findings) all += finding_text(judged);
  out << "      <system-out>"
      << xml_escape("verdict: " + std::string(verdict_name(binary.verdict)) + "\n" + all)
      << "</system-out>\n";
  out << "    </testcase>\n";
}

}  // namespace

std::string render_junit(const ScanReport& report, const RuleCatalogue& /*catalogue*/) {
  ScanCounts counts = count_verdicts(report);
  std::string suite_name = "fipsgate scan (policy " + report.policy_name + ")";
  std::string classname = "fipsgate." + report.policy_name;
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"fipsgate\" tests=\"" << report.binaries.size() << "\" failures=\""
      << counts.fail << "\" errors=\"" << counts.unanalyzable << "\">\n";
  out << "  <testsuite name=\"" << xml_escape(suite_name) << "\" tests=\"" << report.binaries.size()
      << "\" failures=\"" << counts.fail << "\" errors=\"" << counts.unanalyzable
      << "\" skipped=\"0\" timestamp=\"" << report.scan_date.iso() << "T00:00:00\">\n";
  out << "    <properties>\n"
      << "      <property name=\"policy\" value=\"" << xml_escape(report.policy_name) << "\"/>\n"
      << "      <property name=\"scan_date\" value=\"" << report.scan_date.iso() << "\"/>\n"
      << "      <property name=\"fipsgate_version\" value=\"" << xml_escape(report.tool_version)
      << "\"/>\n"
      << "    </properties>\n";
  for (const BinaryVerdict& binary : report.binaries) write_testcase(out, binary, classname);
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace fipsgate
