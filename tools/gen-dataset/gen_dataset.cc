// mm-gen-dataset: fills an empty, migrated MirrorManager database with a synthetic catalog of
// a chosen size (default: Fedora scale) for benchmarks and load tests. Deterministic for a
// given --seed. It writes straight into PostgreSQL (a dataset tool, like a restore): rows are
// generated server-side with generate_series in a handful of set-based statements, so a
// Fedora-size catalog loads in tens of seconds.
//
//   mm-gen-dataset --db postgresql://postgres@127.0.0.1:5432/mm            (Fedora scale)
//   mm-gen-dataset --db ... --preset small --hosts 40                      (preset + overrides)
//
// Shape: categories like Fedora's (Fedora Linux, EPEL, Secondary Arches, Archive, ...), each a
// tree of releases/<version>/Everything/<arch>/os/{repodata,Packages/p<k>} directories with a
// repository per os directory (those of version 1 disabled); sites with one or two hosts each
// (public and private, a few inactive, countries from a fixed list, bandwidths across the clamp
// range); host categories, public and private URLs; host_category_dir rows: each host category
// carries a systematic sample of its category's directories, sized to reach the requested
// number of up-to-date rows (5% more are stale); file_detail history (repomd.xml versions in
// repodata directories); netblocks in every accepted form, peer ASNs, country restrictions,
// netblock countries, continent and repository redirects.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "services/catalog/db/database_uri.h"
#include "services/common/arg_parser.h"
#include "services/common/config.h"

namespace {

struct Sizes {
  int64_t sites = 320;
  int64_t hosts = 450;
  int64_t private_hosts = 50;
  int64_t categories = 4;
  int64_t directories = 100000;
  int64_t file_details = 300000;
  int64_t up2date_hcds = 3000000;
  int64_t netblocks = 600;
  int64_t dns_netblocks = 0;  // host names in host_netblock (resolved by cachegen!)
  int64_t country_rules = 60;
  int64_t seed = 1;
};

const std::map<std::string, Sizes>& Presets() {
  static const auto* presets = new std::map<std::string, Sizes>{
      {"fedora", Sizes{}},
      {"small", Sizes{40, 60, 8, 4, 10000, 30000, 150000, 60, 0, 20, 1}},
      {"tiny", Sizes{4, 6, 1, 2, 200, 400, 600, 6, 0, 4, 1}},
  };
  return *presets;
}

struct CategorySpec {
  const char* name;
  const char* product;
  const char* topdir;
  const char* prefix;  // repository prefix: <prefix>-<version>
  double dir_weight;   // share of the directories
  double carried_by;   // share of hosts carrying it
};

constexpr CategorySpec kCategories[] = {
    {"Fedora Linux", "Fedora", "pub/fedora/linux", "fedora", 0.50, 0.95},
    {"Fedora EPEL", "EPEL", "pub/epel", "epel", 0.20, 0.60},
    {"Fedora Secondary Arches", "Fedora", "pub/fedora-secondary", "fedora-secondary", 0.15, 0.25},
    {"Fedora Archive", "Fedora", "pub/archive/fedora/linux", "fedora-archive", 0.15, 0.12},
    {"Fedora Other", "Fedora", "pub/alt", "fedora-alt", 0.10, 0.10},
    {"CentOS", "CentOS", "centos", "centos", 0.10, 0.20},
    {"RPM Fusion", "RPM Fusion", "rpmfusion", "rpmfusion", 0.10, 0.15},
    {"Fedora Codecs", "Fedora", "pub/fedora-codecs", "fedora-codecs", 0.05, 0.05},
};
constexpr int kMaxCategories = sizeof(kCategories) / sizeof(kCategories[0]);
// Directories per (version, arch) tree: os, os/repodata, os/Packages, os/Packages/p0..p39.
constexpr int kTreeSize = 43;

constexpr char kArches[] = "'{x86_64,aarch64,ppc64le,s390x,source,i386,armhfp}'::text[]";
constexpr int kArchCount = 7;
constexpr char kCountries[] =
    "'{US,DE,FR,GB,NL,SE,CZ,IT,ES,PL,JP,CN,IN,BR,CA,AU,RU,KR,TW,SG,ZA,AT,CH,BE,DK,FI,NO,PT,IE,"
    "GR,HU,RO,BG,UA,TR,IL,MX,AR,CL,NZ,ID,TH,VN,MY,HK,PH,SK,SI,HR,RS,LT,LV,EE,IS,LU,CO,PE,EG,"
    "KE,BT}'::text[]";
constexpr int kCountryCount = 60;

// A deterministic pseudo-random number in [0, 2^31) from integers (PostgreSQL's own hash).
std::string Hash(const std::string& expr, int64_t seed, int salt) {
  return absl::StrCat("(hashint8((", expr, ")::bigint * 1000003 + ", seed * 7919 + salt,
                      ") & 2147483647)");
}
// Fraction in [0, 1).
std::string Rand(const std::string& expr, int64_t seed, int salt) {
  return absl::StrCat("(", Hash(expr, seed, salt), "::float8 / 2147483648.0)");
}

// Bulk loads are much faster into a table without indexes and foreign keys: drops them (all
// but the primary key), runs `fn`, and recreates them from their saved definitions, which
// validates every row in one pass.
template <typename Fn>
void WithoutIndexes(pqxx::work& tx, const std::string& table, Fn fn) {
  std::vector<std::pair<std::string, std::string>> constraints;  // name, definition
  for (const auto& r : tx.exec_params(
           "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
           "WHERE conrelid = $1::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
           table)) {
    constraints.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
  }
  std::vector<std::pair<std::string, std::string>> indexes;  // name, CREATE INDEX ...
  for (const auto& r :
       tx.exec_params("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                      "JOIN pg_class i ON i.oid = x.indexrelid "
                      "WHERE x.indrelid = $1::regclass AND NOT x.indisprimary "
                      "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
                      table)) {
    indexes.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
  }
  for (const auto& [name, def] : constraints) {
    tx.exec(absl::StrCat("ALTER TABLE ", table, " DROP CONSTRAINT ", tx.quote_name(name)));
  }
  for (const auto& [name, def] : indexes) tx.exec(absl::StrCat("DROP INDEX ", tx.quote_name(name)));
  fn();
  for (const auto& [name, def] : indexes) tx.exec(def);
  for (auto it = constraints.rbegin(); it != constraints.rend(); ++it) {
    tx.exec(absl::StrCat("ALTER TABLE ", table, " ADD CONSTRAINT ", tx.quote_name(it->first), " ",
                         it->second));
  }
}

class Loader {
 public:
  Loader(pqxx::connection& c, const Sizes& s) : c_(c), s_(s) {}

