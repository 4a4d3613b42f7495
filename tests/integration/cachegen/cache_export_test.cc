// catalog's CacheExport stream, read with a raw gRPC client: the stream contract of
// cache_export.proto (header first, one section per chunk in order, batches, trailer counts),
// the filters of upstream's queries, and cancellation.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "mirrormanager/catalog/v1/cache_export.grpc.pb.h"
#include "tests/testing/catalog_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::catalog {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using ::mm::testing::FixtureBuilder;
using ::testing::ElementsAre;

// Section numbers (chunk field numbers) a chunk carries.
std::vector<int> Sections(const pb::MirrorlistSnapshotChunk& c) {
  std::vector<int> out;
  const auto* d = c.GetDescriptor();
  const auto* r = c.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    bool set = f->is_repeated() ? r->FieldSize(c, f) > 0 : r->HasField(c, f);
    if (set) out.push_back(f->number());
  }
  return out;
}

int Rows(const pb::MirrorlistSnapshotChunk& c) {
  return c.arches_size() + c.categories_size() + c.directories().id_size() + c.hosts_size() +
         c.host_categories_size() + c.host_category_urls_size() + c.host_country_allowed_size() +
         c.host_countries_size() + c.host_netblocks_size() + c.host_peer_asns_size() +
         c.category_directories().category_id_size() + c.repositories_size() +
         c.repository_redirects_size() + c.country_continent_redirects_size() +
         c.netblock_countries_size() + c.host_category_dirs().directory_id_size() +
         c.file_details_size();
}

class CacheExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, mm::testing::CatalogHarness::Start());
    stub_ = pb::CacheExport::NewStub(harness_->channel());
    FixtureBuilder f(harness_->db());
    int64_t product = f.Product("Fedora");
    int64_t cat = f.Category("Fedora Linux", product, "pub/fedora/linux");
    int64_t site = f.Site("s");
    for (int i = 0; i < 7; ++i)
      dirs_.push_back(f.Directory("pub/fedora/linux/d" + std::to_string(i), {cat}));
    int64_t host = f.Host(site, "h", "DE");
    int64_t orphan = f.Host(std::nullopt, "no-site", "DE");
    hc_ = f.HostCategory(host, cat);
    f.HostCategory(orphan, cat);
    public_url_ = f.Url(hc_, "http://h/linux");
    f.Url(hc_, "http://h/private", /*private_url=*/true);
    for (int i = 0; i < 5; ++i) f.Hcd(hc_, dirs_[i], "d" + std::to_string(i), /*up2date=*/true);
    f.Hcd(hc_, dirs_[5], "d5", /*up2date=*/false);
    f.Hcd(hc_, std::nullopt, "gone", /*up2date=*/true);
    for (int i = 0; i < 3; ++i) f.FileDetail(dirs_[i], {"repomd.xml", 10 + i, 1});
    int64_t arch = f.Arch("x86_64");
    int64_t version = f.Version(product, "40");
    f.Repository("r1", "fedora-40", cat, version, arch, dirs_[0]);
    f.Repository("r2", "no-version", cat, std::nullopt, arch, dirs_[1]);
    host_ = host;
  }

  std::vector<pb::MirrorlistSnapshotChunk> ReadAll(int batch_rows) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::MirrorlistSnapshotRequest req;
    req.set_batch_rows(batch_rows);
    auto reader = stub_->StreamMirrorlistSnapshot(&ctx, req);
    std::vector<pb::MirrorlistSnapshotChunk> chunks;
    pb::MirrorlistSnapshotChunk c;
    while (reader->Read(&c)) chunks.push_back(c);
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return chunks;
  }

  std::unique_ptr<mm::testing::CatalogHarness> harness_;
  std::unique_ptr<pb::CacheExport::Stub> stub_;
  std::vector<int64_t> dirs_;
  int64_t hc_ = 0, host_ = 0, public_url_ = 0;
};

TEST_F(CacheExportTest, StreamContract) {
  std::vector<pb::MirrorlistSnapshotChunk> chunks = ReadAll(/*batch_rows=*/2);
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_THAT(Sections(chunks.front()), ElementsAre(1));
  EXPECT_GT(chunks.front().header().snapshot_time(), 0);
  EXPECT_THAT(Sections(chunks.back()), ElementsAre(19));
  int last = 1;
  std::map<std::string, int64_t> received;
  for (size_t i = 1; i + 1 < chunks.size(); ++i) {
    std::vector<int> s = Sections(chunks[i]);
    ASSERT_EQ(s.size(), 1u) << "chunk " << i;
    EXPECT_GE(s[0], last) << "sections out of order";
    last = s[0];
    EXPECT_GE(Rows(chunks[i]), 1);
    EXPECT_LE(Rows(chunks[i]), 2);
    received[chunks[i].GetDescriptor()->FindFieldByNumber(s[0])->name()] += Rows(chunks[i]);
  }
  std::map<std::string, int64_t> trailer(chunks.back().trailer().row_counts().begin(),
                                         chunks.back().trailer().row_counts().end());
  for (const auto& [section, n] : received) EXPECT_EQ(trailer[section], n) << section;
  EXPECT_EQ(received["directories"], 8);  // 7 + the top directory
  EXPECT_EQ(received["file_details"], 3);
}

TEST_F(CacheExportTest, RowsFollowUpstreamQueries) {
  pb::MirrorlistSnapshotChunk all;
  for (const auto& c : ReadAll(0)) all.MergeFrom(c);
  ASSERT_EQ(all.hosts_size(), 1);  // the host without a site is not sent (Q1 join)
  EXPECT_EQ(all.hosts(0).id(), host_);
  EXPECT_EQ(all.host_categories_size(), 2);     // Q7: every row
  ASSERT_EQ(all.host_category_urls_size(), 1);  // Q3: public only
  EXPECT_EQ(all.host_category_urls(0).id(), public_url_);
  // Q9: up to date, with a directory.
  EXPECT_EQ(all.host_category_dirs().directory_id_size(), 5);
  ASSERT_EQ(all.repositories_size(), 1);  // Q11: version, arch and directory set
  EXPECT_EQ(all.repositories(0).prefix(), "fedora-40");
  // Q10 order: directory, then newest first.
  std::vector<int64_t> fd_dirs;
  for (const auto& f : all.file_details()) fd_dirs.push_back(f.directory_id());
  EXPECT_THAT(fd_dirs, ElementsAre(dirs_[0], dirs_[1], dirs_[2]));
}

TEST_F(CacheExportTest, CancelledStreamsReleaseTheirConnection) {
  // More cancelled streams than the harness has pooled connections (4).
  for (int i = 0; i < 6; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::MirrorlistSnapshotRequest req;
    req.set_batch_rows(1);
    auto reader = stub_->StreamMirrorlistSnapshot(&ctx, req);
    pb::MirrorlistSnapshotChunk c;
    ASSERT_TRUE(reader->Read(&c));
    ctx.TryCancel();
    while (reader->Read(&c)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_GT(ReadAll(0).size(), 2u);
}

}  // namespace
}  // namespace mm::catalog
