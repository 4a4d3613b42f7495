#pragma once
// Catalog's domain records: plain structs mirroring MirrorManager2 rows (mm2-web-and-data.md
// §1.2). Stores read and write them; gRPC adapters convert them to and from protobuf.
// Times are Unix seconds (UTC); the database stores naive UTC timestamps.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mm::catalog {

struct Product {
  int64_t id = 0;
  std::string name;
  bool publiclist = true;
};

struct Version {
  int64_t id = 0;
  std::string name;
  int64_t product_id = 0;  // 0 = none
  std::string product_name;
  std::optional<std::string> codename;
  bool is_test = false;
  bool display = true;
  std::optional<std::string> display_name;
  bool ordered_mirrorlist = true;
  int32_t sortorder = 0;
};

struct Arch {
  int64_t id = 0;
  std::string name;
  bool publiclist = true;
  bool primary_arch = true;
};

struct Category {
  int64_t id = 0;
  std::string name;
  int64_t product_id = 0;
  std::string product_name;
  int64_t topdir_id = 0;
  std::string topdir_name;  // e.g. "pub/fedora/linux"
  std::optional<std::string> canonicalhost;
  bool publiclist = true;
  std::optional<std::string> geo_dns_domain;
  bool admin_only = false;  // NULL reads as false
};

// One entry of directory.files: the short file sample UMDL stores and the crawler checks.
struct DirectoryFile {
  std::string name;
  int64_t size = 0;
  int64_t timestamp = 0;
};

struct Directory {
  int64_t id = 0;
  std::string name;  // path below the mirror root, no leading slash
  bool readable = true;
  int64_t ctime = 0;
  std::vector<DirectoryFile> files;  // sorted by name
};

struct Repository {
  int64_t id = 0;
  std::string name;
  std::optional<std::string> prefix;
  int64_t category_id = 0;
  std::string category_name;
  int64_t version_id = 0;
  std::string version_name;
  int64_t arch_id = 0;
  std::string arch_name;
  int64_t directory_id = 0;
  std::string directory_name;
  bool disabled = false;
};

struct Country {
  int64_t id = 0;
  std::string code;
};

struct SiteAdmin {
  int64_t id = 0;
  int64_t site_id = 0;
  std::string username;
};

struct Site {
  int64_t id = 0;
  std::string name;
  bool has_password = false;  // the password itself never leaves catalog
  std::optional<std::string> org_url;
  bool private_ = false;
  bool admin_active = true;
  bool user_active = true;
  int64_t created_at = 0;
  std::string created_by;
  bool all_sites_can_pull_from_me = false;
  std::optional<std::string> downstream_comments;
  bool email_on_drop = false;
  bool email_on_add = false;
  std::vector<SiteAdmin> admins;
};

// Fields a create or update may set; unset fields keep their value (update) or take the
// upstream default (create).
struct SiteFields {
  std::optional<std::string> name;
  std::optional<std::string> password;  // plain text in, argon2id hash stored
  std::optional<std::optional<std::string>> org_url;
  std::optional<bool> private_;
  std::optional<bool> admin_active;
  std::optional<bool> user_active;
  std::optional<std::string> created_by;
  std::optional<bool> all_sites_can_pull_from_me;
  std::optional<std::optional<std::string>> downstream_comments;
  std::optional<bool> email_on_drop;
  std::optional<bool> email_on_add;
};

struct Host {
  int64_t id = 0;
  int64_t site_id = 0;  // 0 = no site
  std::string site_name;
  std::string name;
  std::optional<std::string> robot_email;
  bool admin_active = true;
  bool user_active = true;
  std::string country;
  std::optional<int32_t> bandwidth_int = 100;
  std::optional<std::string> comment;
  std::optional<int64_t> last_checked_in;
  std::optional<int64_t> last_crawled;
  bool private_ = false;
  bool internet2 = false;
  bool internet2_clients = false;
  std::optional<int32_t> asn;
  bool asn_clients = true;
  int32_t max_connections = 1;
  std::optional<int64_t> last_crawl_duration = 0;
  int32_t crawl_failures = 0;
  std::optional<std::string> disable_reason;
  std::optional<double> latitude;
  std::optional<double> longitude;
};

struct HostFields {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> robot_email;
  std::optional<bool> admin_active;
  std::optional<bool> user_active;
  std::optional<std::string> country;
  std::optional<std::optional<int32_t>> bandwidth_int;
  std::optional<std::optional<std::string>> comment;
  std::optional<bool> private_;
  std::optional<bool> internet2;
  std::optional<bool> internet2_clients;
  std::optional<std::optional<int32_t>> asn;
  std::optional<bool> asn_clients;
  std::optional<int32_t> max_connections;
  std::optional<std::optional<std::string>> disable_reason;
  std::optional<std::optional<double>> latitude;
  std::optional<std::optional<double>> longitude;
};

struct HostCategoryUrl {
  int64_t id = 0;
  int64_t host_category_id = 0;
  std::string url;
  bool private_ = false;
};

struct HostCategory {
  int64_t id = 0;
  int64_t host_id = 0;
  int64_t category_id = 0;
  std::string category_name;
  bool always_up2date = false;
  std::vector<HostCategoryUrl> urls;
};

}  // namespace mm::catalog
