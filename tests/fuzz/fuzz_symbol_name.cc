// The Go symbol-name grammar on arbitrary names.
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  std::string_view name(reinterpret_cast<const char*>(data), size);
  volatile uint8_t sink = 0;
  fuzzing::exercise_name(name, sink);
  std::string_view package = package_path(name);
  if (!package.empty() &&
      (package.data() < name.data() || package.data() + package.size() > name.data() + name.size()))
    std::abort();  // documented as a view into the name
  sink = sink + static_cast<uint8_t>(unescape_path(name).size());
  return 0;
}
