// Checks the live schema that `migrate` produces against MirrorManager2's data model
// (mm2-web-and-data.md §1.2-1.3): every table, column (type, nullability, default), unique
// constraint, index and foreign key with its ON DELETE / ON UPDATE action.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::catalog {
namespace {

using ::mm::testing::TestDatabase;

// table.column  type  NULL|NOT NULL  [default]
// Types are PostgreSQL's information_schema names; defaults are the ORM defaults of
// MirrorManager2 that migration 0002 makes server-side.
constexpr char kColumns[] = R"(
site.id integer NOT_NULL
site.name text NOT_NULL
site.password text NULL
site.org_url text NULL
site.private boolean NOT_NULL false
site.admin_active boolean NOT_NULL true
site.user_active boolean NOT_NULL true
site.created_at timestamp_without_time_zone NOT_NULL now
site.created_by text NOT_NULL
site.all_sites_can_pull_from_me boolean NOT_NULL false
site.downstream_comments text NULL
site.email_on_drop boolean NOT_NULL false
site.email_on_add boolean NOT_NULL false
site.password_hash text NULL
site_admin.id integer NOT_NULL
site_admin.username text NULL
site_admin.site_id integer NOT_NULL
site_to_site.id integer NOT_NULL
site_to_site.username text NULL
site_to_site.password text NULL
site_to_site.upstream_site_id integer NOT_NULL
site_to_site.downstream_site_id integer NOT_NULL
host.id integer NOT_NULL
host.name text NOT_NULL
host.site_id integer NULL
host.robot_email text NULL
host.admin_active boolean NOT_NULL true
host.user_active boolean NOT_NULL true
host.country text NOT_NULL
host.bandwidth_int integer NULL 100
host.comment text NULL
host.config bytea NULL
host.last_checked_in timestamp_without_time_zone NULL
host.last_crawled timestamp_without_time_zone NULL
host.private boolean NOT_NULL false
host.internet2 boolean NOT_NULL false
host.internet2_clients boolean NOT_NULL false
host.asn integer NULL
host.asn_clients boolean NOT_NULL true
host.max_connections integer NOT_NULL 1
host.last_crawl_duration bigint NULL 0
host.crawl_failures integer NOT_NULL 0
host.disable_reason text NULL
host.push_ssh_private_key text NULL
host.push_ssh_host text NULL
host.push_ssh_command text NULL
host.last_crawls bytea NULL
host.latitude double_precision NULL
host.longitude double_precision NULL
host_category.id integer NOT_NULL
host_category.host_id integer NULL
host_category.category_id integer NULL
host_category.always_up2date boolean NOT_NULL false
host_category_dir.id integer NOT_NULL
host_category_dir.host_category_id integer NOT_NULL
host_category_dir.path text NULL
host_category_dir.up2date boolean NOT_NULL true
host_category_dir.directory_id integer NULL
host_category_url.id integer NOT_NULL
host_category_url.host_category_id integer NOT_NULL
host_category_url.url text NOT_NULL
host_category_url.private boolean NOT_NULL false
host_acl_ip.id integer NOT_NULL
host_acl_ip.ip text NULL
host_acl_ip.host_id integer NULL
host_netblock.id integer NOT_NULL
host_netblock.netblock text NULL
host_netblock.name text NULL
host_netblock.host_id integer NULL
host_peer_asn.id integer NOT_NULL
host_peer_asn.asn integer NOT_NULL
host_peer_asn.name text NULL
host_peer_asn.host_id integer NULL
host_country.id integer NOT_NULL
host_country.country_id integer NOT_NULL
host_country.host_id integer NOT_NULL
host_country_allowed.id integer NOT_NULL
host_country_allowed.country text NOT_NULL
host_country_allowed.host_id integer NULL
location.id integer NOT_NULL
location.name text NOT_NULL
host_location.id integer NOT_NULL
host_location.location_id integer NOT_NULL
host_location.host_id integer NOT_NULL
host_stats.id integer NOT_NULL
host_stats.timestamp timestamp_without_time_zone NOT_NULL now
host_stats.type text NULL
host_stats.data bytea NULL
host_stats.host_id integer NULL
country.id integer NOT_NULL
country.code text NOT_NULL
country_continent_redirect.id integer NOT_NULL
country_continent_redirect.country text NOT_NULL
country_continent_redirect.continent text NOT_NULL
embargoed_country.id integer NOT_NULL
embargoed_country.country_code text NOT_NULL
netblock_country.id integer NOT_NULL
netblock_country.netblock text NOT_NULL
netblock_country.country text NOT_NULL
product.id integer NOT_NULL
product.name text NOT_NULL
product.publiclist boolean NOT_NULL true
category.id integer NOT_NULL
category.name text NOT_NULL
category.canonicalhost text NULL 'http://download.fedora.redhat.com'::text
category.publiclist boolean NOT_NULL true
category.geo_dns_domain text NULL
category.admin_only boolean NULL false
category.product_id integer NULL
category.topdir_id integer NULL
category_directory.category_id integer NOT_NULL
category_directory.directory_id integer NOT_NULL
directory.id integer NOT_NULL
directory.name text NOT_NULL
directory.files bytea NULL
directory.readable boolean NOT_NULL true
directory.ctime bigint NULL 0
file_detail.id integer NOT_NULL
file_detail.filename text NOT_NULL
file_detail.timestamp bigint NULL
file_detail.size bigint NULL
file_detail.sha1 text NULL
file_detail.md5 text NULL
file_detail.sha256 text NULL
file_detail.sha512 text NULL
file_detail.directory_id integer NOT_NULL
file_group.id integer NOT_NULL
file_group.name text NOT_NULL
file_detail_file_group.id integer NOT_NULL
file_detail_file_group.file_detail_id integer NOT_NULL
file_detail_file_group.file_group_id integer NOT_NULL
arch.id integer NOT_NULL
arch.name text NOT_NULL
arch.publiclist boolean NOT_NULL true
arch.primary_arch boolean NOT_NULL true
version.id integer NOT_NULL
version.name text NULL
version.codename text NULL
version.is_test boolean NOT_NULL false
version.display boolean NOT_NULL true
version.display_name text NULL
version.ordered_mirrorlist boolean NOT_NULL true
version.sortorder integer NOT_NULL 0
version.product_id integer NULL
repository.id integer NOT_NULL
repository.name text NOT_NULL
repository.prefix text NULL
repository.category_id integer NULL
repository.version_id integer NULL
repository.arch_id integer NULL
repository.directory_id integer NULL
repository.disabled boolean NOT_NULL false
repository_redirect.id integer NOT_NULL
repository_redirect.to_repo text NULL
repository_redirect.from_repo text NOT_NULL
directory_exclusive_host.id integer NOT_NULL
directory_exclusive_host.directory_id integer NOT_NULL
directory_exclusive_host.host_id integer NOT_NULL
access_stat_category.id integer NOT_NULL
access_stat_category.name character_varying(255) NOT_NULL
access_stat.category_id integer NOT_NULL
access_stat.date date NOT_NULL
access_stat.name character_varying(255) NOT_NULL
access_stat.percent double_precision NULL
access_stat.requests integer NULL
propagation_stat.repository_id integer NOT_NULL
propagation_stat.datetime timestamp_without_time_zone NOT_NULL
propagation_stat.same_day integer NOT_NULL 0
propagation_stat.one_day integer NOT_NULL 0
propagation_stat.two_day integer NOT_NULL 0
propagation_stat.older integer NOT_NULL 0
propagation_stat.no_info integer NOT_NULL 0
mm_user.id integer NOT_NULL
mm_user.user_name character_varying(16) NOT_NULL
mm_user.email_address character_varying(255) NOT_NULL
mm_user.display_name character_varying(255) NULL
mm_user.password text NULL
mm_user.token character_varying(50) NULL
mm_user.created timestamp_without_time_zone NOT_NULL now()
mm_user.updated_on timestamp_without_time_zone NOT_NULL now()
mm_group.id integer NOT_NULL
mm_group.group_name character_varying(16) NOT_NULL
mm_group.display_name character_varying(255) NULL
mm_group.created timestamp_without_time_zone NOT_NULL now
mm_user_group.user_id integer NOT_NULL
mm_user_group.group_id integer NOT_NULL
mm_user_visit.id integer NOT_NULL
mm_user_visit.user_id integer NOT_NULL
mm_user_visit.visit_key character_varying(40) NOT_NULL
mm_user_visit.user_ip character_varying(50) NOT_NULL
mm_user_visit.created timestamp_without_time_zone NOT_NULL now
mm_user_visit.expiry timestamp_without_time_zone NULL
)";

