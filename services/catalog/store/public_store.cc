#include "services/catalog/store/public_store.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/sql_util.h"

namespace mm::catalog {
namespace {

using pub::ExplainRule;

// "1,5,9" (string_agg output) -> ids.
std::vector<int64_t> IdList(const pqxx::field& f) {
  std::vector<int64_t> out;
  if (f.is_null()) return out;
  for (absl::string_view part : absl::StrSplit(f.c_str(), ',', absl::SkipEmpty())) {
    int64_t v = 0;
    if (absl::SimpleAtoi(part, &v)) out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

constexpr char kSnapshotProducts[] = "SELECT id, name, publiclist FROM product ORDER BY name, id";
constexpr char kSnapshotVersions[] = R"sql(
SELECT v.id, COALESCE(v.product_id, 0), COALESCE(v.name, ''), v.display_name, v.display,
       string_agg(DISTINCT r.arch_id::text, ',')
FROM version v LEFT JOIN repository r ON r.version_id = v.id
GROUP BY v.id ORDER BY v.id)sql";
constexpr char kSnapshotArches[] = "SELECT id, name, publiclist FROM arch ORDER BY name, id";
constexpr char kSnapshotCategories[] =
    "SELECT id, name, COALESCE(product_id, 0) FROM category ORDER BY name, id";
constexpr char kSnapshotCategoryRepos[] = R"sql(
SELECT DISTINCT category_id, COALESCE(version_id, 0), COALESCE(arch_id, 0)
FROM repository WHERE category_id IS NOT NULL ORDER BY 1, 2, 3)sql";
constexpr char kSnapshotCountries[] = R"sql(
SELECT c.id, c.code, EXISTS (SELECT 1 FROM host_country hc WHERE hc.country_id = c.id)
FROM country c ORDER BY c.code)sql";
// get_mirrors(): the public list's eligibility rules (mm2-web-and-data.md §6.2). Upstream joins a
// single host_category row for the up-to-date directory and the public URL, so both must be in
// the same host category.
constexpr char kSnapshotHosts[] = R"sql(
SELECT h.id, h.name, h.country, h.bandwidth_int, h.internet2, h.comment, s.id, s.name, s.org_url,
       )sql" MM_SQL_EPOCH("h.last_crawled") ", " MM_SQL_EPOCH("h.last_checked_in") R"sql(,
       COALESCE(h.crawl_failures, 0), h.internet2_clients
FROM host h JOIN site s ON s.id = h.site_id
WHERE NOT h.private AND NOT s.private
  AND h.admin_active AND h.user_active AND s.admin_active AND s.user_active
  AND EXISTS (SELECT 1 FROM host_category hc
              WHERE hc.host_id = h.id
                AND EXISTS (SELECT 1 FROM host_category_dir d
                            WHERE d.host_category_id = hc.id AND d.up2date)
                AND EXISTS (SELECT 1 FROM host_category_url u
                            WHERE u.host_category_id = hc.id AND NOT u.private))
ORDER BY h.country, h.name, h.id)sql";
constexpr char kSnapshotHostCategories[] = R"sql(
SELECT hc.host_id, hc.id, hc.category_id, c.name, u.url, u.private
FROM host_category hc JOIN category c ON c.id = hc.category_id
LEFT JOIN host_category_url u ON u.host_category_id = hc.id
WHERE hc.host_id = ANY($1::integer[])
ORDER BY hc.host_id, c.name, hc.id, u.id)sql";
constexpr char kSnapshotHostCategoryDirs[] = R"sql(
SELECT hc.id, count(*), count(*) FILTER (WHERE d.up2date)
FROM host_category hc JOIN host_category_dir d ON d.host_category_id = hc.id
WHERE hc.host_id = ANY($1::integer[])
GROUP BY hc.id)sql";
constexpr char kSnapshotHostCountries[] =
    "SELECT host_id, country_id FROM host_country WHERE host_id = ANY($1::integer[]) "
    "ORDER BY host_id, country_id";

