#include "services/catalog/store/crawl_store.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/directory_files.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/sql_util.h"

namespace mm::catalog {
namespace {

constexpr char kNowUtc[] = "(now() AT TIME ZONE 'utc')";

// Path of directory `col` relative to topdir $n (no leading slash; "" for the top itself).
std::string RelPathSql(const std::string& col, const std::string& topdir_param) {
  return absl::StrCat("(CASE WHEN ", col, " = ", topdir_param, " THEN '' WHEN ", topdir_param,
                      " = '' THEN ", col, " WHEN left(", col, ", length(", topdir_param,
                      ") + 1) = ", topdir_param, " || '/' THEN substr(", col, ", length(",
                      topdir_param, ") + 2) ELSE ", col, " END)");
}

std::string RelPath(const std::string& name, const std::string& topdir) {
  if (name == topdir) return "";
  if (topdir.empty()) return name;
  if (absl::StartsWith(name, topdir + "/")) return name.substr(topdir.size() + 1);
  return name;
}

const char* ModeName(CrawlModeValue mode) {
  switch (mode) {
    case CrawlModeValue::kFull:
      return "full";
    case CrawlModeValue::kCanary:
      return "canary";
    case CrawlModeValue::kRepodata:
      return "repodata";
    case CrawlModeValue::kPropagation:
      return "propagation";
  }
  return "full";
}

const char* StatusName(CrawlStatusValue s) {
  switch (s) {
    case CrawlStatusValue::kUnknown:
      return "UNKNOWN";
    case CrawlStatusValue::kOk:
      return "OK";
    case CrawlStatusValue::kFailure:
      return "FAILURE";
    case CrawlStatusValue::kTimeout:
      return "TIMEOUT";
    case CrawlStatusValue::kDisable:
      return "DISABLE";
  }
  return "UNKNOWN";
}

std::vector<CrawlHostInfo> LoadHostInfos(pqxx::transaction_base& tx,
                                         const std::vector<int64_t>& ids,
                                         const std::vector<std::string>& categories) {
  std::vector<CrawlHostInfo> out;
  if (ids.empty()) return out;
  std::map<int64_t, size_t> index;
  for (const auto& r : tx.exec_params(
           "SELECT h.id, h.name, h.country, h.private, h.user_active, h.crawl_failures, "
           "COALESCE(h.site_id, 0), COALESCE(s.name, '') FROM host h LEFT JOIN site s ON "
           "s.id = h.site_id WHERE h.id = ANY($1::integer[])",
           PgIntArray(ids))) {
    CrawlHostInfo h;
    h.id = r[0].as<int64_t>();
    h.name = r[1].as<std::string>();
    h.country = r[2].as<std::string>();
    h.private_ = r[3].as<bool>();
    h.user_active = r[4].as<bool>();
    h.crawl_failures = r[5].as<int32_t>();
    h.site_id = r[6].as<int64_t>();
    h.site_name = r[7].as<std::string>();
    index[h.id] = out.size();
    out.push_back(std::move(h));
  }
  std::map<int64_t, std::pair<size_t, size_t>> hc_index;  // hc id -> (host idx, hc idx)
  for (const auto& r : tx.exec_params(
           "SELECT hc.id, hc.host_id, c.id, c.name, COALESCE(t.name, ''), hc.always_up2date "
           "FROM host_category hc JOIN category c ON c.id = hc.category_id "
           "LEFT JOIN directory t ON t.id = c.topdir_id "
           "WHERE hc.host_id = ANY($1::integer[]) "
           "AND (cardinality($2::text[]) = 0 OR c.name = ANY($2::text[])) ORDER BY c.name, hc.id",
           PgIntArray(ids), PgTextArray(categories))) {
    auto it = index.find(r[1].as<int64_t>());
    if (it == index.end()) continue;
    CrawlHostCategoryInfo hc;
    hc.id = r[0].as<int64_t>();
    hc.category_id = r[2].as<int64_t>();
    hc.category_name = r[3].as<std::string>();
    hc.topdir = r[4].as<std::string>();
    hc.always_up2date = r[5].as<bool>();
    auto& host = out[it->second];
    hc_index[hc.id] = {it->second, host.categories.size()};
    host.categories.push_back(std::move(hc));
  }
  if (!hc_index.empty()) {
    std::vector<int64_t> hc_ids;
    for (const auto& [id, _] : hc_index) hc_ids.push_back(id);
    for (const auto& r : tx.exec_params("SELECT host_category_id, url FROM host_category_url "
                                        "WHERE host_category_id = ANY($1::integer[]) ORDER BY id",
                                        PgIntArray(hc_ids))) {
      auto [hi, ci] = hc_index[r[0].as<int64_t>()];
      out[hi].categories[ci].urls.push_back(r[1].as<std::string>());
    }
  }
  // Keep the caller's order.
  std::vector<CrawlHostInfo> ordered;
  for (int64_t id : ids) {
    auto it = index.find(id);
    if (it != index.end()) ordered.push_back(std::move(out[it->second]));
  }
  return ordered;
}

void DisableHostTx(pqxx::transaction_base& tx, int64_t host_id, const std::string& reason) {
  tx.exec_params("UPDATE host SET user_active = false, disable_reason = $2 WHERE id = $1", host_id,
                 reason);
}

// The site/host facts upstream's HostCrawlerDisabledV1 message carries.
DisabledHostNotice LoadDisabledNotice(pqxx::transaction_base& tx, int64_t host_id) {
  DisabledHostNotice n;
  pqxx::row h = tx.exec_params1(
      "SELECT h.id, h.name, h.country, h.bandwidth_int, h.asn, COALESCE(s.id, 0), "
      "COALESCE(s.name, ''), COALESCE(s.org_url, '') FROM host h LEFT JOIN site s ON "
      "s.id = h.site_id WHERE h.id = $1",
      host_id);
  n.host_id = h[0].as<int64_t>();
  n.host_name = h[1].as<std::string>();
  n.country = h[2].as<std::string>();
  n.bandwidth = Opt<int32_t>(h[3]);
  n.asn = Opt<int32_t>(h[4]);
  n.site_id = h[5].as<int64_t>();
  n.site_name = h[6].as<std::string>();
  n.site_org_url = h[7].as<std::string>();
  for (const auto& r : tx.exec_params(
           "SELECT sa.username, u.email_address FROM site_admin sa LEFT JOIN mm_user u ON "
           "u.user_name = sa.username WHERE sa.site_id = $1 AND sa.username IS NOT NULL "
           "ORDER BY sa.id",
           n.site_id)) {
    n.admin_usernames.push_back(r[0].as<std::string>());
    if (!r[1].is_null()) n.admin_emails.push_back(r[1].as<std::string>());
  }
  return n;
}

}  // namespace

std::string FftDirectoryFor(const std::string& category_name, const std::string& topdir) {
  if (category_name != "Fedora Linux") return topdir;
  size_t slash = topdir.rfind('/');
  return slash == std::string::npos ? "" : topdir.substr(0, slash);
}

absl::StatusOr<std::vector<CrawlHostRef>> CrawlStore::ListHosts(const CrawlHostQuery& q) {
  return pool_.Query<std::vector<CrawlHostRef>>([&](pqxx::transaction_base& tx)
                                                    -> absl::StatusOr<std::vector<CrawlHostRef>> {
    std::vector<CrawlHostRef> out;
    for (const auto& r : tx.exec_params(
             R"sql(
SELECT h.id, h.name, h.last_crawl_duration FROM host h JOIN site s ON s.id = h.site_id
WHERE h.admin_active AND s.admin_active AND s.user_active
  AND ($1::boolean OR h.user_active)
  AND ($2::boolean OR (NOT h.private AND NOT s.private))
  AND (cardinality($3::text[]) = 0 OR EXISTS (
        SELECT 1 FROM host_category hc JOIN category c ON c.id = hc.category_id
        WHERE hc.host_id = h.id AND c.name = ANY($3::text[])))
ORDER BY h.last_crawl_duration DESC NULLS LAST, h.id)sql",
             q.include_disabled, q.include_private, PgTextArray(q.category_names))) {
      out.push_back(CrawlHostRef{r[0].as<int64_t>(), r[1].as<std::string>(), Opt<int64_t>(r[2])});
    }
    return out;
  });
}