  void Run() {
    absl::Time start = absl::Now();
    pqxx::work tx(c_);
    tx.exec("SET LOCAL synchronous_commit = off");
    tx.exec("SET LOCAL work_mem = '256MB'");
    tx.exec("SET LOCAL maintenance_work_mem = '512MB'");
    Step(tx, "reference data", [&] { Reference(tx); });
    Step(tx, "directories", [&] { Directories(tx); });
    Step(tx, "repositories", [&] { Repositories(tx); });
    Step(tx, "file details", [&] { WithoutIndexes(tx, "file_detail", [&] { FileDetails(tx); }); });
    Step(tx, "sites and hosts", [&] { Hosts(tx); });
    Step(tx, "host category dirs",
         [&] { WithoutIndexes(tx, "host_category_dir", [&] { HostCategoryDirs(tx); }); });
    Step(tx, "netblocks and country rules", [&] { Rules(tx); });
    tx.commit();
    Step(c_, "analyze", [&] {
      pqxx::nontransaction n(c_);
      n.exec("ANALYZE");
    });
    std::cout << "total: " << absl::FormatDuration(absl::Now() - start) << "\n";
    pqxx::nontransaction n(c_);
    for (const char* table :
         {"site", "host", "category", "directory", "category_directory", "repository",
          "file_detail", "host_category", "host_category_url", "host_category_dir", "host_netblock",
          "host_peer_asn", "host_country", "host_country_allowed", "netblock_country",
          "country_continent_redirect", "repository_redirect"}) {
      std::cout << "rows " << table << ": "
                << n.exec1(absl::StrCat("SELECT count(*) FROM ", table))[0].as<int64_t>() << "\n";
    }
    std::cout << "rows host_category_dir up2date: "
              << n.exec1("SELECT count(*) FROM host_category_dir WHERE up2date")[0].as<int64_t>()
              << "\n";
  }