constexpr char kAccessStats[] = R"sql(
SELECT s.name, COALESCE(s.percent, 0), COALESCE(s.requests, 0)
FROM access_stat s JOIN access_stat_category c ON c.id = s.category_id
WHERE c.name = $1 AND s.date = $2::date
ORDER BY s.requests DESC NULLS LAST, s.name)sql";
constexpr char kAccessStatsExists[] = R"sql(
SELECT EXISTS (SELECT 1 FROM access_stat s JOIN access_stat_category c ON c.id = s.category_id
               WHERE c.name = $1 AND s.date = $2::date - 1),
       EXISTS (SELECT 1 FROM access_stat s JOIN access_stat_category c ON c.id = s.category_id
               WHERE c.name = $1 AND s.date = $2::date + 1))sql";

constexpr char kPropagationIndex[] = R"sql(
SELECT r.id, COALESCE(r.prefix, ''), COALESCE(a.name, ''), COALESCE(p.name, ''),
       COALESCE(v.name, ''),
       avg(ps.same_day + ps.one_day + ps.two_day + ps.older + ps.no_info)::float8 AS average
FROM repository r
JOIN propagation_stat ps ON ps.repository_id = r.id
LEFT JOIN arch a ON a.id = r.arch_id
LEFT JOIN version v ON v.id = r.version_id
LEFT JOIN product p ON p.id = v.product_id
GROUP BY r.id, a.name, p.name, v.name
ORDER BY 4, 5, 2, 6 DESC, r.id)sql";
constexpr char kPropagationRepo[] = R"sql(
SELECT COALESCE(p.name, ''), COALESCE(v.name, ''), COALESCE(r.prefix, ''), COALESCE(a.name, '')
FROM repository r
LEFT JOIN arch a ON a.id = r.arch_id
LEFT JOIN version v ON v.id = r.version_id
LEFT JOIN product p ON p.id = v.product_id
WHERE r.id = $1)sql";
// The newest 2000 rows (PROPAGATION_KEEP_DAYS keeps far fewer), oldest first.
constexpr char kPropagationPoints[] = R"sql(
SELECT * FROM (
  SELECT )sql" MM_SQL_EPOCH("datetime") R"sql( AS t, same_day, one_day, two_day, older, no_info
  FROM propagation_stat WHERE repository_id = $1 ORDER BY datetime DESC LIMIT 2000) x
ORDER BY t)sql";

constexpr char kMapUrls[] = R"sql(
SELECT u.url, h.latitude, h.longitude, s.name
FROM host_category_url u
JOIN host_category hc ON hc.id = u.host_category_id
JOIN host h ON h.id = hc.host_id
LEFT JOIN site s ON s.id = h.site_id
WHERE NOT h.private AND (s.id IS NULL OR NOT s.private)
  AND h.latitude IS NOT NULL AND h.longitude IS NOT NULL
ORDER BY u.id)sql";

constexpr char kRsyncFilter[] = R"sql(
SELECT DISTINCT d.name
FROM directory d
JOIN category_directory cd ON cd.directory_id = d.id
JOIN category c ON c.id = cd.category_id
WHERE c.name = ANY($1::text[]) AND d.ctime > $2
ORDER BY d.name)sql";

constexpr char kAllAdmins[] =
    "SELECT DISTINCT username FROM site_admin WHERE username IS NOT NULL ORDER BY username";
constexpr char kSiteOfHostName[] =
    "SELECT site_id FROM host WHERE name = $1 AND site_id IS NOT NULL ORDER BY id LIMIT 1";
constexpr char kSiteByName[] = "SELECT id FROM site WHERE name = $1 ORDER BY id LIMIT 1";
constexpr char kSiteAdmins[] = R"sql(
SELECT u FROM (
  SELECT created_by AS u FROM site WHERE id = $1
  UNION SELECT username FROM site_admin WHERE site_id = $1) x
WHERE u IS NOT NULL ORDER BY u)sql";

constexpr char kApiRepositories[] = R"sql(
SELECT r.prefix, r.name, d.name
FROM repository r JOIN arch a ON a.id = r.arch_id
LEFT JOIN directory d ON d.id = r.directory_id
ORDER BY a.id, r.id)sql";

