// mm2_crawler against real servers on loopback, for the paths where a mirror or the catalog
// misbehaves: FFT trust (mtimes, spot check), slow and stalled transfers, timeouts with back-off
// and URL fallback, FTP reply codes, rsync partial listings and symlinks, DNS failures, deleted
// hosts and lost leases, host ordering and --category, exit codes, and the host-disabled
// notification.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/crawler/crawl_fixture.h"
#include "tests/testing/fake_servers.h"

namespace mm::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class CrawlRobustnessTest : public CrawlTest {};

// --- fullfiletimelist -----------------------------------------------------------------------

TEST_F(CrawlRobustnessTest, FftComparesMtimesSoASameSizeRepomdChangeIsStale) {
  BuildMaster();
  TempDir root;
  // badrepo/repodata/repomd.xml changed on the master (newer mtime) but kept its size; the
  // mirror still has the previous one, and its FFT says so.
  WriteMirror(root.path(), "m", /*with_fft=*/true);
  auto http = HttpMirror::Start(root.path());
  int64_t hc = 0;
  AddHost("fft.example.org", {http->base() + "/m/pub/test"}, &hc);
  f_->Hcd(hc, dir_ids_["badrepo/repodata"], "badrepo/repodata", true);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(hc, "method"), "fft");
  EXPECT_EQ(Hcd(hc, "badrepo/repodata"), "f");  // same size, other mtime
  EXPECT_EQ(Hcd(hc, "c/repodata"), "t");
  EXPECT_EQ(Hcd(hc, "a"), "t");
  // The FFT and one spot check of the newest repomd.xml it calls fresh (c/repodata).
  EXPECT_EQ(History(hc, "requests"), "2");
  EXPECT_EQ(http->requests(), 2);
  EXPECT_EQ(http->RequestsFor("/m/pub/test/c/repodata/repomd.xml"), 1);
  EXPECT_THAT(http->AcceptEncoding("/m/pub/test/fullfiletimelist-test"), HasSubstr("gzip"));
}

TEST_F(CrawlRobustnessTest, FftNewerThanTheContentIsDistrustedAndHttpDecides) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m", /*with_fft=*/false);
  // The mirror synced the master's FFT but not the files: the FFT claims everything is fresh.
  auto http = HttpMirror::Start(root.path());
  // Served as text/plain, so it also travels gzip-compressed (the crawler asks for it).
  http->Handle("/m/pub/test/fullfiletimelist-test", MasterFft(), "text/plain");
  int64_t hc = 0;
  int64_t host = AddHost("liar.example.org", {http->base() + "/m/pub/test"}, &hc);
  f_->Hcd(hc, dir_ids_["badrepo/repodata"], "badrepo/repodata", true);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(hc, "method"), "http");     // the per-directory check decided
  EXPECT_EQ(Hcd(hc, "badrepo/repodata"), "f");  // SHA-256 differs
  EXPECT_EQ(Hcd(hc, "stale"), "");              // new.rpm missing, whatever the FFT said
  EXPECT_EQ(Hcd(hc, "a"), "t");
  EXPECT_EQ(http->RequestsFor("/m/pub/test/fullfiletimelist-test"), 1);
  EXPECT_THAT(HostLog(host), HasSubstr("FFT spot check failed"));
  EXPECT_EQ(HostField(host, "crawl_failures"), "0");
}

