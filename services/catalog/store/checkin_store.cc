#include "services/catalog/store/checkin_store.h"

#include <sodium.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/password_cache.h"
#include "services/catalog/store/sql_util.h"
#include "services/common/log.h"
#include "services/common/password_hash.h"

namespace mm::catalog {
namespace {

constexpr char kAuthFailed[] = "Config file site name or password incorrect.\n";
constexpr char kHostNotFound[] = "Config file host name for site not found.\n";
constexpr char kNotPrivate[] = "Only private mirrors are allowed to use report_mirror.\n";

// Names are not unique: the first site of that name, as upstream.
constexpr char kSelectSite[] =
    "SELECT id, password, password_hash FROM site WHERE name = $1 ORDER BY id LIMIT 1";
// Replaces a legacy plain-text password by its hash, unless it changed meanwhile.
constexpr char kUpgradePassword[] =
    "UPDATE site SET password_hash = $2, password = NULL WHERE id = $1 AND password = $3";
constexpr char kLockHost[] =
    "SELECT id, private FROM host WHERE site_id = $1 AND name = $2 ORDER BY id LIMIT 1 FOR UPDATE";
constexpr char kSetUserActive[] = "UPDATE host SET user_active = $2 WHERE id = $1";
constexpr char kHostCategories[] = R"sql(
SELECT hc.id, c.name, t.name
FROM host_category hc JOIN category c ON c.id = hc.category_id
LEFT JOIN directory t ON t.id = c.topdir_id
WHERE hc.host_id = $1 ORDER BY hc.id)sql";
// One statement per category: mark the reported HCDs up to date, add the missing ones whose
// directory exists (topdir name + "/" + path, or the topdir itself), delete the unreported ones,
// and count. The paths arrive as one array and are joined through unnest(): a large constant
// array under "= ANY" would make the planner estimate every element (tens of milliseconds).
constexpr char kReconcile[] = R"sql(
WITH input AS (SELECT DISTINCT p AS path FROM unnest($2::text[]) AS p),
existing AS (SELECT d.path FROM host_category_dir d WHERE d.host_category_id = $1),
marked AS (
  UPDATE host_category_dir d SET up2date = true FROM input i
  WHERE d.host_category_id = $1 AND d.path = i.path AND NOT d.up2date RETURNING 1),
deleted AS (
  DELETE FROM host_category_dir d
  WHERE d.host_category_id = $1 AND NOT EXISTS (SELECT 1 FROM input i WHERE i.path = d.path)
  RETURNING 1),
added AS (
  INSERT INTO host_category_dir (host_category_id, path, directory_id, up2date)
  SELECT $1, i.path, dir.id, true
  FROM input i
  JOIN directory dir
    ON dir.name = CASE WHEN i.path = '' THEN $3::text ELSE $3::text || '/' || i.path END
  WHERE $3::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM existing e WHERE e.path = i.path)
  ON CONFLICT (host_category_id, path) DO NOTHING
  RETURNING 1)
SELECT (SELECT count(*) FROM existing e JOIN input i ON i.path = e.path),
       (SELECT count(*) FROM added), (SELECT count(*) FROM deleted), (SELECT count(*) FROM marked))sql";
constexpr char kTouchHost[] =
    "UPDATE host SET last_checked_in = (now() AT TIME ZONE 'utc') WHERE id = $1";

