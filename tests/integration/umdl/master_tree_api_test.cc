// catalog's MasterTree API (what UMDL writes through), on an in-process catalog and a real
// database: all-or-nothing application of a category, idempotence, the NULL-prefix quirk, the
// paged directory listing, and file_detail ageing.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>

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

TEST_F(MasterTreeApiTest, SourceFileRecordsAndLegacyFilesComeBackWithTheDirectories) {
  umdl::CategoryPlan p = Plan();
  // repodata: repomd.xml produced a file detail; iso (created here): a checksum file whose two
  // files have file details of which one is then deleted, and a garbage checksum file.
  p.directories[3].set_source_files = true;
  p.directories[3].source_files = {{"repomd.xml", 50, 6, {{"repomd.xml", 5, 6}}}};
  umdl::DirectoryChange iso;
  iso.name = "pub/fedora/linux/a/iso";
  iso.ctime = 7;
  iso.set_source_files = true;
  iso.source_files = {{"X-CHECKSUM", 60, 300, {{"a.iso", 80, 700}, {"b.iso", 80, 700}}},
                      {"junk-CHECKSUM", 61, 3, {}}};
  p.directories.push_back(iso);
  for (const char* n : {"a.iso", "b.iso"}) {
    umdl::FileDetailCandidate fd;
    fd.directory_name = "pub/fedora/linux/a/iso";
    fd.filename = n;
    fd.timestamp = 70;
    fd.size = 700;
    fd.sha256 = std::string(64, 'b');
    p.file_details.push_back(fd);
    fd.timestamp = 80;  // a newer one
    p.file_details.push_back(fd);
  }
  ASSERT_OK(client_->ApplyCategory(p).status());
  db().Exec(
      "DELETE FROM file_detail WHERE filename = 'b.iso'; "
      "UPDATE directory SET files = '\\x80027d71002e'::bytea WHERE name = 'pub/fedora/linux/b'; "
      "UPDATE directory SET files = NULL WHERE name = 'pub/fedora/linux/c'");
  ASSERT_OK_AND_ASSIGN(auto dirs, client_->ListCategoryDirectories("Fedora Linux"));
  std::map<std::string, umdl::DirectoryState> by_name;
  for (auto& d : dirs) by_name[d.name] = d;
  EXPECT_TRUE(by_name["pub/fedora/linux/b"].files_not_json);   // a pickle
  EXPECT_FALSE(by_name["pub/fedora/linux/c"].files_not_json);  // never sampled
  EXPECT_FALSE(by_name["pub/fedora/linux/a"].files_not_json);  // JSON
  const auto& repo = by_name["pub/fedora/linux/a/os/repodata"].source_files;
  ASSERT_EQ(repo.size(), 1u);
  EXPECT_EQ(repo[0].name, "repomd.xml");
  EXPECT_EQ(repo[0].timestamp, 50);
  ASSERT_EQ(repo[0].derived.size(), 1u);
  EXPECT_TRUE(repo[0].derived[0].has_file_detail);
  EXPECT_EQ(repo[0].derived[0].file, (umdl::DerivedFile{"repomd.xml", 5, 6}));
  const auto& sums = by_name["pub/fedora/linux/a/iso"].source_files;
  ASSERT_EQ(sums.size(), 2u);
  EXPECT_EQ(sums[0].name, "X-CHECKSUM");
  EXPECT_EQ(sums[0].size, 300);
  ASSERT_EQ(sums[0].derived.size(), 2u);
  EXPECT_EQ(sums[0].derived[0].file, (umdl::DerivedFile{"a.iso", 80, 700}));
  EXPECT_TRUE(sums[0].derived[0].has_file_detail);
  EXPECT_EQ(sums[0].derived[1].file.name, "b.iso");
  EXPECT_FALSE(sums[0].derived[1].has_file_detail);  // deleted
  EXPECT_EQ(sums[1].name, "junk-CHECKSUM");
  EXPECT_TRUE(sums[1].derived.empty());

  // Records are replaced per directory; deleting the directory deletes them.
  umdl::CategoryPlan update;
  update.category_name = "Fedora Linux";
  umdl::DirectoryChange again;
  again.name = "pub/fedora/linux/a/iso";
  again.set_source_files = true;
  again.source_files = {{"X-CHECKSUM", 61, 301, {{"a.iso", 70, 700}}}};
  update.directories = {again};
  ASSERT_OK(client_->ApplyCategory(update).status());
  EXPECT_THAT(Rows(db(),
                   "SELECT s.filename, s.timestamp, s.size, array_to_string(s.derived, ','), "
                   "array_to_string(s.derived_timestamp, ','), array_to_string(s.derived_size, "
                   "',') FROM mm_umdl_source_file s JOIN directory d ON d.id = s.directory_id "
                   "WHERE d.name = 'pub/fedora/linux/a/iso'"),
              ElementsAre(ElementsAre("X-CHECKSUM", "61", "301", "a.iso", "70", "700")));
  umdl::CategoryPlan del;
  del.category_name = "Fedora Linux";
  del.deletions = {"pub/fedora/linux/a/iso"};
  ASSERT_OK(client_->ApplyCategory(del).status());
  EXPECT_EQ(db().Count("SELECT count(*) FROM mm_umdl_source_file"), 1);  // repodata's
}

