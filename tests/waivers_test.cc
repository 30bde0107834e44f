// Waivers: matching by path glob, SHA-256 and Go build ID; expiry; schema errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fipsgate/policy/waivers.h"
#include "support/policy_fixtures.h"

using namespace fipsgate;
using namespace fipsgate::testing;

namespace {

std::vector<Waiver> parse_or_fail(const std::string& yaml) {
  Result<std::vector<Waiver>> waivers = parse_waivers(yaml, "waivers.yaml", shipped_catalogue());
  REQUIRE_MESSAGE(waivers.ok(), (waivers.ok() ? std::string() : waivers.error().message()));
  return *waivers;
}

std::string one_waiver(const std::string& matcher, const std::string& expires) {
  return "schema: fipsgate.waivers/v1\n"
         "waivers:\n"
         "  - rule: FG110\n"
         "    " +
         matcher +
         "\n"
         "    reason: legacy agent, replaced in Q1\n"
         "    ticket: SEC-42\n"
         "    expires: " +
         expires + "\n";
}

}  // namespace

TEST_CASE("a live waiver matched by path glob waives its finding and is named in it") {
  std::vector<Waiver> waivers = parse_or_fail(one_waiver("path: \"*/plain\"", "2026-12-31"));
  BinaryVerdict verdict =
      judge_under("any-validated", standard_go_facts("bin/plain"), kAfterSunset, waivers);
  CHECK(verdict.verdict == Verdict::pass);
  const JudgedFinding* finding = find_finding(verdict, "FG110");
  REQUIRE(finding != nullptr);
  REQUIRE(finding->waived_by.has_value());
  CHECK(finding->waived_by->ticket == "SEC-42");
  CHECK(finding->waived_by->location == "waivers.yaml:3");
}

TEST_CASE("a waiver whose glob does not match leaves the finding counting") {
  std::vector<Waiver> waivers = parse_or_fail(one_waiver("path: \"other/*\"", "2026-12-31"));
  BinaryVerdict verdict =
      judge_under("any-validated", standard_go_facts("bin/plain"), kAfterSunset, waivers);
  CHECK(verdict.verdict == Verdict::fail);
  CHECK_FALSE(find_finding(verdict, "FG110")->waived_by.has_value());
}

TEST_CASE("a waiver applies on its expiry day and not the day after") {
  std::vector<Waiver> waivers = parse_or_fail(one_waiver("path: bin/plain", "2026-11-27"));
  CHECK(judge_under("any-validated", standard_go_facts(), "2026-11-27", waivers).verdict ==
        Verdict::pass);
  CHECK(judge_under("any-validated", standard_go_facts(), "2026-11-28", waivers).verdict ==
        Verdict::fail);
}

TEST_CASE("an expired waiver waives nothing and is itself reported as FG905") {
  std::vector<Waiver> waivers = parse_or_fail(one_waiver("path: bin/plain", "2026-06-30"));
  BinaryVerdict verdict = judge_under("any-validated", standard_go_facts(), kAfterSunset, waivers);
  CHECK(verdict.verdict == Verdict::fail);
  CHECK_FALSE(find_finding(verdict, "FG110")->waived_by.has_value());
  const JudgedFinding* expired = find_finding(verdict, "FG905");
  REQUIRE(expired != nullptr);
  CHECK(expired->finding.message.find("waivers.yaml:3") != std::string::npos);
  CHECK(expired->finding.message.find("2026-06-30") != std::string::npos);
  CHECK(expired->finding.message.find("SEC-42") != std::string::npos);
}

TEST_CASE("an expired waiver for a finding the binary does not have is not reported") {
  std::vector<Waiver> waivers = parse_or_fail(one_waiver("path: bin/plain", "2026-06-30"));
  Facts facts = native_v1_facts(true, "bin/plain");
  BinaryVerdict verdict = judge_under("fips140-3", facts, kAfterSunset, waivers);
  CHECK(verdict.verdict == Verdict::pass);
  CHECK_FALSE(has_finding(verdict, "FG905"));
}

TEST_CASE("waivers match by SHA-256 and by Go build ID, and every matcher given must match") {
  Facts facts = standard_go_facts();
  std::string sha = std::string(64, 'a');
  CHECK(judge_under("any-validated", facts, kAfterSunset,
                    parse_or_fail(one_waiver("sha256: " + sha, "2026-12-31")))
            .verdict == Verdict::pass);
  CHECK(judge_under("any-validated", facts, kAfterSunset,
                    parse_or_fail(one_waiver("build_id: abc/def", "2026-12-31")))
            .verdict == Verdict::pass);
  CHECK(judge_under("any-validated", facts, kAfterSunset,
                    parse_or_fail(one_waiver("build_id: other", "2026-12-31")))
            .verdict == Verdict::fail);
  std::string both = "sha256: " + sha + "\n    path: elsewhere/*";
  CHECK(judge_under("any-validated", facts, kAfterSunset,
                    parse_or_fail(one_waiver(both, "2026-12-31")))
            .verdict == Verdict::fail);
}

TEST_CASE("a waiver for one rule does not waive another rule's finding") {
  std::string yaml =
      "schema: fipsgate.waivers/v1\n"
      "waivers:\n"
      "  - {rule: FG201, path: bin/native, reason: r, expires: 2026-12-31}\n";
  Facts facts = native_v1_facts(false);
  BinaryVerdict verdict = judge_under("fips140-3", facts, kAfterSunset, parse_or_fail(yaml));
  CHECK(verdict.verdict == Verdict::fail);
  CHECK_FALSE(find_finding(verdict, "FG310")->waived_by.has_value());
}

TEST_CASE("a waiver without a reason is rejected with its line") {
  std::string yaml =
      "schema: fipsgate.waivers/v1\n"
      "waivers:\n"
      "  - rule: FG110\n"
      "    path: bin/*\n"
      "    expires: 2026-12-31\n";
  Result<std::vector<Waiver>> waivers = parse_waivers(yaml, "w.yaml", shipped_catalogue());
  REQUIRE_FALSE(waivers.ok());
  CHECK(waivers.error().message() == "w.yaml:3: waiver 1: field 'reason' is missing");
}

TEST_CASE("a waiver needs a matcher, a known rule and a real expiry date") {
  auto error_of = [](const std::string& body) {
    Result<std::vector<Waiver>> waivers = parse_waivers(
        "schema: fipsgate.waivers/v1\nwaivers:\n  - " + body + "\n", "w.yaml", shipped_catalogue());
    REQUIRE_FALSE(waivers.ok());
    return waivers.error().message();
  };
  CHECK(error_of("{rule: FG110, reason: r, expires: 2026-12-31}")
            .find("needs path, sha256 or build_id") != std::string::npos);
  CHECK(error_of("{rule: FG777, path: a, reason: r, expires: 2026-12-31}").find("'FG777'") !=
        std::string::npos);
  CHECK(
      error_of("{rule: FG110, path: a, reason: r, expires: 2026-02-30}").find("field 'expires'") !=
      std::string::npos);
  CHECK(error_of("{rule: FG110, sha256: ABC, reason: r, expires: 2026-12-31}")
            .find("64 lower-case hex") != std::string::npos);
  CHECK(error_of("{rule: FG110, path: a, reason: r, expires: 2026-12-31, owner: me}")
            .find("field 'owner' is not a known field") != std::string::npos);
}