std::string StripSlashes(const std::string& p) {
  size_t b = p.find_first_not_of('/');
  if (b == std::string::npos) return "";
  size_t e = p.find_last_not_of('/');
  return p.substr(b, e - b + 1);
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

absl::StatusOr<CheckinResult> CheckinStore::Checkin(const CheckinInput& in) {
  CheckinResult result;
  // 1. Authenticate, outside any transaction.
  struct SiteRow {
    int64_t id = 0;
    std::optional<std::string> plain, hash;
  };
  auto site = pool_.Query<std::optional<SiteRow>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::optional<SiteRow>> {
        pqxx::result r = tx.exec_params(kSelectSite, in.site_name);
        if (r.empty()) return std::optional<SiteRow>();
        return std::optional<SiteRow>(
            SiteRow{r[0][0].as<int64_t>(), Opt<std::string>(r[0][1]), Opt<std::string>(r[0][2])});
      });
  if (!site.ok()) return site.status();
  if (!site->has_value()) {
    result.code = CheckinResult::Code::kAuthFailed;
    result.message = kAuthFailed;
    return result;
  }
  const SiteRow& s = **site;
  std::optional<std::string> new_hash;  // set when a legacy plain-text password is upgraded
  bool authenticated = false;
  absl::Time now = absl::Now();
  if (s.plain) {
    // A plain value is newer than any hash: catalog clears it whenever it stores a hash, so only
    // upstream tooling can have written it.
    authenticated = ConstantTimeEquals(*s.plain, in.site_password);
    if (authenticated) {
      auto h = common::HashPassword(in.site_password);
      if (!h.ok()) return h.status();
      new_hash = *h;
    }
  } else if (s.hash) {
    authenticated = cache_.Hit(s.id, *s.hash, in.site_password, now);
    if (!authenticated && common::VerifyPassword(*s.hash, in.site_password)) {
      authenticated = true;
      cache_.Remember(s.id, *s.hash, in.site_password, now);
    }
  }
  if (!authenticated) {
    result.code = CheckinResult::Code::kAuthFailed;
    result.message = kAuthFailed;
    return result;
  }

  // 2. Apply, atomically.
  absl::Status st = pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    result = CheckinResult{};
    if (new_hash) {
      tx.exec_params(kUpgradePassword, s.id, *new_hash, *s.plain);
    }
    pqxx::result host;
    if (!in.host_name_not_string) host = tx.exec_params(kLockHost, s.id, in.host_name);
    if (host.empty()) {
      result.code = CheckinResult::Code::kHostNotFound;
      result.message = kHostNotFound;
      return absl::OkStatus();  // commits a password upgrade: the password was right
    }
    int64_t host_id = host[0][0].as<int64_t>();
    result.host_id = host_id;
    if (!host[0][1].as<bool>()) {
      result.code = CheckinResult::Code::kNotPrivate;
      result.message = kNotPrivate;
      return absl::OkStatus();
    }
    if (in.user_active) tx.exec_params(kSetUserActive, host_id, *in.user_active);

    struct Hc {
      int64_t id;
      std::string name;
      std::optional<std::string> topdir;
    };
    std::vector<Hc> hcs;
    for (const auto& r : tx.exec_params(kHostCategories, host_id)) {
      hcs.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), Opt<std::string>(r[2])});
    }
    bool processed = false;
    for (const CheckinCategory& cat : in.categories) {
      std::string key = absl::AsciiStrToLower(cat.name);
      const Hc* hc = nullptr;
      for (const Hc& h : hcs) {
        if (absl::AsciiStrToLower(h.name) == key) {
          hc = &h;
          break;
        }
      }
      if (hc == nullptr) continue;  // check-ins never create host categories
      std::set<std::string> unique;
      for (const auto& p : cat.dirtree) unique.insert(StripSlashes(p));
      std::vector<std::string> paths(unique.begin(), unique.end());
      pqxx::row counts = tx.exec_params1(kReconcile, hc->id, PgTextArray(paths), hc->topdir);
      int64_t updated = counts[0].as<int64_t>();
      int64_t added = counts[1].as<int64_t>();
      int64_t deleted = counts[2].as<int64_t>();
      absl::StrAppend(&result.message, "Category ", hc->name, " directories updated: ", updated,
                      "  added: ", added, "  deleted ", deleted, "\n");
      processed = true;
    }
    if (processed) tx.exec_params(kTouchHost, host_id);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  // The password was just verified against the plain value that the new hash replaces: remember
  // it, so the next check-in of this site skips argon2id.
  if (new_hash) cache_.Remember(s.id, *new_hash, in.site_password, absl::Now());
  return result;
}

}  // namespace mm::catalog
