#include "services/catalog/store/host_store.h"

#include "absl/strings/str_cat.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/sql_util.h"

namespace mm::catalog {
namespace {

constexpr char kSelectHost[] = R"sql(
SELECT h.id, COALESCE(h.site_id, 0), COALESCE(s.name, ''), h.name, h.robot_email,
       h.admin_active, h.user_active, h.country, h.bandwidth_int, h.comment,
       )sql" MM_SQL_EPOCH("h.last_checked_in") ", " MM_SQL_EPOCH("h.last_crawled") R"sql(,
       h.private, h.internet2, h.internet2_clients, h.asn, h.asn_clients, h.max_connections,
       h.last_crawl_duration, COALESCE(h.crawl_failures, 0), h.disable_reason, h.latitude,
       h.longitude
FROM host h LEFT JOIN site s ON s.id = h.site_id)sql";

Host RowToHost(const pqxx::row& r) {
  Host h;
  h.id = r[0].as<int64_t>();
  h.site_id = r[1].as<int64_t>();
  h.site_name = r[2].as<std::string>();
  h.name = r[3].as<std::string>();
  h.robot_email = Opt<std::string>(r[4]);
  h.admin_active = r[5].as<bool>();
  h.user_active = r[6].as<bool>();
  h.country = r[7].as<std::string>();
  h.bandwidth_int = Opt<int32_t>(r[8]);
  h.comment = Opt<std::string>(r[9]);
  h.last_checked_in = Opt<int64_t>(r[10]);
  h.last_crawled = Opt<int64_t>(r[11]);
  h.private_ = r[12].as<bool>();
  h.internet2 = r[13].as<bool>();
  h.internet2_clients = r[14].as<bool>();
  h.asn = Opt<int32_t>(r[15]);
  h.asn_clients = r[16].as<bool>();
  h.max_connections = r[17].as<int32_t>();
  h.last_crawl_duration = Opt<int64_t>(r[18]);
  h.crawl_failures = r[19].as<int32_t>();
  h.disable_reason = Opt<std::string>(r[20]);
  h.latitude = Opt<double>(r[21]);
  h.longitude = Opt<double>(r[22]);
  return h;
}

absl::StatusOr<Host> GetTx(pqxx::transaction_base& tx, int64_t id) {
  pqxx::result r = tx.exec_params(absl::StrCat(kSelectHost, " WHERE h.id = $1"), id);
  if (r.empty()) return absl::NotFoundError("Host not found");
  return RowToHost(r[0]);
}

template <typename T>
bool Set(const std::optional<std::optional<T>>& f) {
  return f.has_value();
}
template <typename T>
std::optional<T> Val(const std::optional<std::optional<T>>& f) {
  return f.has_value() ? *f : std::nullopt;
}

// Checks that host category `hc_id` belongs to host `host_id`.
absl::Status CheckHostCategory(pqxx::transaction_base& tx, int64_t host_id, int64_t hc_id) {
  pqxx::result r = tx.exec_params("SELECT host_id FROM host_category WHERE id = $1", hc_id);
  if (r.empty()) return absl::NotFoundError("Host/Category not found");
  if (r[0][0].is_null() || r[0][0].as<int64_t>() != host_id) {
    return absl::NotFoundError("Category not associated with this host");
  }
  return absl::OkStatus();
}

}  // namespace

void HostStore::SetNotUp2dateTx(pqxx::transaction_base& tx, int64_t host_id) {
  tx.exec_params(
      "UPDATE host_category_dir SET up2date = false WHERE up2date AND host_category_id IN "
      "(SELECT id FROM host_category WHERE host_id = $1)",
      host_id);
}

void HostStore::DeleteHostTx(pqxx::transaction_base& tx, int64_t host_id) {
  // MirrorManager2's ORM cascades (host_category takes its dirs and urls by ON DELETE CASCADE);
  // host_stats and directory_exclusive_host have no cascade upstream and would block the
  // delete, so they go too.
  tx.exec_params("DELETE FROM host_category WHERE host_id = $1", host_id);
  for (const char* table : {"host_acl_ip", "host_country_allowed", "host_netblock", "host_peer_asn",
                            "host_location", "host_country", "host_stats",
                            "directory_exclusive_host"}) {
    tx.exec_params(absl::StrCat("DELETE FROM ", table, " WHERE host_id = $1"), host_id);
  }
  tx.exec_params("DELETE FROM host WHERE id = $1", host_id);
}