 private:
  template <typename Ctx, typename Fn>
  void Step(Ctx&, const char* what, Fn fn) {
    absl::Time t = absl::Now();
    fn();
    std::cout << "step " << what << ": " << absl::FormatDuration(absl::Now() - t) << "\n";
  }

  int Categories() const {
    return static_cast<int>(std::min<int64_t>(s_.categories, kMaxCategories));
  }

  // Directories of category c (0-based), by weight, summing to s_.directories.
  int64_t DirsOf(int c) const {
    double total = 0;
    for (int i = 0; i < Categories(); ++i) total += kCategories[i].dir_weight;
    int64_t assigned = 0;
    for (int i = 0; i < c; ++i) {
      assigned += static_cast<int64_t>(s_.directories * kCategories[i].dir_weight / total);
    }
    if (c == Categories() - 1) return s_.directories - assigned;
    return static_cast<int64_t>(s_.directories * kCategories[c].dir_weight / total);
  }

  void Reference(pqxx::work& tx) {
    tx.exec(absl::StrCat("INSERT INTO arch (name) SELECT unnest(", kArches, ")"));
    for (int c = 0; c < Categories(); ++c) {
      const CategorySpec& k = kCategories[c];
      tx.exec_params("INSERT INTO product (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                     k.product);
      tx.exec_params("INSERT INTO directory (name) VALUES ($1)", k.topdir);
      tx.exec_params(
          "INSERT INTO category (name, product_id, topdir_id) SELECT $1, p.id, d.id "
          "FROM product p, directory d WHERE p.name = $2 AND d.name = $3",
          k.name, k.product, k.topdir);
      // Versions 1..V of the product (one per tree row).
      int64_t trees = (DirsOf(c) + kTreeSize - 1) / kTreeSize;
      int64_t versions = (trees + kArchCount - 1) / kArchCount;
      tx.exec_params(
          "INSERT INTO version (name, product_id) SELECT v::text, p.id "
          "FROM product p, generate_series(1, $2::int) v WHERE p.name = $1 "
          "ON CONFLICT (name, product_id) DO NOTHING",
          k.product, versions);
    }
  }

  // The name of directory i (0-based) of category c, as SQL.
  static std::string DirName(const CategorySpec& k, const std::string& i) {
    return absl::StrCat("$1 || '/releases/' || (1 + (", i, " / ", kTreeSize, ") / ", kArchCount,
                        ") || '/Everything/' || (", kArches, ")[(", i, " / ", kTreeSize, ") % ",
                        kArchCount, " + 1] || '/os' || CASE ", i, " % ", kTreeSize,
                        " WHEN 0 THEN '' WHEN 1 THEN '/repodata' WHEN 2 THEN '/Packages' "
                        "ELSE '/Packages/p' || (",
                        i, " % ", kTreeSize, " - 3) END");
  }

  void Directories(pqxx::work& tx) {
    // gen_dirs remembers which generated index each directory has (repositories use it).
    tx.exec("CREATE TEMP TABLE gen_dirs (category_id int, i bigint, id int) ON COMMIT DROP");
    for (int c = 0; c < Categories(); ++c) {
      const CategorySpec& k = kCategories[c];
      tx.exec_params(
          absl::StrCat("WITH ins AS (INSERT INTO directory (name, readable, ctime) "
                       "SELECT ",
                       DirName(k, "i"),
                       ", true, 1700000000 - i FROM generate_series(0, $2::bigint - 1) i "
                       "ORDER BY i RETURNING id, name) "
                       "INSERT INTO gen_dirs (category_id, i, id) "
                       "SELECT c.id, row_number() OVER (ORDER BY ins.id) - 1, ins.id "
                       "FROM ins, category c WHERE c.name = $3"),
          k.topdir, DirsOf(c), k.name);
    }
    tx.exec(
        "INSERT INTO category_directory (category_id, directory_id) "
        "SELECT category_id, id FROM gen_dirs ORDER BY id");
  }

  void Repositories(pqxx::work& tx) {
    // One repository per os directory: <prefix>-<version> for its arch.
    for (int c = 0; c < Categories(); ++c) {
      const CategorySpec& k = kCategories[c];
      tx.exec_params(
          absl::StrCat("INSERT INTO repository (name, prefix, category_id, version_id, arch_id, "
                       "directory_id, disabled) "
                       "SELECT d.name, $2 || '-' || v.name, cat.id, v.id, a.id, d.id, v.name = '1' "
                       "FROM category cat JOIN gen_dirs g ON g.category_id = cat.id "
                       "JOIN directory d ON d.id = g.id "
                       "JOIN version v ON v.product_id = cat.product_id "
                       "AND v.name = (1 + (g.i / ",
                       kTreeSize, ") / ", kArchCount,
                       ")::text "
                       "JOIN arch a ON a.name = (",
                       kArches, ")[(g.i / ", kTreeSize, ") % ", kArchCount,
                       " + 1] WHERE cat.name = $1 AND g.i % ", kTreeSize, " = 0"),
          k.name, k.prefix);
    }
    tx.exec(
        "INSERT INTO repository_redirect (from_repo, to_repo) "
        "SELECT 'fedora-old-' || i, CASE WHEN i % 5 = 0 THEN NULL ELSE 'fedora-' || i END "
        "FROM generate_series(1, 20) i");
  }

  void FileDetails(pqxx::work& tx) {
    // Spread the rows evenly over the directories of the categories; repodata directories
    // hold the history of repomd.xml, the others a few files with versions.
    tx.exec_params(absl::StrCat(R"sql(
INSERT INTO file_detail (directory_id, filename, timestamp, size, sha1, md5, sha256, sha512)
SELECT d.id,
       CASE WHEN d.name LIKE '%/repodata' THEN 'repomd.xml'
            ELSE 'file-' || (k % 3) || '.iso' END,
       1700000000 - k * 86400 - d.id % 3600,
       1000 + )sql",
                                Hash("d.id * 31 + k", s_.seed, 1), R"sql( % 100000000,
       left(encode(sha256((d.id || ':' || k || ':1')::bytea), 'hex'), 40),
       md5(d.id || ':' || k),
       encode(sha256((d.id || ':' || k)::bytea), 'hex'),
       encode(sha512((d.id || ':' || k)::bytea), 'hex')
FROM (SELECT d.id, d.name, row_number() OVER (ORDER BY d.id) - 1 AS rn
      FROM directory d JOIN category_directory cd ON cd.directory_id = d.id) d
CROSS JOIN LATERAL generate_series(
    0, (((d.rn + 1) * $1::bigint) / $2::bigint - (d.rn * $1::bigint) / $2::bigint) - 1) k
)sql"),
                   s_.file_details, s_.directories);
  }