TEST_F(CrawlRobustnessTest, SlowButSteadyFftIsAcceptedBeyondTheTimeout) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m", /*with_fft=*/false);
  auto http = HttpMirror::Start(root.path());
  // A 4 MB FFT (the real entries plus filler) streamed over about 12 s: longer than the 10 s
  // timeout, but never silent for long.
  std::string fft = MasterFft();
  std::string filler;
  for (int i = 0; filler.size() < (4 << 20); ++i) {
    absl::StrAppend(&filler, "1700000000\tf\t", 1000 + i % 977, "\tfiller/dir", i / 100, "/pkg-", i,
                    ".rpm\n");
  }
  fft.insert(fft.find("[Files]\n") + 8, filler);
  HttpMirror::StreamSpec spec;
  spec.body = fft;
  spec.chunk = 64 << 10;
  spec.interval = absl::Milliseconds(12000 / (fft.size() / spec.chunk + 1));
  http->Stream("/m/pub/test/fullfiletimelist-test", spec);
  // The mirror's content is the master's (so the spot check agrees), apart from the standard
  // differences, which the FFT does not show: only the FFT decides here.
  WriteFile(root.path(), "m/pub/test/badrepo/repodata/repomd.xml", dirs_[10].files[0].content);
  int64_t hc = 0;
  AddHost("slow.example.org", {http->base() + "/m/pub/test"}, &hc);
  absl::Time start = absl::Now();
  ProcessResult r = RunCrawler({"crawl"}, "CRAWLER_HTTP_TIMEOUT = 10\n");
  absl::Duration took = absl::Now() - start;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(took, absl::Seconds(10));
  EXPECT_EQ(History(hc, "method"), "fft");
  EXPECT_EQ(History(hc, "result"), "ok");
  EXPECT_EQ(Hcd(hc, "stale"), "t");  // the FFT (the master's) decided it
}

TEST_F(CrawlRobustnessTest, StalledFftTimesOutAndTheDirectoriesAreCheckedInstead) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m", /*with_fft=*/false);
  auto http = HttpMirror::Start(root.path());
  HttpMirror::StreamSpec spec;
  spec.body = MasterFft() + std::string(1 << 20, '\n');
  spec.chunk = 16 << 10;
  spec.interval = absl::Milliseconds(10);
  spec.stall_after = 256 << 10;
  http->Stream("/m/pub/test/fullfiletimelist-test", spec);
  int64_t hc = 0;
  int64_t host = AddHost("stall.example.org", {http->base() + "/m/pub/test"}, &hc);
  absl::Time start = absl::Now();
  ProcessResult r = RunCrawler({"crawl"}, "CRAWLER_HTTP_TIMEOUT = 2\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(History(hc, "method"), "http");
  EXPECT_EQ(Hcd(hc, "a"), "t");
  EXPECT_EQ(Hcd(hc, "stale"), "");
  EXPECT_THAT(HostLog(host), ContainsRegex("fullfiletimelist-test failed: Timeout"));
}

// --- HTTP timeouts, FTP reply codes ------------------------------------------------------------

TEST_F(CrawlRobustnessTest, HttpTimeoutIsRetriedWithBackoffThenTheNextUrlContinues) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "one", false);
  WriteMirror(root.path(), "two", false);
  auto first = HttpMirror::Start(root.path());
  auto second = HttpMirror::Start(root.path());
  first->SetRule("/one/pub/test/b/", {0, "", absl::Seconds(60)});
  int64_t hc = 0;
  int64_t host = AddHost("retry.example.org",
                         {first->base() + "/one/pub/test", second->base() + "/two/pub/test"}, &hc);
  ProcessResult r = RunCrawler({"crawl"}, "CRAWLER_HTTP_TIMEOUT = 1\nCRAWLER_RETRY_ATTEMPTS = 3\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // b timed out three times on the first URL (each a "try later"), then the second URL took
  // over where the first stopped.
  EXPECT_EQ(first->RequestsFor("/one/pub/test/b/"), 3);
  EXPECT_EQ(second->RequestsFor("/two/pub/test/a/"), 0);
  EXPECT_GE(second->RequestsFor("/two/pub/test/b/"), 1);
  EXPECT_EQ(History(hc, "url"), second->base() + "/two/pub/test");
  EXPECT_EQ(Hcd(hc, "a"), "t");
  EXPECT_EQ(Hcd(hc, "b"), "t");
  EXPECT_THAT(HostLog(host), HasSubstr("Server load exceeded on " + first->base() +
                                       "/one/pub/test/b - trying again in "));
  EXPECT_THAT(HostLog(host), HasSubstr("Server load exceeded on " + first->base() +
                                       "/one/pub/test/b - giving up after 3 tries"));
  EXPECT_EQ(HostField(host, "crawl_failures"), "0");
}

