// The ELF reader: ELF32/ELF64, little and big endian, zero-copy over the file's ByteView.
// Works when section headers are stripped or garbage (segments are enough for the Go layer).
#pragma once

#include "fipsgate/binary/binary_image.h"

namespace fipsgate {

bool is_elf(ByteView file);
Result<BinaryImage> read_elf(ByteView file);

}  // namespace fipsgate