  void Hosts(pqxx::work& tx) {
    const int64_t seed = s_.seed;
    tx.exec_params(
        absl::StrCat("INSERT INTO site (name, org_url, private, admin_active, user_active, "
                     "created_by) SELECT 'Site ' || i, 'https://site' || i || '.example.org', "
                     "false, ",
                     Rand("i", seed, 2), " > 0.01, ", Rand("i", seed, 3),
                     " > 0.01, 'gen-dataset' FROM generate_series(1, $1::bigint) i"),
        s_.sites);
    // Hosts 1..public are public, the rest private; every site has at least one host.
    int64_t public_hosts = s_.hosts - s_.private_hosts;
    tx.exec_params(
        absl::StrCat(
            "INSERT INTO host (site_id, name, country, bandwidth_int, asn, asn_clients, private, "
            "internet2, internet2_clients, user_active, admin_active, max_connections, "
            "last_crawl_duration) "
            "SELECT (SELECT min(id) FROM site) + (i - 1) % $1::bigint, "
            "'mirror' || i || '.example.org', (",
            kCountries, ")[", Hash("i", seed, 4), " % ", kCountryCount,
            " + 1], "
            // bandwidth: 1..100000, NULL sometimes (exercises the clamp and the default)
            "CASE WHEN ",
            Hash("i", seed, 5), " % 50 = 0 THEN NULL ELSE 1 + ", Hash("i", seed, 6),
            " % 100000 END, "
            "CASE WHEN ",
            Hash("i", seed, 7), " % 3 = 0 THEN NULL ELSE 1000 + ", Hash("i", seed, 8),
            " % 60000 END, ", Rand("i", seed, 9), " > 0.1, i > $2::bigint, ", Rand("i", seed, 10),
            " < 0.1, ", Rand("i", seed, 11), " < 0.05, ", Rand("i", seed, 12), " > 0.03, ",
            Rand("i", seed, 13),
            " > 0.02, 1 + i % 4, i % 7200 "
            "FROM generate_series(1, $3::bigint) i"),
        s_.sites, public_hosts, s_.hosts);
    // Host categories: every host carries Fedora Linux-like category 1 with its share, the
    // others with theirs; a few are always_up2date (like dl.fedoraproject.org).
    for (int c = 0; c < Categories(); ++c) {
      const CategorySpec& k = kCategories[c];
      tx.exec_params(absl::StrCat("INSERT INTO host_category (host_id, category_id, "
                                  "always_up2date) SELECT h.id, cat.id, ",
                                  Rand("h.id", seed, 20 + c),
                                  " < 0.003 FROM host h, category cat WHERE cat.name = $1 AND ",
                                  Rand("h.id", seed, 40 + c), " < $2::float8"),
                     k.name, k.carried_by);
    }
    tx.exec(absl::StrCat(
        "INSERT INTO host_category_url (host_category_id, url, private) "
        "SELECT hc.id, s.scheme || '://' || h.name || '/' || d.name, s.private "
        "FROM host_category hc JOIN host h ON h.id = hc.host_id "
        "JOIN category cat ON cat.id = hc.category_id JOIN directory d ON d.id = cat.topdir_id "
        "CROSS JOIN (VALUES ('http', false), ('https', false), ('rsync', false), "
        "('ftp', true)) s(scheme, private) WHERE s.scheme <> 'ftp' OR ",
        Rand("hc.id", seed, 60), " < 0.2"));
  }

