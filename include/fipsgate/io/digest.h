// SHA-256 through OpenSSL's EVP interface.
#pragma once

#include <string>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

class MappedFile;

// Lower-case hex SHA-256 of the bytes. When `file` holds them and is mapped, they are read in
// windows copied out of it with pread (for_each_piece), as the call scan reads code: on the 2-vCPU
// guests this runs on, faulting in a 57 MB kubectl's pages cost more than the hashing itself.
Result<std::string> sha256_hex(ByteView bytes, const MappedFile* file = nullptr);

}  // namespace fipsgate
