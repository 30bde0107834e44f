// Build-info blob (both formats) and its read-only-data fallback. Input: one shape byte, then
// the contents of a writable .go.buildinfo section at kDataVaddr (pointer-format seeds point into
// it); the same bytes also form .rodata for the fallback's sentinel and version-string search.
#include "fipsgate/binary/elf.h"
#include "fipsgate/go/build_info.h"
#include "wrap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  using namespace fipsgate::fuzzing;
  if (size < 1) return 0;
  Shape shape = Shape::from(data[0]);
  std::string blob(reinterpret_cast<const char*>(data + 1), size - 1);
  testing::BuiltElf elf = wrap_build_info_input(shape, blob);
  auto image = read_elf(elf.view());
  if (!image) std::abort();  // the wrapper is always a valid ELF
  volatile uint8_t sink = 0;
  if (auto info = read_build_info(*image); info && info->has_value()) {
    const BuildInfo& found = **info;
    sink = sink + touch(found.go_version_text) + touch(found.module_text);
    if (found.blob_file_offset >= elf.bytes.size()) std::abort();
  }
  std::vector<std::string> errors;
  for (bool heuristics : {false, true}) {
    if (auto fallback = find_build_info_fallback(*image, errors, heuristics)) {
      if (fallback->go_version_text) sink = sink + touch(*fallback->go_version_text);
      if (fallback->module_text) sink = sink + touch(*fallback->module_text);
    }
  }
  return 0;
}
