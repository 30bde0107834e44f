#include "fipsgate/io/digest.h"

#include <openssl/evp.h>

#include <memory>

namespace fipsgate {

Result<std::string> sha256_hex(ByteView bytes) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return Error("sha256: OpenSSL could not initialise a digest context");
  }
  // Feed in bounded chunks: EVP_DigestUpdate takes size_t, and large files page in gradually.
  constexpr uint64_t kChunkBytes = 1 << 24;
  for (uint64_t offset = 0; offset < bytes.size(); offset += kChunkBytes) {
    ByteView chunk = bytes.clamp(offset, kChunkBytes);
    if (EVP_DigestUpdate(context.get(), chunk.data(), chunk.size()) != 1) {
      return Error("sha256: OpenSSL digest update failed");
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &digest_length) != 1) {
    return Error("sha256: OpenSSL digest finalisation failed");
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(digest_length * 2);
  for (unsigned i = 0; i < digest_length; ++i) {
    text.push_back(kHexDigits[digest[i] >> 4]);
    text.push_back(kHexDigits[digest[i] & 15]);
  }
  return text;
}

}  // namespace fipsgate