// Unique constraints and unique indexes: table(columns) as MirrorManager2 declares them.
constexpr char kUniques[] = R"(
site_to_site(upstream_site_id,downstream_site_id)
site_to_site(upstream_site_id,username)
country(code)
host(site_id,name)
host_acl_ip(ip)
host_acl_ip(host_id,ip)
host_country_allowed(host_id,country)
host_peer_asn(host_id,asn)
host_country(host_id,country_id)
location(name)
host_location(location_id,host_id)
product(name)
directory(name)
category(name)
arch(name)
version(name,product_id)
repository(name)
repository(prefix,arch_id)
file_group(name)
repository_redirect(from_repo)
repository_redirect(from_repo,to_repo)
country_continent_redirect(country)
embargoed_country(country_code)
netblock_country(netblock)
directory_exclusive_host(directory_id,host_id)
host_category(host_id,category_id)
host_category_dir(host_category_id,path)
host_category_url(url)
host_category_url(host_category_id,url)
mm_user(user_name)
mm_user(email_address)
mm_group(group_name)
mm_user_group(user_id,group_id)
mm_user_visit(visit_key)
access_stat_category(name)
)";

// Named indexes: "name table(columns) [unique]". MirrorManager2's model and the
// 3264c6353b51 migration (unique constraints are backed by an index of the same name), then
// migration 0002's additions.
constexpr char kIndexes[] = R"(
host_idx host(site_id,name) unique
site_to_site_idx site_to_site(upstream_site_id,downstream_site_id) unique
site_to_site_username_idx site_to_site(upstream_site_id,username) unique
host_acl_ip_hipindex host_acl_ip(host_id,ip) unique
host_peer_asn_idx host_peer_asn(host_id,asn) unique
host_country_hlidx host_country(host_id,country_id) unique
host_location_hlidx host_location(location_id,host_id) unique
version_idx version(name,product_id) unique
repository_idx repository(prefix,arch_id) unique
repository_redirect_idx repository_redirect(from_repo,to_repo) unique
directory_exclusive_host_idx directory_exclusive_host(directory_id,host_id) unique
host_category_hcindex host_category(host_id,category_id) unique
host_category_dir_hcdindex host_category_dir(host_category_id,path) unique
host_category_url_hcdindex host_category_url(host_category_id,url) unique
t_hostcategory_host_id_idx host_category(host_id)
t_hostcategory_category_id_idx host_category(category_id)
t_repository_category_id_idx repository(category_id)
t_repository_version_id_idx repository(version_id)
t_repository_arch_id_idx repository(arch_id)
t_repository_directory_id_idx repository(directory_id)
ix_site_name site(name)
ix_site_private site(private)
ix_site_admin_active site(admin_active)
ix_site_user_active site(user_active)
ix_site_created_at site(created_at)
ix_host_name host(name)
ix_host_admin_active host(admin_active)
ix_host_user_active host(user_active)
ix_host_country host(country)
ix_host_private host(private)
ix_host_last_crawl_duration host(last_crawl_duration)
ix_host_category_dir_up2date host_category_dir(up2date)
ix_host_category_url_private host_category_url(private)
ix_directory_readable directory(readable)
ix_file_detail_timestamp file_detail(timestamp)
ix_repository_prefix repository(prefix)
ix_access_stat_category_id access_stat(category_id)
ix_access_stat_date access_stat(date)
ix_access_stat_requests access_stat(requests)
ix_propagation_stat_date propagation_stat(datetime)
ix_propagation_stat_repository_id propagation_stat(repository_id)
ix_mm_user_visit_visit_key mm_user_visit(visit_key) unique
host_country_allowed_hcidx host_country_allowed(host_id,country) unique
ix_file_detail_directory_id_filename file_detail(directory_id,filename)
ix_host_category_dir_directory_id host_category_dir(directory_id)
ix_category_directory_directory_id category_directory(directory_id)
ix_site_admin_site_id site_admin(site_id)
ix_site_admin_username site_admin(username)
ix_host_site_id host(site_id)
ix_host_netblock_host_id host_netblock(host_id)
ix_host_country_allowed_host_id host_country_allowed(host_id)
ix_version_product_id version(product_id)
ix_category_product_id category(product_id)
)";

