// Adopting an existing MirrorManager2 database: an upstream-shaped schema at Alembic head
// 3264c6353b51 (tests/data/upstream_3264c6353b51.sql), filled with rows of every kind, is
// upgraded in place by the real `mm2-catalog migrate`; nothing is lost, plain site passwords
// become argon2id hashes, HCD paths get one form, and catalog serves the data afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <pqxx/pqxx>
#include <sstream>

#include "services/catalog/db/pg_pool.h"
#include "services/catalog/schema/migrator.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/site_store.h"
#include "services/common/password_hash.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::catalog {
namespace {

using ::mm::testing::ReadFile;

using ::mm::testing::RunProcess;
using ::mm::testing::TestDatabase;
using ::testing::HasSubstr;

// Rows an upstream deployment would have, written with upstream's conventions (plain-text site
// passwords, crawler HCD paths with a leading slash, NULL crawl_failures, ...).
constexpr char kUpstreamRows[] = R"sql(
INSERT INTO site (id, name, password, org_url, private, admin_active, user_active, created_at,
                  created_by, all_sites_can_pull_from_me, downstream_comments, email_on_drop, email_on_add)
VALUES (1, 'Example University', 'plain-pass-1', 'https://example.edu', false, true, true,
        '2015-03-01 10:00:00', 'alice', false, NULL, false, false),
       (2, 'Private Corp', 'corp-secret', NULL, true, true, true, '2020-01-01 00:00:00', 'bob',
        true, 'pull me', false, false),
       (3, 'No Password Site', NULL, NULL, false, true, false, '2021-06-01 00:00:00', 'carol',
        false, NULL, true, true);
INSERT INTO site_admin (id, username, site_id) VALUES (1, 'alice', 1), (2, 'bob', 2), (3, 'bob', 2);
INSERT INTO country (id, code) VALUES (1, 'US'), (2, 'FR'), (3, 'DE');
INSERT INTO host (id, name, site_id, admin_active, user_active, country, bandwidth_int, private,
                  internet2, internet2_clients, asn, asn_clients, max_connections,
                  last_crawl_duration, crawl_failures, disable_reason, last_crawled, latitude, longitude)
VALUES (1, 'mirror.example.edu', 1, true, true, 'us', 1000, false, true, false, 3356, true, 3,
        120, NULL, NULL, '2026-11-24 12:00:00', 40.1, -88.2),
       (2, 'internal.corp', 2, true, false, 'FR', 100, true, false, true, NULL, true, 1,
        0, 5, 'Host has been disabled (user_active) after 4 consecutive crawl failures', NULL, NULL, NULL),
       (3, 'orphan.example.org', NULL, true, true, 'DE', NULL, false, false, false, NULL, false, 1,
        NULL, 2, NULL, NULL, NULL, NULL);
INSERT INTO host_country (id, country_id, host_id) VALUES (1, 1, 1), (2, 2, 1);
INSERT INTO host_country_allowed (id, country, host_id) VALUES (1, 'US', 1);
INSERT INTO host_netblock (id, netblock, name, host_id) VALUES (1, '192.0.2.0/24', 'lab', 1);
INSERT INTO host_peer_asn (id, asn, name, host_id) VALUES (1, 64512, 'peer', 1);
INSERT INTO host_acl_ip (id, ip, host_id) VALUES (1, '198.51.100.7', 1);
INSERT INTO location (id, name) VALUES (1, 'us-east-1');
INSERT INTO host_location (id, location_id, host_id) VALUES (1, 1, 1);
INSERT INTO host_stats (id, timestamp, type, data, host_id) VALUES (1, '2015-01-01', 'legacy', '\x80037d71002e', 1);
INSERT INTO product (id, name, publiclist) VALUES (1, 'Fedora', true), (2, 'EPEL', true);
INSERT INTO directory (id, name, files, readable, ctime)
VALUES (1, 'pub/fedora/linux', NULL, true, 0),
       (2, 'pub/fedora/linux/releases/40/Everything/x86_64/os',
        convert_to('[{"name": "repomd.xml", "size": 3732, "timestamp": 1386855915}]', 'UTF8'), true, 1700000000),
       (3, 'pub/fedora/linux/releases/40/Everything/x86_64/os/repodata', '\x80037d71002e', true, 1700000001),
       (4, 'pub/fedora/linux/updates/40', NULL, false, 5);
INSERT INTO category (id, name, canonicalhost, publiclist, geo_dns_domain, admin_only, product_id, topdir_id)
VALUES (1, 'Fedora Linux', 'https://dl.fedoraproject.org', true, NULL, NULL, 1, 1),
       (2, 'Fedora Codecs', NULL, true, NULL, true, 1, NULL);
INSERT INTO category_directory (category_id, directory_id) VALUES (1, 1), (1, 2), (1, 3), (1, 4);
INSERT INTO arch (id, name, publiclist, primary_arch) VALUES (1, 'x86_64', true, true), (2, 'source', false, false);
INSERT INTO version (id, name, codename, is_test, display, display_name, ordered_mirrorlist, sortorder, product_id)
VALUES (1, '40', NULL, false, true, NULL, true, 0, 1), (2, 'rawhide', NULL, false, true, 'Rawhide', true, 0, 1);
INSERT INTO repository (id, name, prefix, category_id, version_id, arch_id, directory_id, disabled)
VALUES (1, 'pub/fedora/linux/releases/40/Everything/x86_64/os', 'fedora-40', 1, 1, 1, 2, false),
       (2, 'dangling', 'epel-9', NULL, NULL, 1, NULL, true);
INSERT INTO file_detail (id, filename, timestamp, size, sha1, md5, sha256, sha512, directory_id)
VALUES (1, 'repomd.xml', 1386855915, 3732, 'aa', 'bb', 'cc', 'dd', 3),
       (2, 'repomd.xml', 1386000000, 3700, NULL, NULL, 'ee', NULL, 3);
INSERT INTO file_group (id, name) VALUES (1, 'iso');
INSERT INTO file_detail_file_group (id, file_detail_id, file_group_id) VALUES (1, 1, 1);
INSERT INTO repository_redirect (id, to_repo, from_repo) VALUES (1, 'fedora-40', 'fedora-latest'), (2, NULL, 'gone');
INSERT INTO country_continent_redirect (id, country, continent) VALUES (1, 'IL', 'EU');
INSERT INTO embargoed_country (id, country_code) VALUES (1, 'KP');
INSERT INTO netblock_country (id, netblock, country) VALUES (1, '192.0.2.0/24', 'DE');
INSERT INTO directory_exclusive_host (id, directory_id, host_id) VALUES (1, 2, 1);
INSERT INTO host_category (id, host_id, category_id, always_up2date)
VALUES (1, 1, 1, false), (2, 2, 1, false), (3, 3, 2, true);
INSERT INTO host_category_url (id, host_category_id, url, private)
VALUES (1, 1, 'http://mirror.example.edu/fedora/linux', false),
       (2, 1, 'rsync://mirror.example.edu/fedora/linux', true);
-- Crawler-written paths (leading slash), check-in paths (none), and one directory in both forms.
INSERT INTO host_category_dir (id, host_category_id, path, up2date, directory_id)
VALUES (1, 1, '', true, 1),
       (2, 1, '/releases/40/Everything/x86_64/os', false, 2),
       (3, 1, 'releases/40/Everything/x86_64/os', true, 2),
       (4, 1, '/releases/40/Everything/x86_64/os/repodata', true, 3),
       (5, 2, 'updates/40', false, 4);
INSERT INTO mm_user (id, user_name, email_address, display_name, password, token)
VALUES (1, 'local', 'local@example.org', 'Local User', 'sha512hex', NULL);
INSERT INTO mm_group (id, group_name, display_name, created) VALUES (1, 'sysadmin-main', 'Admins', '2015-01-01');
INSERT INTO mm_user_group (user_id, group_id) VALUES (1, 1);
INSERT INTO mm_user_visit (id, user_id, visit_key, user_ip, created, expiry)
VALUES (1, 1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCD', '127.0.0.1', '2026-11-24', '2026-11-25');
INSERT INTO access_stat_category (id, name) VALUES (1, 'countries');
INSERT INTO access_stat (category_id, date, name, percent, requests) VALUES (1, '2026-11-24', 'US', 55.5, 1110);
INSERT INTO propagation_stat (repository_id, datetime, same_day, one_day, two_day, older, no_info)
VALUES (1, '2026-11-24 06:00:00', 10, 2, NULL, 1, NULL);
SELECT setval(c.oid, 100) FROM pg_class c WHERE c.relkind = 'S';
)sql";

// Every table with the number of rows the fixture puts in it.
const std::map<std::string, int> kRowCounts = {{"site", 3},
                                               {"site_admin", 3},
                                               {"country", 3},
                                               {"host", 3},
                                               {"host_country", 2},
                                               {"host_country_allowed", 1},
                                               {"host_netblock", 1},
                                               {"host_peer_asn", 1},
                                               {"host_acl_ip", 1},
                                               {"location", 1},
                                               {"host_location", 1},
                                               {"host_stats", 1},
                                               {"product", 2},
                                               {"directory", 4},
                                               {"category", 2},
                                               {"category_directory", 4},
                                               {"arch", 2},
                                               {"version", 2},
                                               {"repository", 2},
                                               {"file_detail", 2},
                                               {"file_group", 1},
                                               {"file_detail_file_group", 1},
                                               {"repository_redirect", 2},
                                               {"country_continent_redirect", 1},
                                               {"embargoed_country", 1},
                                               {"netblock_country", 1},
                                               {"directory_exclusive_host", 1},
                                               {"host_category", 3},
                                               {"host_category_url", 2},
                                               {"mm_user", 1},
                                               {"mm_group", 1},
                                               {"mm_user_group", 1},
                                               {"mm_user_visit", 1},
                                               {"access_stat_category", 1},
                                               {"access_stat", 1},
                                               {"propagation_stat", 1},
                                               {"host_category_dir", 5}};

// What a schema is made of, without the names PostgreSQL chose for MirrorManager2's unnamed
// constraints: every column (position among the table's columns, type, nullability, default),
// every constraint (primary key, unique, foreign key with its target and ON DELETE / ON UPDATE,
// check) by definition, every index by definition, every trigger and sequence.
std::vector<std::string> SchemaFacts(const TestDatabase& db) {
  pqxx::connection conn(db.conninfo());
  pqxx::nontransaction tx(conn);
  std::vector<std::string> facts;
  for (const auto& r : tx.exec(R"sql(
SELECT format('column %s.%s #%s %s %s default %s', t.relname, a.attname,
              row_number() OVER (PARTITION BY t.oid ORDER BY a.attnum),
              format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN 'NOT NULL' ELSE 'NULL' END,
              COALESCE(pg_get_expr(d.adbin, d.adrelid), '-'))
FROM pg_attribute a
JOIN pg_class t ON t.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE t.relnamespace = 'public'::regnamespace AND t.relkind = 'r' AND a.attnum > 0
  AND NOT a.attisdropped
UNION ALL
SELECT format('constraint %s %s', t.relname, pg_get_constraintdef(c.oid))
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE t.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'index ' || regexp_replace(pg_get_indexdef(i.indexrelid),
                                  '^CREATE (UNIQUE )?INDEX \S+ ON ', 'CREATE \1INDEX ON ')
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(g.oid)
FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
WHERE NOT g.tgisinternal AND t.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'sequence ' || relname FROM pg_class
WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace)sql")) {
    facts.push_back(r[0].as<std::string>());
  }
  std::sort(facts.begin(), facts.end());
  return facts;
}

std::string Difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  std::string text;
  for (const auto& f : out) text += "\n  " + f;
  return text;
}

class AdoptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create(/*from_template=*/false);
    ASSERT_OK(db.status());
    db_ = std::make_unique<TestDatabase>(std::move(*db));
    db_->Exec(ReadFile(mm::testing::TestDataDir() + "/upstream_3264c6353b51.sql"));
  }

  mm::testing::ProcessResult Migrate() {
    mm::testing::ProcessOptions o;
    o.env = {{"MM2_CONFIG", "/dev/null"}, {"MM2_SQLALCHEMY_DATABASE_URI", db_->uri()}};
    auto r = RunProcess(mm::testing::BinaryPath("mm2-catalog"), {"migrate"}, o);
    EXPECT_OK(r.status());
    return r.ok() ? *r : mm::testing::ProcessResult{};
  }

  std::unique_ptr<TestDatabase> db_;
};

TEST_F(AdoptionTest, UpgradesInPlaceKeepingEveryRow) {
  db_->Exec(kUpstreamRows);
  for (const auto& [table, n] : kRowCounts) {
    ASSERT_EQ(db_->Count("SELECT count(*) FROM " + table), n) << table << " before";
  }
  mm::testing::ProcessResult r = Migrate();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("adopted MirrorManager2 database at Alembic revision 3264c6353b51"));
  EXPECT_THAT(r.err, HasSubstr("hashed 2 plain-text site password(s)"));

  // Every row is still there; only the one HCD stored in both path forms became one row.
  for (const auto& [table, n] : kRowCounts) {
    int expected = table == "host_category_dir" ? n - 1 : n;
    EXPECT_EQ(db_->Count("SELECT count(*) FROM " + table), expected) << table << " after";
  }
  EXPECT_EQ(db_->QueryValue("SELECT version_num FROM alembic_version"), "3264c6353b51");
  EXPECT_EQ(db_->QueryValue("SELECT adopted FROM mm_schema_migrations WHERE version = 1"), "t");
  EXPECT_EQ(db_->Count("SELECT count(*) FROM mm_schema_migrations WHERE NOT adopted"),
            db_->Count("SELECT count(*) FROM mm_schema_migrations") - 1);

  // Values survive unchanged.
  EXPECT_EQ(
      db_->QueryValue("SELECT name || '|' || org_url || '|' || created_by FROM site WHERE id = 1"),
      "Example University|https://example.edu|alice");
  EXPECT_EQ(db_->QueryValue(
                "SELECT country || bandwidth_int || asn || max_connections FROM host WHERE id = 1"),
            "us100033563");
  EXPECT_EQ(db_->QueryValue("SELECT latitude FROM host WHERE id = 1"), "40.1");
  EXPECT_EQ(db_->QueryValue("SELECT disable_reason FROM host WHERE id = 2"),
            "Host has been disabled (user_active) after 4 consecutive crawl failures");
  EXPECT_EQ(db_->QueryValue("SELECT encode(data, 'hex') FROM host_stats"), "80037d71002e");
  EXPECT_EQ(db_->QueryValue("SELECT convert_from(files, 'UTF8') FROM directory WHERE id = 2"),
            R"([{"name": "repomd.xml", "size": 3732, "timestamp": 1386855915}])");
  EXPECT_EQ(db_->QueryValue("SELECT encode(files, 'hex') FROM directory WHERE id = 3"),
            "80037d71002e");
  EXPECT_EQ(db_->QueryValue("SELECT percent FROM access_stat"), "55.5");
  EXPECT_EQ(db_->QueryValue("SELECT sha256 FROM file_detail WHERE id = 2"), "ee");
  EXPECT_EQ(db_->QueryValue("SELECT visit_key FROM mm_user_visit"),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCD");

  // NULLs the upstream migration chain allowed are now the model's defaults.
  EXPECT_EQ(db_->QueryValue("SELECT crawl_failures FROM host WHERE id = 1"), "0");
  EXPECT_EQ(db_->QueryValue("SELECT crawl_failures FROM host WHERE id = 2"), "5");
  EXPECT_EQ(
      db_->QueryValue(
          "SELECT same_day || '/' || one_day || '/' || two_day || '/' || older || '/' || no_info "
          "FROM propagation_stat"),
      "10/2/0/1/0");

  // Site passwords: hashed, plain text gone, the hash verifies.
  EXPECT_EQ(db_->Count("SELECT count(*) FROM site WHERE password IS NOT NULL"), 0);
  std::string hash = db_->QueryValue("SELECT password_hash FROM site WHERE id = 1");
  EXPECT_TRUE(common::VerifyPassword(hash, "plain-pass-1"));
  EXPECT_FALSE(common::VerifyPassword(hash, "corp-secret"));
  EXPECT_TRUE(common::VerifyPassword(db_->QueryValue("SELECT password_hash FROM site WHERE id = 2"),
                                     "corp-secret"));
  EXPECT_EQ(db_->QueryValue("SELECT password_hash FROM site WHERE id = 3"), "");

  // host_category_dir paths: no leading slash; the duplicate pair merged, up to date if either was.
  EXPECT_EQ(db_->Count("SELECT count(*) FROM host_category_dir WHERE path LIKE '/%'"), 0);
  EXPECT_EQ(db_->QueryValue("SELECT up2date FROM host_category_dir WHERE host_category_id = 1 "
                            "AND path = 'releases/40/Everything/x86_64/os'"),
            "t");
  EXPECT_EQ(db_->QueryValue("SELECT path FROM host_category_dir WHERE id = 4"),
            "releases/40/Everything/x86_64/os/repodata");

  // host_country_allowed: several hosts may now list the same country.
  db_->Exec("INSERT INTO host_country_allowed (country, host_id) VALUES ('US', 2)");
  EXPECT_THROW(db_->Exec("INSERT INTO host_country_allowed (country, host_id) VALUES ('US', 2)"),
               pqxx::unique_violation);

  // Sequences continue after the adopted ids; server defaults apply to new rows.
  db_->Exec("INSERT INTO site (name, created_by) VALUES ('New Site', 'dave')");
  EXPECT_EQ(
      db_->QueryValue("SELECT id > 3 AND admin_active AND user_active AND NOT private FROM site "
                      "WHERE name = 'New Site'"),
      "t");

  // Running it again changes nothing.
  mm::testing::ProcessResult again = Migrate();
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("nothing to do"));

  // catalog serves the adopted data.
  PgPool pool(db_->conninfo(), 1);
  EXPECT_OK(Migrator(pool).CheckCurrent());
  SiteStore sites(pool);
  ASSERT_OK_AND_ASSIGN(Site site, sites.Get(2));
  EXPECT_TRUE(site.has_password);
  EXPECT_EQ(site.admins.size(), 2u);
  HostStore hosts(pool);
  ASSERT_OK_AND_ASSIGN(auto hcs, hosts.ListCategories(1));
  ASSERT_EQ(hcs.size(), 1u);
  EXPECT_EQ(hcs[0].urls.size(), 2u);
  ASSERT_OK_AND_ASSIGN(Host orphan, hosts.Get(3));
  EXPECT_EQ(orphan.site_id, 0);
}

