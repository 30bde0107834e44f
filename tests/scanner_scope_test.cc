// Byte markers scoped to a function (ByteRule::function): with a function table only that
// function's body is searched; without one the whole region is. Both must find the same bytes
// in a real BoringCrypto binary.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
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

}  // namespace

TEST_CASE(
    "a scoped code signature is found in its function's body, and by the region scan "
    "when there is no function table") {
  const std::filesystem::path sample =
      std::filesystem::path(FIPSGATE_SAMPLES_DIR) / "go1.19-amd64-boring-cgo";
  if (!std::filesystem::exists(sample)) {
    const char* required = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
    REQUIRE_MESSAGE(!(required && std::string(required) == "1"), "missing " << sample);
    MESSAGE("skipped: " << sample << " is not built");
    return;
  }
  auto file = MappedFile::open(sample.string());
  REQUIRE(file.ok());
  auto image = read_binary_image(file->view());
  REQUIRE(image.ok());
  GoBinary go = read_go_binary(*image);
  REQUIRE(go.functions.has_value());
  const auto signature = go.functions->find("crypto/internal/boring/sig.BoringCrypto");
  REQUIRE(signature.has_value());

  const ScanResult scoped = signatures().matcher->scan(*image, go);
  const MarkerHit* in_body = hit_of(scoped, "boring.sig.boringcrypto.amd64");
  REQUIRE(in_body != nullptr);
  CHECK(in_body->vaddr == signature->entry);
  CHECK(in_body->function == "crypto/internal/boring/sig.BoringCrypto");
  CHECK(in_body->section == ".text");

  go.functions.reset();  // as in a binary whose pclntab could not be read
  const ScanResult whole_region = signatures().matcher->scan(*image, go);
  const MarkerHit* in_text = hit_of(whole_region, "boring.sig.boringcrypto.amd64");
  REQUIRE(in_text != nullptr);
  CHECK(in_text->vaddr == in_body->vaddr);
  CHECK(in_text->file_offset == in_body->file_offset);
  CHECK(in_text->text == in_body->text);
}
