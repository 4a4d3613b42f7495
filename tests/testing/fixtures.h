#pragma once
// A seeded-database builder for tests, composed like MirrorManager2's pytest fixtures: small
// calls that insert rows with upstream defaults and return ids. It writes SQL directly (tests
// may; production code reaches the database only through catalog).
//
//   FixtureBuilder f(db);
//   int64_t fedora = f.Product("Fedora");
//   int64_t linux = f.Category("Fedora Linux", fedora, "pub/fedora/linux");
//   int64_t dir = f.Directory("pub/fedora/linux/releases/40", {linux});
//   int64_t site = f.Site("Site 1");
//   int64_t host = f.Host(site, "mirror1.example.org", "US");
//   int64_t hc = f.HostCategory(host, linux);
//   f.Url(hc, "http://mirror1.example.org/fedora/linux");
//   f.Hcd(hc, dir, "releases/40", true);

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mm::testing {

class TestDatabase;

struct HostOptions {
  bool admin_active = true;
  bool user_active = true;
  bool private_ = false;
  bool internet2 = false;
  bool internet2_clients = false;
  std::optional<int32_t> bandwidth = 100;
  std::optional<int32_t> asn;
  bool asn_clients = true;
  int32_t max_connections = 1;
  std::optional<std::string> comment;
  std::optional<double> latitude, longitude;
};

struct SiteOptions {
  bool admin_active = true;
  bool user_active = true;
  bool private_ = false;
  std::optional<std::string> org_url;
  std::optional<std::string> password;  // stored in plain text, as upstream tooling would
  std::string created_by = "admin";
};

struct FileDetailRow {
  std::string filename;
  std::optional<int64_t> timestamp, size;
  std::optional<std::string> sha1, md5, sha256, sha512;
};

class FixtureBuilder {
 public:
  explicit FixtureBuilder(const TestDatabase& db) : db_(db) {}

  int64_t Product(const std::string& name, bool publiclist = true);
  int64_t Arch(const std::string& name, bool publiclist = true, bool primary = true);
  int64_t Version(int64_t product_id, const std::string& name, bool display = true,
                  bool is_test = false, std::optional<std::string> display_name = std::nullopt);
  // Creates the topdir directory too (not linked to the category, as upstream).
  int64_t Category(const std::string& name, std::optional<int64_t> product_id,
                   const std::string& topdir, bool admin_only = false);
  // Creates (or finds) a directory and links it to the given categories.
  int64_t Directory(const std::string& name, const std::vector<int64_t>& categories = {},
                    bool readable = true, int64_t ctime = 0,
                    std::optional<std::string> files_json = std::nullopt);
  int64_t Repository(const std::string& name, std::optional<std::string> prefix,
                     std::optional<int64_t> category_id, std::optional<int64_t> version_id,
                     std::optional<int64_t> arch_id, std::optional<int64_t> directory_id,
                     bool disabled = false);
  int64_t FileDetail(int64_t directory_id, const FileDetailRow& row);
  int64_t Country(const std::string& code);

  int64_t Site(const std::string& name, const SiteOptions& options = {});
  int64_t SiteAdmin(int64_t site_id, const std::string& username);
  int64_t Host(std::optional<int64_t> site_id, const std::string& name, const std::string& country,
               const HostOptions& options = {});
  int64_t HostCategory(int64_t host_id, int64_t category_id, bool always_up2date = false);
  int64_t Url(int64_t host_category_id, const std::string& url, bool private_url = false);
  int64_t Hcd(int64_t host_category_id, std::optional<int64_t> directory_id,
              const std::string& path, bool up2date = true);
  int64_t HostCountry(int64_t host_id, int64_t country_id);
  int64_t HostCountryAllowed(int64_t host_id, const std::string& country);
  int64_t HostNetblock(int64_t host_id, const std::string& netblock, const std::string& name = "");
  int64_t HostPeerAsn(int64_t host_id, int32_t asn, const std::string& name = "");

  // INSERT ... RETURNING id; for tables without a helper.
  int64_t Insert(const std::string& sql);

 private:
  const TestDatabase& db_;
};

// SQL literal helpers.
std::string Q(const std::string& s);                    // 'quoted'
std::string Q(const std::optional<std::string>& s);     // 'quoted' or NULL
std::string N(const std::optional<int64_t>& v);         // number or NULL

}  // namespace mm::testing