TEST_F(CrawlRobustnessTest, FtpReplyCodesMapAsUpstreamIntends) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "f", false);
  WriteMirror(root.path(), "g", false);
  auto ftp = ScriptedFtpServer::Start(root.path());
  // Host 1, FTP only: 553 and 450 on LIST read as an empty listing (not up to date, no retry);
  // a 530 makes the crawler log in again and retry.
  ftp->Script("/f/pub/test/forbidden", {553});
  ftp->Script("/f/pub/test/error", {450});
  ftp->Script("/f/pub/test/a", {530});
  WriteFile(root.path(), "f/pub/test/forbidden/y", "y");
  WriteFile(root.path(), "f/pub/test/error/e", "e");
  int64_t hc1 = 0;
  int64_t h1 = AddHost("ftp1.example.org", {ftp->url() + "/f/pub/test"}, &hc1);
  f_->Hcd(hc1, dir_ids_["forbidden"], "forbidden", true);
  f_->Hcd(hc1, dir_ids_["error"], "error", true);
  // Host 2: 421, 425 and 500 are "try later": retried with back-off, then the next URL (its
  // second FTP URL: nothing ranks below FTP).
  WriteMirror(root.path(), "h", false);
  ftp->Script("/g/pub/test/b", {421, 425, 500});
  int64_t hc2 = 0;
  int64_t h2 =
      AddHost("ftp2.example.org", {ftp->url() + "/g/pub/test", ftp->url() + "/h/pub/test"}, &hc2);
  ProcessResult r = RunCrawler({"--threads", "1", "crawl"}, "CRAWLER_RETRY_ATTEMPTS = 3\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SCOPED_TRACE(r.err);

  EXPECT_EQ(History(hc1, "method"), "ftp");
  EXPECT_EQ(Hcd(hc1, "forbidden"), "f");
  EXPECT_EQ(Hcd(hc1, "error"), "f");
  EXPECT_EQ(ftp->lists("/f/pub/test/forbidden"), 1);
  EXPECT_EQ(ftp->lists("/f/pub/test/error"), 1);
  EXPECT_EQ(ftp->lists("/f/pub/test/a"), 2);  // 530, then logged in again
  EXPECT_EQ(Hcd(hc1, "a"), "t");
  EXPECT_EQ(History(hc1, "directories_unknown"), "0");
  EXPECT_EQ(HostField(h1, "crawl_failures"), "0");

  EXPECT_EQ(ftp->lists("/g/pub/test/b"), 3);
  EXPECT_EQ(ftp->lists("/h/pub/test/a"), 0);  // the second URL resumed at b
  EXPECT_EQ(ftp->lists("/h/pub/test/b"), 1);
  EXPECT_EQ(History(hc2, "method"), "ftp");
  EXPECT_EQ(History(hc2, "url"), ftp->url() + "/h/pub/test");
  EXPECT_EQ(Hcd(hc2, "a"), "t");  // decided over the first URL before b failed
  EXPECT_EQ(Hcd(hc2, "b"), "t");  // decided over the second
  EXPECT_EQ(HostField(h2, "crawl_failures"), "0");
  EXPECT_GE(ftp->logins(), 3);  // first login, the 530 re-login, the re-connect after 421
}

// --- rsync --------------------------------------------------------------------------------------

TEST_F(CrawlRobustnessTest, RsyncPartialListingExit23IsUsed) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "r", false);
  // A directory the daemon's user cannot read: rsync lists everything else and exits 23.
  chmod((root.path() + "/r/pub/test/wrongsize").c_str(), 0700);
  auto rsync = RsyncDaemon::Start(root.path(), "nobody", "nogroup");
  ASSERT_OK(rsync.status());
  int64_t hc = 0;
  int64_t host = AddHost("partial.example.org", {(*rsync)->url() + "/r/pub/test"}, &hc);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(hc, "method"), "rsync");
  EXPECT_EQ(History(hc, "result"), "ok");
  EXPECT_EQ(Hcd(hc, "a"), "t");
  EXPECT_EQ(Hcd(hc, "c/repodata"), "t");
  EXPECT_EQ(Hcd(hc, "wrongsize"), "");
  EXPECT_THAT(HostLog(host), HasSubstr("exited with 23; using the listing"));
  EXPECT_EQ(HostField(host, "crawl_failures"), "0");
}

