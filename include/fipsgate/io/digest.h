// SHA-256 through OpenSSL's EVP interface.
#pragma once

#include <string>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

// Lower-case hex SHA-256 of the bytes.
Result<std::string> sha256_hex(ByteView bytes);

}  // namespace fipsgate
