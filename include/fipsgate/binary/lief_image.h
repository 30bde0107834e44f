// PE and Mach-O through LIEF, into the same BinaryImage model. Not on the ELF hot path: LIEF
// lives in the module fipsgate-lief.so (src/lief), which read_with_lief loads at its first call
// (src/binary/lief_loader.cc). LIEF's ELF loader also serves tests as an oracle for our reader.
#pragma once

#include <string>

#include "fipsgate/binary/binary_image.h"

namespace fipsgate {

bool is_pe(ByteView file);
bool is_macho(ByteView file);
// Loads the LIEF module on first use, from the first of: $FIPSGATE_LIEF_MODULE, fipsgate-lief.so
// next to the executable, the installed library directory, the build tree. An Error names the
// places tried when it cannot be loaded (the file is then unanalyzable, never passing).
Result<BinaryImage> read_with_lief(ByteView file);

// Structure checks read_with_lief runs before LIEF sees a file (LIEF 0.9 trusts the counts and
// offsets it reads): every load command, section, relocation, symbol and linkedit range of a
// Mach-O (each fat slice too), and a PE's headers, section table, COFF symbol table and
// resource tree depth, must lie inside the file. An Error names the first range that does not.
Status check_macho_structure(ByteView file);
Status check_pe_structure(ByteView file);

// LIEF's own ELF loader into the model, for tests that check our reader against it: sections
// (names, types, addresses, offsets, sizes), PT_LOAD segments, interpreter, and the static
// symbols (.symtab, including the null entry 0 as LIEF lists it) as an owned list. Slow and
// copying: never on the analysis path. Defined in src/lief (the tests link those objects).
Result<BinaryImage> read_elf_with_lief(ByteView file);
Result<BinaryImage> read_pe_or_macho_with_lief(ByteView file);  // the module's reader

}  // namespace fipsgate