// Primary keys other than (id).
constexpr char kCompositePrimaryKeys[] = R"(
category_directory(category_id,directory_id)
access_stat(category_id,date,name)
propagation_stat(repository_id,datetime)
mm_user_group(user_id,group_id)
alembic_version(version_num)
mm_schema_migrations(version)
)";

// table.column -> referenced table, ON DELETE, ON UPDATE (a = NO ACTION, c = CASCADE).
constexpr char kForeignKeys[] = R"(
site_admin.site_id site a a
site_to_site.upstream_site_id site a a
site_to_site.downstream_site_id site a a
host.site_id site a a
host_category.host_id host a a
host_category.category_id category c a
host_category_dir.host_category_id host_category c c
host_category_dir.directory_id directory c a
host_category_url.host_category_id host_category c c
host_acl_ip.host_id host a a
host_country_allowed.host_id host a a
host_netblock.host_id host a a
host_peer_asn.host_id host a a
host_country.country_id country a a
host_country.host_id host a a
host_location.location_id location a a
host_location.host_id host a a
host_stats.host_id host a a
category.product_id product a a
category.topdir_id directory a a
category_directory.category_id category a a
category_directory.directory_id directory a a
version.product_id product a a
repository.category_id category a a
repository.version_id version a a
repository.arch_id arch a a
repository.directory_id directory a a
file_detail.directory_id directory a a
file_detail_file_group.file_detail_id file_detail a a
file_detail_file_group.file_group_id file_group a a
directory_exclusive_host.directory_id directory a a
directory_exclusive_host.host_id host a a
mm_user_group.user_id mm_user a a
mm_user_group.group_id mm_group a a
mm_user_visit.user_id mm_user a a
access_stat.category_id access_stat_category a a
propagation_stat.repository_id repository a a
)";

