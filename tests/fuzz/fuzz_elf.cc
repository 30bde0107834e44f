// ELF reader on raw bytes: the image model and everything it points into.
#include "fipsgate/binary/elf.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  ByteView file(data, size);
  auto image = read_elf(file);
  if (!image) return 0;
  fuzzing::Violations violations;
  volatile uint8_t sink = 0;
  fuzzing::exercise_image(*image, violations, sink);
  fuzzing::abort_on(violations);
  return 0;
}
