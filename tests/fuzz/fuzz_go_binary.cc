// The whole Go stage from raw file bytes: ELF reader, build info (and its fallback), pclntab,
// moduledata, function table.
#include "fipsgate/binary/elf.h"
#include "fipsgate/go/go_binary.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  ByteView file(data, size);
  auto image = read_elf(file);
  if (!image) return 0;
  GoBinary go = read_go_binary(*image);
  fuzzing::Violations violations;
  volatile uint8_t sink = 0;
  fuzzing::exercise_go(*image, go, violations, sink);
  fuzzing::abort_on(violations);
  return 0;
}