std::vector<std::string> Lines(const char* text) {
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(l));
  }
  return out;
}

// MirrorManager2's tables (those of kColumns). Other components add mm_* tables of their own;
// the strict checks (nothing unexpected) apply to these.
std::set<std::string> UpstreamTables() {
  std::set<std::string> out;
  for (const auto& line : Lines(kColumns)) out.insert(line.substr(0, line.find('.')));
  return out;
}

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_OK(db.status());
    db_ = std::make_unique<TestDatabase>(std::move(*db));
    conn_ = std::make_unique<pqxx::connection>(db_->conninfo());
  }
  pqxx::result Q(const std::string& sql) {
    pqxx::nontransaction tx(*conn_);
    return tx.exec(sql);
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<pqxx::connection> conn_;
};

TEST_F(SchemaTest, EveryColumnWithTypeNullabilityAndDefault) {
  std::map<std::string, std::tuple<std::string, bool, std::string>> actual;
  for (const auto& r : Q(R"sql(
      SELECT table_name || '.' || column_name,
             CASE WHEN data_type = 'character varying'
                  THEN 'character_varying(' || character_maximum_length || ')'
                  ELSE replace(data_type, ' ', '_') END,
             is_nullable = 'YES', COALESCE(column_default, '')
      FROM information_schema.columns WHERE table_schema = 'public')sql")) {
    actual[r[0].as<std::string>()] = {r[1].as<std::string>(), r[2].as<bool>(),
                                      r[3].as<std::string>()};
  }
  std::set<std::string> tables_expected;
  for (const auto& line : Lines(kColumns)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    ASSERT_GE(f.size(), 3u) << line;
    tables_expected.insert(f[0].substr(0, f[0].find('.')));
    auto it = actual.find(f[0]);
    ASSERT_NE(it, actual.end()) << "missing column " << f[0];
    EXPECT_EQ(std::get<0>(it->second), f[1]) << f[0];
    EXPECT_EQ(std::get<1>(it->second), f[2] == "NULL") << f[0] << " nullability";
    const std::string& def = std::get<2>(it->second);
    if (f.size() >= 4) {
      if (f[3] == "now") {
        EXPECT_THAT(def, ::testing::HasSubstr("now()")) << f[0];
      } else {
        EXPECT_EQ(def, f[3]) << f[0] << " default";
      }
    } else if (f[0].size() < 3 || f[0].substr(f[0].size() - 3) != ".id") {
      EXPECT_EQ(def, "") << f[0] << " should have no default";
    } else {
      EXPECT_THAT(def, ::testing::HasSubstr("nextval(")) << f[0] << " is SERIAL";
    }
  }
  // No table of MirrorManager2 is missing and none of ours is unexpected.
  std::set<std::string> tables_actual;
  for (const auto& [col, _] : actual) tables_actual.insert(col.substr(0, col.find('.')));
  tables_expected.insert({"alembic_version", "mm_schema_migrations"});
  std::set<std::string> extra;
  for (const auto& t : tables_actual) {
    if (!tables_expected.count(t)) extra.insert(t);
  }
  // Later components add tables of their own (leases, crawl history, sessions); they must be
  // prefixed so they never collide with MirrorManager2 names.
  for (const auto& t : extra) EXPECT_EQ(t.rfind("mm_", 0), 0u) << "unexpected table " << t;
  for (const auto& t : tables_expected)
    EXPECT_TRUE(tables_actual.count(t)) << "missing table " << t;
}