TEST_F(CrawlRobustnessTest, RsyncPartialListingExit24IsUsed) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "r", false);
  auto rsync = RsyncDaemon::Start(root.path());
  ASSERT_OK(rsync.status());
  // rsync reports vanished files (24) only when a file disappears between readdir and stat,
  // which cannot be arranged deterministically: the real rsync lists the real daemon and its
  // exit status is replaced by 24.
  std::string wrapper = work_.path() + "/rsync24";
  std::ofstream(wrapper) << "#!/bin/sh\n/usr/bin/rsync \"$@\" || exit $?\n"
                            "case \" $* \" in *\" -r \"*) exit 24;; esac\nexit 0\n";
  chmod(wrapper.c_str(), 0755);
  int64_t hc = 0;
  int64_t host = AddHost("vanished.example.org", {(*rsync)->url() + "/r/pub/test"}, &hc);
  ProcessResult r = RunCrawler({"crawl"}, absl::StrCat("CRAWLER_RSYNC_BINARY = '", wrapper, "'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(hc, "method"), "rsync");
  EXPECT_EQ(Hcd(hc, "a"), "t");
  EXPECT_EQ(Hcd(hc, "wrongsize"), "");
  EXPECT_THAT(HostLog(host), HasSubstr("exited with 24; using the listing"));
}

TEST_F(CrawlRobustnessTest, RsyncSymlinksAreAcceptedWhateverTheirSize) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "r", false);
  // The mirror replaced b/g.iso (20 bytes on the master) by a symlink to a short file.
  std::string iso = root.path() + "/r/pub/test/b/g.iso";
  std::filesystem::remove(iso);
  WriteFile(root.path(), "r/pub/test/b/real.iso", "short");
  std::filesystem::create_symlink("real.iso", iso);
  auto rsync = RsyncDaemon::Start(root.path());
  ASSERT_OK(rsync.status());
  int64_t hc = 0;
  AddHost("links.example.org", {(*rsync)->url() + "/r/pub/test"}, &hc);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(hc, "method"), "rsync");
  EXPECT_EQ(Hcd(hc, "b"), "t");
  EXPECT_EQ(Hcd(hc, "wrongsize"), "");  // a regular file of the wrong size still fails
}

// --- host selection, options, exit codes ------------------------------------------------------

TEST_F(CrawlRobustnessTest, HostsAreCrawledSlowestFirstWithNeverCrawledLast) {
  BuildMaster();
  TempDir root;
  auto http = HttpMirror::Start(root.path());
  std::vector<std::pair<std::string, std::string>> hosts = {
      {"five", "5"}, {"never", "NULL"}, {"hundred", "100"}, {"fifty", "50"}};
  for (const auto& [name, duration] : hosts) {
    WriteMirror(root.path(), name, false);
    int64_t id = AddHost(name + ".example.org", {http->base() + "/" + name + "/pub/test"});
    catalog_->db().Exec(
        absl::StrCat("UPDATE host SET last_crawl_duration = ", duration, " WHERE id = ", id));
  }
  ProcessResult r = RunCrawler({"--threads", "1", "crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      catalog_->db().QueryValue(
          "SELECT string_agg(h.name, ',' ORDER BY l.leased_at, l.host_id) FROM mm_crawl_lease l "
          "JOIN host h ON h.id = l.host_id"),
      "hundred.example.org,fifty.example.org,five.example.org,never.example.org");
  EXPECT_EQ(
      catalog_->db().QueryValue(
          "SELECT string_agg(h.name, ',' ORDER BY c.id) FROM mm_crawl_history c JOIN host h ON "
          "h.id = c.host_id"),
      "hundred.example.org,fifty.example.org,five.example.org,never.example.org");
}