TEST_F(MasterTreeApiTest, NamesPostgresCannotStoreAreSkippedAndCounted) {
  umdl::CategoryPlan p = Plan();
  umdl::DirectoryChange bad;
  bad.name = "pub/fedora/linux/bad\xff";
  p.directories.push_back(bad);
  umdl::DirectoryChange nul;
  nul.name = std::string("pub/fedora/linux/n\0ul", 20);
  p.directories.push_back(nul);
  p.directories[1].files.push_back({"latin1-\xe9.txt", 1, 1});  // in pub/fedora/linux/a
  p.directories[1].set_source_files = true;
  p.directories[1].source_files = {
      {"ok-CHECKSUM", 1, 1, {{"\xc3\x28.iso", 1, 1}, {"fine.iso", 2, 2}}}};
  p.versions.push_back({"\xfe", false});
  umdl::FileDetailCandidate fd;
  fd.directory_name = "pub/fedora/linux/a";
  fd.filename = "\xed\xa0\x80.iso";  // an encoded surrogate: not valid UTF-8
  p.file_details.push_back(fd);
  ASSERT_OK_AND_ASSIGN(umdl::ApplyResult r, client_->ApplyCategory(p));
  EXPECT_EQ(r.invalid_names_skipped, 6);
  EXPECT_EQ(r.directories_created, 6);  // everything else as without them
  EXPECT_THAT(r.notes, ::testing::Contains(HasSubstr("pub/fedora/linux/bad\\xff")));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 7);
  EXPECT_EQ(db().Count("SELECT count(*) FROM version"), 1);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 1);
  EXPECT_THAT(DirectoryFiles(db(), "pub/fedora/linux/a"),
              ElementsAre(::testing::Key("a.txt"), ::testing::Key("z.txt")));
  EXPECT_EQ(db().QueryValue("SELECT array_to_string(derived, ',') FROM mm_umdl_source_file"),
            "fine.iso");
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

// The comparisons are upstream's: the second newest goes only when the newest is strictly older
// than now - (MAX_STALE_DAYS - 1) days, any older row only when strictly older than
// now - MAX_STALE_DAYS days. Rows without a timestamp are never deleted (upstream crashed).
TEST_F(MasterTreeApiTest, AgeFileDetailsBoundaries) {
  FixtureBuilder f(db());
  int64_t dir = f.Directory("pub/fedora/linux/y", {category_});
  const int64_t now = 2'000'000'000, day = 86400;
  const int64_t stale = now - 2 * day, propagation = now - day;  // MAX_STALE_DAYS = 2
  std::map<std::string, int64_t> ids;
  auto fd = [&](const std::string& name, std::optional<int64_t> ts, const std::string& tag) {
    ids[tag] =
        f.FileDetail(dir, {name, ts, 1, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  };
  fd("at-propagation", propagation, "a1");  // newest not older than propagation:
  fd("at-propagation", stale - 10, "a2");   // the second newest stays although stale,
  fd("at-propagation", stale - 20, "a3");   // the third goes
  fd("past-propagation", propagation - 1, "b1");
  fd("past-propagation", stale, "b2");      // exactly stale: not older, stays
  fd("past-propagation", stale - 1, "b3");  // goes
  fd("untimed", stale - 100, "c1");
  fd("untimed", std::nullopt, "c2");  // stays
  ASSERT_OK_AND_ASSIGN(int deleted, client_->AgeFileDetails(2, now));
  EXPECT_EQ(deleted, 2);
  std::vector<std::string> left;
  for (const auto& [tag, id] : ids) {
    if (db().Count(absl::StrCat("SELECT count(*) FROM file_detail WHERE id = ", id)) == 1)
      left.push_back(tag);
  }
  EXPECT_THAT(left, ElementsAre("a1", "a2", "b1", "b2", "c1", "c2"));
}

}  // namespace
}  // namespace mm::testing