absl::StatusOr<int64_t> CrawlStore::BeginCrawl(const std::string& crawl_id,
                                               const std::string& mode) {
  if (crawl_id.empty()) return absl::InvalidArgumentError("crawl_id is required");
  return pool_.Query<int64_t>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<int64_t> {
        tx.exec_params(absl::StrCat("INSERT INTO mm_crawl_run (crawl_id, mode, started_at) VALUES "
                                    "($1, $2, ",
                                    kNowUtc, ") ON CONFLICT (crawl_id) DO NOTHING"),
                       crawl_id, mode);
        return tx
            .exec_params1(
                "SELECT " MM_SQL_EPOCH("started_at") " FROM mm_crawl_run WHERE crawl_id = $1",
                crawl_id)[0]
            .as<int64_t>();
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<AcquireResult> CrawlStore::Acquire(const AcquireRequest& req) {
  if (req.crawl_id.empty() || req.holder.empty()) {
    return absl::InvalidArgumentError("crawl_id and holder are required");
  }
  if (req.lease_seconds <= 0) return absl::InvalidArgumentError("lease_seconds must be positive");
  return pool_.Query<AcquireResult>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<AcquireResult> {
        AcquireResult result;
        tx.exec_params(absl::StrCat("INSERT INTO mm_crawl_run (crawl_id, mode, started_at) VALUES "
                                    "($1, 'full', ",
                                    kNowUtc, ") ON CONFLICT (crawl_id) DO NOTHING"),
                       req.crawl_id);
        // Candidates that still exist: a host deleted mid-crawl is skipped (it is done), so it
        // can neither block the crawl nor fail the lease insert on its foreign key.
        std::set<int64_t> existing;
        for (const auto& r : tx.exec_params("SELECT id FROM host WHERE id = ANY($1::integer[])",
                                            PgIntArray(req.candidates))) {
          existing.insert(r[0].as<int64_t>());
        }
        // Live leases of this holder that it does not know it has (a retried call whose reply
        // was lost): handed out again first, renewed.
        std::set<int64_t> held(req.held_host_ids.begin(), req.held_host_ids.end());
        std::set<int64_t> again;
        for (const auto& r : tx.exec_params(
                 absl::StrCat(
                     "UPDATE mm_crawl_lease SET expires_at = ", kNowUtc,
                     " + make_interval(secs => $3) WHERE crawl_id = $1 AND holder = $2 AND "
                     "completed_at IS NULL AND expires_at > ",
                     kNowUtc,
                     " AND host_id = ANY($4::integer[]) AND NOT host_id = ANY($5::integer[]) "
                     "RETURNING host_id"),
                 req.crawl_id, req.holder, req.lease_seconds, PgIntArray(req.candidates),
                 PgIntArray(req.held_host_ids))) {
          again.insert(r[0].as<int64_t>());
        }
        // Candidates that may be leased now: no lease yet, or an expired uncompleted one.
        std::set<int64_t> blocked;
        for (const auto& r : tx.exec_params(
                 absl::StrCat(
                     "SELECT host_id FROM mm_crawl_lease WHERE crawl_id = $1 AND host_id = "
                     "ANY($2::integer[]) AND (completed_at IS NOT NULL OR expires_at > ",
                     kNowUtc, ")"),
                 req.crawl_id, PgIntArray(req.candidates))) {
          blocked.insert(r[0].as<int64_t>());
        }
        std::vector<int64_t> leased;
        std::vector<int64_t> eligible;
        std::set<int64_t> seen;
        for (int64_t id : req.candidates) {
          if (!seen.insert(id).second || !existing.count(id)) continue;
          if (again.count(id)) {
            leased.push_back(id);
          } else if (!blocked.count(id) && !held.count(id)) {
            eligible.push_back(id);
          }
        }
        size_t next = 0;
        const std::string take = absl::StrCat(
            "INSERT INTO mm_crawl_lease (crawl_id, host_id, holder, leased_at, expires_at) "
            "SELECT $1, u.h, $2, ",
            kNowUtc, ", ", kNowUtc,
            " + make_interval(secs => $3) "
            "FROM unnest($4::integer[]) AS u(h) JOIN host ON host.id = u.h "
            "ON CONFLICT (crawl_id, host_id) DO UPDATE SET holder = EXCLUDED.holder, "
            "leased_at = EXCLUDED.leased_at, expires_at = EXCLUDED.expires_at, "
            "attempts = mm_crawl_lease.attempts + 1 "
            "WHERE mm_crawl_lease.completed_at IS NULL AND mm_crawl_lease.expires_at <= ",
            kNowUtc, " RETURNING host_id");
        while (static_cast<int>(leased.size()) < req.max_hosts && next < eligible.size()) {
          std::vector<int64_t> batch;
          while (next < eligible.size() &&
                 static_cast<int>(batch.size() + leased.size()) < req.max_hosts) {
            batch.push_back(eligible[next++]);
          }
          std::set<int64_t> got;
          for (const auto& r : tx.exec_params(take, req.crawl_id, req.holder, req.lease_seconds,
                                              PgIntArray(batch))) {
            got.insert(r[0].as<int64_t>());
          }
          for (int64_t id : batch) {
            if (got.count(id)) leased.push_back(id);
          }
        }
        pqxx::row counts = tx.exec_params1(
            absl::StrCat("SELECT count(*) FILTER (WHERE completed_at IS NOT NULL), "
                         "count(*) FILTER (WHERE completed_at IS NULL AND expires_at > ",
                         kNowUtc,
                         " AND holder <> $3) FROM mm_crawl_lease WHERE crawl_id = $1 AND host_id "
                         "= ANY($2::integer[])"),
            req.crawl_id, PgIntArray(req.candidates), req.holder);
        result.completed = counts[0].as<int>();
        result.leased_elsewhere = counts[1].as<int>();
        result.hosts = LoadHostInfos(tx, leased, req.category_names);
        return result;
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<int64_t>> CrawlStore::Renew(const std::string& crawl_id,
                                                       const std::string& holder,
                                                       const std::vector<int64_t>& host_ids,
                                                       int lease_seconds) {
  return pool_.Query<std::vector<int64_t>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<int64_t>> {
        std::set<int64_t> kept;
        for (const auto& r : tx.exec_params(
                 absl::StrCat("UPDATE mm_crawl_lease SET expires_at = ", kNowUtc,
                              " + make_interval(secs => $3) WHERE crawl_id = $1 AND holder = $2 "
                              "AND completed_at IS NULL AND host_id = ANY($4::integer[]) "
                              "RETURNING host_id"),
                 crawl_id, holder, lease_seconds, PgIntArray(host_ids))) {
          kept.insert(r[0].as<int64_t>());
        }
        std::vector<int64_t> lost;
        for (int64_t id : host_ids) {
          if (!kept.count(id)) lost.push_back(id);
        }
        return lost;
      },
      PgPool::Mode::kReadWrite);
}

absl::Status CrawlStore::Release(const std::string& crawl_id, const std::string& holder,
                                 const std::vector<int64_t>& host_ids) {
  return pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(absl::StrCat("UPDATE mm_crawl_lease SET expires_at = ", kNowUtc,
                                " - interval '1 second' WHERE crawl_id = $1 AND holder = $2 AND "
                                "completed_at IS NULL AND host_id = ANY($3::integer[])"),
                   crawl_id, holder, PgIntArray(host_ids));
    return absl::OkStatus();
  });
}

absl::StatusOr<CategoryTreePage> CrawlStore::CategoryTree(int64_t category_id, bool repodata_only,
                                                          const std::string& after_name,
                                                          int limit) {
  if (limit <= 0) limit = 5000;
  limit = std::min(limit, 20000);
  return pool_.Query<CategoryTreePage>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<CategoryTreePage> {
        pqxx::result c = tx.exec_params(
            "SELECT c.name, COALESCE(t.name, '') FROM category c LEFT JOIN directory t ON "
            "t.id = c.topdir_id WHERE c.id = $1",
            category_id);
        if (c.empty()) return absl::NotFoundError("Category not found");
        const std::string category_name = c[0][0].as<std::string>();
        const std::string topdir = c[0][1].as<std::string>();
        CategoryTreePage page;
        pqxx::result rows = tx.exec_params(
            R"sql(
SELECT d.id, d.name, d.files,
       CASE WHEN position(convert_to('repomd.xml', 'UTF8') in COALESCE(d.files, ''::bytea)) > 0
            THEN (SELECT fd.sha256 FROM file_detail fd WHERE fd.directory_id = d.id
                  AND fd.filename = 'repomd.xml' ORDER BY fd.id DESC LIMIT 1) END
FROM directory d JOIN category_directory cd ON cd.directory_id = d.id
WHERE cd.category_id = $1 AND d.readable AND d.name > $2
  AND (NOT $3::boolean OR d.name LIKE '%/repodata')
ORDER BY d.name LIMIT $4)sql",
            category_id, after_name, repodata_only, limit + 1);
        for (const auto& r : rows) {
          if (static_cast<int>(page.directories.size()) == limit) {
            page.more = true;
            break;
          }
          CrawlDirectoryRow d;
          d.id = r[0].as<int64_t>();
          d.name = r[1].as<std::string>();
          d.path = RelPath(d.name, topdir);
          if (!r[2].is_null()) {
            pqxx::binarystring blob(r[2]);
            d.files = DecodeDirectoryFiles(std::string_view(blob.get(), blob.size()));
          }
          if (!r[3].is_null()) d.repomd_sha256 = r[3].as<std::string>();
          page.directories.push_back(std::move(d));
        }
        if (after_name.empty()) {
          pqxx::result f = tx.exec_params("SELECT files FROM directory WHERE name = $1",
                                          FftDirectoryFor(category_name, topdir));
          if (!f.empty() && !f[0][0].is_null()) {
            pqxx::binarystring blob(f[0][0]);
            for (const auto& file :
                 DecodeDirectoryFiles(std::string_view(blob.get(), blob.size()))) {
              if (absl::StartsWith(file.name, "fullfiletimelist-"))
                page.fft_names.push_back(file.name);
            }
          }
        }
        return page;
      });
}

