#include "services/catalog/store/cache_export_store.h"

#include <functional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/sql_util.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"

namespace mm::catalog {
namespace {

// The snapshot is taken by the first statement of the transaction: this one.
constexpr char kSelectHeader[] =
    "SELECT EXTRACT(EPOCH FROM now())::bigint, txid_current_snapshot()::text";

constexpr char kSelectArches[] = "SELECT id, name FROM arch ORDER BY id";
constexpr char kSelectCategories[] = "SELECT id, COALESCE(topdir_id, 0) FROM category ORDER BY id";
constexpr char kSelectDirectories[] = "SELECT id, name FROM directory ORDER BY id";
// Q1: hosts without a site are dropped by the join, as upstream.
constexpr char kSelectHosts[] = R"sql(
SELECT h.id, h.name, h.country, h.bandwidth_int, h.asn, h.asn_clients, h.max_connections,
       h.user_active, h.admin_active, h.private, h.internet2, h.internet2_clients,
       s.user_active, s.admin_active, s.private
FROM host h JOIN site s ON s.id = h.site_id
ORDER BY h.id)sql";
constexpr char kSelectHostCategories[] =
    "SELECT id, COALESCE(host_id, 0), COALESCE(category_id, 0), always_up2date "
    "FROM host_category ORDER BY id";
constexpr char kSelectHostCategoryUrls[] =
    "SELECT id, host_category_id, url FROM host_category_url WHERE NOT private ORDER BY id";
constexpr char kSelectHostCountryAllowed[] =
    "SELECT host_id, country FROM host_country_allowed WHERE host_id IS NOT NULL "
    "ORDER BY host_id, id";
constexpr char kSelectHostCountries[] =
    "SELECT hc.host_id, c.code FROM host_country hc JOIN country c ON c.id = hc.country_id "
    "ORDER BY hc.host_id, hc.id";
constexpr char kSelectHostNetblocks[] =
    "SELECT host_id, netblock FROM host_netblock "
    "WHERE host_id IS NOT NULL AND netblock IS NOT NULL ORDER BY host_id, id";
constexpr char kSelectHostPeerAsns[] =
    "SELECT host_id, asn FROM host_peer_asn WHERE host_id IS NOT NULL ORDER BY host_id, asn";
constexpr char kSelectCategoryDirectories[] =
    "SELECT category_id, directory_id FROM category_directory ORDER BY directory_id, category_id";
// Q11.
constexpr char kSelectRepositories[] = R"sql(
SELECT prefix, COALESCE(category_id, 0), version_id, arch_id, directory_id, disabled
FROM repository
WHERE directory_id IS NOT NULL AND version_id IS NOT NULL AND arch_id IS NOT NULL
ORDER BY id)sql";
constexpr char kSelectRepositoryRedirects[] =
    "SELECT from_repo, to_repo FROM repository_redirect ORDER BY id";
constexpr char kSelectCountryContinentRedirects[] =
    "SELECT country, continent FROM country_continent_redirect ORDER BY id";
constexpr char kSelectNetblockCountries[] =
    "SELECT netblock, country FROM netblock_country ORDER BY id";
// Q9. No ORDER BY: this is the largest table (millions of rows) and the client indexes it.
constexpr char kSelectHostCategoryDirs[] =
    "SELECT host_category_id, directory_id FROM host_category_dir "
    "WHERE up2date AND directory_id IS NOT NULL";
// Q10, ordered so that the client can write each directory as soon as it is complete. NULL
// timestamps (written as 0) go last: the first entry is the metalink's main data.
constexpr char kSelectFileDetails[] = R"sql(
SELECT directory_id, filename, timestamp, size, sha1, md5, sha256, sha512
FROM file_detail
ORDER BY directory_id, filename COLLATE "C", timestamp DESC NULLS LAST, id DESC)sql";

std::string Text(const pqxx::field& f) { return std::string(f.c_str(), f.size()); }
std::optional<std::string> OptText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return Text(f);
}
int64_t Int(const pqxx::field& f) { return f.as<int64_t>(); }

