// Delete behaviour of mm2-web-and-data.md §1.3, one test per rule:
// * database-level rules (ON DELETE / ON UPDATE CASCADE) by plain SQL against the live schema:
//   host_category -> dirs/urls, category -> host_category, directory -> host_category_dir;
//   and that the other foreign keys have no cascade (so an ORM-level rule must remove children);
// * ORM-level rules through the store that implements them, in one transaction:
//   site -> hosts/admins (SiteStore; also site_to_site), host -> its 7 child tables (HostStore;
//   also host_stats and directory_exclusive_host, see docs/DEVIATIONS.md), host_category ->
//   dirs/urls (HostStore), directory -> HCDs, file details (with their file_group links), category
//   links, repositories set NULL (DirectoryStore), product/version/arch/category/repository
//   (ReferenceStore).
// mm_user <-> mm_group association rows are ORM-level only upstream; catalog has no account
// store yet (the login issue adds it), so only their foreign keys are checked here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/directory_store.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/reference_store.h"
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
    repo_ =
        f.Repository("pub/fedora/linux/releases/40", "fedora-40", category_, version_, arch_, dir_);
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
    f.Insert("INSERT INTO host_acl_ip (ip, host_id) VALUES ('192.0.2.1', " + std::to_string(host_) +
             ") RETURNING id");
    f.Insert("INSERT INTO host_stats (type, host_id) VALUES ('x', " + std::to_string(host_) +
             ") RETURNING id");
    f.Insert("INSERT INTO directory_exclusive_host (directory_id, host_id) VALUES (" +
             std::to_string(dir_) + ", " + std::to_string(host_) + ") RETURNING id");
    int64_t loc = f.Insert("INSERT INTO location (name) VALUES ('r1') RETURNING id");
    f.Insert("INSERT INTO host_location (location_id, host_id) VALUES (" + std::to_string(loc) +
             ", " + std::to_string(host_) + ") RETURNING id");
    int64_t group = f.Insert("INSERT INTO file_group (name) VALUES ('iso') RETURNING id");
    f.Insert("INSERT INTO file_detail_file_group (file_detail_id, file_group_id) VALUES (" +
             std::to_string(fd_) + ", " + std::to_string(group) + ") RETURNING id");
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
  db_->Exec(
      "DELETE FROM repository; DELETE FROM category_directory; DELETE FROM category WHERE id = " +
      std::to_string(category_));
  EXPECT_EQ(N("host_category"), 0);
  EXPECT_EQ(N("host_category_dir"), 0);
  EXPECT_EQ(N("host_category_url"), 0);
}

TEST_F(CascadeTest, DeletingADirectoryTakesItsHcdsAtDatabaseLevel) {
  db_->Exec(
      "DELETE FROM repository; DELETE FROM file_detail_file_group; DELETE FROM file_detail; "
      "DELETE FROM category_directory; "
      "DELETE FROM directory_exclusive_host; DELETE FROM directory WHERE id = " +
      std::to_string(dir_));
  EXPECT_EQ(N("host_category_dir", "directory_id = " + std::to_string(dir_)), 0);
  EXPECT_EQ(N("host_category_dir"), 1);
}

TEST_F(CascadeTest, ForeignKeysWithoutCascadeBlockDeletes) {
  auto blocked = [&](const std::string& sql) {
    EXPECT_THROW(db_->Exec(sql), pqxx::foreign_key_violation) << sql;
  };
  blocked("DELETE FROM site WHERE id = " + std::to_string(site_));
  blocked("DELETE FROM host WHERE id = " + std::to_string(other_host_));
  blocked("DELETE FROM directory WHERE id = " + std::to_string(dir_));
  blocked("DELETE FROM product WHERE id = " + std::to_string(product_));
  blocked("DELETE FROM version WHERE id = " + std::to_string(version_));
  blocked("DELETE FROM arch WHERE id = " + std::to_string(arch_));
  blocked("DELETE FROM file_detail WHERE id = " + std::to_string(fd_));
  db_->Exec("INSERT INTO propagation_stat (repository_id, datetime) VALUES (" +
            std::to_string(repo_) + ", '2026-01-01')");
  blocked("DELETE FROM repository WHERE id = " + std::to_string(repo_));
  db_->Exec(
      "INSERT INTO mm_user (id, user_name, email_address) VALUES (1, 'u', 'u@example.org');"
      "INSERT INTO mm_group (id, group_name) VALUES (1, 'g');"
      "INSERT INTO mm_user_group (user_id, group_id) VALUES (1, 1)");
  blocked("DELETE FROM mm_user WHERE id = 1");
  blocked("DELETE FROM mm_group WHERE id = 1");
}

