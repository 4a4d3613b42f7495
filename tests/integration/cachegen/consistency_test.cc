// The cache reflects one point in time even while the database changes during the run.
//
// A mutator commits transactions k = 1, 2, ... each of which moves the whole mirror network
// from one state to the next: host A's bandwidth becomes k, every directory is up to date on
// host A when k is odd and on host B when k is even, and a file_detail with timestamp k is
// added to a marker directory. A consistent snapshot therefore shows, for a single k: A's
// bandwidth k, the marker's newest timestamp k, and the same single host on every directory.
// Upstream's 15 independent queries would mix states.
//
// The generator reads the real catalog stream through a decorator that pauses after each
// chunk, so that mutations certainly commit between the reads of different tables (and of
// different batches of one table).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/cachegen/catalog_client.h"
#include "services/cachegen/generator.h"
#include "services/cachegen/resolver.h"
#include "tests/integration/cachegen/cachegen_testing.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::cachegen::testing {
namespace {

using ::mm::testing::FixtureBuilder;

// Wraps a real source and sleeps after every chunk, counting chunks.
class SlowSource final : public SnapshotSource {
 public:
  SlowSource(std::unique_ptr<SnapshotSource> inner, absl::Duration pause)
      : inner_(std::move(inner)), pause_(pause) {}
  absl::Status Stream(const ChunkHandler& on_chunk) override {
    return inner_->Stream([&](const SnapshotChunk& c) {
      ++chunks;
      absl::SleepFor(pause_);
      return on_chunk(c);
    });
  }
  void Cancel() override { inner_->Cancel(); }
  int chunks = 0;

 private:
  std::unique_ptr<SnapshotSource> inner_;
  absl::Duration pause_;
};

TEST(ConsistencyTest, CacheMatchesOnePointInTimeWhileTheDatabaseChanges) {
  ASSERT_OK_AND_ASSIGN(auto harness, mm::testing::CatalogHarness::Start());
  FixtureBuilder f(harness->db());
  int64_t product = f.Product("Fedora");
  int64_t cat = f.Category("Fedora Linux", product, "pub/fedora/linux");
  int64_t site = f.Site("s");
  int64_t a = f.Host(site, "a", "DE");
  int64_t b = f.Host(site, "b", "SE");
  int64_t hc_a = f.HostCategory(a, cat), hc_b = f.HostCategory(b, cat);
  f.Url(hc_a, "http://a/linux");
  f.Url(hc_b, "http://b/linux");
  constexpr int kDirs = 200;
  std::vector<std::string> names;
  for (int i = 0; i < kDirs; ++i) {
    names.push_back(absl::StrCat("pub/fedora/linux/d", i));
    int64_t d = f.Directory(names.back(), {cat});
    f.Hcd(hc_a, d, absl::StrCat("d", i), false);
    f.Hcd(hc_b, d, absl::StrCat("d", i), true);  // state k = 0: all on B
  }
  int64_t marker = f.Directory("pub/marker");
  f.FileDetail(marker, {"marker", 0, 0});
  harness->db().Exec(absl::StrCat("UPDATE host SET bandwidth_int = 10000 WHERE id = ", a));

  std::atomic<bool> stop{false};
  std::atomic<int64_t> committed{0};
  std::thread mutator([&] {
    pqxx::connection c(harness->db().conninfo());
    for (int64_t k = 1; !stop && k < 1000000; ++k) {
      pqxx::work tx(c);
      tx.exec(absl::StrCat("UPDATE host SET bandwidth_int = ", k, " WHERE id = ", a));
      tx.exec(absl::StrCat("UPDATE host_category_dir SET up2date = (host_category_id = ",
                           k % 2 == 1 ? hc_a : hc_b, ")"));
      tx.exec(
          absl::StrCat("INSERT INTO file_detail (directory_id, filename, timestamp, size) "
                       "VALUES (",
                       marker, ", 'marker', ", k, ", 0)"));
      tx.commit();
      committed = k;
      absl::SleepFor(absl::Milliseconds(2));
    }
  });
  while (committed < 2) absl::SleepFor(absl::Milliseconds(5));

  int64_t interleaved = 0;
  for (int run = 0; run < 3; ++run) {
    int64_t before = committed;
    auto source = std::make_unique<SlowSource>(
        ConnectCatalog(harness->address(), absl::Seconds(120), /*batch_rows=*/25),
        absl::Milliseconds(10));
    SlowSource* slow = source.get();
    std::string path = TempPath("consistent.proto");
    GenerateOptions options;
    options.outfile = path;
    options.attempts = 1;
    SystemResolver resolver(1);
    Generator generator(options, *source, resolver, nullptr);
    ASSERT_OK(generator.Run().status());
    int64_t after = committed;
    interleaved += after - before;

    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    mc::MirrorList cache;
    ASSERT_TRUE(cache.ParseFromString(bytes.str()));
    int64_t k = IntInt(cache.hostbandwidthcache())[a];
    ASSERT_GE(k, before) << "run " << run;
    ASSERT_LE(k, after);
    // The marker's newest version is the same transaction's.
    bool found = false;
    for (const auto& dir : cache.filedetailscache()) {
      if (dir.directory() != "pub/marker") continue;
      found = true;
      ASSERT_EQ(dir.filedetailscachefiles(0).filename(), "marker");
      EXPECT_EQ(static_cast<int64_t>(dir.filedetailscachefiles(0).filedetails(0).timestamp()), k);
      EXPECT_EQ(dir.filedetailscachefiles(0).filedetails_size(), k + 1);
    }
    EXPECT_TRUE(found);
    // Every directory shows the same host: A when k is odd, B when even.
    int64_t expected = k % 2 == 1 ? a : b;
    ASSERT_EQ(cache.mirrorlistcache_size(), kDirs);
    for (const auto& e : cache.mirrorlistcache()) {
      ASSERT_THAT(Ids(e.global()), ::testing::ElementsAre(expected))
          << e.directory() << " at k = " << k << " (run " << run << ")";
    }
    EXPECT_GT(slow->chunks, 20);  // the stream really was read in many pieces
  }
  stop = true;
  mutator.join();
  // The mutator committed while the runs were streaming, so the check above meant something.
  EXPECT_GT(interleaved, 3);
}

}  // namespace
}  // namespace mm::cachegen::testing
