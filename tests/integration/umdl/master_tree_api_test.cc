// catalog's MasterTree API (what UMDL writes through), on an in-process catalog and a real
// database: all-or-nothing application of a category, idempotence, the NULL-prefix quirk, the
// paged directory listing, and file_detail ageing.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "mirrormanager/catalog/v1/master_tree.grpc.pb.h"
#include "services/common/rpc_options.h"
#include "services/umdl/catalog_client.h"
#include "tests/integration/umdl/umdl_test_support.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::testing {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MasterTreeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, CatalogHarness::Start());
    FixtureBuilder f(db());
    f.Product("Fedora");
    f.Arch("source");
    f.Arch("x86_64");
    category_ = f.Category("Fedora Linux", 1, "pub/fedora/linux");
    stub_ = pb::MasterTree::NewStub(harness_->channel());
    umdl::ApplyChunking small;  // force many chunks
    small.max_directories = 3;
    small.max_rows = 2;
    client_ = std::make_unique<umdl::GrpcMasterTreeCatalog>(
        harness_->channel(), common::RpcOptions(), absl::Seconds(60), small);
  }
  TestDatabase& db() { return harness_->db(); }

  umdl::CategoryPlan Plan() {
    umdl::CategoryPlan p;
    p.category_name = "Fedora Linux";
    for (const char* n : {"pub/fedora/linux", "pub/fedora/linux/a", "pub/fedora/linux/a/os",
                          "pub/fedora/linux/a/os/repodata", "pub/fedora/linux/b",
                          "pub/fedora/linux/b/SRPMS", "pub/fedora/linux/c"}) {
      umdl::DirectoryChange d;
      d.name = n;
      d.ctime = 100;
      d.readable = true;
      d.set_files = true;
      d.files = {{"z.txt", 1, 2}, {"a.txt", 3, 4}};
      p.directories.push_back(d);
    }
    p.versions = {{"40", false}};
    p.repositories = {
        {"pub/fedora/linux/a/os", std::nullopt, "x86_64", "40"},
        {"pub/fedora/linux/c", std::nullopt, "x86_64", "40"},  // NULL prefix, x86_64 taken
        {"pub/fedora/linux/b/SRPMS", std::nullopt, "source", "40"},
        {"pub/fedora/linux/missing", "p", "x86_64", "40"},
        {"pub/fedora/linux/b", "bad-arch", "ppc", "40"}};
    umdl::FileDetailCandidate fd;
    fd.directory_name = "pub/fedora/linux/a/os/repodata";
    fd.filename = "repomd.xml";
    fd.timestamp = 5;
    fd.size = 6;
    fd.sha256 = std::string(64, 'a');
    p.file_details = {fd, fd};
    return p;
  }

  std::unique_ptr<CatalogHarness> harness_;
  int64_t category_ = 0;
  std::unique_ptr<pb::MasterTree::Stub> stub_;
  std::unique_ptr<umdl::GrpcMasterTreeCatalog> client_;
};

