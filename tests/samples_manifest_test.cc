// samples/manifest.yaml is the contract between tools/build-samples and every sample-based
// test (docs/samples.md). These cases check the manifest itself, and that the binaries built
// from it are what it says they are (format, architecture, byte order, linkage, symbol table).
// Absent samples are skipped unless FIPSGATE_REQUIRE_SAMPLES=1.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/io/mapped_file.h"

namespace {

const std::filesystem::path kSourceDir = FIPSGATE_SOURCE_DIR;

YAML::Node load_manifest() {
  return YAML::LoadFile((kSourceDir / "samples" / "manifest.yaml").string());
}

bool samples_required() {
  const char* value = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
  return value != nullptr && std::string(value) == "1";
}

std::filesystem::path samples_dir() {
  if (const char* dir = std::getenv("FIPSGATE_SAMPLES_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return FIPSGATE_SAMPLES_DIR;
}

bool is_one_of(const std::string& value, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const char* candidate) { return value == candidate; });
}

std::vector<std::string> strings_of(const YAML::Node& list) {
  std::vector<std::string> values;
  for (const auto& item : list) values.push_back(item.as<std::string>());
  return values;
}

// The Go toolchain minor a file name starts with: "go1.24-..." -> "go1.24".
std::string toolchain_prefix(const std::string& file) {
  return file.substr(0, file.find('-'));
}

}  // namespace

TEST_CASE("the sample manifest names each binary once, after its toolchain and target") {
  const YAML::Node manifest = load_manifest();
  REQUIRE(manifest["schema"].as<std::string>() == "fipsgate.samples/v1");
  REQUIRE(manifest["samples"].IsSequence());
  std::set<std::string> files;
  for (const auto& sample : manifest["samples"]) {
    const auto file = sample["file"].as<std::string>();
    INFO("sample ", file);
    CHECK(files.insert(file).second);
    const auto toolchain = sample["toolchain"].as<std::string>();
    CHECK(manifest["toolchains"][toolchain].IsMap());
    CHECK(toolchain_prefix(file) == toolchain);
    CHECK(std::filesystem::is_directory(kSourceDir / "samples" /
                                        sample["program"].as<std::string>()));
    const auto goos = sample["goos"].as<std::string>();
    const auto goarch = sample["goarch"].as<std::string>();
    const std::string target = goos == "linux" ? goarch : goos + "-" + goarch;
    CHECK(file.find("-" + target + "-") != std::string::npos);
    CHECK((goos == "windows") == file.ends_with(".exe"));
    CHECK(sample["env"]["CGO_ENABLED"].IsDefined());
  }
  CHECK(files.size() >= 30);
}

TEST_CASE("every sample expectation uses only the values docs/samples.md defines") {
  const YAML::Node manifest = load_manifest();
  for (const auto& sample : manifest["samples"]) {
    const YAML::Node expect = sample["expect"];
    INFO("sample ", sample["file"].as<std::string>());
    CHECK(expect["go_version_prefix"].as<std::string>().starts_with(
        toolchain_prefix(sample["file"].as<std::string>()) + "."));
    CHECK(is_one_of(expect["backend"].as<std::string>(),
                    {"boringcrypto", "go_native_fips140", "standard_go", "none"}));
    CHECK((expect["certificate"].IsNull() ||
           is_one_of(expect["certificate"].as<std::string>(), {"3678", "4407", "4735", "5247"})));
    CHECK((expect["fips140_module_version"].IsNull() ||
           expect["fips140_module_version"].as<std::string>().starts_with("v")));
    for (const char* flag :
         {"fips_mode_at_start", "tls_restricted", "build_info_present", "symbols_stripped"}) {
      CHECK_NOTHROW(expect[flag].as<bool>());
    }
    const auto non_approved = strings_of(expect["non_approved_from_main"]);
    CHECK(std::is_sorted(non_approved.begin(), non_approved.end()));
    const YAML::Node verdicts = expect["verdicts"];
    CHECK(verdicts.size() == 3);
    for (const char* profile : {"fips140-2-boring", "fips140-3", "any-validated"}) {
      CHECK(is_one_of(verdicts[profile].as<std::string>(), {"pass", "warn", "fail"}));
    }
    // A non-approved call from main fails every profile (manifest header).
    if (!non_approved.empty()) {
      for (const auto& verdict : verdicts) CHECK(verdict.second.as<std::string>() == "fail");
    }
    // Only a validated module can pass; without a certificate every profile fails.
    if (expect["certificate"].IsNull()) {
      for (const auto& verdict : verdicts) CHECK(verdict.second.as<std::string>() == "fail");
    }
  }
}

TEST_CASE("each sample binary has the format, architecture and symbol table its manifest says") {
  const YAML::Node manifest = load_manifest();
  int checked = 0;
  for (const auto& sample : manifest["samples"]) {
    const auto file = sample["file"].as<std::string>();
    const auto path = samples_dir() / file;
    if (!std::filesystem::exists(path)) {
      if (samples_required()) FAIL_CHECK("sample missing: ", path.string());
      continue;
    }
    INFO("sample ", file);
    auto mapped = fipsgate::MappedFile::open(path.string());
    REQUIRE_MESSAGE(mapped.ok(), (mapped.ok() ? "" : mapped.error().message()));
    auto image = fipsgate::read_binary_image(mapped->view());
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));

    const auto goos = sample["goos"].as<std::string>();
    const auto format = goos == "windows"  ? fipsgate::FileFormat::pe
                        : goos == "darwin" ? fipsgate::FileFormat::macho
                                           : fipsgate::FileFormat::elf;
    CHECK(image->format == format);
    CHECK(fipsgate::to_string(image->arch) == sample["goarch"].as<std::string>());
    const bool big_endian = sample["goarch"].as<std::string>() == "s390x";
    CHECK((image->endian == fipsgate::Endian::big) == big_endian);
    CHECK(image->symbols.empty() == sample["expect"]["symbols_stripped"].as<bool>());
    const auto flags = strings_of(sample["build_flags"]);
    if (std::find(flags.begin(), flags.end(), "-buildmode=pie") != flags.end()) {
      CHECK((image->linkage == fipsgate::Linkage::pie ||
             image->linkage == fipsgate::Linkage::static_pie));
    }
    ++checked;
  }
  if (checked == 0) MESSAGE("no sample binaries in ", samples_dir().string(), ": skipped");
}
