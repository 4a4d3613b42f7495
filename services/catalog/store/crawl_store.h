#pragma once
// The crawler's aggregate (mm2-backend.md §2): host selection, crawl leases, the master's view
// of a category, host_category_dir updates per category (§2.7), host bookkeeping (§2.9),
// propagation statistics (§2.10) and the per-category crawl history (mm_crawl_history).
//
// Thread-safety: stateless apart from the pool; safe to share.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/model.h"

namespace mm::catalog {

class PgPool;

// Values of the proto enums CrawlMode / CrawlStatus / PropagationState.
enum class CrawlModeValue { kFull = 0, kCanary = 1, kRepodata = 2, kPropagation = 3 };
enum class CrawlStatusValue { kUnknown = 0, kOk = 1, kFailure = 2, kTimeout = 3, kDisable = 4 };

struct CrawlHostQuery {
  bool include_disabled = false;
  bool include_private = false;
  std::vector<std::string> category_names;  // empty = all
};

struct CrawlHostRef {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> last_crawl_duration;
};

struct CrawlHostCategoryInfo {
  int64_t id = 0;
  int64_t category_id = 0;
  std::string category_name;
  std::string topdir;
  bool always_up2date = false;
  std::vector<std::string> urls;
};

struct CrawlHostInfo {
  int64_t id = 0;
  std::string name;
  std::string country;
  bool private_ = false;
  bool user_active = true;
  int32_t crawl_failures = 0;
  int64_t site_id = 0;
  std::string site_name;
  std::vector<CrawlHostCategoryInfo> categories;
};

struct AcquireRequest {
  std::string crawl_id;
  std::string holder;
  std::vector<int64_t> candidates;  // preferred order
  int max_hosts = 1;
  int lease_seconds = 300;
  std::vector<std::string> category_names;
  // Hosts the holder has in hand; its other live leases among the candidates are returned again.
  std::vector<int64_t> held_host_ids;
};

struct AcquireResult {
  std::vector<CrawlHostInfo> hosts;
  int leased_elsewhere = 0;
  int completed = 0;
};

struct CrawlDirectoryRow {
  int64_t id = 0;
  std::string name;
  std::string path;  // relative to the topdir, no leading slash
  std::vector<DirectoryFile> files;
  std::string repomd_sha256;
};

struct CategoryTreePage {
  std::vector<CrawlDirectoryRow> directories;
  std::vector<std::string> fft_names;
  bool more = false;
};

struct CategoryReport {
  std::string crawl_id;
  std::string holder;
  int64_t host_id = 0;
  int64_t host_category_id = 0;
  CrawlModeValue mode = CrawlModeValue::kFull;
  std::vector<int64_t> up2date_ids;
  std::vector<int64_t> stale_ids;
  int unknown = 0;
  int total = 0;
  bool mark_unseen = false;
  std::string method;
  std::string result;
  int64_t duration_ms = 0;
  std::string url;
  int64_t requests = 0;
};

struct CategoryReportResult {
  int up2date = 0;
  int not_up2date = 0;
  int unchanged = 0;
  int created = 0;
  int marked_unseen = 0;
  int unreadable = 0;
};

struct PropagationCount {
  int64_t repository_id = 0;
  int state = 0;  // PropagationState
};

struct HostCompletion {
  std::string crawl_id;
  std::string holder;
  int64_t host_id = 0;
  CrawlStatusValue status = CrawlStatusValue::kUnknown;
  std::string details;
  int64_t finished_at = 0;
  int64_t duration_seconds = 0;
  CrawlModeValue mode = CrawlModeValue::kFull;
  int auto_disable = 4;  // CRAWLER_AUTO_DISABLE (upstream's default when the request has none)
  bool release = false;
  std::vector<PropagationCount> propagation;
  int64_t propagation_datetime = 0;
};

// What upstream's HostCrawlerDisabledV1 message says about a host that was just disabled.
struct DisabledHostNotice {
  int64_t site_id = 0;
  std::string site_name;
  std::string site_org_url;
  std::vector<std::string> admin_usernames;
  std::vector<std::string> admin_emails;  // of those admins that have an mm_user row
  int64_t host_id = 0;
  std::string host_name;
  std::string country;
  std::optional<int32_t> bandwidth;
  std::optional<int32_t> asn;
};

struct HostCompletionResult {
  bool already_completed = false;
  bool marked_not_up2date = false;
  bool disabled = false;  // this call turned an active host off
  int32_t crawl_failures = 0;
  std::string disable_reason;  // set whenever this call (re)disabled the host
  std::optional<DisabledHostNotice> disabled_notice;  // set when `disabled`
};

struct CrawlHistoryRow {
  int64_t host_id = 0;
  int64_t host_category_id = 0;
  int64_t category_id = 0;
  std::string category_name;
  int64_t crawled_at = 0;
  std::string crawl_id;
  std::string mode;
  std::string method;
  int32_t up2date = 0, total = 0, stale = 0, unknown = 0;
  std::string result;
  int64_t duration_ms = 0;
  std::string url;
  int64_t requests = 0;
};

struct PropagationReleaseKey {
  std::string product, version, prefix;
};

struct PropagationFd {
  int64_t id = 0;
  int64_t timestamp = 0;
  std::string sha256;
};

struct PropagationRepo {
  int64_t id = 0;
  std::string name, product, version, arch;
  int64_t category_id = 0;
  std::string topdir;
  std::string directory_name;
  bool has_repodata_directory = false;
  std::vector<PropagationFd> repomd_history;  // by id descending
};

// "Fedora Linux" keeps its fullfiletimelist one level above the category's top directory.
std::string FftDirectoryFor(const std::string& category_name, const std::string& topdir);

class CrawlStore {
 public:
  explicit CrawlStore(PgPool& pool) : pool_(pool) {}

