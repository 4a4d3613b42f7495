// Delete behaviour of mm2-web-and-data.md §1.3: the database-level cascades (ON DELETE /
// ON UPDATE CASCADE) against the live schema, and MirrorManager2's ORM-level cascades as
// catalog's stores implement them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/directory_store.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/site_store.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::catalog {
namespace {

using ::mm::testing::FixtureBuilder;
using ::mm::testing::TestDatabase;

class CascadeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_OK(db.status());
    db_ = std::make_unique<TestDatabase>(std::move(*db));
    FixtureBuilder f(*db_);
    product_ = f.Product("Fedora");
    category_ = f.Category("Fedora Linux", product_, "pub/fedora/linux");
    dir_ = f.Directory("pub/fedora/linux/releases/40", {category_});
    dir2_ = f.Directory("pub/fedora/linux/releases/41", {category_});
    arch_ = f.Arch("x86_64");
    version_ = f.Version(product_, "40");
    repo_ = f.Repository("pub/fedora/linux/releases/40", "fedora-40", category_, version_, arch_, dir_);
    fd_ = f.FileDetail(dir_, {"repomd.xml", 1, 2});
    site_ = f.Site("Site", {.password = "pw"});
    f.SiteAdmin(site_, "alice");
    host_ = f.Host(site_, "mirror.example.org", "US");
    other_host_ = f.Host(site_, "other.example.org", "US");
    hc_ = f.HostCategory(host_, category_);
    url_ = f.Url(hc_, "http://mirror.example.org/pub/fedora/linux");
    hcd_ = f.Hcd(hc_, dir_, "releases/40");
    hcd2_ = f.Hcd(hc_, dir2_, "releases/41");
    other_hc_ = f.HostCategory(other_host_, category_);
    other_hcd_ = f.Hcd(other_hc_, dir_, "releases/40");
    f.HostNetblock(host_, "192.0.2.0/24");
    f.HostPeerAsn(host_, 64512);
    f.HostCountry(host_, f.Country("US"));
    f.HostCountryAllowed(host_, "US");
    f.Insert("INSERT INTO host_acl_ip (ip, host_id) VALUES ('192.0.2.1', " + std::to_string(host_) + ") RETURNING id");
    f.Insert("INSERT INTO host_stats (type, host_id) VALUES ('x', " + std::to_string(host_) + ") RETURNING id");
    f.Insert("INSERT INTO directory_exclusive_host (directory_id, host_id) VALUES (" + std::to_string(dir_) + ", " +
             std::to_string(host_) + ") RETURNING id");
    int64_t loc = f.Insert("INSERT INTO location (name) VALUES ('r1') RETURNING id");
    f.Insert("INSERT INTO host_location (location_id, host_id) VALUES (" + std::to_string(loc) + ", " +
             std::to_string(host_) + ") RETURNING id");
    pool_ = std::make_unique<PgPool>(db_->conninfo(), 2);
  }

  int64_t N(const std::string& table, const std::string& where = "true") {
    return db_->Count("SELECT count(*) FROM " + table + " WHERE " + where);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<PgPool> pool_;
  int64_t product_, category_, dir_, dir2_, arch_, version_, repo_, fd_, site_, host_, other_host_,
      hc_, url_, hcd_, hcd2_, other_hc_, other_hcd_;
};

TEST_F(CascadeTest, DeletingAHostCategoryTakesItsDirsAndUrls) {
  db_->Exec("DELETE FROM host_category WHERE id = " + std::to_string(hc_));
  EXPECT_EQ(N("host_category_dir", "host_category_id = " + std::to_string(hc_)), 0);
  EXPECT_EQ(N("host_category_url", "host_category_id = " + std::to_string(hc_)), 0);
  EXPECT_EQ(N("host_category_dir"), 1);  // the other host's row stays
}

TEST_F(CascadeTest, RenumberingAHostCategoryCarriesItsDirsAndUrls) {
  db_->Exec("UPDATE host_category SET id = 9999 WHERE id = " + std::to_string(hc_));
  EXPECT_EQ(N("host_category_dir", "host_category_id = 9999"), 2);
  EXPECT_EQ(N("host_category_url", "host_category_id = 9999"), 1);
}

TEST_F(CascadeTest, DeletingACategoryTakesItsHostCategories) {
  db_->Exec("DELETE FROM repository; DELETE FROM category_directory; DELETE FROM category WHERE id = " +
            std::to_string(category_));
  EXPECT_EQ(N("host_category"), 0);
  EXPECT_EQ(N("host_category_dir"), 0);
  EXPECT_EQ(N("host_category_url"), 0);
}

