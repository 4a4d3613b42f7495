#include "services/catalog/store/site_store.h"

#include "absl/strings/str_cat.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/sql_util.h"
#include "services/common/password_hash.h"

namespace mm::catalog {
namespace {

constexpr char kSelectSite[] = R"sql(
SELECT s.id, s.name, (s.password_hash IS NOT NULL OR s.password IS NOT NULL), s.org_url,
       s.private, s.admin_active, s.user_active, )sql" MM_SQL_EPOCH("s.created_at") R"sql(,
       s.created_by, s.all_sites_can_pull_from_me, s.downstream_comments, s.email_on_drop,
       s.email_on_add
FROM site s)sql";

Site RowToSite(const pqxx::row& r) {
  Site s;
  s.id = r[0].as<int64_t>();
  s.name = r[1].as<std::string>();
  s.has_password = r[2].as<bool>();
  s.org_url = Opt<std::string>(r[3]);
  s.private_ = r[4].as<bool>();
  s.admin_active = r[5].as<bool>();
  s.user_active = r[6].as<bool>();
  s.created_at = r[7].as<int64_t>();
  s.created_by = r[8].as<std::string>();
  s.all_sites_can_pull_from_me = r[9].as<bool>();
  s.downstream_comments = Opt<std::string>(r[10]);
  s.email_on_drop = r[11].as<bool>();
  s.email_on_add = r[12].as<bool>();
  return s;
}

void LoadAdmins(pqxx::transaction_base& tx, std::vector<Site>& sites) {
  if (sites.empty()) return;
  std::vector<int64_t> ids;
  for (const auto& s : sites) ids.push_back(s.id);
  pqxx::result rows = tx.exec_params(
      "SELECT id, site_id, COALESCE(username, '') FROM site_admin "
      "WHERE site_id = ANY($1::integer[]) ORDER BY id",
      PgIntArray(ids));
  for (const auto& r : rows) {
    SiteAdmin a{r[0].as<int64_t>(), r[1].as<int64_t>(), r[2].as<std::string>()};
    for (auto& s : sites) {
      if (s.id == a.site_id) s.admins.push_back(a);
    }
  }
}

absl::StatusOr<Site> GetTx(pqxx::transaction_base& tx, int64_t id) {
  pqxx::result r = tx.exec_params(absl::StrCat(kSelectSite, " WHERE s.id = $1"), id);
  if (r.empty()) return absl::NotFoundError("Site not found");
  std::vector<Site> sites{RowToSite(r[0])};
  LoadAdmins(tx, sites);
  return sites[0];
}

bool Set(const std::optional<std::optional<std::string>>& f) { return f.has_value(); }
std::optional<std::string> Val(const std::optional<std::optional<std::string>>& f) {
  return f.has_value() ? *f : std::nullopt;
}

// The argon2id hash of a password being set, or nullopt when the password is left alone.
absl::StatusOr<std::optional<std::string>> HashIfSet(const std::optional<std::string>& password) {
  if (!password) return std::optional<std::string>();
  auto h = common::HashPassword(*password);
  if (!h.ok()) return h.status();
  return std::optional<std::string>(*h);
}

}  // namespace

