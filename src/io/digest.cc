// SHA-256 through OpenSSL's EVP interface; libcrypto is opened at the first digest
// (io/shared_library.h), so runs that hash nothing do not load it.
#include "fipsgate/io/digest.h"

#include <openssl/evp.h>

#include <memory>

#include "fipsgate/io/mapped_file.h"
#include "io/shared_library.h"

namespace fipsgate {

namespace {

struct Libcrypto {
  decltype(&EVP_MD_CTX_new) context_new = nullptr;
  decltype(&EVP_MD_CTX_free) context_free = nullptr;
  decltype(&EVP_sha256) sha256 = nullptr;
  decltype(&EVP_DigestInit_ex) init = nullptr;
  decltype(&EVP_DigestUpdate) update = nullptr;
  decltype(&EVP_DigestFinal_ex) final = nullptr;
  std::string error;  // set when the library or one of its functions is missing
};

Libcrypto load_libcrypto() {
  Libcrypto api;
  const std::string error =
      open_library(FIPSGATE_LIBCRYPTO_SONAME, {{"EVP_MD_CTX_new", api.context_new},
                                               {"EVP_MD_CTX_free", api.context_free},
                                               {"EVP_sha256", api.sha256},
                                               {"EVP_DigestInit_ex", api.init},
                                               {"EVP_DigestUpdate", api.update},
                                               {"EVP_DigestFinal_ex", api.final}});
  if (!error.empty()) api.error = "sha256: " + error;
  return api;
}

const Libcrypto& libcrypto() {
  static const Libcrypto api = load_libcrypto();  // thread-safe, once per process
  return api;
}

}  // namespace

Result<std::string> sha256_hex(ByteView bytes, const MappedFile* file) {
  const Libcrypto& api = libcrypto();
  if (!api.error.empty()) return Error(api.error);
  std::unique_ptr<EVP_MD_CTX, decltype(api.context_free)> context(api.context_new(),
                                                                  api.context_free);
  if (!context || api.init(context.get(), api.sha256(), nullptr) != 1) {
    return Error("sha256: OpenSSL could not initialise a digest context");
  }
  bool updated = true;
  for_each_piece(file, bytes, 0, bytes.size(), 0,
                 [&](const uint8_t* data, uint64_t, uint64_t own, uint64_t) {
                   updated = api.update(context.get(), data, own) == 1;
                   return updated;
                 });
  if (!updated) return Error("sha256: OpenSSL digest update failed");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (api.final(context.get(), digest, &digest_length) != 1) {
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