constexpr char kHostStatus[] = R"sql(
SELECT h.id, h.name, COALESCE(h.site_id, 0), COALESCE(s.name, ''), h.country, h.private,
       COALESCE(s.private, false), h.admin_active, h.user_active,
       COALESCE(s.admin_active, false), COALESCE(s.user_active, false),
       )sql" MM_SQL_EPOCH("h.last_crawled") ", " MM_SQL_EPOCH("h.last_checked_in") R"sql(,
       h.last_crawl_duration, COALESCE(h.crawl_failures, 0), h.disable_reason
FROM host h LEFT JOIN site s ON s.id = h.site_id WHERE h.id = $1)sql";
constexpr char kHostCategoryStatus[] = R"sql(
SELECT c.name, hc.always_up2date,
       (SELECT count(*) FROM host_category_dir d WHERE d.host_category_id = hc.id),
       (SELECT count(*) FROM host_category_dir d WHERE d.host_category_id = hc.id AND d.up2date),
       (SELECT count(*) FROM host_category_url u WHERE u.host_category_id = hc.id AND NOT u.private),
       (SELECT count(*) FROM host_category_url u WHERE u.host_category_id = hc.id AND u.private)
FROM host_category hc JOIN category c ON c.id = hc.category_id
WHERE hc.host_id = $1 ORDER BY c.name, hc.id)sql";

}  // namespace

absl::StatusOr<pub::Snapshot> PublicStore::Snapshot() {
  return pool_.Query<pub::Snapshot>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<pub::Snapshot> {
        pub::Snapshot s;
        s.generated_at = absl::ToUnixSeconds(absl::Now());
        for (const auto& r : tx.exec(kSnapshotProducts)) {
          s.products.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<bool>()});
        }
        for (const auto& r : tx.exec(kSnapshotVersions)) {
          pub::Version v;
          v.id = r[0].as<int64_t>();
          v.product_id = r[1].as<int64_t>();
          v.name = r[2].as<std::string>();
          v.display_name = Opt<std::string>(r[3]);
          v.display = r[4].as<bool>();
          v.arch_ids = IdList(r[5]);
          s.versions.push_back(std::move(v));
        }
        for (const auto& r : tx.exec(kSnapshotArches)) {
          s.arches.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<bool>()});
        }
        std::map<int64_t, size_t> category_index;
        for (const auto& r : tx.exec(kSnapshotCategories)) {
          pub::Category c;
          c.id = r[0].as<int64_t>();
          c.name = r[1].as<std::string>();
          c.product_id = r[2].as<int64_t>();
          category_index[c.id] = s.categories.size();
          s.categories.push_back(std::move(c));
        }
        for (const auto& r : tx.exec(kSnapshotCategoryRepos)) {
          auto it = category_index.find(r[0].as<int64_t>());
          if (it == category_index.end()) continue;
          s.categories[it->second].repositories.emplace_back(r[1].as<int64_t>(),
                                                             r[2].as<int64_t>());
        }
        for (const auto& r : tx.exec(kSnapshotCountries)) {
          s.countries.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<bool>()});
        }
        std::map<int64_t, size_t> index;
        std::vector<int64_t> ids;
        for (const auto& r : tx.exec(kSnapshotHosts)) {
          pub::Host h;
          h.id = r[0].as<int64_t>();
          h.name = r[1].as<std::string>();
          h.country = r[2].as<std::string>();
          h.bandwidth_int = Opt<int32_t>(r[3]);
          h.internet2 = r[4].as<bool>();
          h.comment = Opt<std::string>(r[5]);
          h.site_id = r[6].as<int64_t>();
          h.site_name = r[7].as<std::string>();
          h.site_org_url = Opt<std::string>(r[8]);
          h.last_crawled = Opt<int64_t>(r[9]);
          h.last_checked_in = Opt<int64_t>(r[10]);
          h.crawl_failures = r[11].as<int32_t>();
          h.internet2_clients = r[12].as<bool>();
          index[h.id] = s.hosts.size();
          ids.push_back(h.id);
          s.hosts.push_back(std::move(h));
        }
        if (ids.empty()) return s;
        std::string id_array = PgIntArray(ids);
        int64_t last_hc = -1;
        std::map<int64_t, std::pair<size_t, size_t>> hc_index;  // id -> (host, category)
        for (const auto& r : tx.exec_params(kSnapshotHostCategories, id_array)) {
          pub::Host& h = s.hosts[index[r[0].as<int64_t>()]];
          int64_t hc = r[1].as<int64_t>();
          if (hc != last_hc) {
            h.categories.push_back({r[2].as<int64_t>(), r[3].as<std::string>(), {}, 0, 0});
            last_hc = hc;
            hc_index[hc] = {index[h.id], h.categories.size() - 1};
          }
          if (!r[4].is_null()) {
            h.categories.back().urls.push_back({r[4].as<std::string>(), r[5].as<bool>()});
          }
        }
        for (const auto& r : tx.exec_params(kSnapshotHostCategoryDirs, id_array)) {
          auto it = hc_index.find(r[0].as<int64_t>());
          if (it == hc_index.end()) continue;
          pub::HostCategory& hc = s.hosts[it->second.first].categories[it->second.second];
          hc.directories = r[1].as<int32_t>();
          hc.up_to_date = r[2].as<int32_t>();
        }
        for (const auto& r : tx.exec_params(kSnapshotHostCountries, id_array)) {
          s.hosts[index[r[0].as<int64_t>()]].allowed_country_ids.push_back(r[1].as<int64_t>());
        }
        return s;
      },
      PgPool::Mode::kSnapshot);
}

