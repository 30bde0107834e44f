// What a function table changes in the signature scan, on a real BoringCrypto binary. Byte
// markers scoped to a function (ByteRule::function): with a function table only that function's
// body is searched; without one the whole region is, and both must find the same bytes. Strings
// gated on name signals (StringRule::only_with): with a function table they are searched only
// beside those signals; without one, always.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "fipsgate/analysis/analyze.h"
#include "fipsgate/io/mapped_file.h"
#include "fipsgate/match/scanner.h"

using namespace fipsgate;

namespace {

const SignatureDb& signatures() {
  static const auto db = load_signature_db(FIPSGATE_SOURCE_DIR "/signatures");
  REQUIRE_MESSAGE(db.ok(), (db.ok() ? "" : db.error().message()));
  return *db;
}

const MarkerHit* hit_of(const ScanResult& result, std::string_view marker_id) {
  for (const MarkerHit& hit : result.hits) {
    if (hit.marker->id == marker_id) return &hit;
  }
  return nullptr;
}

// The sample's image, or nothing when it is not built (then the test skips, unless samples are
// required).
struct LoadedSample {
  MappedFile file;
  BinaryImage image;
  GoBinary go;
};
std::optional<LoadedSample> load_sample(const char* name) {
  const std::filesystem::path sample = std::filesystem::path(FIPSGATE_SAMPLES_DIR) / name;
  if (!std::filesystem::exists(sample)) {
    const char* required = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
    REQUIRE_MESSAGE(!(required && std::string(required) == "1"), "missing " << sample);
    MESSAGE("skipped: " << sample << " is not built");
    return std::nullopt;
  }
  auto file = MappedFile::open(sample.string());
  REQUIRE(file.ok());
  auto image = read_binary_image(file->view());
  REQUIRE(image.ok());
  GoBinary go = read_go_binary(*image);
  return LoadedSample{std::move(*file), std::move(*image), std::move(go)};
}

}  // namespace

TEST_CASE(
    "a gated string is searched when a name marker found one of its signals, or when there is "
    "no function table") {
  auto sample = load_sample("go1.19-amd64-boring-cgo");
  if (!sample) return;
  REQUIRE(sample->go.functions.has_value());
  // The same panic string three ways: gated on the shim (found by name in this binary), gated on
  // a Microsoft library (absent), and not gated.
  const char* const kMarkers = R"(markers:
  - id: test.shim
    stack: boringcrypto
    signal: boring_shim
    description: the shim
    source: "test"
    name: { exact: "crypto/internal/boring._Cfunc__goboringcrypto_FIPS_mode" }
  - id: test.microsoft
    stack: openssl_microsoft
    signal: ms_library
    description: a library this binary lacks
    source: "test"
    name: { prefix: "vendor/github.com/microsoft/go-crypto-openssl/" }
  - id: test.open
    stack: boringcrypto
    signal: boring_string
    description: gated on the shim
    source: "test"
    string: { text: "boringcrypto: not in FIPS mode", region: rodata, only_with: [boring_shim] }
  - id: test.closed
    stack: openssl_microsoft
    signal: ms_string
    description: gated on the library
    source: "test"
    string: { text: "boringcrypto: not in FIPS mode", region: rodata, only_with: [ms_library] }
  - id: test.always
    stack: boringcrypto
    signal: boring_string
    description: not gated
    source: "test"
    string: { text: "boringcrypto: not in FIPS mode", region: rodata }
)";
  SignatureDb db;
  REQUIRE(parse_markers_yaml(kMarkers, "markers/test.yaml", db).ok());
  REQUIRE(db.finish().ok());

  const ScanResult with_names = db.matcher->scan(sample->image, sample->go);
  REQUIRE(hit_of(with_names, "test.shim") != nullptr);
  const MarkerHit* always = hit_of(with_names, "test.always");
  REQUIRE(always != nullptr);
  CHECK(always->section == ".rodata");
  const MarkerHit* open = hit_of(with_names, "test.open");
  REQUIRE(open != nullptr);
  CHECK(open->vaddr == always->vaddr);
  CHECK(hit_of(with_names, "test.closed") == nullptr);
  CHECK_FALSE(with_names.has(Signal::ms_string));
  // Region hits come first, as when regions were searched before the names.
  CHECK(with_names.hits.front().marker->id == "test.open");

  sample->go.functions.reset();  // as in a binary whose pclntab could not be read
  const ScanResult without_names = db.matcher->scan(sample->image, sample->go);
  const MarkerHit* closed = hit_of(without_names, "test.closed");
  REQUIRE(closed != nullptr);
  CHECK(closed->vaddr == always->vaddr);
}

TEST_CASE(
    "a scoped code signature is found in its function's body, and by the region scan "
    "when there is no function table") {
  auto sample = load_sample("go1.19-amd64-boring-cgo");
  if (!sample) return;
  const BinaryImage& image = sample->image;
  GoBinary& go = sample->go;
  REQUIRE(go.functions.has_value());
  const auto signature = go.functions->find("crypto/internal/boring/sig.BoringCrypto");
  REQUIRE(signature.has_value());

  const ScanResult scoped = signatures().matcher->scan(image, go);
  const MarkerHit* in_body = hit_of(scoped, "boring.sig.boringcrypto.amd64");
  REQUIRE(in_body != nullptr);
  CHECK(in_body->vaddr == signature->entry);
  CHECK(in_body->function == "crypto/internal/boring/sig.BoringCrypto");
  CHECK(in_body->section == ".text");

  go.functions.reset();  // as in a binary whose pclntab could not be read
  const ScanResult whole_region = signatures().matcher->scan(image, go);
  const MarkerHit* in_text = hit_of(whole_region, "boring.sig.boringcrypto.amd64");
  REQUIRE(in_text != nullptr);
  CHECK(in_text->vaddr == in_body->vaddr);
  CHECK(in_text->file_offset == in_body->file_offset);
  CHECK(in_text->text == in_body->text);
}