absl::StatusOr<Site> SiteStore::Create(const SiteFields& f, const std::vector<std::string>& admins) {
  if (!f.name || f.name->empty()) return absl::InvalidArgumentError("site name is required");
  if (!f.created_by) return absl::InvalidArgumentError("created_by is required");
  auto hash = HashIfSet(f.password);
  if (!hash.ok()) return hash.status();
  return pool_.Query<Site>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Site> {
        pqxx::row r = tx.exec_params1(
            R"sql(
INSERT INTO site (name, password_hash, org_url, private, admin_active, user_active, created_by,
                  all_sites_can_pull_from_me, downstream_comments, email_on_drop, email_on_add)
VALUES ($1, $2, $3, COALESCE($4::boolean, false), COALESCE($5::boolean, true),
        COALESCE($6::boolean, true), $7, COALESCE($8::boolean, false), $9,
        COALESCE($10::boolean, false), COALESCE($11::boolean, false))
RETURNING id)sql",
            *f.name, *hash, Val(f.org_url), f.private_, f.admin_active, f.user_active, *f.created_by,
            f.all_sites_can_pull_from_me, Val(f.downstream_comments), f.email_on_drop,
            f.email_on_add);
        int64_t id = r[0].as<int64_t>();
        for (const auto& a : admins) {
          tx.exec_params("INSERT INTO site_admin (username, site_id) VALUES ($1, $2)", a, id);
        }
        return GetTx(tx, id);
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<Site> SiteStore::Update(int64_t id, const SiteFields& f) {
  if (f.name && f.name->empty()) return absl::InvalidArgumentError("site name must not be empty");
  auto hash = HashIfSet(f.password);
  if (!hash.ok()) return hash.status();
  return pool_.Query<Site>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Site> {
        pqxx::result before = tx.exec_params("SELECT private FROM site WHERE id = $1 FOR UPDATE", id);
        if (before.empty()) return absl::NotFoundError("Site not found");
        tx.exec_params(
            R"sql(
UPDATE site SET
  name = COALESCE($2::text, name),
  password_hash = COALESCE($3::text, password_hash),
  password = CASE WHEN $3::text IS NULL THEN password END,
  org_url = CASE WHEN $4::boolean THEN $5::text ELSE org_url END,
  private = COALESCE($6::boolean, private),
  admin_active = COALESCE($7::boolean, admin_active),
  user_active = COALESCE($8::boolean, user_active),
  created_by = COALESCE($9::text, created_by),
  all_sites_can_pull_from_me = COALESCE($10::boolean, all_sites_can_pull_from_me),
  downstream_comments = CASE WHEN $11::boolean THEN $12::text ELSE downstream_comments END,
  email_on_drop = COALESCE($13::boolean, email_on_drop),
  email_on_add = COALESCE($14::boolean, email_on_add)
WHERE id = $1)sql",
            id, f.name, *hash, Set(f.org_url), Val(f.org_url), f.private_, f.admin_active,
            f.user_active, f.created_by, f.all_sites_can_pull_from_me, Set(f.downstream_comments),
            Val(f.downstream_comments), f.email_on_drop, f.email_on_add);
        if (f.private_ && *f.private_ != before[0][0].as<bool>()) {
          for (const auto& h : tx.exec_params("SELECT id FROM host WHERE site_id = $1", id)) {
            HostStore::SetNotUp2dateTx(tx, h[0].as<int64_t>());
          }
        }
        return GetTx(tx, id);
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<Site> SiteStore::Get(int64_t id) {
  return pool_.Query<Site>([&](pqxx::transaction_base& tx) { return GetTx(tx, id); });
}

absl::StatusOr<std::vector<Site>> SiteStore::List(const SiteQuery& q) {
  return pool_.Query<std::vector<Site>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Site>> {
        std::vector<Site> out;
        for (const auto& r : tx.exec_params(
                 absl::StrCat(kSelectSite, R"sql(
WHERE ($1::text IS NULL OR s.name = $1::text)
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM site_admin a
                                   WHERE a.site_id = s.id AND a.username = $2::text))
ORDER BY s.name, s.created_at, s.id)sql"),
                 q.name, q.admin_username)) {
          out.push_back(RowToSite(r));
        }
        LoadAdmins(tx, out);
        return out;
      });
}

absl::Status SiteStore::Delete(int64_t id) {
  return pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (tx.exec_params("SELECT 1 FROM site WHERE id = $1 FOR UPDATE", id).empty()) {
      return absl::NotFoundError("Site not found");
    }
    for (const auto& h : tx.exec_params("SELECT id FROM host WHERE site_id = $1", id)) {
      HostStore::DeleteHostTx(tx, h[0].as<int64_t>());
    }
    tx.exec_params("DELETE FROM site_admin WHERE site_id = $1", id);
    tx.exec_params("DELETE FROM site_to_site WHERE upstream_site_id = $1 OR downstream_site_id = $1", id);
    tx.exec_params("DELETE FROM site WHERE id = $1", id);
    return absl::OkStatus();
  });
}

absl::StatusOr<SiteAdmin> SiteStore::AddAdmin(int64_t site_id, const std::string& username) {
  if (username.empty()) return absl::InvalidArgumentError("username is required");
  return pool_.Query<SiteAdmin>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<SiteAdmin> {
        if (tx.exec_params("SELECT 1 FROM site WHERE id = $1", site_id).empty()) {
          return absl::NotFoundError("Site not found");
        }
        pqxx::row r = tx.exec_params1(
            "INSERT INTO site_admin (username, site_id) VALUES ($1, $2) RETURNING id", username,
            site_id);
        return SiteAdmin{r[0].as<int64_t>(), site_id, username};
      },
      PgPool::Mode::kReadWrite);
}

absl::Status SiteStore::RemoveAdmin(int64_t site_id, int64_t admin_id) {
  return pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result admin = tx.exec_params("SELECT site_id FROM site_admin WHERE id = $1", admin_id);
    if (admin.empty()) return absl::NotFoundError("Site Admin not found");
    if (admin[0][0].as<int64_t>() != site_id) {
      return absl::NotFoundError("Site Admin not related to this Site");
    }
    // Lock the site's admin rows so two concurrent removals cannot both pass the count.
    pqxx::result all = tx.exec_params("SELECT id FROM site_admin WHERE site_id = $1 FOR UPDATE", site_id);
    if (all.size() <= 1) {
      return absl::FailedPreconditionError("There is only one admin set, you cannot delete it.");
    }
    tx.exec_params("DELETE FROM site_admin WHERE id = $1", admin_id);
    return absl::OkStatus();
  });
}

}  // namespace mm::catalog
