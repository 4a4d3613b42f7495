#pragma once
// Read models for the web gateway's anonymous pages and JSON API (mm2-web-and-data.md §2.4, §6):
// each method answers one page in one transaction with a handful of set-based queries (never a
// query per row). The snapshot is read in one REPEATABLE READ transaction so that its parts agree.
//
// Thread-safety: stateless apart from the pool; safe to share.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::catalog {

class PgPool;

namespace pub {

struct Product {
  int64_t id = 0;
  std::string name;
  bool publiclist = true;
};
struct Version {
  int64_t id = 0;
  int64_t product_id = 0;
  std::string name;
  std::optional<std::string> display_name;
  bool display = true;
  std::vector<int64_t> arch_ids;
};
struct Arch {
  int64_t id = 0;
  std::string name;
  bool publiclist = true;
};
struct Category {
  int64_t id = 0;
  std::string name;
  int64_t product_id = 0;
  // Distinct (version_id, arch_id) pairs of the category's repositories; 0 = NULL.
  std::vector<std::pair<int64_t, int64_t>> repositories;
};
struct Country {
  int64_t id = 0;
  std::string code;
  bool in_host_country = false;
};
struct Url {
  std::string url;
  bool private_ = false;
};
struct HostCategory {
  int64_t category_id = 0;
  std::string category_name;
  std::vector<Url> urls;
  int32_t directories = 0, up_to_date = 0;  // host_category_dir rows, and the up-to-date ones
};
struct Host {
  int64_t id = 0;
  std::string name, country;
  std::optional<int32_t> bandwidth_int;
  bool internet2 = false, internet2_clients = false;
  std::optional<std::string> comment;
  int64_t site_id = 0;
  std::string site_name;
  std::optional<std::string> site_org_url;
  std::vector<HostCategory> categories;
  std::vector<int64_t> allowed_country_ids;
  std::optional<int64_t> last_crawled, last_checked_in;
  int32_t crawl_failures = 0;
};
struct Snapshot {
  int64_t generated_at = 0;
  std::vector<Product> products;
  std::vector<Version> versions;
  std::vector<Arch> arches;
  std::vector<Category> categories;
  std::vector<Country> countries;
  std::vector<Host> hosts;
};

struct AccessStatRow {
  std::string name;
  double percent = 0;
  int64_t requests = 0;
};
struct AccessStats {
  std::vector<AccessStatRow> rows;
  bool has_previous = false, has_next = false;
};

struct PropagationRepo {
  int64_t id = 0;
  std::string prefix, arch;
  double average = 0;
};
struct PropagationVersion {
  std::string product, version;
  std::vector<PropagationRepo> repos;
};
struct PropagationPoint {
  int64_t datetime = 0;
  int32_t same_day = 0, one_day = 0, two_day = 0, older = 0, no_info = 0;
};
struct Propagation {
  std::vector<PropagationVersion> versions;
  std::string product, version, prefix, arch;
  std::vector<PropagationPoint> points;
};

struct MapUrl {
  std::string url;
  double latitude = 0, longitude = 0;
  std::optional<std::string> site_name;
};

struct ApiRepository {
  std::optional<std::string> prefix;
  std::string name;
  std::optional<std::string> directory;
};

struct HostCategoryStatus {
  std::string category;
  bool always_up2date = false;
  int32_t directories = 0, up_to_date = 0, public_urls = 0, private_urls = 0;
};
struct HostStatus {
  int64_t id = 0;
  std::string name;
  int64_t site_id = 0;
  std::string site_name, country;
  bool host_private = false, site_private = false;
  bool host_admin_active = true, host_user_active = true;
  bool site_admin_active = true, site_user_active = true;
  std::optional<int64_t> last_crawled, last_checked_in, last_crawl_duration;
  int32_t crawl_failures = 0;
  std::optional<std::string> disable_reason;
  std::vector<HostCategoryStatus> categories;
};

struct ExplainQuery {
  int64_t host_id = 0;
  std::string repo, arch, path;
};
struct ExplainRule {
  std::string rule;
  bool passed = false;
  std::string detail;
};
struct Explanation {
  int64_t host_id = 0;
  std::string host_name, directory, category;
  std::vector<ExplainRule> rules;
  bool offered = false, offered_globally = false;
  std::vector<std::string> allowed_countries;
  std::string summary;
};

}  // namespace pub

class PublicStore {
 public:
  explicit PublicStore(PgPool& pool) : pool_(pool) {}

  absl::StatusOr<pub::Snapshot> Snapshot();
  // `date` is YYYY-MM-DD (INVALID_ARGUMENT otherwise); `category` an access_stat_category name.
  absl::StatusOr<pub::AccessStats> AccessStats(const std::string& date,
                                               const std::string& category);
  // repository_id 0: the index only. NOT_FOUND "Repository not found" for an unknown id.
  absl::StatusOr<pub::Propagation> Propagation(int64_t repository_id);
  absl::StatusOr<std::vector<pub::MapUrl>> MapUrls();
  absl::StatusOr<std::vector<std::string>> RsyncFilterDirectories(
      const std::vector<std::string>& categories, int64_t since);
  // Without a name: every distinct site admin. With one: the admins and creator of the site of
  // the first host of that name, else of the first site of that name; NOT_FOUND otherwise.
  absl::StatusOr<std::vector<std::string>> MirrorAdmins(const std::optional<std::string>& name);
  absl::StatusOr<std::vector<pub::ApiRepository>> ApiRepositories();
  absl::StatusOr<pub::HostStatus> HostStatus(int64_t host_id);
  // NOT_FOUND "Host not found" for an unknown host; unresolvable targets are failed rules.
  absl::StatusOr<pub::Explanation> Explain(const pub::ExplainQuery& query);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