// Reads `sql` through a server-side cursor, `batch` rows at a time, converting each row with
// `convert` and handing every batch to `deliver`. The loop ends when the cursor is exhausted
// (a snapshot holds a finite number of rows).
template <typename Row>
absl::Status ExportSection(pqxx::transaction_base& tx, std::string_view section,
                           std::string_view sql, int batch,
                           const std::function<Row(const pqxx::row&)>& convert,
                           const std::function<absl::Status(std::vector<Row>&)>& deliver,
                           std::map<std::string, int64_t>& counts) {
  absl::Time start = absl::Now();
  tx.exec(absl::StrCat("DECLARE mm_cache_export NO SCROLL CURSOR FOR ", std::string(sql)));
  const std::string fetch = absl::StrCat("FETCH FORWARD ", batch, " FROM mm_cache_export");
  int64_t total = 0;
  std::vector<Row> rows;
  while (true) {
    pqxx::result r = tx.exec(fetch);
    if (r.empty()) break;
    rows.clear();
    rows.reserve(r.size());
    for (const auto& row : r) rows.push_back(convert(row));
    total += static_cast<int64_t>(rows.size());
    MM_RETURN_IF_ERROR(deliver(rows));
    if (static_cast<int>(r.size()) < batch) break;
  }
  tx.exec("CLOSE mm_cache_export");
  counts[std::string(section)] = total;
  MM_LOG(DEBUG) << "cache export: " << total << " rows of " << section << " in "
                << absl::FormatDuration(absl::Now() - start);
  return absl::OkStatus();
}

ExportNamedId ToNamedId(const pqxx::row& r) { return {Int(r[0]), Text(r[1])}; }
ExportIdPair ToIdPair(const pqxx::row& r) { return {Int(r[0]), Int(r[1])}; }
ExportHostValueRow ToHostValue(const pqxx::row& r) { return {Int(r[0]), Text(r[1])}; }
ExportStringPairRow ToStringPair(const pqxx::row& r) { return {Text(r[0]), OptText(r[1])}; }

ExportHostRow ToHost(const pqxx::row& r) {
  ExportHostRow h;
  h.id = Int(r[0]);
  h.name = Text(r[1]);
  h.country = Text(r[2]);
  h.bandwidth_int = Opt<int32_t>(r[3]);
  h.asn = Opt<int32_t>(r[4]);
  h.asn_clients = r[5].as<bool>();
  h.max_connections = r[6].as<int32_t>();
  h.user_active = r[7].as<bool>();
  h.admin_active = r[8].as<bool>();
  h.private_ = r[9].as<bool>();
  h.internet2 = r[10].as<bool>();
  h.internet2_clients = r[11].as<bool>();
  h.site_user_active = r[12].as<bool>();
  h.site_admin_active = r[13].as<bool>();
  h.site_private = r[14].as<bool>();
  return h;
}

ExportHostCategoryRow ToHostCategory(const pqxx::row& r) {
  return {Int(r[0]), Int(r[1]), Int(r[2]), r[3].as<bool>()};
}

ExportUrlRow ToUrl(const pqxx::row& r) { return {Int(r[0]), Int(r[1]), Text(r[2])}; }

ExportRepositoryRow ToRepository(const pqxx::row& r) {
  return {OptText(r[0]), Int(r[1]), Int(r[2]), Int(r[3]), Int(r[4]), r[5].as<bool>()};
}

ExportFileDetailRow ToFileDetail(const pqxx::row& r) {
  ExportFileDetailRow f;
  f.directory_id = Int(r[0]);
  f.filename = Text(r[1]);
  f.timestamp = Opt<int64_t>(r[2]);
  f.size = Opt<int64_t>(r[3]);
  f.sha1 = OptText(r[4]);
  f.md5 = OptText(r[5]);
  f.sha256 = OptText(r[6]);
  f.sha512 = OptText(r[7]);
  return f;
}

}  // namespace

