#pragma once
// A short-lived, bounded memory of successful site-password verifications, so that a mirror
// checking in again does not pay argon2id (~20-40 ms of CPU) every time.
//
// An entry holds the site id, the stored hash that was verified and a keyed BLAKE2b digest of the
// password (the key is random per process, so the memory never holds the password or an offline-
// crackable digest of it). A lookup hits only when the site's *current* stored hash equals the
// remembered one, so changing the password (a new hash) invalidates the entry by itself; entries
// also expire after `ttl`. When full, the whole map is cleared (simple and bounded).
//
// Thread-safety: all methods are thread-safe.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/time/time.h"

namespace mm::catalog {

class PasswordVerifyCache {
 public:
  // ttl <= 0 disables the cache.
  PasswordVerifyCache(absl::Duration ttl, size_t max_entries = 10000);

  bool Hit(int64_t site_id, std::string_view stored_hash, std::string_view password,
           absl::Time now);
  void Remember(int64_t site_id, std::string_view stored_hash, std::string_view password,
                absl::Time now);
  void Forget(int64_t site_id);
  size_t size();

 private:
  struct Entry {
    std::string stored_hash;
    std::string digest;
    absl::Time expires;
  };
  std::string Digest(std::string_view password) const;

  absl::Duration ttl_;
  size_t max_entries_;
  unsigned char key_[32];
  std::mutex mu_;
  std::unordered_map<int64_t, Entry> entries_;  // guarded by mu_
};

}  // namespace mm::catalog
