// Renderers: one function per format, each a pure function of the scan report and the rule
// catalogue. None of them re-reads a binary (DESIGN.md: "a report never re-reads the file").
#pragma once

#include <string>
#include <string_view>

#include "fipsgate/io/result.h"
#include "fipsgate/policy/rules.h"
#include "fipsgate/policy/scan.h"

namespace fipsgate {

enum class ReportFormat : uint8_t { text, json, sarif, junit };
Result<ReportFormat> parse_report_format(std::string_view text);

struct TextOptions {
  bool colour = false;  // ANSI colours; the command line sets it only when stdout is a TTY
};

// A readable aligned table, then each binary's findings with their evidence.
std::string render_text(const ScanReport& report, const RuleCatalogue& catalogue,
                        const TextOptions& options);

// "schema": "fipsgate.scan/v1", documented in docs/json-report.md.
std::string render_json(const ScanReport& report, const RuleCatalogue& catalogue);

// SARIF 2.1.0: the catalogue as rules, findings as results located by artifact and byte
// offset, functions as logical locations, waived findings as accepted suppressions.
std::string render_sarif(const ScanReport& report, const RuleCatalogue& catalogue);

// JUnit XML: one testsuite per scan, one testcase per binary; fail → <failure>,
// unanalyzable → <error>.
std::string render_junit(const ScanReport& report, const RuleCatalogue& catalogue);

std::string render_report(ReportFormat format, const ScanReport& report,
                          const RuleCatalogue& catalogue, const TextOptions& options);

}  // namespace fipsgate