TEST_F(CascadeTest, DeletingADirectoryTakesItsHcdsAtDatabaseLevel) {
  db_->Exec("DELETE FROM repository; DELETE FROM file_detail; DELETE FROM category_directory; "
            "DELETE FROM directory_exclusive_host; DELETE FROM directory WHERE id = " + std::to_string(dir_));
  EXPECT_EQ(N("host_category_dir", "directory_id = " + std::to_string(dir_)), 0);
  EXPECT_EQ(N("host_category_dir"), 1);
}

TEST_F(CascadeTest, ForeignKeysWithoutCascadeBlockDeletes) {
  EXPECT_THROW(db_->Exec("DELETE FROM site WHERE id = " + std::to_string(site_)), pqxx::foreign_key_violation);
  EXPECT_THROW(db_->Exec("DELETE FROM directory WHERE id = " + std::to_string(dir_)),
               pqxx::foreign_key_violation);
}

TEST_F(CascadeTest, SiteDeleteRemovesHostsAndEverythingBelow) {
  SiteStore sites(*pool_);
  ASSERT_OK(sites.Delete(site_));
  EXPECT_EQ(N("site"), 0);
  EXPECT_EQ(N("site_admin"), 0);
  EXPECT_EQ(N("host"), 0);
  for (const char* t : {"host_category", "host_category_dir", "host_category_url", "host_netblock",
                        "host_peer_asn", "host_country", "host_country_allowed", "host_acl_ip",
                        "host_stats", "directory_exclusive_host", "host_location"}) {
    EXPECT_EQ(N(t), 0) << t;
  }
  // Reference data is untouched.
  EXPECT_EQ(N("directory"), 3);
  EXPECT_EQ(N("category"), 1);
  EXPECT_EQ(N("location"), 1);
  EXPECT_THAT(sites.Delete(site_), mm::testing::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CascadeTest, HostDeleteRemovesOnlyThatHost) {
  HostStore hosts(*pool_);
  ASSERT_OK(hosts.Delete(host_));
  EXPECT_EQ(N("host"), 1);
  EXPECT_EQ(N("host_category"), 1);
  EXPECT_EQ(N("host_category_dir"), 1);
  EXPECT_EQ(N("host_category_url"), 0);
  EXPECT_EQ(N("host_netblock"), 0);
  EXPECT_EQ(N("site"), 1);
}

TEST_F(CascadeTest, DirectoryDeleteCascadesLikeTheOrm) {
  DirectoryStore dirs(*pool_);
  ASSERT_OK_AND_ASSIGN(int deleted, dirs.Delete({dir_}));
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(N("host_category_dir", "directory_id = " + std::to_string(dir_)), 0);
  EXPECT_EQ(N("file_detail"), 0);
  EXPECT_EQ(N("category_directory", "directory_id = " + std::to_string(dir_)), 0);
  // Repositories survive with a NULL directory.
  EXPECT_EQ(N("repository", "id = " + std::to_string(repo_) + " AND directory_id IS NULL"), 1);
  EXPECT_EQ(N("directory"), 2);
}

TEST_F(CascadeTest, PrivateFlipMarksHostDirectoriesNotUpToDate) {
  HostStore hosts(*pool_);
  HostFields f;
  f.private_ = false;  // unchanged: nothing happens
  ASSERT_OK(hosts.Update(host_, f).status());
  EXPECT_EQ(N("host_category_dir", "up2date"), 3);
  f.private_ = true;
  ASSERT_OK(hosts.Update(host_, f).status());
  EXPECT_EQ(N("host_category_dir", "up2date"), 1);  // only the other host's
  SiteStore sites(*pool_);
  SiteFields sf;
  sf.private_ = true;
  ASSERT_OK(sites.Update(site_, sf).status());
  EXPECT_EQ(N("host_category_dir", "up2date"), 0);
}

TEST_F(CascadeTest, SetNotUp2dateFlipsEveryDirectoryOfTheHost) {
  HostStore hosts(*pool_);
  ASSERT_OK(hosts.SetNotUp2date(host_));
  EXPECT_EQ(N("host_category_dir", "host_category_id = " + std::to_string(hc_) + " AND up2date"), 0);
  EXPECT_EQ(N("host_category_dir", "host_category_id = " + std::to_string(other_hc_) + " AND up2date"), 1);
}

}  // namespace
}  // namespace mm::catalog
