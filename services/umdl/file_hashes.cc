#include "services/umdl/file_hashes.h"

#include <openssl/evp.h>

#include <memory>

namespace mm::umdl {
namespace {

std::string Hex(const unsigned char* p, unsigned int n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (unsigned int i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  // The EVP calls only fail on allocation failure or a missing algorithm: a broken invariant.
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, &n) != 1) {
    std::abort();
  }
  return Hex(out, n);
}

}  // namespace

FileHashes HashAll(std::string_view data) {
  return FileHashes{Digest(EVP_md5(), data), Digest(EVP_sha1(), data), Digest(EVP_sha256(), data),
                    Digest(EVP_sha512(), data)};
}

}  // namespace mm::umdl
