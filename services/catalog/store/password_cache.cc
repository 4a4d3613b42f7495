#include "services/catalog/store/password_cache.h"

#include <sodium.h>

namespace mm::catalog {

PasswordVerifyCache::PasswordVerifyCache(absl::Duration ttl, size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries) {
  if (sodium_init() < 0) ttl_ = absl::ZeroDuration();  // no randomness: stay disabled
  randombytes_buf(key_, sizeof key_);
}

std::string PasswordVerifyCache::Digest(std::string_view password) const {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(password.data()),
                     password.size(), key_, sizeof key_);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

bool PasswordVerifyCache::Hit(int64_t site_id, std::string_view stored_hash,
                              std::string_view password, absl::Time now) {
  if (ttl_ <= absl::ZeroDuration()) return false;
  std::string digest = Digest(password);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(site_id);
  if (it == entries_.end()) return false;
  if (it->second.expires < now || it->second.stored_hash != stored_hash) {
    entries_.erase(it);
    return false;
  }
  return sodium_memcmp(it->second.digest.data(), digest.data(), digest.size()) == 0;
}

void PasswordVerifyCache::Remember(int64_t site_id, std::string_view stored_hash,
                                   std::string_view password, absl::Time now) {
  if (ttl_ <= absl::ZeroDuration()) return;
  std::string digest = Digest(password);
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_[site_id] = Entry{std::string(stored_hash), std::move(digest), now + ttl_};
}

void PasswordVerifyCache::Forget(int64_t site_id) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(site_id);
}

size_t PasswordVerifyCache::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace mm::catalog