  // §2.2 filters, ordered by last_crawl_duration desc (NULL last), then id.
  absl::StatusOr<std::vector<CrawlHostRef>> ListHosts(const CrawlHostQuery& query);
  // Registers the crawl (first caller wins) and returns its start time.
  absl::StatusOr<int64_t> BeginCrawl(const std::string& crawl_id, const std::string& mode);
  // Leases candidates in order (skipping hosts that no longer exist); see AcquireRequest.
  absl::StatusOr<AcquireResult> Acquire(const AcquireRequest& request);
  // Returns the host ids no longer held by `holder`.
  absl::StatusOr<std::vector<int64_t>> Renew(const std::string& crawl_id, const std::string& holder,
                                             const std::vector<int64_t>& host_ids,
                                             int lease_seconds);
  absl::Status Release(const std::string& crawl_id, const std::string& holder,
                       const std::vector<int64_t>& host_ids);
  absl::StatusOr<CategoryTreePage> CategoryTree(int64_t category_id, bool repodata_only,
                                                const std::string& after_name, int limit);
  // Both fail with FAILED_PRECONDITION (writing nothing) when report.holder does not hold the
  // host's lease in the crawl: a crawler that lost its lease must not overwrite the new holder's
  // results. CompleteHost of a host already completed in the crawl is a no-op.
  absl::StatusOr<CategoryReportResult> ReportCategory(const CategoryReport& report);
  absl::StatusOr<HostCompletionResult> CompleteHost(const HostCompletion& completion);
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ContinentRedirects();
  // Deletes history rows and crawl runs (with their leases) older than `keep_days`.
  absl::StatusOr<int> Prune(const std::string& current_crawl_id, int keep_days);
  absl::StatusOr<std::vector<CrawlHistoryRow>> History(int64_t host_id, int64_t category_id,
                                                       int limit);
  absl::StatusOr<std::vector<PropagationRepo>> PropagationTargets(
      const std::vector<PropagationReleaseKey>& releases);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