TEST_F(CrawlRobustnessTest, CategoryOptionCrawlsOnlyThatCategoryOfAMultiCategoryHost) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "k", false);
  int64_t product = f_->Product("Other");
  int64_t other = f_->Category("Other Linux", product, "pub/other");
  int64_t other_dir = f_->Directory("pub/other/x", {other}, true, 0, FilesJson({{"x.bin", "x"}}));
  WriteFile(root.path(), "k/pub/other/x/x.bin", "x");
  auto http = HttpMirror::Start(root.path());
  int64_t hc = 0;
  int64_t host = AddHost("multi.example.org", {http->base() + "/k/pub/test"}, &hc);
  int64_t other_hc = f_->HostCategory(host, other);
  f_->Url(other_hc, http->base() + "/k/pub/other");
  f_->Hcd(other_hc, other_dir, "x", false);
  ProcessResult r = RunCrawler({"--category", "Test Linux", "crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Hcd(hc, "a"), "t");
  EXPECT_EQ(Hcd(other_hc, "x"), "f");  // untouched
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM mm_crawl_history WHERE host_category_id = ",
                               other_hc)),
            0);
  EXPECT_EQ(http->RequestsFor("/k/pub/other"), 0);
  ProcessResult all = RunCrawler({"crawl"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(Hcd(other_hc, "x"), "t");
}

TEST_F(CrawlRobustnessTest, GlobalTimeoutFailsTheRunUnlessNoFail) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "s", false);
  auto http = HttpMirror::Start(root.path());
  http->SetRule("/s/pub/test/a/", {0, "", absl::Seconds(60)});
  int64_t hc = 0;
  int64_t host = AddHost("slow.example.org", {http->base() + "/s/pub/test"}, &hc);
  catalog_->db().Exec(absl::StrCat("UPDATE host SET crawl_failures = 2 WHERE id = ", host));
  const std::string cfg = "CRAWLER_HTTP_TIMEOUT = 30\n";
  // 0.04 minutes = 2.4 s for the whole run.
  ProcessResult r = RunCrawler({"--global-timeout", "0.04", "crawl"}, cfg);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("Crawler failed after 0h 0m [0-9]+s: maximum run time "
                                   "reached, some host statuses are unknown\n"));
  EXPECT_THAT(r.out, ContainsRegex("slow.example.org \\([0-9]+\\) +UNKNOWN"));
  EXPECT_THAT(HostLog(host), HasSubstr("Crawler reached its maximum execution time, could not "
                                       "complete this host's scan."));
  EXPECT_EQ(HostField(host, "crawl_failures"), "2");  // UNKNOWN: counters untouched
  EXPECT_EQ(History(hc, "result"), "timeout");
  ProcessResult nofail = RunCrawler({"--global-timeout", "0.04", "--no-fail", "crawl"}, cfg);
  EXPECT_EQ(nofail.exit_code, 0) << nofail.err;
  EXPECT_THAT(nofail.out, HasSubstr(": maximum run time reached, some host statuses are unknown"));
}

