#include "tests/testing/fixtures.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/testing/test_env.h"

namespace mm::testing {

std::string Q(const std::string& s) { return "'" + absl::StrReplaceAll(s, {{"'", "''"}}) + "'"; }
std::string Q(const std::optional<std::string>& s) { return s ? Q(*s) : "NULL"; }
std::string N(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "NULL"; }

namespace {
std::string B(bool b) { return b ? "true" : "false"; }
std::string D(const std::optional<double>& v) { return v ? absl::StrCat(*v) : "NULL"; }
}  // namespace

int64_t FixtureBuilder::Insert(const std::string& sql) { return std::stoll(db_.QueryValue(sql)); }

int64_t FixtureBuilder::Product(const std::string& name, bool publiclist) {
  return Insert(absl::StrCat("INSERT INTO product (name, publiclist) VALUES (", Q(name), ", ",
                             B(publiclist), ") RETURNING id"));
}

int64_t FixtureBuilder::Arch(const std::string& name, bool publiclist, bool primary) {
  return Insert(absl::StrCat("INSERT INTO arch (name, publiclist, primary_arch) VALUES (", Q(name),
                             ", ", B(publiclist), ", ", B(primary), ") RETURNING id"));
}

int64_t FixtureBuilder::Version(int64_t product_id, const std::string& name, bool display,
                                bool is_test, std::optional<std::string> display_name) {
  return Insert(absl::StrCat(
      "INSERT INTO version (name, product_id, display, is_test, display_name) VALUES (", Q(name),
      ", ", product_id, ", ", B(display), ", ", B(is_test), ", ", Q(display_name), ") RETURNING id"));
}

int64_t FixtureBuilder::Category(const std::string& name, std::optional<int64_t> product_id,
                                 const std::string& topdir, bool admin_only) {
  int64_t top = Directory(topdir);
  return Insert(absl::StrCat(
      "INSERT INTO category (name, product_id, topdir_id, admin_only) VALUES (", Q(name), ", ",
      N(product_id), ", ", top, ", ", B(admin_only), ") RETURNING id"));
}

int64_t FixtureBuilder::Directory(const std::string& name, const std::vector<int64_t>& categories,
                                  bool readable, int64_t ctime,
                                  std::optional<std::string> files_json) {
  std::string files = files_json ? absl::StrCat("convert_to(", Q(*files_json), ", 'UTF8')") : "NULL";
  int64_t id = Insert(absl::StrCat(
      "WITH ins AS (INSERT INTO directory (name, readable, ctime, files) VALUES (", Q(name), ", ",
      B(readable), ", ", ctime, ", ", files,
      ") ON CONFLICT (name) DO NOTHING RETURNING id) "
      "SELECT id FROM ins UNION ALL SELECT id FROM directory WHERE name = ",
      Q(name), " LIMIT 1"));
  for (int64_t c : categories) {
    db_.Exec(absl::StrCat("INSERT INTO category_directory (category_id, directory_id) VALUES (", c,
                          ", ", id, ") ON CONFLICT DO NOTHING"));
  }
  return id;
}

int64_t FixtureBuilder::Repository(const std::string& name, std::optional<std::string> prefix,
                                   std::optional<int64_t> category_id,
                                   std::optional<int64_t> version_id, std::optional<int64_t> arch_id,
                                   std::optional<int64_t> directory_id, bool disabled) {
  return Insert(absl::StrCat(
      "INSERT INTO repository (name, prefix, category_id, version_id, arch_id, directory_id, "
      "disabled) VALUES (",
      Q(name), ", ", Q(prefix), ", ", N(category_id), ", ", N(version_id), ", ", N(arch_id), ", ",
      N(directory_id), ", ", B(disabled), ") RETURNING id"));
}

int64_t FixtureBuilder::FileDetail(int64_t directory_id, const FileDetailRow& r) {
  return Insert(absl::StrCat(
      "INSERT INTO file_detail (directory_id, filename, timestamp, size, sha1, md5, sha256, sha512) "
      "VALUES (",
      directory_id, ", ", Q(r.filename), ", ", N(r.timestamp), ", ", N(r.size), ", ", Q(r.sha1),
      ", ", Q(r.md5), ", ", Q(r.sha256), ", ", Q(r.sha512), ") RETURNING id"));
}

int64_t FixtureBuilder::Country(const std::string& code) {
  return Insert(absl::StrCat(
      "WITH ins AS (INSERT INTO country (code) VALUES (", Q(code),
      ") ON CONFLICT (code) DO NOTHING RETURNING id) SELECT id FROM ins UNION ALL "
      "SELECT id FROM country WHERE code = ",
      Q(code), " LIMIT 1"));
}

int64_t FixtureBuilder::Site(const std::string& name, const SiteOptions& o) {
  return Insert(absl::StrCat(
      "INSERT INTO site (name, password, org_url, private, admin_active, user_active, created_by) "
      "VALUES (",
      Q(name), ", ", Q(o.password), ", ", Q(o.org_url), ", ", B(o.private_), ", ", B(o.admin_active),
      ", ", B(o.user_active), ", ", Q(o.created_by), ") RETURNING id"));
}

int64_t FixtureBuilder::SiteAdmin(int64_t site_id, const std::string& username) {
  return Insert(absl::StrCat("INSERT INTO site_admin (site_id, username) VALUES (", site_id, ", ",
                             Q(username), ") RETURNING id"));
}

int64_t FixtureBuilder::Host(std::optional<int64_t> site_id, const std::string& name,
                             const std::string& country, const HostOptions& o) {
  return Insert(absl::StrCat(
      "INSERT INTO host (site_id, name, country, admin_active, user_active, private, internet2, "
      "internet2_clients, bandwidth_int, asn, asn_clients, max_connections, comment, latitude, "
      "longitude) VALUES (",
      N(site_id), ", ", Q(name), ", ", Q(country), ", ", B(o.admin_active), ", ", B(o.user_active),
      ", ", B(o.private_), ", ", B(o.internet2), ", ", B(o.internet2_clients), ", ",
      N(o.bandwidth ? std::optional<int64_t>(*o.bandwidth) : std::nullopt), ", ",
      N(o.asn ? std::optional<int64_t>(*o.asn) : std::nullopt), ", ", B(o.asn_clients), ", ",
      o.max_connections, ", ", Q(o.comment), ", ", D(o.latitude), ", ", D(o.longitude),
      ") RETURNING id"));
}

int64_t FixtureBuilder::HostCategory(int64_t host_id, int64_t category_id, bool always_up2date) {
  return Insert(absl::StrCat(
      "INSERT INTO host_category (host_id, category_id, always_up2date) VALUES (", host_id, ", ",
      category_id, ", ", B(always_up2date), ") RETURNING id"));
}

int64_t FixtureBuilder::Url(int64_t host_category_id, const std::string& url, bool private_url) {
  return Insert(absl::StrCat(
      "INSERT INTO host_category_url (host_category_id, url, private) VALUES (", host_category_id,
      ", ", Q(url), ", ", B(private_url), ") RETURNING id"));
}

int64_t FixtureBuilder::Hcd(int64_t host_category_id, std::optional<int64_t> directory_id,
                            const std::string& path, bool up2date) {
  return Insert(absl::StrCat(
      "INSERT INTO host_category_dir (host_category_id, directory_id, path, up2date) VALUES (",
      host_category_id, ", ", N(directory_id), ", ", Q(path), ", ", B(up2date), ") RETURNING id"));
}

int64_t FixtureBuilder::HostCountry(int64_t host_id, int64_t country_id) {
  return Insert(absl::StrCat("INSERT INTO host_country (host_id, country_id) VALUES (", host_id,
                             ", ", country_id, ") RETURNING id"));
}

int64_t FixtureBuilder::HostCountryAllowed(int64_t host_id, const std::string& country) {
  return Insert(absl::StrCat("INSERT INTO host_country_allowed (host_id, country) VALUES (",
                             host_id, ", ", Q(country), ") RETURNING id"));
}

int64_t FixtureBuilder::HostNetblock(int64_t host_id, const std::string& netblock,
                                     const std::string& name) {
  return Insert(absl::StrCat("INSERT INTO host_netblock (host_id, netblock, name) VALUES (", host_id,
                             ", ", Q(netblock), ", ", Q(name), ") RETURNING id"));
}

int64_t FixtureBuilder::HostPeerAsn(int64_t host_id, int32_t asn, const std::string& name) {
  return Insert(absl::StrCat("INSERT INTO host_peer_asn (host_id, asn, name) VALUES (", host_id,
                             ", ", asn, ", ", Q(name), ") RETURNING id"));
}

}  // namespace mm::testing
