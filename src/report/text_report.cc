#include <algorithm>
#include <array>
#include <sstream>

#include "fipsgate/report/report.h"
#include "report/evidence_words.h"

namespace fipsgate {
namespace {

using report_words::backends_summary;
using report_words::evidence_line;
using report_words::fips_mode_summary;
using report_words::module_summary;

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";

std::string_view verdict_colour(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "\x1b[32m";
    case Verdict::warn:
      return "\x1b[33m";
    case Verdict::fail:
      return "\x1b[31m";
    case Verdict::unanalyzable:
      return "\x1b[35m";
  }
  return "";
}

std::string_view severity_colour(Severity severity) {
  switch (severity) {
    case Severity::note:
      return "\x1b[36m";
    case Severity::warning:
      return "\x1b[33m";
    case Severity::error:
      return "\x1b[31m";
  }
  return "";
}

class Painter {
 public:
  explicit Painter(bool enabled) : enabled_(enabled) {}
  // Pads to `width` first, then colours, so escape codes do not upset the alignment.
  std::string paint(std::string_view text, std::string_view colour, size_t width = 0) const {
    std::string padded(text);
    if (padded.size() < width) padded.append(width - padded.size(), ' ');
    if (!enabled_ || colour.empty()) return padded;
    return std::string(colour) + padded + std::string(kReset);
  }

 private:
  bool enabled_;
};

constexpr size_t kColumns = 5;
using Row = std::array<std::string, kColumns>;

Row binary_row(const BinaryVerdict& binary, Date scan_date) {
  return {std::string(verdict_name(binary.verdict)), binary.facts.path,
          backends_summary(binary.facts), module_summary(binary, scan_date),
          binary.facts.analyzable ? fips_mode_summary(binary.facts.fips_mode) : "-"};
}

void write_table(std::ostream& out, const ScanReport& report, const Painter& painter) {
  std::vector<Row> rows = {{"VERDICT", "BINARY", "BACKEND", "MODULE", "FIPS MODE"}};
  for (const BinaryVerdict& binary : report.binaries) {
    rows.push_back(binary_row(binary, report.scan_date));
  }
  std::array<size_t, kColumns> widths{};
  for (const Row& row : rows) {
    for (size_t column = 0; column < kColumns; ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  for (size_t index = 0; index < rows.size(); ++index) {
    std::string_view colour =
        index == 0 ? kBold : verdict_colour(report.binaries[index - 1].verdict);
    std::string line = painter.paint(rows[index][0], colour, widths[0]);
    for (size_t column = 1; column + 1 < kColumns; ++column) {
      line += "  " + painter.paint(rows[index][column], "", widths[column]);
    }
    line += "  " + rows[index][kColumns - 1];
    out << line << "\n";
  }
}

void write_finding(std::ostream& out, const JudgedFinding& judged, const Painter& painter) {
  const Finding& finding = judged.finding;
  out << "  " << finding.rule_id << "  "
      << painter.paint(severity_name(finding.severity), severity_colour(finding.severity), 7)
      << "  " << finding.message << "\n";
  if (judged.waived_by) {
    out << "                  " << report_words::waiver_note(*judged.waived_by) << "\n";
  }
  for (const Evidence& evidence : finding.evidence) {
    out << "                  evidence: " << evidence_line(evidence) << "\n";
  }
}

void write_binary(std::ostream& out, const BinaryVerdict& binary, const Painter& painter) {
  const Facts& facts = binary.facts;
  out << "\n"
      << painter.paint(facts.path, kBold) << ": "
      << painter.paint(verdict_name(binary.verdict), verdict_colour(binary.verdict)) << "\n";
  if (!facts.go_version.empty() || !facts.arch.empty()) {
    out << "  " << (facts.go_version.empty() ? "unknown Go version" : facts.go_version);
    if (!facts.arch.empty()) out << ", " << facts.arch;
    out << "\n";
  }
  if (!facts.sha256.empty()) out << "  sha256 " << facts.sha256 << "\n";
  for (const std::string& error : facts.errors) out << "  error: " << error << "\n";
  for (const JudgedFinding& judged : binary.findings) write_finding(out, judged, painter);
}

}  // namespace

std::string render_text(const ScanReport& report, const RuleCatalogue& /*catalogue*/,
                        const TextOptions& options) {
  Painter painter(options.colour);
  std::ostringstream out;
  out << "fipsgate scan: policy " << report.policy_name << ", scan date " << report.scan_date.iso()
      << "\n\n";
  write_table(out, report, painter);
  for (const BinaryVerdict& binary : report.binaries) write_binary(out, binary, painter);
  ScanCounts counts = count_verdicts(report);
  out << "\n"
      << report.binaries.size() << (report.binaries.size() == 1 ? " binary: " : " binaries: ")
      << counts.pass << " pass, " << counts.warn << " warn, " << counts.fail << " fail, "
      << counts.unanalyzable << " unanalyzable\n";
  return out.str();
}

Result<ReportFormat> parse_report_format(std::string_view text) {
  if (text == "text") return ReportFormat::text;
  if (text == "json") return ReportFormat::json;
  if (text == "sarif") return ReportFormat::sarif;
  if (text == "junit") return ReportFormat::junit;
  return Error("unknown report format '" + std::string(text) + "' (text, json, sarif, junit)");
}

std::string render_report(ReportFormat format, const ScanReport& report,
                          const RuleCatalogue& catalogue, const TextOptions& options) {
  switch (format) {
    case ReportFormat::text:
      return render_text(report, catalogue, options);
    case ReportFormat::json:
      return render_json(report, catalogue);
    case ReportFormat::sarif:
      return render_sarif(report, catalogue);
    case ReportFormat::junit:
      return render_junit(report, catalogue);
  }
  return render_text(report, catalogue, options);
}

}  // namespace fipsgate