  void HostCategoryDirs(pqxx::work& tx) {
    // Candidate pairs: every (host category, directory of its category).
    pqxx::row r = tx.exec1(
        "SELECT COALESCE(sum(n), 0) FROM (SELECT count(*) AS n FROM host_category hc "
        "JOIN category_directory cd ON cd.category_id = hc.category_id "
        "WHERE NOT hc.always_up2date GROUP BY hc.id) x");
    double candidates = r[0].as<double>();
    if (candidates <= 0) return;
    constexpr double kUp2dateShare = 0.95;
    // Each host category carries a systematic sample of its category's directories (every
    // 1/p-th, from a pseudo-random phase), so only the rows inserted are generated. 1%
    // head-room so that the up-to-date share reaches the requested count.
    double p = std::min(1.0, s_.up2date_hcds / kUp2dateShare / candidates * 1.01);
    tx.exec("CREATE INDEX ON gen_dirs (category_id, i)");
    tx.exec("ANALYZE gen_dirs");
    tx.exec_params(
        absl::StrCat(
            "INSERT INTO host_category_dir (host_category_id, directory_id, path, up2date) "
            "SELECT hc.id, d.id, substr(d.name, length(t.name) + 2), ",
            Rand("hc.id * 7 + d.id", s_.seed, 71),
            " < $2::float8 "
            "FROM host_category hc "
            "JOIN category cat ON cat.id = hc.category_id "
            "JOIN directory t ON t.id = cat.topdir_id "
            "JOIN (SELECT category_id, count(*) AS n FROM gen_dirs GROUP BY category_id) g "
            "ON g.category_id = hc.category_id "
            "CROSS JOIN LATERAL generate_series(0, floor(g.n * $1::float8)::bigint - 1) k "
            "JOIN gen_dirs gd ON gd.category_id = hc.category_id "
            "AND gd.i = floor((k + ",
            Rand("hc.id", s_.seed, 70),
            ") / $1::float8)::bigint "
            "JOIN directory d ON d.id = gd.id "
            "WHERE NOT hc.always_up2date"),
        p, kUp2dateShare);
  }

