// PE and Mach-O through LIEF, into the same BinaryImage model. Not on the ELF hot path; LIEF's
// ELF loader also serves tests as an oracle for our own reader.
#pragma once

#include <string>

#include "fipsgate/binary/binary_image.h"

namespace fipsgate {

bool is_pe(ByteView file);
bool is_macho(ByteView file);
Result<BinaryImage> read_with_lief(ByteView file);

}  // namespace fipsgate
