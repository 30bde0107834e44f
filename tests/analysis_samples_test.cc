// The analysis against real Go binaries: every sample of samples/manifest.yaml (built by
// tools/build-samples into FIPSGATE_SAMPLES_DIR) with the answers the manifest expects. Absent
// samples are skipped unless FIPSGATE_REQUIRE_SAMPLES=1.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fipsgate/analysis/analyze.h"
#include "fipsgate/io/yaml.h"

namespace {

struct Sample {
  std::string file;
  fipsgate::yaml::Node expect;  // points into the manifest, which is kept for the whole run
};

bool samples_required() {
  const char* value = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
  return value && std::string(value) == "1";
}

std::filesystem::path samples_dir() {
  if (const char* dir = std::getenv("FIPSGATE_SAMPLES_DIR"); dir && *dir) return dir;
  return FIPSGATE_SAMPLES_DIR;
}

std::vector<Sample> manifest_samples() {
  const auto path = std::filesystem::path(FIPSGATE_SOURCE_DIR) / "samples" / "manifest.yaml";
  if (!std::filesystem::exists(path)) return {};
  static const auto manifest = fipsgate::yaml::load_file(path.string());
  REQUIRE_MESSAGE(manifest.ok(), (manifest.ok() ? "" : manifest.error().message()));
  std::vector<Sample> samples;
  for (const fipsgate::yaml::Node& node : manifest->root()["samples"].items()) {
    samples.push_back({node["file"].text(), node["expect"]});
  }
  return samples;
}

const fipsgate::SignatureDb& signatures() {
  static const auto db = fipsgate::load_signature_db(FIPSGATE_SOURCE_DIR "/signatures");
  REQUIRE_MESSAGE(db.ok(), (db.ok() ? "" : db.error().message()));
  return *db;
}

// Facts of every sample present, analyzed once; absent samples are reported (or fail).
const std::map<std::string, fipsgate::Facts>& sample_facts() {
  static const std::map<std::string, fipsgate::Facts> facts = [] {
    std::map<std::string, fipsgate::Facts> out;
    for (const Sample& sample : manifest_samples()) {
      const auto path = samples_dir() / sample.file;
      if (!std::filesystem::exists(path)) continue;
      fipsgate::AnalyzeOptions options;
      options.as_of_date = "2026-11-27";
      auto analyzed = fipsgate::analyze_file(path.string(), signatures(), options);
      if (analyzed.ok()) out.emplace(sample.file, std::move(analyzed).value());
    }
    return out;
  }();
  return facts;
}

// Runs check(sample, facts) for every manifest sample that exists.
template <class Check>
void for_each_sample(Check check) {
  const auto samples = manifest_samples();
  if (samples.empty()) {
    if (samples_required()) FAIL("samples/manifest.yaml is missing");
    MESSAGE("samples/manifest.yaml not present: skipped");
    return;
  }
  size_t checked = 0;
  for (const Sample& sample : samples) {
    auto it = sample_facts().find(sample.file);
    if (it == sample_facts().end()) {
      if (samples_required()) {
        FAIL_CHECK("sample " << sample.file << " is missing or unreadable in " << samples_dir());
      }
      continue;
    }
    CAPTURE(sample.file);
    check(sample, it->second);
    ++checked;
  }
  if (checked == 0) MESSAGE("no sample binaries in " << samples_dir() << ": skipped");
}

std::string primary_backend(const fipsgate::Facts& facts) {
  return facts.backends.empty() ? "" : std::string(fipsgate::to_string(facts.backends[0].backend));
}

// Null (no certificate, no module version) reads as empty, like the facts report it.
std::string expected_string(const fipsgate::yaml::Node& node) {
  return node.text();
}

std::set<std::string> called_from_outside_std(const fipsgate::Facts& facts) {
  std::set<std::string> packages;
  for (const auto& use : facts.non_approved) {
    if (!use.callers.empty()) packages.insert(use.package);
  }
  return packages;
}

}  // namespace

TEST_CASE("each sample binary is classified with the backend its manifest entry expects") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    CHECK(primary_backend(facts) == sample.expect["backend"].text());
    CHECK(facts.backends.size() == 1);
  });
}

TEST_CASE("each sample binary joins the CMVP certificate and module version its manifest expects") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    const std::string certificate = facts.module ? facts.module->certificate : "";
    CHECK(certificate == expected_string(sample.expect["certificate"]));
    CHECK(facts.fips140_module_version.value_or("") ==
          expected_string(sample.expect["fips140_module_version"]));
  });
}

TEST_CASE("each sample binary reports the FIPS mode at start and TLS restriction of its manifest") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    CHECK(facts.fips_mode.enabled_at_start == sample.expect["fips_mode_at_start"].as_bool());
    CHECK(facts.fips_mode.tls_restricted == sample.expect["tls_restricted"].as_bool());
  });
}

TEST_CASE("each sample binary reports exactly the non-approved packages its main code calls") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    std::set<std::string> expected;
    for (const auto& package : sample.expect["non_approved_from_main"].items()) {
      expected.insert(package.text());
    }
    CHECK(called_from_outside_std(facts) == expected);
  });
}

TEST_CASE("each sample binary reports the experiments and Go version of its manifest") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    CHECK(facts.go_version.starts_with(sample.expect["go_version_prefix"].text()));
    std::vector<std::string> expected;
    for (const auto& name : sample.expect["go_experiments"].items())
      expected.push_back(name.text());
    CHECK(facts.go_experiments == expected);
  });
}

TEST_CASE(
    "a boringcrypto sample built with cgo off is not BoringCrypto and carries the contradiction") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    if (sample.file.find("boring-nocgo") == std::string::npos) return;
    CHECK(primary_backend(facts) == "standard_go");
    auto finding = std::find_if(facts.findings.begin(), facts.findings.end(),
                                [](const auto& item) { return item.rule_id == "FG301"; });
    REQUIRE(finding != facts.findings.end());
    CHECK(finding->message.find("CGO_ENABLED=0") != std::string::npos);
  });
}

TEST_CASE("a TLS-only sample has non-approved packages only as standard-library context") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    if (!sample.expect["non_approved_from_main"].is_sequence() ||
        sample.expect["non_approved_from_main"].size() != 0) {
      return;
    }
    for (const auto& use : facts.non_approved) {
      CAPTURE(use.package);
      CHECK(use.callers.empty());
      if (use.call_sites_analyzed) CHECK(use.std_internal_only);
    }
  });
}

TEST_CASE(
    "go1.19 BoringCrypto samples are identified by their BORINGSSL_bcm_text_hash fingerprint") {
  for_each_sample([](const Sample& sample, const fipsgate::Facts& facts) {
    if (!sample.file.starts_with("go1.19-amd64-boring-") ||
        sample.expect["backend"].text() != "boringcrypto") {
      return;
    }
    REQUIRE(facts.module.has_value());
    CHECK(facts.module->module_id == "boringssl-fips-20190808");
    const auto& evidence = facts.module->evidence;
    CHECK(std::any_of(evidence.begin(), evidence.end(),
                      [](const auto& item) { return item.marker_id == "analysis.bcm_text_hash"; }));
  });
}