absl::StatusOr<CategoryReportResult> CrawlStore::ReportCategory(const CategoryReport& rep) {
  if (rep.crawl_id.empty() || rep.holder.empty()) {
    return absl::InvalidArgumentError("crawl_id and holder are required");
  }
  return pool_.Query<CategoryReportResult>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<CategoryReportResult> {
        // Only the live holder may write (FOR SHARE waits for a concurrent takeover).
        pqxx::result lease = tx.exec_params(
            "SELECT holder, completed_at IS NOT NULL FROM mm_crawl_lease WHERE crawl_id = $1 AND "
            "host_id = $2 FOR SHARE",
            rep.crawl_id, rep.host_id);
        if (lease.empty() || lease[0][0].as<std::string>() != rep.holder ||
            lease[0][1].as<bool>()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "host ", rep.host_id, " is not leased by ", rep.holder, " in crawl ", rep.crawl_id));
        }
        pqxx::result hc = tx.exec_params(
            "SELECT hc.host_id, hc.category_id, COALESCE(t.name, '') FROM host_category hc "
            "LEFT JOIN category c ON c.id = hc.category_id LEFT JOIN directory t ON "
            "t.id = c.topdir_id WHERE hc.id = $1",
            rep.host_category_id);
        if (hc.empty()) return absl::NotFoundError("Host/Category not found");
        if (hc[0][0].is_null() || hc[0][0].as<int64_t>() != rep.host_id) {
          return absl::NotFoundError("Category not associated with this host");
        }
        std::optional<int64_t> category_id = Opt<int64_t>(hc[0][1]);
        const std::string topdir = hc[0][2].as<std::string>();
        CategoryReportResult out;
        std::vector<int64_t> ids = rep.up2date_ids;
        ids.insert(ids.end(), rep.stale_ids.begin(), rep.stale_ids.end());
        std::vector<bool> states(rep.up2date_ids.size(), true);
        states.resize(ids.size(), false);
        const std::string path = RelPathSql("dir.name", "$4");
        if (!ids.empty()) {
          // §2.7: update existing HCDs whose state differs; create missing ones only for up to
          // date directories; count what stayed as it was.
          pqxx::row r =
              tx.exec_params1(absl::StrCat(R"sql(
WITH s AS (SELECT unnest($2::integer[]) AS directory_id, unnest($3::boolean[]) AS up),
d AS (SELECT DISTINCT ON (p) s.directory_id, s.up, p FROM s JOIN directory dir ON dir.id = s.directory_id,
      LATERAL (SELECT )sql",
                                           path, R"sql( AS p) lp ORDER BY p, s.up),
upd AS (UPDATE host_category_dir h SET up2date = d.up,
               directory_id = COALESCE(h.directory_id, d.directory_id)
        FROM d WHERE h.host_category_id = $1 AND h.path = d.p AND h.up2date <> d.up
        RETURNING d.up),
ins AS (INSERT INTO host_category_dir (host_category_id, path, directory_id, up2date)
        SELECT $1, d.p, d.directory_id, true FROM d
        WHERE d.up AND NOT EXISTS (SELECT 1 FROM host_category_dir h
                                   WHERE h.host_category_id = $1 AND h.path = d.p)
        ON CONFLICT (host_category_id, path) DO NOTHING RETURNING id)
SELECT (SELECT count(*) FROM upd WHERE up), (SELECT count(*) FROM upd WHERE NOT up),
       (SELECT count(*) FROM ins), (SELECT count(*) FROM d))sql"),
                              rep.host_category_id, PgIntArray(ids), PgBoolArray(states), topdir);
          out.up2date = r[0].as<int>();
          out.not_up2date = r[1].as<int>();
          out.created = r[2].as<int>();
          int known = r[3].as<int>();
          out.unchanged = std::max(0, known - out.up2date - out.not_up2date - out.created);
        }
        if (rep.mark_unseen) {
          out.unreadable =
              tx.exec_params1(
                    "SELECT count(*) FROM host_category_dir h JOIN directory d ON "
                    "d.id = h.directory_id WHERE h.host_category_id = $1 AND NOT d.readable",
                    rep.host_category_id)[0]
                  .as<int>();
          pqxx::result m = tx.exec_params(
              absl::StrCat(
                  "UPDATE host_category_dir h SET up2date = false WHERE h.host_category_id = $1 "
                  "AND h.up2date AND NOT EXISTS (SELECT 1 FROM unnest($2::integer[]) AS s(id) "
                  "JOIN directory dir ON dir.id = s.id WHERE ",
                  RelPathSql("dir.name", "$3"), " = h.path) RETURNING h.id"),
              rep.host_category_id, PgIntArray(ids), topdir);
          out.marked_unseen = static_cast<int>(m.size());
        }
        tx.exec_params(
            absl::StrCat(
                "INSERT INTO mm_crawl_history (crawl_id, holder, host_id, host_category_id, "
                "category_id, crawled_at, mode, method, url, directories_up2date, "
                "directories_stale, "
                "directories_unknown, directories_total, result, duration_ms, requests) VALUES "
                "($1, $2, $3, $4, $5, ",
                kNowUtc, ", $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"),
            rep.crawl_id, rep.holder, rep.host_id, rep.host_category_id, category_id,
            std::string(ModeName(rep.mode)), rep.method,
            rep.url.empty() ? std::optional<std::string>() : std::optional<std::string>(rep.url),
            static_cast<int>(rep.up2date_ids.size()), static_cast<int>(rep.stale_ids.size()),
            rep.unknown, rep.total, rep.result, rep.duration_ms, rep.requests);
        return out;
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<HostCompletionResult> CrawlStore::CompleteHost(const HostCompletion& c) {
  return pool_.Query<HostCompletionResult>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<HostCompletionResult> {
        HostCompletionResult out;
        pqxx::result host = tx.exec_params(
            "SELECT crawl_failures, COALESCE(user_active, true) FROM host WHERE "
            "id = $1 FOR UPDATE",
            c.host_id);
        if (host.empty()) return absl::NotFoundError("Host not found");
        if (!c.crawl_id.empty()) {
          tx.exec_params(absl::StrCat("INSERT INTO mm_crawl_run (crawl_id, mode, started_at) "
                                      "VALUES ($1, $2, ",
                                      kNowUtc, ") ON CONFLICT DO NOTHING"),
                         c.crawl_id, std::string(ModeName(c.mode)));
          pqxx::result lease = tx.exec_params(
              "SELECT completed_at IS NOT NULL, holder FROM mm_crawl_lease WHERE crawl_id = $1 AND "
              "host_id = $2 FOR UPDATE",
              c.crawl_id, c.host_id);
          if (!lease.empty() && lease[0][0].as<bool>()) {
            out.already_completed = true;
            out.crawl_failures = host[0][0].as<int32_t>();
            return out;
          }
          if (lease.empty() || lease[0][1].as<std::string>() != c.holder) {
            return absl::FailedPreconditionError(absl::StrCat(
                "host ", c.host_id, " is not leased by ", c.holder, " in crawl ", c.crawl_id));
          }
          if (c.release) {
            tx.exec_params(
                absl::StrCat("UPDATE mm_crawl_lease SET expires_at = ", kNowUtc,
                             " - interval '1 second' WHERE crawl_id = $1 AND host_id = $2"),
                c.crawl_id, c.host_id);
          } else {
            tx.exec_params(
                absl::StrCat(
                    "INSERT INTO mm_crawl_lease (crawl_id, host_id, holder, leased_at, "
                    "expires_at, completed_at, status) VALUES ($1, $2, $3, ",
                    kNowUtc, ", ", kNowUtc, ", ", kNowUtc,
                    ", $4) ON CONFLICT (crawl_id, host_id) DO "
                    "UPDATE SET holder = EXCLUDED.holder, completed_at = EXCLUDED.completed_at, "
                    "status = EXCLUDED.status"),
                c.crawl_id, c.host_id, c.holder, std::string(StatusName(c.status)));
          }
        }
        if (c.mode == CrawlModeValue::kPropagation) {
          // Counted into one row per repository and run (§2.10); no host bookkeeping.
          if (c.release) return out;
          for (const auto& p : c.propagation) {
            const char* col = p.state == 1   ? "same_day"
                              : p.state == 2 ? "one_day"
                              : p.state == 3 ? "two_day"
                              : p.state == 4 ? "older"
                                             : "no_info";
            tx.exec_params(
                absl::StrCat("INSERT INTO propagation_stat (repository_id, datetime, ", col,
                             ") VALUES ($1, " MM_SQL_FROM_EPOCH(
                                 "$2") ", 1) ON CONFLICT "
                                       "(repository_id, datetime) DO UPDATE SET ",
                             col, " = propagation_stat.", col, " + 1"),
                p.repository_id, c.propagation_datetime);
          }
          return out;
        }
        tx.exec_params("UPDATE host SET last_crawled = " MM_SQL_FROM_EPOCH("$2") " WHERE id = $1",
                       c.host_id, c.finished_at);
        out.crawl_failures = host[0][0].as<int32_t>();
        if (c.release) return out;
        const bool was_active = host[0][1].as<bool>();
        auto disable = [&](const std::string& reason) {
          out.disable_reason = reason;
          DisableHostTx(tx, c.host_id, reason);
          // Only turning an active host off is news (the crawler's message and mail): a host
          // crawled with --include-disabled that fails again stays disabled silently.
          out.disabled = was_active;
        };
        auto record_failure = [&] {
          out.crawl_failures = tx.exec_params1(
                                     "UPDATE host SET crawl_failures = COALESCE(crawl_failures, 0) "
                                     "+ 1 WHERE id = $1 "
                                     "RETURNING crawl_failures",
                                     c.host_id)[0]
                                   .as<int32_t>();
          // Upstream's text names the configured limit, not the count (which is higher when
          // an admin re-enabled the host without resetting it); 0 disables at the first failure.
          if (out.crawl_failures >= c.auto_disable) {
            disable(absl::StrCat("Host has been disabled (user_active) after ", c.auto_disable,
                                 " consecutive crawl failures"));
          }
        };
        switch (c.status) {
          case CrawlStatusValue::kFailure:
            if (c.mode == CrawlModeValue::kCanary) {
              HostStore::SetNotUp2dateTx(tx, c.host_id);
              out.marked_not_up2date = true;
            } else {
              record_failure();
            }
            break;
          case CrawlStatusValue::kTimeout:
            HostStore::SetNotUp2dateTx(tx, c.host_id);
            out.marked_not_up2date = true;
            record_failure();
            break;
          case CrawlStatusValue::kDisable:
            disable(c.details);
            break;
          case CrawlStatusValue::kOk:
            tx.exec_params(
                "UPDATE host SET user_active = true, disable_reason = NULL, crawl_failures = 0 "
                "WHERE id = $1",
                c.host_id);
            out.crawl_failures = 0;
            break;
          case CrawlStatusValue::kUnknown:
            break;
        }
        if (out.disabled) out.disabled_notice = LoadDisabledNotice(tx, c.host_id);
        if (c.status != CrawlStatusValue::kUnknown && c.mode == CrawlModeValue::kFull) {
          tx.exec_params("UPDATE host SET last_crawl_duration = $2 WHERE id = $1", c.host_id,
                         c.duration_seconds);
        }
        return out;
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> CrawlStore::ContinentRedirects() {
  using Out = std::vector<std::pair<std::string, std::string>>;
  return pool_.Query<Out>([&](pqxx::transaction_base& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const auto& r :
         tx.exec("SELECT country, continent FROM country_continent_redirect ORDER BY country")) {
      out.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
    }
    return out;
  });
}

absl::StatusOr<int> CrawlStore::Prune(const std::string& current_crawl_id, int keep_days) {
  if (keep_days <= 0) return 0;
  return pool_.Query<int>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
        pqxx::result h =
            tx.exec_params(absl::StrCat("DELETE FROM mm_crawl_history WHERE crawled_at < ", kNowUtc,
                                        " - make_interval(days => $1) RETURNING id"),
                           keep_days);
        tx.exec_params(
            absl::StrCat("DELETE FROM mm_crawl_run WHERE crawl_id <> $2 AND started_at < ", kNowUtc,
                         " - make_interval(days => $1)"),
            keep_days, current_crawl_id);
        return static_cast<int>(h.size());
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<CrawlHistoryRow>> CrawlStore::History(int64_t host_id,
                                                                 int64_t category_id, int limit) {
  if (limit <= 0) limit = 100;
  return pool_.Query<std::vector<CrawlHistoryRow>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<CrawlHistoryRow>> {
        std::vector<CrawlHistoryRow> out;
        for (const auto& r : tx.exec_params(
                 "SELECT h.host_id, h.host_category_id, COALESCE(h.category_id, 0), "
                 "COALESCE(c.name, ''), " MM_SQL_EPOCH(
                     "h.crawled_at") ", h.crawl_id, h.mode, "
                                     "h.method, h.directories_up2date, h.directories_total, "
                                     "h.directories_stale, "
                                     "h.directories_unknown, h.result, h.duration_ms, "
                                     "COALESCE(h.url, ''), h.requests "
                                     "FROM mm_crawl_history h LEFT JOIN category c ON c.id = "
                                     "h.category_id "
                                     "WHERE h.host_id = $1 AND ($2 = 0 OR h.category_id = $2) "
                                     "ORDER BY h.crawled_at DESC, h.id DESC LIMIT $3",
                 host_id, category_id, limit)) {
          CrawlHistoryRow h;
          h.host_id = r[0].as<int64_t>();
          h.host_category_id = r[1].as<int64_t>();
          h.category_id = r[2].as<int64_t>();
          h.category_name = r[3].as<std::string>();
          h.crawled_at = r[4].as<int64_t>();
          h.crawl_id = r[5].as<std::string>();
          h.mode = r[6].as<std::string>();
          h.method = r[7].as<std::string>();
          h.up2date = r[8].as<int32_t>();
          h.total = r[9].as<int32_t>();
          h.stale = r[10].as<int32_t>();
          h.unknown = r[11].as<int32_t>();
          h.result = r[12].as<std::string>();
          h.duration_ms = r[13].as<int64_t>();
          h.url = r[14].as<std::string>();
          h.requests = r[15].as<int64_t>();
          out.push_back(std::move(h));
        }
        return out;
      });
}

absl::StatusOr<std::vector<PropagationRepo>> CrawlStore::PropagationTargets(
    const std::vector<PropagationReleaseKey>& releases) {
  return pool_.Query<std::vector<PropagationRepo>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<PropagationRepo>> {
        std::vector<PropagationRepo> out;
        for (const auto& rel : releases) {
          for (const auto& r : tx.exec_params(
                   R"sql(
SELECT r.id, r.name, p.name, v.name, COALESCE(a.name, ''), COALESCE(r.category_id, 0),
       COALESCE(t.name, ''), COALESCE(d.name, ''), rd.id
FROM repository r JOIN version v ON v.id = r.version_id JOIN product p ON p.id = v.product_id
LEFT JOIN arch a ON a.id = r.arch_id LEFT JOIN directory d ON d.id = r.directory_id
LEFT JOIN category c ON c.id = r.category_id LEFT JOIN directory t ON t.id = c.topdir_id
LEFT JOIN directory rd ON rd.name = d.name || '/repodata'
WHERE p.name = $1 AND v.name = $2 AND r.prefix = $3
ORDER BY (a.name = 'x86_64') DESC, r.id)sql",
                   rel.product, rel.version, rel.prefix)) {
            PropagationRepo repo;
            repo.id = r[0].as<int64_t>();
            repo.name = r[1].as<std::string>();
            repo.product = r[2].as<std::string>();
            repo.version = r[3].as<std::string>();
            repo.arch = r[4].as<std::string>();
            repo.category_id = r[5].as<int64_t>();
            repo.topdir = r[6].as<std::string>();
            repo.directory_name = r[7].as<std::string>();
            repo.has_repodata_directory = !r[8].is_null();
            if (repo.has_repodata_directory) {
              for (const auto& f : tx.exec_params(
                       "SELECT id, COALESCE(timestamp, 0), COALESCE(sha256, '') FROM file_detail "
                       "WHERE directory_id = $1 AND filename = 'repomd.xml' ORDER BY id DESC",
                       r[8].as<int64_t>())) {
                repo.repomd_history.push_back(
                    {f[0].as<int64_t>(), f[1].as<int64_t>(), f[2].as<std::string>()});
              }
            }
            out.push_back(std::move(repo));
          }
        }
        return out;
      });
}

}  // namespace mm::catalog