  void Rules(pqxx::work& tx) {
    const int64_t seed = s_.seed;
    // Netblocks in every form cachegen accepts: CIDR, bare addresses, dotted netmasks, IPv6.
    tx.exec_params(absl::StrCat("INSERT INTO host_netblock (host_id, netblock, name) "
                                "SELECT (SELECT min(id) FROM host) + ",
                                Hash("i", seed, 80),
                                " % (SELECT count(*) FROM host), CASE i % 4 "
                                "WHEN 0 THEN (10 + i % 200) || '.' || (i % 250) || '.0.0/16' "
                                "WHEN 1 THEN '192.0.' || (i % 250) || '.' || (1 + i % 250) "
                                "WHEN 2 THEN '172.' || (16 + i % 16) || '.' || (i % 250) || "
                                "'.0/255.255.255.0' "
                                "ELSE '2001:db8:' || to_hex(i) || '::/48' END, 'netblock ' || i "
                                "FROM generate_series(1, $1::bigint) i"),
                   s_.netblocks);
    if (s_.dns_netblocks > 0) {
      tx.exec_params(
          "INSERT INTO host_netblock (host_id, netblock, name) "
          "SELECT (SELECT min(id) FROM host) + i % (SELECT count(*) FROM host), 'localhost', "
          "'dns ' || i FROM generate_series(1, $1::bigint) i",
          s_.dns_netblocks);
    }
    tx.exec(absl::StrCat(
        "INSERT INTO host_peer_asn (host_id, asn, name) SELECT h.id, 64512 + h.id % 1000, 'peer' "
        "FROM host h WHERE ",
        Rand("h.id", seed, 81), " < 0.05"));
    tx.exec_params(absl::StrCat("INSERT INTO country (code) SELECT unnest(", kCountries,
                                ") ON CONFLICT (code) DO NOTHING"));
    int64_t n = s_.country_rules;
    // Country restrictions, in both tables (the union counts).
    tx.exec_params(
        absl::StrCat("INSERT INTO host_country_allowed (host_id, country) "
                     "SELECT DISTINCT h.id, h.country FROM host h WHERE h.id % 97 < $1::bigint "
                     "AND ",
                     Rand("h.id", seed, 82), " < 0.5"),
        std::max<int64_t>(1, n / 10));
    tx.exec_params(
        absl::StrCat("INSERT INTO host_country (host_id, country_id) "
                     "SELECT DISTINCT h.id, c.id FROM host h JOIN country c ON c.code = h.country "
                     "WHERE h.id % 89 < $1::bigint AND ",
                     Rand("h.id", seed, 83), " < 0.5"),
        std::max<int64_t>(1, n / 10));
    tx.exec_params(absl::StrCat("INSERT INTO netblock_country (netblock, country) "
                                "SELECT '198.18.' || i || '.0/24', (",
                                kCountries, ")[1 + i % ", kCountryCount,
                                "] FROM generate_series(0, $1::bigint - 1) i"),
                   std::min<int64_t>(n, 250));
    tx.exec(
        "INSERT INTO country_continent_redirect (country, continent) VALUES ('IL', 'EU'), "
        "('TR', 'EU'), ('CY', 'EU'), ('RU', 'EU'), ('EG', 'AF') ON CONFLICT DO NOTHING");
  }

