#pragma once
// What the crawler needs from catalog (mirrormanager.catalog.v1.Crawler), as a plain interface:
// the gRPC adapter (catalog_client.h) implements it for production; benchmarks use an
// in-memory implementation. Every method may be called from any worker thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/crawler/crawl_model.h"

namespace mm::crawler {

struct HostSelection {
  bool include_disabled = false;
  bool include_private = false;
  std::vector<std::string> categories;
};

struct LeaseRequest {
  std::string crawl_id;
  std::string holder;
  std::vector<int64_t> candidates;
  int max_hosts = 1;
  int lease_seconds = 300;
  std::vector<std::string> categories;
  // Hosts this process has in hand; its other live leases are granted again (lost replies).
  std::vector<int64_t> held;
};

struct LeaseGrant {
  std::vector<HostInfo> hosts;
  int leased_elsewhere = 0;
  int completed = 0;
};

struct CategoryReportData {
  std::string crawl_id;
  std::string holder;
  int64_t host_id = 0;
  int64_t host_category_id = 0;
  CrawlMode mode = CrawlMode::kFull;
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

struct CategoryReportCounts {
  int up2date = 0, not_up2date = 0, unchanged = 0, created = 0, marked_unseen = 0, unreadable = 0;
};

enum class PropagationState { kNoInfo = 0, kSameDay = 1, kOneDay = 2, kTwoDay = 3, kOlder = 4 };

struct HostCompletionData {
  std::string crawl_id;
  std::string holder;
  int64_t host_id = 0;
  HostStatus status = HostStatus::kUnknown;
  std::string details;
  int64_t finished_at = 0;
  int64_t duration_seconds = 0;
  CrawlMode mode = CrawlMode::kFull;
  std::optional<int> auto_disable;  // CRAWLER_AUTO_DISABLE; unset: catalog's default (4)
  bool release = false;
  std::vector<std::pair<int64_t, PropagationState>> propagation;
  int64_t propagation_datetime = 0;
};

// Upstream's HostCrawlerDisabledV1 body facts about a host that was just disabled.
struct DisabledNotice {
  int64_t site_id = 0;
  std::string site_name, site_org_url;
  std::vector<std::string> admin_usernames, admin_emails;
  int64_t host_id = 0;
  std::string host_name, country;
  std::optional<int32_t> bandwidth, asn;
};

struct HostCompletionOutcome {
  bool already_completed = false;
  bool marked_not_up2date = false;
  bool disabled = false;
  int crawl_failures = 0;
  std::string disable_reason;
  std::optional<DisabledNotice> disabled_notice;
};

struct PropagationTargetKey {
  std::string product, version, prefix;
};

struct RepomdDetail {
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
  std::vector<RepomdDetail> repomd_history;  // newest (highest id) first
};

class CrawlCatalog {
 public:
  virtual ~CrawlCatalog() = default;
  virtual absl::StatusOr<std::vector<HostRef>> ListHosts(const HostSelection& selection) = 0;
  virtual absl::StatusOr<int64_t> BeginCrawl(const std::string& crawl_id, const std::string& holder,
                                             CrawlMode mode) = 0;
  virtual absl::StatusOr<LeaseGrant> Acquire(const LeaseRequest& request) = 0;
  // Returns the ids whose lease was lost.
  virtual absl::StatusOr<std::vector<int64_t>> Renew(const std::string& crawl_id,
                                                     const std::string& holder,
                                                     const std::vector<int64_t>& host_ids,
                                                     int lease_seconds) = 0;
  virtual absl::Status Release(const std::string& crawl_id, const std::string& holder,
                               const std::vector<int64_t>& host_ids) = 0;
  // Every page of the category's readable directories.
  virtual absl::StatusOr<std::shared_ptr<CategoryTree>> LoadCategoryTree(int64_t category_id,
                                                                         bool repodata_only) = 0;
  // Both fail with FAILED_PRECONDITION when `holder` no longer holds the host's lease.
  virtual absl::StatusOr<CategoryReportCounts> ReportCategory(const CategoryReportData& report) = 0;
  virtual absl::StatusOr<HostCompletionOutcome> CompleteHost(const HostCompletionData& data) = 0;
  virtual absl::StatusOr<std::map<std::string, std::string>> ContinentRedirects() = 0;
  virtual absl::StatusOr<int> FinishCrawl(const std::string& crawl_id, const std::string& holder,
                                          int history_keep_days) = 0;
  virtual absl::StatusOr<std::vector<PropagationRepo>> PropagationTargets(
      const std::vector<PropagationTargetKey>& releases) = 0;
  // Every category name (validates --category).
  virtual absl::StatusOr<std::vector<std::string>> CategoryNames() = 0;
};

}  // namespace mm::crawler
