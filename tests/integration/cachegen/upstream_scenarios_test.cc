// The generator scenarios of upstream's test suite (mirrorlist-server.md §5.5,
// mm2-backend.md §10 items 26-30), on the same fixture, with hosts 23 and 56 present in the
// database instead of upstream's "unknown host -> copy of the first host" fallback.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "mirrormanager/catalog/v1/cache_export.grpc.pb.h"
#include "tests/integration/cachegen/cachegen_testing.h"
#include "tests/testing/status_matchers.h"

namespace mm::cachegen::testing {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

class UpstreamScenariosTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(harness_, mm::testing::CatalogHarness::Start()); }

  // setup_db(cat_id) of generate_mirrorlist_cache_test/mod.rs, with the rows our schema's
  // foreign keys need (arch 8, version 6, directory 30001, site 9) and hosts 23 and 56.
  void SetupDb(int cat_id) {
    std::string topdir = cat_id == 5 ? "test/topdir" : "";
    std::string dir = cat_id == 5 ? "test/topdir/directory/repodata" : "directory/repodata";
    auto& db = harness_->db();
    db.Exec("INSERT INTO arch (id, name) VALUES (8, 'arch-8')");
    db.Exec("INSERT INTO product (id, name) VALUES (1, 'product')");
    db.Exec("INSERT INTO version (id, name, product_id) VALUES (6, 'version-6', 1)");
    db.Exec(absl::StrCat("INSERT INTO directory (id, name) VALUES (69, '", topdir, "'), (744, '",
                         dir, "'), (30001, 'directory-30001')"));
    db.Exec(absl::StrCat("INSERT INTO category (id, name, topdir_id) VALUES (", cat_id,
                         ", 'category', 69)"));
    db.Exec(absl::StrCat(
        "INSERT INTO repository (name, prefix, category_id, version_id, arch_id, directory_id, "
        "disabled) VALUES ('repo', 'pre', ",
        cat_id, ", 6, 8, 30001, false)"));
    db.Exec(
        "INSERT INTO file_detail (id, directory_id, filename, size, timestamp, sha1, sha256, "
        "sha512, md5) VALUES (72, 744, 'repomd.xml', 177, 992465, 'sha1sum', 'sha256sum', "
        "'sha512sum', NULL)");
    db.Exec(absl::StrCat("INSERT INTO category_directory (category_id, directory_id) VALUES (",
                         cat_id, ", 744)"));
    db.Exec(
        "INSERT INTO site (id, name, user_active, admin_active, private, created_by) VALUES "
        "(9, 'site', true, true, false, 'test')");
    for (int host : {3393, 23, 56}) {
      db.Exec(absl::StrCat(
          "INSERT INTO host (id, name, site_id, user_active, admin_active, bandwidth_int, "
          "country, asn_clients, asn, max_connections, private, internet2, internet2_clients) "
          "VALUES (",
          host, ", 'test-host-", host,
          "', 9, true, true, 33, 'uQ', true, 553, 23, false, false, false)"));
    }
    db.Exec(absl::StrCat(
        "INSERT INTO host_category (id, host_id, category_id, always_up2date) VALUES (5193, 23, ",
        cat_id, ", false), (773, 56, ", cat_id, ", true)"));
  }

  // Everything the catalog streams for one snapshot, merged into one chunk.
  pb::MirrorlistSnapshotChunk Snapshot() {
    auto stub = pb::CacheExport::NewStub(harness_->channel());
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto reader = stub->StreamMirrorlistSnapshot(&ctx, pb::MirrorlistSnapshotRequest());
    pb::MirrorlistSnapshotChunk chunk, all;
    while (reader->Read(&chunk)) all.MergeFrom(chunk);
    EXPECT_TRUE(reader->Finish().ok());
    return all;
  }

  std::unique_ptr<mm::testing::CatalogHarness> harness_;
};