TEST_F(SchemaTest, EveryTableHasItsPrimaryKey) {
  std::map<std::string, std::string> pk;
  for (const auto& r : Q(R"sql(
      SELECT c.conrelid::regclass::text,
             string_agg(a.attname, ',' ORDER BY array_position(c.conkey, a.attnum))
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
      WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace GROUP BY 1)sql")) {
    pk[r[0].as<std::string>()] = r[1].as<std::string>();
  }
  std::map<std::string, std::string> expected;
  for (const auto& t : UpstreamTables()) expected[t] = "id";
  for (const auto& line : Lines(kCompositePrimaryKeys)) {
    size_t open = line.find('(');
    expected[line.substr(0, open)] = line.substr(open + 1, line.size() - open - 2);
  }
  for (const auto& [table, columns] : expected) {
    auto it = pk.find(table);
    ASSERT_NE(it, pk.end()) << table << " has no primary key";
    EXPECT_EQ(it->second, columns) << table;
  }
  // Every table of ours has one too.
  for (const auto& r : Q("SELECT relname FROM pg_class WHERE relkind = 'r' AND "
                         "relnamespace = 'public'::regnamespace")) {
    EXPECT_TRUE(pk.count(r[0].as<std::string>()))
        << r[0].as<std::string>() << " has no primary key";
  }
}

// PostgreSQL folds a UNIQUE constraint identical to the primary key (mm_user_group) into the
// primary key's index, so primary keys count as unique column sets here.
TEST_F(SchemaTest, UniqueConstraints) {
  std::set<std::string> actual;
  for (const auto& r : Q(R"sql(
      SELECT t.relname || '(' || string_agg(a.attname, ',' ORDER BY k.ord) || ')'
      FROM pg_index x
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ON true
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace
      GROUP BY x.indexrelid, t.relname)sql")) {
    actual.insert(r[0].as<std::string>());
  }
  std::set<std::string> expected;
  for (const auto& u : Lines(kUniques)) {
    EXPECT_TRUE(actual.count(u)) << "missing unique " << u;
    expected.insert(u);
  }
  // DESIGN.md §5: the table-wide unique on host_country_allowed.country is dropped.
  EXPECT_FALSE(actual.count("host_country_allowed(country)"));
  // site.name is deliberately not unique.
  EXPECT_FALSE(actual.count("site(name)"));
  // Nothing else is unique on MirrorManager2's tables (primary keys aside).
  for (const auto& line : Lines(kCompositePrimaryKeys)) expected.insert(line);
  std::set<std::string> upstream = UpstreamTables();
  for (const auto& t : upstream) expected.insert(t + "(id)");
  for (const auto& u : actual) {
    if (upstream.count(u.substr(0, u.find('('))))
      EXPECT_TRUE(expected.count(u)) << "unexpected unique " << u;
  }
}

