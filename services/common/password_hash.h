#pragma once
// argon2id password hashing (libsodium) for every stored secret: site passwords used by
// report_mirror check-ins, local accounts. Hashes are self-describing encoded strings
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), so parameters can change later.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mm::common {

absl::StatusOr<std::string> HashPassword(std::string_view password);
// Constant-time verification; false for malformed hashes.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);
// True when `value` is an encoded argon2id hash (not a legacy plain-text password).
bool IsPasswordHash(std::string_view value);

}  // namespace mm::common
