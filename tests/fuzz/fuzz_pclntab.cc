// pclntab header, sub-tables and the function table built on it. Input: one shape byte, then
// the bytes of .gopclntab at kPclntabVaddr (text at kTextVaddr, so seeds with textStart
// 0x401000 decode). With the shape's "no section headers" bit the table is found by its
// runtime.pclntab symbol or the magic search instead of by section name.
#include "fipsgate/binary/elf.h"
#include "fipsgate/go/function_table.h"
#include "fipsgate/go/pclntab.h"
#include "wrap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  using namespace fipsgate::fuzzing;
  if (size < 1) return 0;
  Shape shape = Shape::from(data[0]);
  ByteView table_bytes(data + 1, size - 1);
  volatile uint8_t sink = 0;
  Violations violations;
  if (auto direct = parse_pclntab(table_bytes, kPclntabVaddr, "fuzz input")) {
    for (ByteView view : {direct->funcname_table, direct->cu_table, direct->file_table,
                          direct->pc_table, direct->func_table, direct->functab})
      if (!inside(table_bytes, view)) violations.add("parse_pclntab view outside its input");
  }
  (void)looks_like_pclntab_header(table_bytes);

  testing::BuiltElf elf = wrap_pclntab_input(shape, std::string(table_bytes.chars()));
  auto image = read_elf(elf.view());
  if (!image) std::abort();
  if (auto pclntab = find_pclntab(*image)) {
    if (auto functions = read_function_table(*image, *pclntab, nullptr))
      exercise_functions(*image, *functions, violations, sink);
  }
  abort_on(violations);
  return 0;
}