absl::StatusOr<pub::AccessStats> PublicStore::AccessStats(const std::string& date,
                                                          const std::string& category) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(date, &day)) {
    return absl::InvalidArgumentError("date must be YYYY-MM-DD");
  }
  std::string iso = absl::FormatCivilTime(day);
  return pool_.Query<pub::AccessStats>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<pub::AccessStats> {
        pub::AccessStats out;
        for (const auto& r : tx.exec_params(kAccessStats, category, iso)) {
          out.rows.push_back({r[0].as<std::string>(), r[1].as<double>(), r[2].as<int64_t>()});
        }
        pqxx::row e = tx.exec_params1(kAccessStatsExists, category, iso);
        out.has_previous = e[0].as<bool>();
        out.has_next = e[1].as<bool>();
        return out;
      });
}

absl::StatusOr<pub::Propagation> PublicStore::Propagation(int64_t repository_id) {
  return pool_.Query<pub::Propagation>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<pub::Propagation> {
        pub::Propagation out;
        if (repository_id != 0) {
          pqxx::result repo = tx.exec_params(kPropagationRepo, repository_id);
          if (repo.empty()) return absl::NotFoundError("Repository not found");
          out.product = repo[0][0].as<std::string>();
          out.version = repo[0][1].as<std::string>();
          out.prefix = repo[0][2].as<std::string>();
          out.arch = repo[0][3].as<std::string>();
          for (const auto& r : tx.exec_params(kPropagationPoints, repository_id)) {
            out.points.push_back({r[0].as<int64_t>(), r[1].as<int32_t>(), r[2].as<int32_t>(),
                                  r[3].as<int32_t>(), r[4].as<int32_t>(), r[5].as<int32_t>()});
          }
        }
        for (const auto& r : tx.exec(kPropagationIndex)) {
          std::string product = r[3].as<std::string>(), version = r[4].as<std::string>();
          if (out.versions.empty() || out.versions.back().product != product ||
              out.versions.back().version != version) {
            out.versions.push_back({product, version, {}});
          }
          out.versions.back().repos.push_back({r[0].as<int64_t>(), r[1].as<std::string>(),
                                               r[2].as<std::string>(), r[5].as<double>()});
        }
        return out;
      });
}

absl::StatusOr<std::vector<pub::MapUrl>> PublicStore::MapUrls() {
  return pool_.Query<std::vector<pub::MapUrl>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<pub::MapUrl>> {
        std::vector<pub::MapUrl> out;
        for (const auto& r : tx.exec(kMapUrls)) {
          out.push_back({r[0].as<std::string>(), r[1].as<double>(), r[2].as<double>(),
                         Opt<std::string>(r[3])});
        }
        return out;
      });
}

absl::StatusOr<std::vector<std::string>> PublicStore::RsyncFilterDirectories(
    const std::vector<std::string>& categories, int64_t since) {
  return pool_.Query<std::vector<std::string>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const auto& r : tx.exec_params(kRsyncFilter, PgTextArray(categories), since)) {
          out.push_back(r[0].as<std::string>());
        }
        return out;
      });
}