// get_element_test: host-scoped values (here: the countries a host is restricted to).
TEST_F(UpstreamScenariosTest, HostScopedElements) {
  auto& db = harness_->db();
  db.Exec("INSERT INTO site (id, name, created_by) VALUES (1, 's', 'test')");
  for (int host : {17, 39, 42}) {
    db.Exec(absl::StrCat("INSERT INTO host (id, name, site_id, country) VALUES (", host, ", 'h",
                         host, "', 1, 'DE')"));
  }
  db.Exec(
      "INSERT INTO host_country_allowed (host_id, country) VALUES (17, 'test23'), "
      "(17, 'test24'), (39, 'test7')");
  ASSERT_OK_AND_ASSIGN(Generated g, GenerateFrom(*harness_));
  std::map<int64_t, std::vector<std::string>> by_host;
  for (const auto& e : g.cache.hostcountryallowedcache()) {
    by_host[e.key()] = {e.value().begin(), e.value().end()};
  }
  EXPECT_THAT(by_host, ElementsAre(Pair(17, ElementsAre("TEST23", "TEST24")),
                                   Pair(39, ElementsAre("TEST7"))));  // 42: none
}

// get_repositories_test.
TEST_F(UpstreamScenariosTest, RepositoryRowAsInserted) {
  SetupDb(4);
  pb::MirrorlistSnapshotChunk s = Snapshot();
  ASSERT_EQ(s.repositories_size(), 1);
  const auto& r = s.repositories(0);
  EXPECT_EQ(r.prefix(), "pre");
  EXPECT_EQ(r.category_id(), 4);
  EXPECT_EQ(r.version_id(), 6);
  EXPECT_EQ(r.arch_id(), 8);
  EXPECT_EQ(r.directory_id(), 30001);
  EXPECT_FALSE(r.disabled());
}

// get_host_categories_test (rows come by id, so host 56's HC 773 first).
TEST_F(UpstreamScenariosTest, HostCategoryRows) {
  SetupDb(4);
  pb::MirrorlistSnapshotChunk s = Snapshot();
  ASSERT_EQ(s.host_categories_size(), 2);
  EXPECT_EQ(s.host_categories(0).id(), 773);
  EXPECT_EQ(s.host_categories(0).host_id(), 56);
  EXPECT_EQ(s.host_categories(0).category_id(), 4);
  EXPECT_TRUE(s.host_categories(0).always_up2date());
  EXPECT_EQ(s.host_categories(1).id(), 5193);
  EXPECT_EQ(s.host_categories(1).host_id(), 23);
  EXPECT_EQ(s.host_categories(1).category_id(), 4);
  EXPECT_FALSE(s.host_categories(1).always_up2date());
}

void ExpectScenario(const mc::MirrorList& cache, const std::string& directory) {
  ASSERT_EQ(cache.filedetailscache_size(), 1);
  const auto& fd = cache.filedetailscache(0);
  EXPECT_EQ(fd.directory(), directory);
  ASSERT_EQ(fd.filedetailscachefiles_size(), 1);
  EXPECT_EQ(fd.filedetailscachefiles(0).filename(), "repomd.xml");
  ASSERT_EQ(fd.filedetailscachefiles(0).filedetails_size(), 1);
  const auto& d = fd.filedetailscachefiles(0).filedetails(0);
  EXPECT_EQ(d.size(), 177u);
  EXPECT_EQ(d.timestamp(), 992465u);
  EXPECT_EQ(d.sha1(), "sha1sum");
  EXPECT_EQ(d.sha256(), "sha256sum");
  EXPECT_EQ(d.sha512(), "sha512sum");
  EXPECT_FALSE(d.has_md5());

  ASSERT_EQ(cache.mirrorlistcache_size(), 1);
  const auto& m = cache.mirrorlistcache(0);
  EXPECT_EQ(m.directory(), directory);
  EXPECT_EQ(m.subpath(), "directory/repodata");
  // Host 56 (always up to date) is the only candidate; host 23 has no up-to-date HCD.
  EXPECT_THAT(Ids(m.global()), ElementsAre(56));
  EXPECT_THAT(ByCountry(m.bycountry()), ElementsAre(Pair("UQ", ElementsAre(56))));
  EXPECT_THAT(m.byhostid(), IsEmpty());  // no host_category_url rows
}

// get_mlc_test_empty_topdir.
TEST_F(UpstreamScenariosTest, EmptyTopdir) {
  SetupDb(4);
  ASSERT_OK_AND_ASSIGN(Generated g, GenerateFrom(*harness_));
  ExpectScenario(g.cache, "directory/repodata");
}

// get_mlc_test_non_empty_topdir.
TEST_F(UpstreamScenariosTest, NonEmptyTopdir) {
  SetupDb(5);
  ASSERT_OK_AND_ASSIGN(Generated g, GenerateFrom(*harness_));
  ExpectScenario(g.cache, "test/topdir/directory/repodata");
}

}  // namespace
}  // namespace mm::cachegen::testing
