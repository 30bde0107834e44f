// samples/manifest.yaml is the contract between tools/build-samples and every sample-based
// test (docs/samples.md). These cases check the manifest itself, and that the binaries built
// from it are what it says they are (format, architecture, byte order, linkage, symbol table).
// Absent samples are skipped unless FIPSGATE_REQUIRE_SAMPLES=1.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/io/mapped_file.h"
#include "fipsgate/io/yaml.h"

namespace {

using fipsgate::yaml::Node;

const std::filesystem::path kSourceDir = FIPSGATE_SOURCE_DIR;

// Parsed once and kept, so that the nodes the tests hold stay valid.
Node load_manifest() {
  static const auto manifest =
      fipsgate::yaml::load_file((kSourceDir / "samples" / "manifest.yaml").string());
  REQUIRE_MESSAGE(manifest.ok(), (manifest.ok() ? "" : manifest.error().message()));
  return manifest->root();
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

std::vector<std::string> strings_of(const Node& list) {
  std::vector<std::string> values;
  for (const Node& item : list.items()) values.push_back(item.text());
  return values;
}

// The Go toolchain minor a file name starts with: "go1.24-..." -> "go1.24".
std::string toolchain_prefix(const std::string& file) {
  return file.substr(0, file.find('-'));
}

}  // namespace

TEST_CASE("the sample manifest names each binary once, after its toolchain and target") {
  const Node manifest = load_manifest();
  REQUIRE(manifest["schema"].text() == "fipsgate.samples/v1");
  REQUIRE(manifest["samples"].is_sequence());
  std::set<std::string> files;
  for (const Node& sample : manifest["samples"].items()) {
    const auto file = sample["file"].text();
    INFO("sample ", file);
    CHECK(files.insert(file).second);
    const auto toolchain = sample["toolchain"].text();
    CHECK(manifest["toolchains"][toolchain].is_mapping());
    CHECK(toolchain_prefix(file) == toolchain);
    CHECK(std::filesystem::is_directory(kSourceDir / "samples" / sample["program"].text()));
    const auto goos = sample["goos"].text();
    const auto goarch = sample["goarch"].text();
    const std::string target = goos == "linux" ? goarch : goos + "-" + goarch;
    CHECK(file.find("-" + target + "-") != std::string::npos);
    CHECK((goos == "windows") == file.ends_with(".exe"));
    CHECK(sample["env"]["CGO_ENABLED"].defined());
  }
  CHECK(files.size() >= 30);
}

TEST_CASE("every sample expectation uses only the values docs/samples.md defines") {
  const Node manifest = load_manifest();
  for (const Node& sample : manifest["samples"].items()) {
    const Node expect = sample["expect"];
    INFO("sample ", sample["file"].text());
    CHECK(expect["go_version_prefix"].text().starts_with(toolchain_prefix(sample["file"].text()) +
                                                         "."));
    CHECK(is_one_of(expect["backend"].text(),
                    {"boringcrypto", "go_native_fips140", "standard_go", "none"}));
    CHECK((expect["certificate"].is_null() ||
           is_one_of(expect["certificate"].text(), {"3678", "4407", "4735", "5247"})));
    CHECK((expect["fips140_module_version"].is_null() ||
           expect["fips140_module_version"].text().starts_with("v")));
    for (const char* flag :
         {"fips_mode_at_start", "tls_restricted", "build_info_present", "symbols_stripped"}) {
      CHECK(expect[flag].as_bool().has_value());
    }
    const auto non_approved = strings_of(expect["non_approved_from_main"]);
    CHECK(std::is_sorted(non_approved.begin(), non_approved.end()));
    const Node verdicts = expect["verdicts"];
    CHECK(verdicts.size() == 3);
    for (const char* profile : {"fips140-2-boring", "fips140-3", "any-validated"}) {
      CHECK(is_one_of(verdicts[profile].text(), {"pass", "warn", "fail"}));
    }
    // A non-approved call from main fails every profile (manifest header).
    if (!non_approved.empty()) {
      for (const auto& verdict : verdicts.entries()) CHECK(verdict.value.text() == "fail");
    }
    // Only a validated module can pass; without a certificate every profile fails.
    if (expect["certificate"].is_null()) {
      for (const auto& verdict : verdicts.entries()) CHECK(verdict.value.text() == "fail");
    }
  }
}

TEST_CASE("each sample binary has the format, architecture and symbol table its manifest says") {
  const Node manifest = load_manifest();
  int checked = 0;
  for (const Node& sample : manifest["samples"].items()) {
    const auto file = sample["file"].text();
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

    const auto goos = sample["goos"].text();
    const auto format = goos == "windows"  ? fipsgate::FileFormat::pe
                        : goos == "darwin" ? fipsgate::FileFormat::macho
                                           : fipsgate::FileFormat::elf;
    CHECK(image->format == format);
    CHECK(fipsgate::to_string(image->arch) == sample["goarch"].text());
    const bool big_endian = sample["goarch"].text() == "s390x";
    CHECK((image->endian == fipsgate::Endian::big) == big_endian);
    CHECK(image->symbols.empty() == sample["expect"]["symbols_stripped"].as_bool());
    const auto flags = strings_of(sample["build_flags"]);
    if (std::find(flags.begin(), flags.end(), "-buildmode=pie") != flags.end()) {
      CHECK((image->linkage == fipsgate::Linkage::pie ||
             image->linkage == fipsgate::Linkage::static_pie));
    }
    ++checked;
  }
  if (checked == 0) MESSAGE("no sample binaries in ", samples_dir().string(), ": skipped");
}