TEST_F(SchemaTest, NamedIndexesWithTheirColumns) {
  std::map<std::string, std::string> actual;
  for (const auto& r : Q(R"sql(
      SELECT i.relname, t.relname || '(' || string_agg(a.attname, ',' ORDER BY k.ord) || ')' ||
             CASE WHEN x.indisunique THEN ' unique' ELSE '' END
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ON true
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relnamespace = 'public'::regnamespace AND x.indpred IS NULL
      GROUP BY i.relname, t.relname, x.indisunique)sql")) {
    actual[r[0].as<std::string>()] = r[1].as<std::string>();
  }
  for (const auto& line : Lines(kIndexes)) {
    std::string name = line.substr(0, line.find(' '));
    auto it = actual.find(name);
    ASSERT_NE(it, actual.end()) << "missing index " << name;
    EXPECT_EQ(it->second, line.substr(name.size() + 1)) << name;
  }
}

TEST_F(SchemaTest, ForeignKeysWithActions) {
  std::map<std::string, std::string> actual;
  for (const auto& r : Q(R"sql(
      SELECT c.conrelid::regclass::text || '.' || a.attname,
             c.confrelid::regclass::text || ' ' || c.confdeltype::text || ' ' || c.confupdtype::text
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace)sql")) {
    actual[r[0].as<std::string>()] = r[1].as<std::string>();
  }
  std::set<std::string> expected;
  for (const auto& line : Lines(kForeignKeys)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    expected.insert(f[0]);
    auto it = actual.find(f[0]);
    ASSERT_NE(it, actual.end()) << "missing foreign key " << f[0];
    EXPECT_EQ(it->second, absl::StrCat(f[1], " ", f[2], " ", f[3])) << f[0];
  }
  // No other foreign key starts from MirrorManager2's tables, and every one is single-column.
  std::set<std::string> upstream = UpstreamTables();
  for (const auto& [column, _] : actual) {
    if (upstream.count(column.substr(0, column.find('.')))) {
      EXPECT_TRUE(expected.count(column)) << "unexpected foreign key " << column;
    }
  }
  EXPECT_EQ(db_->Count("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                       "connamespace = 'public'::regnamespace AND array_length(conkey, 1) > 1"),
            0);
}

TEST_F(SchemaTest, MmUserUpdatedOnFollowsEveryUpdate) {
  db_->Exec(
      "INSERT INTO mm_user (id, user_name, email_address, updated_on) "
      "VALUES (1, 'u', 'u@example.org', '2000-01-01')");
  EXPECT_EQ(db_->QueryValue("SELECT created > '2020-01-01' FROM mm_user"), "t");  // default now()
  db_->Exec("UPDATE mm_user SET display_name = 'U' WHERE id = 1");
  EXPECT_EQ(db_->QueryValue("SELECT abs(extract(epoch FROM updated_on - now()::timestamp)) < 60 "
                            "FROM mm_user"),
            "t");
  // A writer that sets updated_on itself (MirrorManager2's ORM does) keeps its value.
  db_->Exec("UPDATE mm_user SET token = 'x', updated_on = '2010-05-05 10:00:00' WHERE id = 1");
  EXPECT_EQ(db_->QueryValue("SELECT updated_on FROM mm_user"), "2010-05-05 10:00:00");
  db_->Exec("UPDATE mm_user SET token = NULL WHERE id = 1");
  EXPECT_NE(db_->QueryValue("SELECT updated_on FROM mm_user"), "2010-05-05 10:00:00");
}

TEST_F(SchemaTest, AlembicHeadAndMigrationsRecorded) {
  EXPECT_EQ(db_->QueryValue("SELECT version_num FROM alembic_version"), "3264c6353b51");
  EXPECT_GE(db_->Count("SELECT count(*) FROM mm_schema_migrations"), 2);
  EXPECT_EQ(db_->Count("SELECT count(*) FROM mm_schema_migrations WHERE adopted"), 0);
}

}  // namespace
}  // namespace mm::catalog