// An adopted MirrorManager2 database ends with exactly the schema of a fresh `migrate`.
TEST_F(AdoptionTest, AdoptedSchemaEqualsAFreshOne) {
  db_->Exec(kUpstreamRows);
  mm::testing::ProcessResult r = Migrate();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_OK_AND_ASSIGN(TestDatabase fresh, TestDatabase::Create());  // migrated from empty
  std::vector<std::string> adopted = SchemaFacts(*db_);
  std::vector<std::string> created = SchemaFacts(fresh);
  EXPECT_EQ(Difference(adopted, created), "") << "only in the adopted database";
  EXPECT_EQ(Difference(created, adopted), "") << "only in the fresh database";
  // The query saw the whole schema: 35 MirrorManager2 tables and their columns, keys, indexes.
  EXPECT_GT(std::count_if(created.begin(), created.end(),
                          [](const std::string& f) { return f.rfind("column ", 0) == 0; }),
            200);
  EXPECT_GT(std::count_if(
                created.begin(), created.end(),
                [](const std::string& f) { return f.find("FOREIGN KEY") != std::string::npos; }),
            35);
  EXPECT_NE(std::find(created.begin(), created.end(),
                      "constraint host_category FOREIGN KEY (category_id) REFERENCES category(id) "
                      "ON DELETE CASCADE"),
            created.end());
}

