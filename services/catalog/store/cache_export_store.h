#pragma once
// Cache export: reads everything the mirror-list cache generator needs (mm2-backend.md §7.2,
// queries Q1-Q15, plus host_peer_asn and host_country) inside ONE read-only REPEATABLE READ
// transaction, so that every row comes from the same point in time, and hands the rows to a
// sink in batches as they are fetched. Large tables are read through server-side cursors, so
// memory stays bounded by one batch whatever the table size.
//
// Sections are delivered in a fixed order (the order of the methods of CacheExportSink), each
// in the row order documented there. A sink error (for example: the client went away) stops
// the export and rolls the transaction back.
//
// Thread-safety: stateless apart from the pool; safe to share. One export holds one pooled
// connection for its whole duration.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace mm::catalog {

class PgPool;

struct ExportHostRow {  // host INNER JOIN site
  int64_t id = 0;
  std::string name;
  std::string country;
  std::optional<int32_t> bandwidth_int;
  std::optional<int32_t> asn;
  bool asn_clients = false;
  int32_t max_connections = 0;
  bool user_active = false;
  bool admin_active = false;
  bool private_ = false;
  bool internet2 = false;
  bool internet2_clients = false;
  bool site_user_active = false;
  bool site_admin_active = false;
  bool site_private = false;
};

struct ExportHostCategoryRow {
  int64_t id = 0;
  int64_t host_id = 0;      // 0 = NULL
  int64_t category_id = 0;  // 0 = NULL
  bool always_up2date = false;
};

struct ExportUrlRow {
  int64_t id = 0;
  int64_t host_category_id = 0;
  std::string url;
};

struct ExportHostValueRow {  // (host, text) pairs: countries, netblocks
  int64_t host_id = 0;
  std::string value;
};

struct ExportIdPair {  // (a, b) pairs: (id, other id), (host, asn), ...
  int64_t first = 0;
  int64_t second = 0;
};

struct ExportNamedId {  // (id, name): arches, directories
  int64_t id = 0;
  std::string name;
};

struct ExportRepositoryRow {
  std::optional<std::string> prefix;
  int64_t category_id = 0;  // 0 = NULL
  int64_t version_id = 0;
  int64_t arch_id = 0;
  int64_t directory_id = 0;
  bool disabled = false;
};

struct ExportStringPairRow {
  std::string key;
  std::optional<std::string> value;
};

struct ExportFileDetailRow {
  int64_t directory_id = 0;
  std::string filename;
  std::optional<int64_t> timestamp, size;
  std::optional<std::string> sha1, md5, sha256, sha512;
};

// Receives the snapshot. Every method gets one batch (never empty) and may be called several
// times for one section; sections arrive in declaration order. Rows may be moved from.
class CacheExportSink {
 public:
  virtual ~CacheExportSink() = default;
  virtual absl::Status Header(int64_t snapshot_time, const std::string& snapshot) = 0;
  virtual absl::Status Arches(std::vector<ExportNamedId>& rows) = 0;       // by id
  virtual absl::Status Categories(std::vector<ExportIdPair>& rows) = 0;    // (id, topdir)
  virtual absl::Status Directories(std::vector<ExportNamedId>& rows) = 0;  // by id
  virtual absl::Status Hosts(std::vector<ExportHostRow>& rows) = 0;        // by id
  virtual absl::Status HostCategories(std::vector<ExportHostCategoryRow>& rows) = 0;  // by id
  virtual absl::Status HostCategoryUrls(std::vector<ExportUrlRow>& rows) = 0;  // public, by id
  virtual absl::Status HostCountryAllowed(std::vector<ExportHostValueRow>& rows) = 0;
  virtual absl::Status HostCountries(std::vector<ExportHostValueRow>& rows) = 0;  // country.code
  virtual absl::Status HostNetblocks(std::vector<ExportHostValueRow>& rows) = 0;
  virtual absl::Status HostPeerAsns(std::vector<ExportIdPair>& rows) = 0;  // (host, asn)
  // (category, directory), by directory then category.
  virtual absl::Status CategoryDirectories(std::vector<ExportIdPair>& rows) = 0;
  virtual absl::Status Repositories(std::vector<ExportRepositoryRow>& rows) = 0;  // by id
  virtual absl::Status RepositoryRedirects(std::vector<ExportStringPairRow>& rows) = 0;
  virtual absl::Status CountryContinentRedirects(std::vector<ExportStringPairRow>& rows) = 0;
  virtual absl::Status NetblockCountries(std::vector<ExportStringPairRow>& rows) = 0;
  // Up-to-date (host_category, directory) pairs, unordered.
  virtual absl::Status HostCategoryDirs(std::vector<ExportIdPair>& rows) = 0;
  // By directory, filename (byte order), timestamp newest first (NULL last), id descending.
  virtual absl::Status FileDetails(std::vector<ExportFileDetailRow>& rows) = 0;
  // Rows delivered per section, keyed by section name ("hosts", "file_details", ...).
  virtual absl::Status Trailer(const std::map<std::string, int64_t>& row_counts) = 0;
};

struct CacheExportOptions {
  int batch_rows = 5000;  // rows per sink call (and per cursor FETCH)
};

class CacheExportStore {
 public:
  explicit CacheExportStore(PgPool& pool) : pool_(pool) {}

  // Streams one snapshot into `sink`. Database errors map as in PgPool; a lost connection
  // after the first batch was delivered is UNAVAILABLE and is not retried here (the client
  // restarts the whole export, since a partial stream cannot be resumed in a new snapshot).
  absl::Status Export(const CacheExportOptions& options, CacheExportSink& sink);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
