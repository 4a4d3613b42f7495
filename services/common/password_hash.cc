#include "services/common/password_hash.h"

#include <sodium.h>

#include <mutex>

#include "absl/strings/match.h"

namespace mm::common {
namespace {

// 19 MiB and 2 passes: the OWASP argon2id baseline. A verification costs roughly 20-40 ms of
// one core, which bounds check-in throughput per core; see docs/PERFORMANCE.md.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19u << 20;

bool EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

absl::StatusOr<std::string> HashPassword(std::string_view password) {
  if (!EnsureSodium()) return absl::InternalError("libsodium initialisation failed");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("argon2id hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  if (!EnsureSodium() || !IsPasswordHash(encoded_hash)) return false;
  std::string hash(encoded_hash);  // must be NUL-terminated
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool IsPasswordHash(std::string_view value) {
  return value.substr(0, 10) == "$argon2id$" && value.size() < crypto_pwhash_STRBYTES;
}

}  // namespace mm::common
