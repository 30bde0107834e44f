// Policy, waiver and rule-catalogue YAML. The first byte chooses the parser; policies and
// waivers are checked against the real rule catalogue from signatures/rules.yaml.
#include <optional>

#include "fipsgate/policy/policy.h"
#include "fipsgate/policy/rules.h"
#include "fipsgate/policy/waivers.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  static const std::optional<RuleCatalogue> catalogue = [] {
    auto loaded = RuleCatalogue::load_file(signatures_directory() + "/rules.yaml");
    if (!loaded) {
      std::fprintf(stderr, "rules.yaml: %s\n", loaded.error().message().c_str());
      std::abort();
    }
    return std::optional<RuleCatalogue>(std::move(*loaded));
  }();
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)parse_policy(text, "fuzz.yaml", *catalogue);
      break;
    case 1:
      (void)parse_waivers(text, "fuzz.yaml", *catalogue);
      break;
    default:
      (void)RuleCatalogue::parse(text, "fuzz.yaml");
      break;
  }
  return 0;
}
