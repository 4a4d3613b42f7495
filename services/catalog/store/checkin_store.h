#pragma once
// report_mirror check-ins (mm2-web-and-data.md §3.4): site authentication (argon2id hash; a
// plain-text value written by upstream tooling is accepted once and replaced by its hash), host
// lookup within the site, the private-only rule, the optional user_active toggle and the
// host_category_dir reconciliation. Everything a check-in writes happens in one transaction.
//
// Password verification runs outside any transaction (it costs tens of milliseconds of CPU) and
// successful verifications are remembered briefly (PasswordVerifyCache).
//
// Thread-safety: safe to share; concurrent check-ins of one host serialise on the host row.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mm::catalog {

class PgPool;
class PasswordVerifyCache;

struct CheckinCategory {
  std::string name;                  // payload key, matched case-insensitively
  std::vector<std::string> dirtree;  // paths relative to the category's topdir
};

struct CheckinInput {
  std::string site_name, site_password, host_name;
  bool host_name_not_string = false;  // no host can match
  std::optional<bool> user_active;
  std::vector<CheckinCategory> categories;
};

struct CheckinResult {
  enum class Code { kOk, kAuthFailed, kHostNotFound, kNotPrivate };
  Code code = Code::kOk;
  std::string message;  // upstream's text, without the final suffix
  int64_t host_id = 0;
};

class CheckinStore {
 public:
  CheckinStore(PgPool& pool, PasswordVerifyCache& cache) : pool_(pool), cache_(cache) {}

  absl::StatusOr<CheckinResult> Checkin(const CheckinInput& input);

 private:
  PgPool& pool_;
  PasswordVerifyCache& cache_;
};

}  // namespace mm::catalog