  pqxx::connection& c_;
  const Sizes& s_;
};

bool ParseSize(const mm::common::ArgParser& args, const std::string& name, int64_t* out,
               std::string* error) {
  auto v = args.value(name);
  if (!v) return true;
  if (!absl::SimpleAtoi(*v, out) || *out < 0) {
    *error = absl::StrCat(name, " must be a non-negative integer");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mm::common::ArgParser args("mm-gen-dataset",
                             "Load a synthetic MirrorManager catalog of a chosen size into an "
                             "empty, migrated database (default: Fedora scale).");
  args.Option("--db", "URI",
              "postgresql:// URI or libpq conninfo (default: "
              "SQLALCHEMY_DATABASE_URI of the configuration).")
      .Option("-c,--config", "FILE", "Configuration file (default: $MM2_CONFIG).")
      .Option("--preset", "NAME", "fedora, small or tiny; size options override it.", "fedora")
      .Option("--sites", "N", "Sites.")
      .Option("--hosts", "N", "Hosts (public + private).")
      .Option("--private-hosts", "N", "Private hosts among them.")
      .Option("--categories", "N", "Categories (1-8).")
      .Option("--directories", "N", "Directories linked to categories.")
      .Option("--file-details", "N", "file_detail rows.")
      .Option("--up2date-hcds", "N", "Up-to-date host_category_dir rows (at least).")
      .Option("--netblocks", "N", "host_netblock rows (addresses; no DNS names).")
      .Option("--dns-netblocks", "N",
              "host_netblock rows naming 'localhost' (resolved by cachegen).")
      .Option("--country-rules", "N", "Scale of country restrictions and netblock countries.")
      .Option("--seed", "N", "Seed of the pseudo-random choices.")
      .Flag("--force", "Load even if the database already has directories.");
  absl::Status parsed = args.Parse(argc, argv);
  if (args.help_requested()) {
    std::cout << args.Usage();
    return 0;
  }
  if (!parsed.ok()) {
    std::cerr << args.Usage() << "\nError: " << parsed.message() << "\n";
    return 2;
  }
  auto preset = Presets().find(args.value_or("--preset", "fedora"));
  if (preset == Presets().end()) {
    std::cerr << "Error: unknown preset " << args.value_or("--preset", "") << "\n";
    return 2;
  }
  Sizes s = preset->second;
  std::string error;
  if (!ParseSize(args, "--sites", &s.sites, &error) ||
      !ParseSize(args, "--hosts", &s.hosts, &error) ||
      !ParseSize(args, "--private-hosts", &s.private_hosts, &error) ||
      !ParseSize(args, "--categories", &s.categories, &error) ||
      !ParseSize(args, "--directories", &s.directories, &error) ||
      !ParseSize(args, "--file-details", &s.file_details, &error) ||
      !ParseSize(args, "--up2date-hcds", &s.up2date_hcds, &error) ||
      !ParseSize(args, "--netblocks", &s.netblocks, &error) ||
      !ParseSize(args, "--dns-netblocks", &s.dns_netblocks, &error) ||
      !ParseSize(args, "--country-rules", &s.country_rules, &error) ||
      !ParseSize(args, "--seed", &s.seed, &error)) {
    std::cerr << "Error: " << error << "\n";
    return 2;
  }
  if (s.categories < 1 || s.categories > kMaxCategories || s.sites < 1 || s.hosts < s.sites ||
      s.private_hosts > s.hosts || s.directories < 1) {
    std::cerr << "Error: need 1-8 categories, at least one site, at least one host per site, "
                 "private hosts <= hosts and at least one directory\n";
    return 2;
  }

  std::string conninfo = args.value_or("--db", "");
  if (conninfo.empty()) {
    auto config = mm::common::LoadConfig({args.value_or("--config", "")});
    if (!config.ok()) {
      std::cerr << "Error: " << config.status().message() << "\n";
      return 2;
    }
    auto uri = config->GetString("SQLALCHEMY_DATABASE_URI");
    if (!uri.ok()) {
      std::cerr << "Error: " << uri.status().message() << "\n";
      return 2;
    }
    conninfo = *uri;
  }
  if (conninfo.find("://") != std::string::npos) {
    auto c = mm::catalog::DatabaseUriToConninfo(conninfo);
    if (!c.ok()) {
      std::cerr << "Error: " << c.status().message() << "\n";
      return 2;
    }
    conninfo = *c;
  }
  try {
    pqxx::connection c(conninfo);
    {
      pqxx::nontransaction n(c);
      int64_t existing = n.exec1("SELECT count(*) FROM directory")[0].as<int64_t>();
      if (existing > 0 && !args.flag("--force")) {
        std::cerr << "Error: the database already has " << existing
                  << " directories; use an empty, migrated database (or --force)\n";
        return 1;
      }
    }
    std::cout << "loading: " << s.sites << " sites, " << s.hosts << " hosts (" << s.private_hosts
              << " private), " << s.categories << " categories, " << s.directories
              << " directories, " << s.file_details << " file details, >= " << s.up2date_hcds
              << " up-to-date host category dirs, seed " << s.seed << "\n";
    Loader(c, s).Run();
  } catch (const std::exception& e) {
    std::cerr << "Error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
