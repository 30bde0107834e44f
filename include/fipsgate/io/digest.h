// SHA-256 through OpenSSL's EVP interface.
#pragma once

#include <string>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

class MappedFile;

// Lower-case hex SHA-256 of the bytes. When `file` holds them and is mapped, they are read as the
// call scan reads code (for_each_piece): up to 64 MiB in windows copied out with pread, which on
// the 2-vCPU guests this runs on took kubectl's scan with its digest from 80 to 58 ms
// (docs/BENCHMARKS.md, fourteenth round).
Result<std::string> sha256_hex(ByteView bytes, const MappedFile* file = nullptr);

}  // namespace fipsgate
