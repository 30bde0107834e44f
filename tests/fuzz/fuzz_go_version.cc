// Go toolchain version strings (runtime.buildVersion).
#include "fipsgate/go/go_version.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto version = parse_go_version(text);
  if (!version) return 0;
  volatile bool sink = version->at_least(1, 24) || version->has_experiment("boringcrypto");
  (void)sink;
  return 0;
}