TEST_F(CrawlRobustnessTest, UnresolvableHostNameIsABrokenBaseUrl) {
  BuildMaster();
  // A 64-character label cannot be put into a DNS query: the lookup fails locally, without
  // any packet leaving the machine.
  std::string name = absl::StrCat(std::string(64, 'x'), ".example.org");
  int64_t hc = 0;
  int64_t host = AddHost("dns.example.org", {absl::StrCat("http://", name, "/pub/test")}, &hc);
  catalog_->db().Exec(absl::StrCat("UPDATE host SET crawl_failures = 1 WHERE id = ", host));
  ProcessResult r = RunCrawler({"--continent", "NA", "crawl"},
                               absl::StrCat("CRAWLER_GEOIP_DATABASE = '", TestDataDir(),
                                            "/geoip/GeoIP2-Country-Test.mmdb'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("dns.example.org \\([0-9]+\\) +UNKNOWN"));
  EXPECT_THAT(HostLog(host), HasSubstr("Broken base URL"));
  EXPECT_EQ(HostField(host, "crawl_failures"), "1");
  EXPECT_EQ(HostField(host, "user_active"), "t");
  EXPECT_EQ(
      Count(absl::StrCat("SELECT count(*) FROM mm_crawl_history WHERE host_category_id = ", hc)),
      0);
}

// --- leases -------------------------------------------------------------------------------------

TEST_F(CrawlRobustnessTest, HostDeletedDuringATwoProcessCrawlDoesNotStallTheOthers) {
  BuildMaster();
  TempDir root;
  auto http = HttpMirror::Start(root.path());
  std::vector<int64_t> hosts;
  for (int i = 0; i < 6; ++i) {
    std::string prefix = absl::StrCat("h", i);
    WriteMirror(root.path(), prefix, false);
    http->SetRule(absl::StrCat("/", prefix, "/pub/test/a/"), {0, "", absl::Milliseconds(700)});
    hosts.push_back(AddHost(absl::StrCat("host", i, ".example.org"),
                            {http->base() + "/" + prefix + "/pub/test"}));
  }
  const int64_t victim = hosts.back();  // crawled last (all durations are NULL: by id)
  const std::string cfg = "CRAWLER_CRAWL_ID = 'job-del'\nCRAWLER_LEASE_SECONDS = 30\n";
  absl::Time start = absl::Now();
  auto a = StartCrawler({"--threads", "1", "--global-timeout", "1", "crawl"}, cfg);
  auto b = StartCrawler({"--threads", "1", "--global-timeout", "1", "crawl"}, cfg);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  // Both processes have their first host; the victim is not leased yet.
  ASSERT_TRUE(WaitFor(
      [&] { return Count("SELECT count(*) FROM mm_crawl_lease WHERE crawl_id = 'job-del'") >= 2; },
      absl::Seconds(20)));
  ASSERT_EQ(Count(absl::StrCat("SELECT count(*) FROM mm_crawl_lease WHERE host_id = ", victim)), 0);
  catalog_->db().Exec(absl::StrCat("DELETE FROM host_category WHERE host_id = ", victim,
                                   "; DELETE FROM host WHERE id = ", victim));
  ASSERT_TRUE(WaitFor(
      [&] {
        return Count(
                   "SELECT count(*) FROM mm_crawl_lease WHERE crawl_id = 'job-del' "
                   "AND completed_at IS NOT NULL") == 5;
      },
      absl::Seconds(40)))
      << a->ReadLog() << b->ReadLog();
  auto ca = a->Stop(0, absl::Seconds(20));
  auto cb = b->Stop(0, absl::Seconds(20));
  ASSERT_OK(ca.status());
  ASSERT_OK(cb.status());
  EXPECT_EQ(*ca, 0) << a->ReadLog();
  EXPECT_EQ(*cb, 0) << b->ReadLog();
  EXPECT_LT(absl::Now() - start, absl::Seconds(45));
  EXPECT_EQ(Count("SELECT count(*) FROM host WHERE last_crawled IS NULL"), 0);
}

TEST_F(CrawlRobustnessTest, ACrawlerThatLostItsLeaseStopsAndWritesNothingMore) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "k", false);
  int64_t product = f_->Product("Zeta");
  int64_t slow = f_->Category("Zeta Slow", product, "pub/zeta");
  f_->Directory("pub/zeta/s", {slow}, true, 0, FilesJson({{"s.bin", "s"}}));
  WriteFile(root.path(), "k/pub/zeta/s/s.bin", "s");
  auto http = HttpMirror::Start(root.path());
  http->SetRule("/k/pub/zeta/s/", {0, "", absl::Seconds(60)});
  int64_t fast_hc = 0;
  int64_t host = AddHost("k.example.org", {http->base() + "/k/pub/test"}, &fast_hc);
  int64_t slow_hc = f_->HostCategory(host, slow);
  f_->Url(slow_hc, http->base() + "/k/pub/zeta");
  const std::string cfg =
      "CRAWLER_CRAWL_ID = 'job-lost'\nCRAWLER_LEASE_SECONDS = 3\nCRAWLER_HTTP_TIMEOUT = 30\n";
  auto a = StartCrawler({"crawl"}, cfg);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Count(absl::StrCat("SELECT count(*) FROM mm_crawl_history WHERE "
                                  "host_category_id = ",
                                  fast_hc)) == 1;
      },
      absl::Seconds(30)))
      << a->ReadLog();
  // Another process of the crawl took the host over (as after an expiry).
  catalog_->db().Exec(
      "UPDATE mm_crawl_lease SET holder = 'other:1:1', expires_at = "
      "(now() AT TIME ZONE 'utc') + interval '1 hour' WHERE crawl_id = 'job-lost'");
  // The next renewal (every lease/3 = 1 s) notices and stops the host in the middle of its
  // stalled request.
  EXPECT_TRUE(WaitFor([&] { return a->ReadLog().find("result not recorded") != std::string::npos; },
                      absl::Seconds(10)))
      << a->ReadLog();
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM mm_crawl_history WHERE host_category_id = ",
                               slow_hc)),
            0);
  EXPECT_EQ(HostField(host, "last_crawled"), "");
  // The new holder finishes the host; the first process then has nothing left to wait for.
  catalog_->db().Exec(
      "UPDATE mm_crawl_lease SET completed_at = (now() AT TIME ZONE 'utc'), status = 'OK' "
      "WHERE crawl_id = 'job-lost'");
  auto code = a->Stop(0, absl::Seconds(20));  // waits for the exit
  ASSERT_OK(code.status()) << a->ReadLog();
  EXPECT_EQ(*code, 0);
  EXPECT_THAT(a->ReadLog(), HasSubstr("lease(s) lost while crawling"));
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM mm_crawl_history WHERE host_category_id = ",
                               slow_hc)),
            0);
  EXPECT_EQ(HostField(host, "last_crawled"), "");
  EXPECT_EQ(
      catalog_->db().QueryValue("SELECT holder FROM mm_crawl_lease WHERE crawl_id = 'job-lost'"),
      "other:1:1");
}

