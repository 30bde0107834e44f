// The signature database's YAML files (markers, modules, non-approved packages). The first byte
// chooses which parser reads the rest.
#include "fipsgate/match/signature_db.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  SignatureDb db;
  Status status = Status(Ok{});
  switch (data[0] % 3) {
    case 0:
      status = parse_markers_yaml(text, "fuzz.yaml", db);
      break;
    case 1:
      status = parse_modules_yaml(text, "fuzz.yaml", db);
      break;
    default:
      status = parse_non_approved_yaml(text, "fuzz.yaml", db);
      break;
  }
  if (status) (void)db.finish();
  return 0;
}