TEST_F(MasterTreeApiTest, ApplyCreatesLinksAndIsIdempotent) {
  ASSERT_OK_AND_ASSIGN(umdl::ApplyResult r, client_->ApplyCategory(Plan()));
  EXPECT_EQ(r.directories_created, 6);
  EXPECT_EQ(r.directories_linked, 1);  // the top existed, unlinked
  EXPECT_EQ(r.directories_updated, 1);
  EXPECT_EQ(r.versions_created, 1);
  EXPECT_EQ(r.repositories_created, 2);
  EXPECT_EQ(r.file_details_created, 1);
  EXPECT_THAT(r.notes, ::testing::Contains(
                           HasSubstr("pub/fedora/linux/missing skipped: no such directory")));
  EXPECT_THAT(r.notes, ::testing::Contains(HasSubstr("no arch ppc")));
  EXPECT_THAT(
      Rows(db(), "SELECT name FROM directory ORDER BY id"),
      ElementsAre(ElementsAre("pub/fedora/linux"), ElementsAre("pub/fedora/linux/a"),
                  ElementsAre("pub/fedora/linux/a/os"),
                  ElementsAre("pub/fedora/linux/a/os/repodata"), ElementsAre("pub/fedora/linux/b"),
                  ElementsAre("pub/fedora/linux/b/SRPMS"), ElementsAre("pub/fedora/linux/c")));
  EXPECT_EQ(db().Count("SELECT count(*) FROM category_directory"), 7);
  EXPECT_EQ(
      db().QueryValue(
          "SELECT convert_from(files, 'UTF8') FROM directory WHERE name = 'pub/fedora/linux/c'"),
      "[{\"name\": \"a.txt\", \"size\": 3, \"timestamp\": 4}, {\"name\": \"z.txt\", \"size\": 1, "
      "\"timestamp\": 2}]");
  // NULL-prefix quirk: one prefix-less repository per arch.
  EXPECT_THAT(
      Rows(db(),
           "SELECT r.name, a.name FROM repository r JOIN arch a ON a.id = r.arch_id ORDER BY r.id"),
      ElementsAre(ElementsAre("pub/fedora/linux/a/os", "x86_64"),
                  ElementsAre("pub/fedora/linux/b/SRPMS", "source")));

  std::string before = db().QueryValue(
      "SELECT string_agg(concat_ws('|', id, xmin), ',' ORDER BY id) FROM directory");
  ASSERT_OK_AND_ASSIGN(umdl::ApplyResult again, client_->ApplyCategory(Plan()));
  EXPECT_EQ(again.directories_created + again.directories_updated + again.directories_linked +
                again.versions_created + again.repositories_created + again.file_details_created,
            0);
  EXPECT_EQ(before,
            db().QueryValue(
                "SELECT string_agg(concat_ws('|', id, xmin), ',' ORDER BY id) FROM directory"));
}

TEST_F(MasterTreeApiTest, StreamWithoutCommitStoresNothing) {
  grpc::ClientContext ctx;
  pb::ApplyCategoryScanResponse resp;
  auto writer = stub_->ApplyCategoryScan(&ctx, &resp);
  pb::CategoryScanChunk chunk;
  chunk.set_category_name("Fedora Linux");
  chunk.add_directories()->set_name("pub/fedora/linux/half");
  ASSERT_TRUE(writer->Write(chunk));
  pb::CategoryScanChunk more;
  more.add_directories()->set_name("pub/fedora/linux/written");
  ASSERT_TRUE(writer->Write(more));
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE name LIKE 'pub/fedora/linux/%'"), 0);
}

TEST_F(MasterTreeApiTest, ClientGoneMidStreamStoresNothing) {
  {
    grpc::ClientContext ctx;
    pb::ApplyCategoryScanResponse resp;
    auto writer = stub_->ApplyCategoryScan(&ctx, &resp);
    pb::CategoryScanChunk chunk;
    chunk.set_category_name("Fedora Linux");
    for (int i = 0; i < 100; ++i)
      chunk.add_directories()->set_name(absl::StrCat("pub/fedora/linux/d", i));
    ASSERT_TRUE(writer->Write(chunk));
    // The worker dies here.
    ctx.TryCancel();
    writer->Finish();
  }
  // The catalog rolled back; the category applies normally afterwards (no lock left behind).
  ASSERT_TRUE(WaitFor(
      [&] {
        return db().Count(
                   "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                   "(SELECT oid FROM pg_database WHERE datname = current_database())") == 0;
      },
      absl::Seconds(10)));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE name LIKE 'pub/fedora/linux/%'"), 0);
  ASSERT_OK_AND_ASSIGN(umdl::ApplyResult r, client_->ApplyCategory(Plan()));
  EXPECT_EQ(r.directories_created, 6);
}

TEST_F(MasterTreeApiTest, BadStreams) {
  umdl::CategoryPlan p = Plan();
  p.category_name = "Nope";
  EXPECT_THAT(client_->ApplyCategory(p),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Nope")));
  p.category_name = "Fedora Linux";
  p.directories[3].name = "";
  EXPECT_THAT(client_->ApplyCategory(p), StatusIs(absl::StatusCode::kInvalidArgument));
  // Nothing of the failed streams was stored.
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 1);
  EXPECT_EQ(db().Count("SELECT count(*) FROM version"), 0);
}

TEST_F(MasterTreeApiTest, DeletionRules) {
  FixtureBuilder f(db());
  int64_t other = f.Category("Other", 1, "pub/other");
  ASSERT_OK(client_->ApplyCategory(Plan()).status());
  f.Directory("pub/fedora/linux/c", {other});  // now in two categories
  int64_t repodata = std::stoll(
      db().QueryValue("SELECT id FROM directory WHERE name = 'pub/fedora/linux/a/os/repodata'"));
  f.Hcd(f.HostCategory(f.Host(f.Site("s"), "h", "US"), category_), repodata, "a/os/repodata");
  umdl::CategoryPlan del;
  del.category_name = "Fedora Linux";
  del.deletions = {"pub/fedora/linux/c", "pub/fedora/linux/a/os/repodata", "pub/fedora/linux",
                   "pub/other", "pub/fedora/linux/a/os"};
  ASSERT_OK_AND_ASSIGN(umdl::ApplyResult r, client_->ApplyCategory(del));
  EXPECT_EQ(r.directories_deleted,
            2);  // repodata (with its file detail and host_category_dir) and a/os
  EXPECT_EQ(r.deletions_refused, 3);  // shared, the top itself, another category's top
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 0);
  EXPECT_EQ(db().Count("SELECT count(*) FROM host_category_dir"), 0);
  EXPECT_EQ(
      db().QueryValue("SELECT COALESCE(directory_id::text, 'NULL') FROM repository WHERE name = "
                      "'pub/fedora/linux/a/os'"),
      "NULL");
}