absl::StatusOr<std::vector<std::string>> PublicStore::MirrorAdmins(
    const std::optional<std::string>& name) {
  return pool_.Query<std::vector<std::string>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        if (!name) {
          for (const auto& r : tx.exec(kAllAdmins)) out.push_back(r[0].as<std::string>());
          return out;
        }
        pqxx::result site = tx.exec_params(kSiteOfHostName, *name);
        if (site.empty()) site = tx.exec_params(kSiteByName, *name);
        if (site.empty())
          return absl::NotFoundError(absl::StrCat("No host or site found for ", *name));
        for (const auto& r : tx.exec_params(kSiteAdmins, site[0][0].as<int64_t>())) {
          out.push_back(r[0].as<std::string>());
        }
        return out;
      });
}

absl::StatusOr<std::vector<pub::ApiRepository>> PublicStore::ApiRepositories() {
  return pool_.Query<std::vector<pub::ApiRepository>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<pub::ApiRepository>> {
        std::vector<pub::ApiRepository> out;
        for (const auto& r : tx.exec(kApiRepositories)) {
          out.push_back({Opt<std::string>(r[0]), r[1].as<std::string>(), Opt<std::string>(r[2])});
        }
        return out;
      });
}

absl::StatusOr<pub::HostStatus> PublicStore::HostStatus(int64_t host_id) {
  return pool_.Query<pub::HostStatus>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<pub::HostStatus> {
        pqxx::result hr = tx.exec_params(kHostStatus, host_id);
        if (hr.empty()) return absl::NotFoundError("Host not found");
        const pqxx::row& r = hr[0];
        pub::HostStatus h;
        h.id = r[0].as<int64_t>();
        h.name = r[1].as<std::string>();
        h.site_id = r[2].as<int64_t>();
        h.site_name = r[3].as<std::string>();
        h.country = r[4].as<std::string>();
        h.host_private = r[5].as<bool>();
        h.site_private = r[6].as<bool>();
        h.host_admin_active = r[7].as<bool>();
        h.host_user_active = r[8].as<bool>();
        h.site_admin_active = r[9].as<bool>();
        h.site_user_active = r[10].as<bool>();
        h.last_crawled = Opt<int64_t>(r[11]);
        h.last_checked_in = Opt<int64_t>(r[12]);
        h.last_crawl_duration = Opt<int64_t>(r[13]);
        h.crawl_failures = r[14].as<int32_t>();
        h.disable_reason = Opt<std::string>(r[15]);
        for (const auto& c : tx.exec_params(kHostCategoryStatus, host_id)) {
          h.categories.push_back({c[0].as<std::string>(), c[1].as<bool>(), c[2].as<int32_t>(),
                                  c[3].as<int32_t>(), c[4].as<int32_t>(), c[5].as<int32_t>()});
        }
        return h;
      });
}

namespace {

constexpr char kExplainHost[] = R"sql(
SELECT h.name, h.site_id IS NOT NULL, COALESCE(s.admin_active, false),
       COALESCE(s.user_active, false), h.admin_active, h.user_active, h.private,
       COALESCE(s.private, false), h.internet2, h.internet2_clients, h.country
FROM host h LEFT JOIN site s ON s.id = h.site_id WHERE h.id = $1)sql";
constexpr char kExplainRedirect[] =
    "SELECT to_repo FROM repository_redirect WHERE from_repo = $1 AND to_repo IS NOT NULL";
constexpr char kExplainRepo[] = R"sql(
SELECT r.name, r.disabled, r.directory_id, d.name, r.version_id IS NOT NULL
FROM repository r JOIN arch a ON a.id = r.arch_id
LEFT JOIN directory d ON d.id = r.directory_id
WHERE r.prefix = $1 AND a.name = $2 ORDER BY r.id LIMIT 1)sql";
constexpr char kExplainDirectory[] = "SELECT id, name FROM directory WHERE name = $1";
// First category_directory row wins, as in the cache generator.
constexpr char kExplainCategory[] = R"sql(
SELECT c.id, c.name, t.name
FROM category_directory cd JOIN category c ON c.id = cd.category_id
LEFT JOIN directory t ON t.id = c.topdir_id
WHERE cd.directory_id = $1 ORDER BY cd.category_id LIMIT 1)sql";
constexpr char kExplainHostCategory[] =
    "SELECT id, always_up2date FROM host_category WHERE host_id = $1 AND category_id = $2 "
    "ORDER BY id LIMIT 1";