absl::StatusOr<Host> HostStore::Create(int64_t site_id, const HostFields& f) {
  if (!f.name || f.name->empty()) return absl::InvalidArgumentError("host name is required");
  if (!f.country || f.country->empty()) return absl::InvalidArgumentError("host country is required");
  return pool_.Query<Host>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Host> {
        if (tx.exec_params("SELECT 1 FROM site WHERE id = $1", site_id).empty()) {
          return absl::NotFoundError("Site not found");
        }
        pqxx::row r = tx.exec_params1(
            R"sql(
INSERT INTO host (name, site_id, robot_email, admin_active, user_active, country, bandwidth_int,
                  comment, private, internet2, internet2_clients, asn, asn_clients,
                  max_connections, last_crawl_duration, crawl_failures, disable_reason,
                  latitude, longitude)
VALUES ($1, $2, $3, COALESCE($4::boolean, true), COALESCE($5::boolean, true), $6,
        CASE WHEN $7::boolean THEN $8::integer ELSE 100 END, $9,
        COALESCE($10::boolean, false), COALESCE($11::boolean, false),
        COALESCE($12::boolean, false), $13::integer, COALESCE($14::boolean, true),
        COALESCE($15::integer, 1), 0, 0, $16, $17::float8, $18::float8)
RETURNING id)sql",
            *f.name, site_id, Val(f.robot_email), f.admin_active, f.user_active, *f.country,
            Set(f.bandwidth_int), Val(f.bandwidth_int), Val(f.comment), f.private_, f.internet2,
            f.internet2_clients, Val(f.asn), f.asn_clients, f.max_connections,
            Val(f.disable_reason), Val(f.latitude), Val(f.longitude));
        return GetTx(tx, r[0].as<int64_t>());
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<Host> HostStore::Update(int64_t id, const HostFields& f) {
  if (f.name && f.name->empty()) return absl::InvalidArgumentError("host name must not be empty");
  if (f.country && f.country->empty()) return absl::InvalidArgumentError("host country must not be empty");
  return pool_.Query<Host>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Host> {
        pqxx::result before = tx.exec_params("SELECT private FROM host WHERE id = $1 FOR UPDATE", id);
        if (before.empty()) return absl::NotFoundError("Host not found");
        tx.exec_params(
            R"sql(
UPDATE host SET
  name = COALESCE($2::text, name),
  robot_email = CASE WHEN $3::boolean THEN $4::text ELSE robot_email END,
  admin_active = COALESCE($5::boolean, admin_active),
  user_active = COALESCE($6::boolean, user_active),
  country = COALESCE($7::text, country),
  bandwidth_int = CASE WHEN $8::boolean THEN $9::integer ELSE bandwidth_int END,
  comment = CASE WHEN $10::boolean THEN $11::text ELSE comment END,
  private = COALESCE($12::boolean, private),
  internet2 = COALESCE($13::boolean, internet2),
  internet2_clients = COALESCE($14::boolean, internet2_clients),
  asn = CASE WHEN $15::boolean THEN $16::integer ELSE asn END,
  asn_clients = COALESCE($17::boolean, asn_clients),
  max_connections = COALESCE($18::integer, max_connections),
  disable_reason = CASE WHEN $19::boolean THEN $20::text ELSE disable_reason END,
  latitude = CASE WHEN $21::boolean THEN $22::float8 ELSE latitude END,
  longitude = CASE WHEN $23::boolean THEN $24::float8 ELSE longitude END
WHERE id = $1)sql",
            id, f.name, Set(f.robot_email), Val(f.robot_email), f.admin_active, f.user_active,
            f.country, Set(f.bandwidth_int), Val(f.bandwidth_int), Set(f.comment), Val(f.comment),
            f.private_, f.internet2, f.internet2_clients, Set(f.asn), Val(f.asn), f.asn_clients,
            f.max_connections, Set(f.disable_reason), Val(f.disable_reason), Set(f.latitude),
            Val(f.latitude), Set(f.longitude), Val(f.longitude));
        if (f.private_ && *f.private_ != before[0][0].as<bool>()) SetNotUp2dateTx(tx, id);
        return GetTx(tx, id);
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<Host> HostStore::Get(int64_t id) {
  return pool_.Query<Host>([&](pqxx::transaction_base& tx) { return GetTx(tx, id); });
}

absl::StatusOr<std::vector<Host>> HostStore::List(const HostQuery& q) {
  return pool_.Query<std::vector<Host>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Host>> {
        std::vector<Host> out;
        for (const auto& r : tx.exec_params(
                 absl::StrCat(kSelectHost,
                              " WHERE ($1::integer IS NULL OR h.site_id = $1::integer)"
                              " ORDER BY h.site_id, h.name, h.id"),
                 q.site_id)) {
          out.push_back(RowToHost(r));
        }
        return out;
      });
}

absl::Status HostStore::Delete(int64_t id) {
  return pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (tx.exec_params("SELECT 1 FROM host WHERE id = $1 FOR UPDATE", id).empty()) {
      return absl::NotFoundError("Host not found");
    }
    DeleteHostTx(tx, id);
    return absl::OkStatus();
  });
}