TEST_F(MasterTreeApiTest, ListCategoryDirectoriesPagesInNameOrder) {
  ASSERT_OK(client_->ApplyCategory(Plan()).status());
  grpc::ClientContext ctx;
  pb::ListCategoryDirectoriesRequest req;
  req.set_category_name("Fedora Linux");
  req.set_page_size(3);
  auto reader = stub_->ListCategoryDirectories(&ctx, req);
  pb::CategoryDirectoryPage page;
  std::vector<std::string> names;
  int pages = 0;
  while (reader->Read(&page)) {
    ++pages;
    for (const auto& d : page.directories()) {
      names.push_back(absl::StrCat(d.name(), d.has_repository() ? " repo" : "", " ", d.ctime()));
    }
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(names, ElementsAre("pub/fedora/linux 100", "pub/fedora/linux/a 100",
                                 "pub/fedora/linux/a/os repo 100",
                                 "pub/fedora/linux/a/os/repodata 100", "pub/fedora/linux/b 100",
                                 "pub/fedora/linux/b/SRPMS repo 100", "pub/fedora/linux/c 100"));
  EXPECT_THAT(client_->ListCategoryDirectories("Nope"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(MasterTreeApiTest, AgeFileDetailsKeepsWhatMirrorsMayStillServe) {
  FixtureBuilder f(db());
  int64_t dir = f.Directory("pub/fedora/linux/x", {category_});
  const int64_t now = 2'000'000'000, day = 86400;
  auto fd = [&](const std::string& name, int64_t age_days_x10) {
    return f.FileDetail(dir, {name, now - age_days_x10 * day / 10, 1, std::nullopt, std::nullopt,
                              std::nullopt, std::nullopt});
  };
  fd("single", 100);                   // kept: the only row
  fd("recent", 10);                    // kept: newest
  int64_t second = fd("recent", 100);  // kept: newest is younger than MAX_STALE_DAYS-1
  int64_t third = fd("recent", 110);   // deleted: older than MAX_STALE_DAYS
  db().Exec(absl::StrCat("INSERT INTO file_group (name) VALUES ('g')"));
  db().Exec(
      absl::StrCat("INSERT INTO file_detail_file_group (file_detail_id, file_group_id) SELECT ",
                   third, ", id FROM file_group"));
  fd("old", 50);                       // kept: newest
  int64_t old_second = fd("old", 60);  // deleted: newest older than 3 days, second stale
  fd("fresh", 10);
  fd("fresh", 20);
  fd("fresh", 35);  // kept: not older than 4 days
  ASSERT_OK_AND_ASSIGN(int deleted, client_->AgeFileDetails(4, now));
  EXPECT_EQ(deleted, 2);
  EXPECT_EQ(db().Count(absl::StrCat("SELECT count(*) FROM file_detail WHERE id IN (", third, ",",
                                    old_second, ")")),
            0);
  EXPECT_EQ(db().Count(absl::StrCat("SELECT count(*) FROM file_detail WHERE id = ", second)), 1);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 7);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail_file_group"), 0);
}

}  // namespace
}  // namespace mm::testing
