// moduledata decoding and the function table built through it. Input: one shape byte (its high
// bits choose the pclntab layout), then the bytes of .noptrdata at kDataVaddr, found through the
// runtime.firstmoduledata symbol or, without symbols, by the pointer scan. The pclntab itself
// is a fixed valid one, so every execution reaches the moduledata checks.
#include "fipsgate/binary/elf.h"
#include "fipsgate/go/function_table.h"
#include "fipsgate/go/moduledata.h"
#include "wrap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  using namespace fipsgate::fuzzing;
  if (size < 1) return 0;
  Shape shape = Shape::from(data[0]);
  testing::BuiltElf elf =
      wrap_moduledata_input(shape, std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  auto image = read_elf(elf.view());
  if (!image) std::abort();
  auto pclntab = find_pclntab(*image);
  if (!pclntab) return 0;
  Violations violations;
  volatile uint8_t sink = 0;
  if (auto found = find_moduledata(*image, *pclntab)) {
    if (found->text_sections.size() > 4096) violations.add("textsectmap over its bound");
    for (uint64_t offset : {uint64_t{0}, uint64_t{0x40}, ~uint64_t{0}})
      sink = sink + static_cast<uint8_t>(text_address(*found, offset));
    if (auto functions = read_function_table(*image, *pclntab, &*found))
      exercise_functions(*image, *functions, violations, sink);
  }
  (void)read_moduledata_at(*image, *pclntab, kDataVaddr + 8, "fuzz offset");
  abort_on(violations);
  return 0;
}