TEST_F(AdoptionTest, EmptyUpstreamDatabaseIsAdoptedToo) {
  mm::testing::ProcessResult r = Migrate();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  PgPool pool(db_->conninfo(), 1);
  EXPECT_OK(Migrator(pool).CheckCurrent());
}

TEST_F(AdoptionTest, OtherAlembicRevisionsAreRefused) {
  db_->Exec("UPDATE alembic_version SET version_num = 'e67aacbf9f4f'");
  mm::testing::ProcessResult r = Migrate();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("Alembic revision 'e67aacbf9f4f'"));
  EXPECT_THAT(r.err, HasSubstr("upgrade it with MirrorManager2 to 3264c6353b51"));
  EXPECT_EQ(db_->Count("SELECT count(*) FROM information_schema.tables WHERE table_name = "
                       "'mm_schema_migrations'"),
            0);
}

TEST_F(AdoptionTest, FailedMigrationRollsBackCompletely) {
  db_->Exec(kUpstreamRows);
  // Make 0002 fail half-way: its path normalisation violates a (not yet validated) check.
  db_->Exec(
      "ALTER TABLE host_category_dir ADD CONSTRAINT blocker "
      "CHECK (path NOT LIKE 'releases/%') NOT VALID");
  mm::testing::ProcessResult r = Migrate();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("migration 2 (mmcpp_foundation) failed"));
  // Nothing of 0002 stayed: passwords still plain, column absent, paths untouched.
  EXPECT_EQ(db_->Count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'site' "
                       "AND column_name = 'password_hash'"),
            0);
  EXPECT_EQ(db_->QueryValue("SELECT password FROM site WHERE id = 1"), "plain-pass-1");
  EXPECT_EQ(db_->Count("SELECT count(*) FROM host_category_dir WHERE path LIKE '/%'"), 2);
  // Fix the obstacle and the migration goes through.
  db_->Exec("ALTER TABLE host_category_dir DROP CONSTRAINT blocker");
  EXPECT_EQ(Migrate().exit_code, 0);
}

}  // namespace
}  // namespace mm::catalog