TEST_F(CascadeTest, SiteDeleteRemovesHostsAndEverythingBelow) {
  // Legacy pull permissions in both directions (no cascade upstream: the delete failed).
  FixtureBuilder f(*db_);
  const std::string other = std::to_string(f.Site("Other Site"));
  const std::string site = std::to_string(site_);
  db_->Exec("INSERT INTO site_to_site (upstream_site_id, downstream_site_id) VALUES (" + site +
            ", " + other + "), (" + other + ", " + site + ")");
  SiteStore sites(*pool_);
  ASSERT_OK(sites.Delete(site_));
  EXPECT_EQ(N("site"), 1);
  EXPECT_EQ(N("site_to_site"), 0);
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
  for (const char* t :
       {"host_acl_ip", "host_country_allowed", "host_netblock", "host_peer_asn", "host_location",
        "host_country", "host_stats", "directory_exclusive_host"}) {
    EXPECT_EQ(N(t), 0) << t;
  }
  EXPECT_EQ(N("site"), 1);
  EXPECT_EQ(N("location"), 1);
  EXPECT_EQ(N("country"), 1);
  EXPECT_THAT(hosts.Delete(host_), mm::testing::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CascadeTest, HostCategoryDeleteTakesItsDirsAndUrls) {
  HostStore hosts(*pool_);
  ASSERT_OK(hosts.DeleteCategory(host_, hc_));
  EXPECT_EQ(N("host_category", "id = " + std::to_string(hc_)), 0);
  EXPECT_EQ(N("host_category_dir", "host_category_id = " + std::to_string(hc_)), 0);
  EXPECT_EQ(N("host_category_url"), 0);
  EXPECT_EQ(N("host_category_dir"), 1);  // the other host's
  EXPECT_EQ(N("directory"), 3);
}

TEST_F(CascadeTest, CategoryDeleteCascadesLikeTheOrm) {
  FixtureBuilder f(*db_);
  int64_t epel = f.Category("Fedora EPEL", product_, "pub/epel");
  int64_t epel_dir = f.Directory("pub/epel/9", {epel});
  int64_t epel_hc = f.HostCategory(host_, epel);
  f.Hcd(epel_hc, epel_dir, "9");
  f.Url(epel_hc, "http://mirror.example.org/pub/epel");
  int64_t epel_repo = f.Repository("pub/epel/9", "epel-9", epel, std::nullopt, arch_, epel_dir);
  ReferenceStore ref(*pool_);
  ASSERT_OK(ref.DeleteCategory(category_));
  const std::string gone = std::to_string(category_);
  EXPECT_EQ(N("category", "id = " + gone), 0);
  // Host categories go with their dirs and URLs.
  EXPECT_EQ(N("host_category", "category_id IS NULL OR category_id = " + gone), 0);
  EXPECT_EQ(N("host_category_dir", "host_category_id IN (" + std::to_string(hc_) + ", " +
                                       std::to_string(other_hc_) + ")"),
            0);
  EXPECT_EQ(N("host_category_url", "host_category_id = " + std::to_string(hc_)), 0);
  EXPECT_EQ(N("category_directory", "category_id = " + gone), 0);
  // Repositories stay without a category; directories (the top directory too) stay.
  EXPECT_EQ(N("repository",
              "id = " + std::to_string(repo_) + " AND category_id IS NULL AND version_id = " +
                  std::to_string(version_) + " AND arch_id = " + std::to_string(arch_) +
                  " AND directory_id = " + std::to_string(dir_)),
            1);
  EXPECT_EQ(N("directory", "name LIKE 'pub/fedora/linux%'"), 3);
  EXPECT_EQ(N("file_detail"), 1);
  EXPECT_EQ(N("product"), 1);
  // The other category is untouched.
  EXPECT_EQ(N("category", "id = " + std::to_string(epel)), 1);
  EXPECT_EQ(N("host_category", "id = " + std::to_string(epel_hc)), 1);
  EXPECT_EQ(N("host_category_dir", "host_category_id = " + std::to_string(epel_hc)), 1);
  EXPECT_EQ(N("host_category_url", "host_category_id = " + std::to_string(epel_hc)), 1);
  EXPECT_EQ(N("category_directory", "category_id = " + std::to_string(epel)), 1);
  EXPECT_EQ(N("repository",
              "id = " + std::to_string(epel_repo) + " AND category_id = " + std::to_string(epel)),
            1);
  EXPECT_THAT(ref.DeleteCategory(category_), mm::testing::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CascadeTest, ProductDeleteDetachesCategoriesAndVersions) {
  FixtureBuilder f(*db_);
  int64_t epel = f.Product("EPEL");
  int64_t epel9 = f.Version(epel, "9");
  ReferenceStore ref(*pool_);
  ASSERT_OK(ref.DeleteProduct(product_));
  EXPECT_EQ(N("product"), 1);
  EXPECT_EQ(N("category", "id = " + std::to_string(category_) + " AND product_id IS NULL"), 1);
  EXPECT_EQ(N("version", "id = " + std::to_string(version_) + " AND product_id IS NULL"), 1);
  EXPECT_EQ(
      N("version", "id = " + std::to_string(epel9) + " AND product_id = " + std::to_string(epel)),
      1);
  EXPECT_EQ(N("repository", "version_id = " + std::to_string(version_)), 1);
  EXPECT_EQ(N("host_category"), 2);
  EXPECT_THAT(ref.DeleteProduct(product_), mm::testing::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CascadeTest, VersionAndArchDeletesDetachRepositories) {
  ReferenceStore ref(*pool_);
  const std::string repo = "id = " + std::to_string(repo_);
  ASSERT_OK(ref.DeleteVersion(version_));
  EXPECT_EQ(N("version"), 0);
  EXPECT_EQ(
      N("repository", repo + " AND version_id IS NULL AND arch_id = " + std::to_string(arch_)), 1);
  ASSERT_OK(ref.DeleteArch(arch_));
  EXPECT_EQ(N("arch"), 0);
  EXPECT_EQ(
      N("repository", repo + " AND arch_id IS NULL AND category_id = " + std::to_string(category_) +
                          " AND directory_id = " + std::to_string(dir_)),
      1);
  EXPECT_THAT(ref.DeleteVersion(version_), mm::testing::StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ref.DeleteArch(arch_), mm::testing::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CascadeTest, RepositoryDeleteTakesItsPropagationStats) {
  FixtureBuilder f(*db_);
  int64_t other = f.Repository("pub/fedora/linux/releases/41", "fedora-41", category_, std::nullopt,
                               arch_, dir2_);
  db_->Exec("INSERT INTO propagation_stat (repository_id, datetime, same_day) VALUES (" +
            std::to_string(repo_) + ", '2026-01-01', 3), (" + std::to_string(repo_) +
            ", '2026-01-02', 4), (" + std::to_string(other) + ", '2026-01-01', 5)");
  ReferenceStore ref(*pool_);
  ASSERT_OK(ref.DeleteRepository(repo_));
  EXPECT_EQ(N("repository"), 1);
  EXPECT_EQ(N("propagation_stat"), 1);
  EXPECT_EQ(N("propagation_stat", "repository_id = " + std::to_string(other)), 1);
  // Nothing else moves.
  EXPECT_EQ(N("directory"), 3);
  EXPECT_EQ(N("category"), 1);
  EXPECT_EQ(N("version"), 1);
  EXPECT_EQ(N("arch"), 1);
  EXPECT_THAT(ref.DeleteRepository(repo_), mm::testing::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CascadeTest, DirectoryDeleteCascadesLikeTheOrm) {
  DirectoryStore dirs(*pool_);
  ASSERT_OK_AND_ASSIGN(int deleted, dirs.Delete({dir_}));
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(N("host_category_dir", "directory_id = " + std::to_string(dir_)), 0);
  EXPECT_EQ(N("file_detail"), 0);
  EXPECT_EQ(N("file_detail_file_group"), 0);  // the association rows of file_detail <-> file_group
  EXPECT_EQ(N("file_group"), 1);
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
  EXPECT_EQ(N("host_category_dir", "host_category_id = " + std::to_string(hc_) + " AND up2date"),
            0);
  EXPECT_EQ(
      N("host_category_dir", "host_category_id = " + std::to_string(other_hc_) + " AND up2date"),
      1);
}

}  // namespace
}  // namespace mm::catalog