absl::Status CacheExportStore::Export(const CacheExportOptions& options, CacheExportSink& sink) {
  const int batch = std::max(1, options.batch_rows);
  bool delivered = false;
  return pool_.Transact(
      [&](pqxx::transaction_base& tx) -> absl::Status {
        // PgPool re-runs the function once after a lost connection; rows already streamed
        // cannot be taken back, so the client must start over instead.
        if (delivered) {
          return absl::UnavailableError("database connection lost during the cache export");
        }
        delivered = true;
        pool_.AllowLongStatements(tx);  // whole-table reads of a Fedora-sized catalog
        pqxx::row head = tx.exec1(kSelectHeader);
        MM_RETURN_IF_ERROR(sink.Header(Int(head[0]), Text(head[1])));
        std::map<std::string, int64_t> counts;
        using S = CacheExportSink;
        auto bind = [&sink](auto method) {
          return [&sink, method](auto& rows) { return (sink.*method)(rows); };
        };
        MM_RETURN_IF_ERROR(ExportSection<ExportNamedId>(tx, "arches", kSelectArches, batch,
                                                        ToNamedId, bind(&S::Arches), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportIdPair>(tx, "categories", kSelectCategories, batch,
                                                       ToIdPair, bind(&S::Categories), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportNamedId>(tx, "directories", kSelectDirectories,
                                                        batch, ToNamedId, bind(&S::Directories),
                                                        counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportHostRow>(tx, "hosts", kSelectHosts, batch, ToHost,
                                                        bind(&S::Hosts), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportHostCategoryRow>(
            tx, "host_categories", kSelectHostCategories, batch, ToHostCategory,
            bind(&S::HostCategories), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportUrlRow>(tx, "host_category_urls",
                                                       kSelectHostCategoryUrls, batch, ToUrl,
                                                       bind(&S::HostCategoryUrls), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportHostValueRow>(
            tx, "host_country_allowed", kSelectHostCountryAllowed, batch, ToHostValue,
            bind(&S::HostCountryAllowed), counts));
        MM_RETURN_IF_ERROR(
            ExportSection<ExportHostValueRow>(tx, "host_countries", kSelectHostCountries, batch,
                                              ToHostValue, bind(&S::HostCountries), counts));
        MM_RETURN_IF_ERROR(
            ExportSection<ExportHostValueRow>(tx, "host_netblocks", kSelectHostNetblocks, batch,
                                              ToHostValue, bind(&S::HostNetblocks), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportIdPair>(tx, "host_peer_asns", kSelectHostPeerAsns,
                                                       batch, ToIdPair, bind(&S::HostPeerAsns),
                                                       counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportIdPair>(tx, "category_directories",
                                                       kSelectCategoryDirectories, batch, ToIdPair,
                                                       bind(&S::CategoryDirectories), counts));
        MM_RETURN_IF_ERROR(
            ExportSection<ExportRepositoryRow>(tx, "repositories", kSelectRepositories, batch,
                                               ToRepository, bind(&S::Repositories), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportStringPairRow>(
            tx, "repository_redirects", kSelectRepositoryRedirects, batch, ToStringPair,
            bind(&S::RepositoryRedirects), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportStringPairRow>(
            tx, "country_continent_redirects", kSelectCountryContinentRedirects, batch,
            ToStringPair, bind(&S::CountryContinentRedirects), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportStringPairRow>(
            tx, "netblock_countries", kSelectNetblockCountries, batch, ToStringPair,
            bind(&S::NetblockCountries), counts));
        MM_RETURN_IF_ERROR(ExportSection<ExportIdPair>(tx, "host_category_dirs",
                                                       kSelectHostCategoryDirs, batch, ToIdPair,
                                                       bind(&S::HostCategoryDirs), counts));
        MM_RETURN_IF_ERROR(
            ExportSection<ExportFileDetailRow>(tx, "file_details", kSelectFileDetails, batch,
                                               ToFileDetail, bind(&S::FileDetails), counts));
        MM_LOG(DEBUG) << "cache export done: " << counts["directories"] << " directories, "
                      << counts["host_category_dirs"] << " up-to-date host category dirs, "
                      << counts["file_details"] << " file details";
        return sink.Trailer(counts);
      },
      PgPool::Mode::kSnapshot);
}

}  // namespace mm::catalog
