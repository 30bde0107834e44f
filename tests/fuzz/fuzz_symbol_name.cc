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
  if (unescape_path(escape_path(name)) != name) std::abort();  // escape_path loses nothing
  // The per-package count's shortcut: the input split at its first NUL into an earlier name,
  // whose package is the run's, and a later one that must agree with the full reading.
  const size_t split = name.find('\0');
  if (split != std::string_view::npos) {
    const std::string_view run_package = package_path(name.substr(0, split));
    const std::string_view later = name.substr(split + 1);
    if (!run_package.empty() && continues_package(later, run_package) &&
        package_path(later) != run_package) {
      std::abort();  // continues_package promised a package the grammar does not give
    }
    // The table form reads `later` up to its own next NUL (or the input's end), as the pclntab
    // holds names: it must answer as the string_view form does for those bytes.
    const TerminatedName in_table{later.data(), later.size()};
    if (!run_package.empty() && continues_package(in_table, PackageRun(run_package)) !=
                                    continues_package(in_table.measured(), run_package)) {
      std::abort();
    }
  }
  return 0;
}