// --- host-disabled notification -----------------------------------------------------------------

TEST_F(CrawlRobustnessTest, AutoDisableIsLoggedCountedAndMailedToTheSiteAdmins) {
  BuildMaster();
  auto smtp = SmtpServer::Start();
  FakePushgateway push;
  int64_t hc = 0;
  int64_t host =
      AddHost("down.example.org", {absl::StrCat("http://127.0.0.1:", FreePort(), "/x")}, &hc);
  int64_t site = std::stoll(HostField(host, "site_id"));
  f_->SiteAdmin(site, "alice");
  f_->SiteAdmin(site, "bob");  // no mm_user row: no address known
  catalog_->db().Exec(
      "INSERT INTO mm_user (user_name, email_address) VALUES ('alice', 'alice@example.org')");
  ProcessResult r = RunCrawler(
      {"crawl"},
      absl::StrCat("CRAWLER_AUTO_DISABLE = 1\nCRAWLER_SEND_EMAIL = True\nSMTP_SERVER = '127.0.0.1:",
                   smtp->port(), "'\nADMIN_EMAIL = 'admin@example.org'\n",
                   "APPLICATION_URL = 'https://mm.example.org/mirrormanager/'\n",
                   "PUSHGATEWAY_URL = '", push.url(), "'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(HostField(host, "user_active"), "f");
  // The structured line carries upstream's HostCrawlerDisabledV1 body.
  EXPECT_THAT(r.err + r.out, HasSubstr("HostCrawlerDisabledV1 {"));
  // Without a broker (FEDORA_MESSAGING_AMQP_URL), said once at the start.
  const std::string unset = "FEDORA_MESSAGING_AMQP_URL is not set";
  const size_t at = r.err.find(unset);
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(r.err.find(unset, at + 1), std::string::npos);
  EXPECT_THAT(r.err + r.out, HasSubstr("\"admins\":[\"alice\",\"bob\"]"));
  EXPECT_THAT(
      r.err + r.out,
      HasSubstr(absl::StrCat("\"url\":\"https://mm.example.org/mirrormanager/host/", host, "\"")));
  EXPECT_THAT(r.err + r.out, HasSubstr("\"reason\":\"Host has been disabled (user_active) after 1 "
                                       "consecutive crawl failures\""));
  EXPECT_THAT(push.bodies(),
              HasSubstr("mm_crawler_hosts_disabled_total{reason=\"auto_disable\"} 1"));
  ASSERT_TRUE(WaitFor([&] { return !smtp->messages().empty(); }, absl::Seconds(5)));
  std::string mail = smtp->messages()[0];
  EXPECT_THAT(mail, HasSubstr("Subject: MirrorManager crawler: host down.example.org disabled"));
  EXPECT_THAT(mail, HasSubstr("To: alice@example.org, admin@example.org"));
  EXPECT_THAT(
      mail, HasSubstr(absl::StrCat("https://mm.example.org/mirrormanager/crawler/", host, ".log")));
  EXPECT_THAT(smtp->rcpts(),
              ::testing::UnorderedElementsAre("<alice@example.org>", "<admin@example.org>"));
}

}  // namespace
}  // namespace mm::testing
