// Several mm2_crawler processes on one crawl (leases), a crawler killed or stopped mid-crawl,
// and the propagation sub-command against a fake Bodhi.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "tests/integration/crawler/crawl_fixture.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;

class CrawlLeaseTest : public CrawlTest {};

TEST_F(CrawlLeaseTest, TwoProcessesShareOneCrawlWithoutOverlap) {
  BuildMaster();
  TempDir root;
  auto http = HttpMirror::Start(root.path());
  std::vector<int64_t> hosts;
  for (int i = 0; i < 8; ++i) {
    std::string prefix = absl::StrCat("h", i);
    WriteMirror(root.path(), prefix, false);
    // Each host takes a moment, so both processes get work.
    http->SetRule(absl::StrCat("/", prefix, "/pub/test/a/"), {0, "", absl::Milliseconds(400)});
    hosts.push_back(AddHost(absl::StrCat("host", i, ".example.org"),
                            {http->base() + "/" + prefix + "/pub/test"}));
  }
  std::string cfg = "CRAWLER_CRAWL_ID = 'job-1'\nCRAWLER_LEASE_SECONDS = 30\n";
  ProcessResult a, b;
  std::thread ta([&] { a = RunCrawler({"--threads", "2", "crawl"}, cfg); });
  std::thread tb([&] { b = RunCrawler({"--threads", "2", "crawl"}, cfg); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  // Every host completed exactly once, by one of the two processes; none skipped.
  EXPECT_EQ(Count("SELECT count(*) FROM mm_crawl_lease WHERE crawl_id = 'job-1' AND completed_at "
                  "IS NOT NULL"),
            8);
  EXPECT_EQ(Count("SELECT count(DISTINCT holder) FROM mm_crawl_lease WHERE crawl_id = 'job-1'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM mm_crawl_history WHERE crawl_id = 'job-1'"), 8);
  EXPECT_EQ(Count("SELECT count(DISTINCT host_id) FROM mm_crawl_history WHERE crawl_id = 'job-1'"),
            8);
  EXPECT_EQ(Count("SELECT count(*) FROM host WHERE last_crawled IS NULL"), 0);
  for (int64_t h : hosts) {
    std::string name = absl::StrCat("host", h - hosts[0], ".example.org (", h, ")");
    int in_a = a.out.find(name) != std::string::npos, in_b = b.out.find(name) != std::string::npos;
    EXPECT_EQ(in_a + in_b, 1) << name;
  }
}

class CrawlInterruptTest : public CrawlLeaseTest {
 protected:
  // One host with two categories: "Test Linux" (fast) then "Zeta Slow" (stalls).
  void SetUpSlowHost() {
    BuildMaster();
    WriteMirror(root_.path(), "k", false);
    int64_t product = f_->Product("Zeta");
    int64_t slow = f_->Category("Zeta Slow", product, "pub/zeta");
    f_->Directory("pub/zeta/s", {slow}, true, 0, FilesJson({{"s.bin", "s"}}));
    WriteFile(root_.path(), "k/pub/zeta/s/s.bin", "s");
    http_ = HttpMirror::Start(root_.path());
    http_->SetRule("/k/pub/zeta/s/", {0, "", absl::Seconds(60)});
    host_ = AddHost("k.example.org", {http_->base() + "/k/pub/test"}, &fast_hc_);
    slow_hc_ = f_->HostCategory(host_, slow);
    f_->Url(slow_hc_, http_->base() + "/k/pub/zeta");
  }
  bool WaitForFirstCategory() {
    return WaitFor(
        [&] {
          return Count(
                     absl::StrCat("SELECT count(*) FROM mm_crawl_history WHERE host_category_id = ",
                                  fast_hc_)) == 1;
        },
        absl::Seconds(30));
  }
  TempDir root_;
  std::unique_ptr<HttpMirror> http_;
  int64_t host_ = 0, fast_hc_ = 0, slow_hc_ = 0;
};

TEST_F(CrawlInterruptTest, KilledCrawlerLosesNothingAndItsHostIsTakenOverAfterLeaseExpiry) {
  SetUpSlowHost();
  std::string cfg =
      "CRAWLER_CRAWL_ID = 'job-2'\nCRAWLER_LEASE_SECONDS = 2\nCRAWLER_HTTP_TIMEOUT = 30\n";
  auto a = StartCrawler({"crawl"}, cfg);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitForFirstCategory()) << a->ReadLog();
  auto killed = a->Stop(SIGKILL, absl::Seconds(5));
  ASSERT_OK(killed.status());
  // What was reported before the crash is there.
  EXPECT_EQ(Hcd(fast_hc_, "a"), "t");
  EXPECT_EQ(
      Count(
          "SELECT count(*) FROM mm_crawl_lease WHERE crawl_id = 'job-2' AND completed_at IS NULL"),
      1);
  std::string holder_a =
      catalog_->db().QueryValue("SELECT holder FROM mm_crawl_lease WHERE crawl_id = 'job-2'");
  // A second process of the same crawl waits for the lease to expire, then crawls the host.
  http_->SetRule("/k/pub/zeta/s/", {});
  absl::Time start = absl::Now();
  ProcessResult b = RunCrawler({"crawl"}, cfg);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_THAT(b.out, HasSubstr("k.example.org"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(Count("SELECT count(*) FROM mm_crawl_lease WHERE crawl_id = 'job-2' AND completed_at "
                  "IS NOT NULL"),
            1);
  EXPECT_NE(catalog_->db().QueryValue("SELECT holder FROM mm_crawl_lease WHERE crawl_id = 'job-2'"),
            holder_a);
  EXPECT_EQ(Count("SELECT attempts FROM mm_crawl_lease WHERE crawl_id = 'job-2'"), 2);
  EXPECT_EQ(Hcd(slow_hc_, "s"), "t");
}

TEST_F(CrawlInterruptTest, SigtermReportsPartialResultsAndReleasesTheHost) {
  SetUpSlowHost();
  std::string cfg = "CRAWLER_CRAWL_ID = 'job-3'\nCRAWLER_HTTP_TIMEOUT = 30\n";
  auto a = StartCrawler({"crawl"}, cfg);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitForFirstCategory()) << a->ReadLog();
  absl::Time start = absl::Now();
  auto code = a->Stop(SIGTERM, absl::Seconds(15));
  ASSERT_OK(code.status()) << a->ReadLog();
  EXPECT_EQ(*code, 1);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  std::string log = a->ReadLog();
  EXPECT_THAT(log, HasSubstr("Crawler failed after"));
  EXPECT_EQ(Hcd(fast_hc_, "a"), "t");
  EXPECT_EQ(catalog_->db().QueryValue(absl::StrCat(
                "SELECT result FROM mm_crawl_history WHERE host_category_id = ", slow_hc_)),
            "interrupted");
  // Given back to the crawl: not completed, lease expired; last_crawled written.
  EXPECT_EQ(
      Count("SELECT count(*) FROM mm_crawl_lease WHERE crawl_id = 'job-3' AND completed_at IS NULL "
            "AND expires_at <= (now() AT TIME ZONE 'utc')"),
      1);
  EXPECT_NE(HostField(host_, "last_crawled"), "");
  EXPECT_EQ(HostField(host_, "crawl_failures"), "0");
}

TEST_F(CrawlLeaseTest, PropagationAgainstFakeBodhi) {
  BuildMaster();
  int64_t fedora =
      std::stoll(catalog_->db().QueryValue("SELECT id FROM product WHERE name = 'Test'"));
  catalog_->db().Exec(absl::StrCat("UPDATE product SET name = 'Fedora' WHERE id = ", fedora));
  int64_t version = f_->Version(fedora, "40");
  int64_t arch = f_->Arch("x86_64");
  int64_t repo =
      f_->Repository("pub/test/c", "updates-released-f40", category_, version, arch, dir_ids_["c"]);
  // A newer repomd.xml on the master, 2.5 days after the one the first mirror still has.
  const std::string newest = "<repomd><revision>43</revision></repomd>\n";
  FileDetailRow fd;
  fd.filename = "repomd.xml";
  fd.timestamp = 1700000000 + 216000;
  fd.size = static_cast<int64_t>(newest.size());
  fd.sha256 = Sha256Hex(newest);
  f_->FileDetail(dir_ids_["c/repodata"], fd);
  TempDir root;
  WriteMirror(root.path(), "old", false);
  WriteMirror(root.path(), "new", false);
  WriteFile(root.path(), "new/pub/test/c/repodata/repomd.xml", newest);
  auto http = HttpMirror::Start(root.path());
  AddHost("old.example.org", {http->base() + "/old/pub/test"});
  AddHost("new.example.org", {http->base() + "/new/pub/test"});
  AddHost("rsynconly.example.org", {"rsync://127.0.0.1:1/mirror/pub/test"});
  http->Handle("/bodhi/releases/?page=1",
               R"({"releases": [{"name": "F40", "id_prefix": "FEDORA", "version": "40"},
                               {"name": "F40C", "id_prefix": "FEDORA-CONTAINER", "version": "40"}],
                   "page": 1, "pages": 2, "rows_per_page": 2, "total": 3})",
               "application/json");
  http->Handle("/bodhi/releases/?page=2",
               R"({"releases": [{"name": "EPEL-9", "id_prefix": "FEDORA-EPEL", "version": "9"}],
                   "page": 2, "pages": 2, "rows_per_page": 2, "total": 3})",
               "application/json");
  ProcessResult r =
      RunCrawler({"propagation"}, absl::StrCat("BODHI_URL = '", http->base(), "/bodhi'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Propagation results"));
  EXPECT_EQ(http->Header("/bodhi/releases/", "Accept"), "application/json");
  EXPECT_EQ(Count("SELECT count(*) FROM propagation_stat"), 1);
  EXPECT_EQ(
      catalog_->db().QueryValue(absl::StrCat(
          "SELECT same_day || ',' || one_day || ',' || two_day || ',' || older || ',' || no_info "
          "FROM propagation_stat WHERE repository_id = ",
          repo)),
      "1,0,1,0,1");
  // No host bookkeeping in propagation mode.
  EXPECT_EQ(Count("SELECT count(*) FROM host WHERE last_crawled IS NOT NULL"), 0);
  // --product/--version without Bodhi; a later run gets its own row (rows are per second).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ProcessResult r2 = RunCrawler({"propagation", "--product", "Fedora", "--version", "40"},
                                "BODHI_URL = 'http://127.0.0.1:1'\n");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(Count("SELECT count(*) FROM propagation_stat"), 2);
}

}  // namespace
}  // namespace mm::testing