absl::StatusOr<HostCategory> HostStore::AddCategory(int64_t host_id, const std::string& category_name,
                                                    bool always_up2date) {
  return pool_.Query<HostCategory>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<HostCategory> {
        if (tx.exec_params("SELECT 1 FROM host WHERE id = $1", host_id).empty()) {
          return absl::NotFoundError("Host not found");
        }
        pqxx::result c = tx.exec_params("SELECT id FROM category WHERE name = $1", category_name);
        if (c.empty()) {
          return absl::FailedPreconditionError(absl::StrCat("unknown category '", category_name, "'"));
        }
        pqxx::row r = tx.exec_params1(
            "INSERT INTO host_category (host_id, category_id, always_up2date) VALUES ($1, $2, $3) "
            "RETURNING id",
            host_id, c[0][0].as<int64_t>(), always_up2date);
        return HostCategory{r[0].as<int64_t>(), host_id, c[0][0].as<int64_t>(), category_name,
                            always_up2date, {}};
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<HostCategory>> HostStore::ListCategories(int64_t host_id) {
  return pool_.Query<std::vector<HostCategory>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<HostCategory>> {
        std::vector<HostCategory> out;
        for (const auto& r : tx.exec_params(
                 "SELECT hc.id, COALESCE(hc.category_id, 0), COALESCE(c.name, ''), hc.always_up2date "
                 "FROM host_category hc LEFT JOIN category c ON c.id = hc.category_id "
                 "WHERE hc.host_id = $1 ORDER BY c.name, hc.id",
                 host_id)) {
          out.push_back(HostCategory{r[0].as<int64_t>(), host_id, r[1].as<int64_t>(),
                                     r[2].as<std::string>(), r[3].as<bool>(), {}});
        }
        for (const auto& r : tx.exec_params(
                 "SELECT u.id, u.host_category_id, u.url, u.private FROM host_category_url u "
                 "JOIN host_category hc ON hc.id = u.host_category_id WHERE hc.host_id = $1 "
                 "ORDER BY u.id",
                 host_id)) {
          HostCategoryUrl url{r[0].as<int64_t>(), r[1].as<int64_t>(), r[2].as<std::string>(),
                              r[3].as<bool>()};
          for (auto& hc : out) {
            if (hc.id == url.host_category_id) hc.urls.push_back(url);
          }
        }
        return out;
      });
}

absl::Status HostStore::DeleteCategory(int64_t host_id, int64_t host_category_id) {
  return pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (absl::Status s = CheckHostCategory(tx, host_id, host_category_id); !s.ok()) return s;
    // Dirs and URLs follow through ON DELETE CASCADE.
    tx.exec_params("DELETE FROM host_category WHERE id = $1", host_category_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<HostCategoryUrl> HostStore::AddUrl(int64_t host_id, int64_t host_category_id,
                                                  const std::string& url, bool private_url) {
  if (url.empty()) return absl::InvalidArgumentError("url is required");
  return pool_.Query<HostCategoryUrl>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<HostCategoryUrl> {
        if (absl::Status s = CheckHostCategory(tx, host_id, host_category_id); !s.ok()) return s;
        pqxx::row r = tx.exec_params1(
            "INSERT INTO host_category_url (host_category_id, url, private) VALUES ($1, $2, $3) "
            "RETURNING id",
            host_category_id, url, private_url);
        return HostCategoryUrl{r[0].as<int64_t>(), host_category_id, url, private_url};
      },
      PgPool::Mode::kReadWrite);
}

absl::Status HostStore::DeleteUrl(int64_t host_id, int64_t host_category_id, int64_t url_id) {
  return pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (absl::Status s = CheckHostCategory(tx, host_id, host_category_id); !s.ok()) return s;
    pqxx::result r = tx.exec_params(
        "DELETE FROM host_category_url WHERE id = $1 AND host_category_id = $2 RETURNING id",
        url_id, host_category_id);
    if (r.empty()) return absl::NotFoundError("Category URL not associated with this host");
    return absl::OkStatus();
  });
}

absl::Status HostStore::SetNotUp2date(int64_t host_id) {
  return pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    SetNotUp2dateTx(tx, host_id);
    return absl::OkStatus();
  });
}

}  // namespace mm::catalog