constexpr char kExplainHcd[] =
    "SELECT bool_or(up2date) FROM host_category_dir WHERE host_category_id = $1 AND directory_id = "
    "$2";
constexpr char kExplainUrls[] = R"sql(
SELECT count(*) FILTER (WHERE NOT private), count(*) FILTER (WHERE private)
FROM host_category_url WHERE host_category_id = $1)sql";
// DESIGN.md §5: the union of host_country (by code) and host_country_allowed.
constexpr char kExplainCountries[] = R"sql(
SELECT DISTINCT upper(code) FROM (
  SELECT c.code FROM host_country hc JOIN country c ON c.id = hc.country_id WHERE hc.host_id = $1
  UNION SELECT country FROM host_country_allowed WHERE host_id = $1) x
ORDER BY 1)sql";

std::string YesNo(bool b) { return b ? "true" : "false"; }

}  // namespace

absl::StatusOr<pub::Explanation> PublicStore::Explain(const pub::ExplainQuery& q) {
  return pool_.Query<pub::Explanation>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<pub::Explanation> {
        pqxx::result hr = tx.exec_params(kExplainHost, q.host_id);
        if (hr.empty()) return absl::NotFoundError("Host not found");
        const pqxx::row& h = hr[0];
        pub::Explanation e;
        e.host_id = q.host_id;
        e.host_name = h[0].as<std::string>();
        bool has_site = h[1].as<bool>();
        bool ok = true;
        auto rule = [&](std::string name, bool passed, std::string detail, bool blocking = true) {
          if (blocking && !passed) ok = false;
          e.rules.push_back({std::move(name), passed, std::move(detail)});
        };
        rule("host.site", has_site,
             has_site ? "the host belongs to a site"
                      : "the host has no site; the cache generator drops it");
        rule("site.admin_active", h[2].as<bool>(), "site admin_active = " + YesNo(h[2].as<bool>()));
        rule("site.user_active", h[3].as<bool>(), "site user_active = " + YesNo(h[3].as<bool>()));
        rule("host.admin_active", h[4].as<bool>(), "host admin_active = " + YesNo(h[4].as<bool>()));
        rule("host.user_active", h[5].as<bool>(), "host user_active = " + YesNo(h[5].as<bool>()));

        // The content asked about: a repository (prefix + arch) or a directory.
        std::optional<int64_t> dir_id;
        if (!q.repo.empty() || !q.arch.empty()) {
          std::string repo = q.repo;
          pqxx::result redirect = tx.exec_params(kExplainRedirect, repo);
          if (!redirect.empty()) {
            std::string to = redirect[0][0].as<std::string>();
            rule("repository.redirect", true,
                 absl::StrCat("repository_redirect sends '", repo, "' to '", to, "'"), false);
            repo = to;
          }
          pqxx::result rr = tx.exec_params(kExplainRepo, repo, q.arch);
          if (rr.empty() || rr[0][2].is_null() || !rr[0][4].as<bool>()) {
            rule("repository.exists", false,
                 rr.empty() ? absl::StrCat("no repository with prefix '", repo, "' and arch '",
                                           q.arch, "'")
                            : "the repository has no directory or no version; the cache "
                              "generator ignores it");
          } else {
            rule("repository.exists", true,
                 absl::StrCat("repository '", rr[0][0].as<std::string>(), "' -> directory '",
                              rr[0][3].as<std::string>(), "'"));
            bool disabled = rr[0][1].as<bool>();
            rule("repository.enabled", !disabled,
                 disabled ? "the repository is disabled: the mirrorlist answers with an error"
                          : "the repository is not disabled");
            dir_id = rr[0][2].as<int64_t>();
            e.directory = rr[0][3].as<std::string>();
          }
        } else {
          std::string path = q.path;
          while (!path.empty() && path.front() == '/') path.erase(0, 1);
          while (!path.empty() && path.back() == '/') path.pop_back();
          pqxx::result dr = tx.exec_params(kExplainDirectory, path);
          rule("directory.exists", !dr.empty(),
               dr.empty() ? absl::StrCat("no directory named '", path, "'")
                          : absl::StrCat("directory '", path, "' exists"));
          if (!dr.empty()) {
            dir_id = dr[0][0].as<int64_t>();
            e.directory = path;
          }
        }

        std::optional<int64_t> hc_id;
        bool always = false;
        if (dir_id) {
          pqxx::result cr = tx.exec_params(kExplainCategory, *dir_id);
          if (cr.empty() || cr[0][2].is_null()) {
            rule("directory.category", false,
                 cr.empty() ? "the directory belongs to no category (category_directory)"
                            : "the directory's category has no top directory");
          } else {
            e.category = cr[0][1].as<std::string>();
            rule("directory.category", true, absl::StrCat("category '", e.category, "'"));
            pqxx::result hcr =
                tx.exec_params(kExplainHostCategory, q.host_id, cr[0][0].as<int64_t>());
            rule("host.carries_category", !hcr.empty(),
                 hcr.empty() ? absl::StrCat("the host does not carry category '", e.category, "'")
                             : absl::StrCat("the host carries category '", e.category, "'"));
            if (!hcr.empty()) {
              hc_id = hcr[0][0].as<int64_t>();
              always = hcr[0][1].as<bool>();
            }
          }
        }
        if (hc_id) {
          pqxx::row hcd = tx.exec_params1(kExplainHcd, *hc_id, *dir_id);
          bool has_row = !hcd[0].is_null();
          bool up = has_row && hcd[0].as<bool>();
          std::string detail;
          if (always) {
            detail = "the host category is always_up2date: every directory counts as up to date";
          } else if (up) {
            detail = "host_category_dir is up to date";
          } else if (has_row) {
            detail = "host_category_dir exists but is not up to date (last crawl or check-in)";
          } else {
            detail = "no host_category_dir row: the crawler or a check-in never saw this directory";
          }
          rule("directory.up_to_date", always || up, detail);
          pqxx::row urls = tx.exec_params1(kExplainUrls, *hc_id);
          int64_t pub_urls = urls[0].as<int64_t>(), priv_urls = urls[1].as<int64_t>();
          rule("host_category.public_url", pub_urls > 0,
               absl::StrCat(pub_urls, " public URL(s), ", priv_urls,
                            " private URL(s); private URLs are never handed out"));
        }
        bool host_private = h[6].as<bool>(), site_private = h[7].as<bool>();
        bool internet2 = h[8].as<bool>(), i2_clients = h[9].as<bool>();
        bool is_private = host_private || site_private;
        std::string private_detail;
        if (!is_private) {
          private_detail = "public host: eligible for the global and per-country lists";
        } else {
          private_detail = absl::StrCat(host_private ? "host" : "site",
                                        " is private: offered only to clients matched by the "
                                        "host's netblocks or ASN");
          if (i2_clients && internet2) {
            absl::StrAppend(&private_detail, ", and to Internet2 clients (internet2_clients)");
          }
        }
        rule("host.public", !is_private, private_detail, false);
        for (const auto& c : tx.exec_params(kExplainCountries, q.host_id)) {
          e.allowed_countries.push_back(c[0].as<std::string>());
        }
        rule("country.allowed", true,
             e.allowed_countries.empty()
                 ? "no country restriction"
                 : absl::StrCat("only clients from ", absl::StrJoin(e.allowed_countries, ", "),
                                " get this host from the country and global lists"),
             false);
        rule("host.country", !h[10].as<std::string>().empty(),
             absl::StrCat("host country '", absl::AsciiStrToUpper(h[10].as<std::string>()), "'"),
             false);
        e.offered = ok && dir_id.has_value() && hc_id.has_value();
        e.offered_globally = e.offered && !is_private;
        if (!e.offered) {
          std::vector<std::string> failed;
          for (const auto& r : e.rules) {
            if (!r.passed && r.rule != "host.public" && r.rule != "host.country")
              failed.push_back(r.rule);
          }
          e.summary = absl::StrCat("not offered: ", absl::StrJoin(failed, ", "));
        } else if (e.offered_globally) {
          e.summary = "offered to every client (global and per-country lists)";
        } else {
          e.summary = "offered only to clients matched by netblock or ASN (private host)";
        }
        return e;
      });
}

}  // namespace mm::catalog
