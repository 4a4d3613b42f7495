// mm2_crawler against real servers on loopback (HTTP, HTTPS, rsync daemon, vsftpd): each
// scenario asserts host_category_dir states, host bookkeeping and the crawl history in the
// catalog database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/crawler/crawl_fixture.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;

class CrawlScenarioTest : public CrawlTest {
 protected:
  // Pre-existing HCDs: a (stale -> becomes up to date), gone/error/unreadable/old (up to date).
  void SeedHcds(int64_t hc) {
    f_->Hcd(hc, dir_ids_["a"], "a", false);
    f_->Hcd(hc, dir_ids_["gone"], "gone", true);
    f_->Hcd(hc, dir_ids_["error"], "error", true);
    f_->Hcd(hc, dir_ids_["unreadable"], "unreadable", true);
    f_->Hcd(hc, std::nullopt, "old/removed", true);
  }
  void ExpectCommon(int64_t hc) {
    EXPECT_EQ(Hcd(hc, "a"), "t");
    EXPECT_EQ(Hcd(hc, "b"), "t");
    EXPECT_EQ(Hcd(hc, "c"), "t");
    EXPECT_EQ(Hcd(hc, "c/repodata"), "t");
    EXPECT_EQ(Hcd(hc, "stale"), "");
    EXPECT_EQ(Hcd(hc, "wrongsize"), "");
    EXPECT_EQ(Hcd(hc, "moved"), "");
    EXPECT_EQ(Hcd(hc, "unreadable"), "f");   // not crawled: unseen
    EXPECT_EQ(Hcd(hc, "old/removed"), "f");  // no longer in the category: unseen
    // Paths never carry a leading slash.
    EXPECT_EQ(catalog_->db().Count("SELECT count(*) FROM host_category_dir WHERE path LIKE '/%'"),
              0);
  }
  void ExpectOkBookkeeping(int64_t host) {
    EXPECT_NE(HostField(host, "last_crawled"), "");
    EXPECT_EQ(HostField(host, "crawl_failures"), "0");
    EXPECT_EQ(HostField(host, "user_active"), "t");
    EXPECT_NE(HostField(host, "last_crawl_duration"), "");
  }
};

TEST_F(CrawlScenarioTest, HttpPerDirectoryChecksStatusCodesSizesAndRepomd) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m1", /*with_fft=*/false);
  auto http = HttpMirror::Start(root.path());
  http->SetRule("/m1/pub/test/forbidden/", {403});
  http->SetRule("/m1/pub/test/gone/", {410});
  http->SetRule("/m1/pub/test/error/", {500});
  http->SetRule("/m1/pub/test/moved/", {302, "http://elsewhere.invalid/"});
  int64_t hc = 0;
  int64_t host = AddHost("m1.example.org", {http->base() + "/m1/pub/test/"}, &hc);
  SeedHcds(hc);

  ProcessResult r = RunCrawler({"--threads", "2", "crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("Crawl results"));
  EXPECT_THAT(r.out, HasSubstr("m1.example.org (" + std::to_string(host) + ")"));
  EXPECT_THAT(r.out, HasSubstr("Crawler finished after 0h 0m"));
  ExpectCommon(hc);
  EXPECT_EQ(Hcd(hc, "forbidden"), "");         // 403 -> not up to date, not created
  EXPECT_EQ(Hcd(hc, "gone"), "f");             // 410 -> not up to date
  EXPECT_EQ(Hcd(hc, "error"), "f");            // 500 -> unknown -> unseen -> not up to date
  EXPECT_EQ(Hcd(hc, "badrepo/repodata"), "");  // repomd.xml SHA-256 differs
  ExpectOkBookkeeping(host);
  EXPECT_EQ(History(hc, "method"), "http");
  EXPECT_EQ(History(hc, "result"), "ok");
  EXPECT_EQ(History(hc, "directories_total"), "11");
  EXPECT_EQ(History(hc, "directories_up2date"), "4");
  EXPECT_EQ(History(hc, "directories_unknown"), "1");
  // Per-host log file.
  std::string log = ReadFileOrEmpty(absl::StrCat(work_.path(), "/log/crawler/", host, ".log"));
  EXPECT_THAT(log, HasSubstr(" - INFO - Starting crawl (full)"));
  EXPECT_THAT(log, HasSubstr("Crawl finished: OK"));
  EXPECT_THAT(log, HasSubstr("1 on unreadable directories"));  // §2.5.8's count
}

TEST_F(CrawlScenarioTest, HttpsWithTestCertificate) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "s", false);
  std::string cert, key;
  ASSERT_TRUE(MakeSelfSignedCertificate(work_.path(), &cert, &key));
  auto https = HttpMirror::Start(root.path(), cert, key);
  int64_t hc = 0;
  // http:// on a closed port is ranked after https and never needed.
  int64_t host = AddHost(
      "secure.example.org",
      {absl::StrCat("http://127.0.0.1:", FreePort(), "/s/pub/test"), https->base() + "/s/pub/test"},
      &hc);
  ProcessResult r = RunCrawler({"crawl"}, absl::StrCat("CRAWLER_CA_BUNDLE = '", cert, "'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(hc, "method"), "https");
  EXPECT_EQ(Hcd(hc, "a"), "t");
  EXPECT_EQ(Hcd(hc, "c/repodata"), "t");
  EXPECT_EQ(Hcd(hc, "stale"), "");
  EXPECT_EQ(Hcd(hc, "badrepo/repodata"), "");
  ExpectOkBookkeeping(host);
}

TEST_F(CrawlScenarioTest, FullFileTimeListDecidesTheCategoryInTwoRequests) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m2", /*with_fft=*/true);
  auto http = HttpMirror::Start(root.path());
  int64_t hc = 0;
  int64_t host = AddHost("fft.example.org", {http->base() + "/m2/pub/test"}, &hc);
  SeedHcds(hc);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectCommon(hc);
  EXPECT_EQ(Hcd(hc, "forbidden"), "t");  // listed in the FFT with the right size
  EXPECT_EQ(Hcd(hc, "gone"), "f");       // missing from the FFT
  EXPECT_EQ(Hcd(hc, "error"), "t");
  ExpectOkBookkeeping(host);
  EXPECT_EQ(Hcd(hc, "badrepo/repodata"), "");  // same size as the master's, older mtime
  EXPECT_EQ(History(hc, "method"), "fft");
  // The FFT, and one spot check of the newest repomd.xml it calls up to date.
  EXPECT_EQ(History(hc, "requests"), "2");
  EXPECT_EQ(http->requests(), 2);
}

TEST_F(CrawlScenarioTest, RsyncDaemonOneListingPerCategory) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "r", false);
  auto rsync = RsyncDaemon::Start(root.path());
  ASSERT_OK(rsync.status());
  auto http = HttpMirror::Start(root.path());
  int64_t hc = 0;
  int64_t host = AddHost("rsync.example.org",
                         {http->base() + "/r/pub/test", (*rsync)->url() + "/r/pub/test"}, &hc);
  SeedHcds(hc);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectCommon(hc);
  EXPECT_EQ(Hcd(hc, "gone"), "f");
  EXPECT_EQ(Hcd(hc, "error"), "t");
  ExpectOkBookkeeping(host);
  EXPECT_EQ(History(hc, "method"), "rsync");  // rsync preferred over http
  // One rsync run for the FFT attempt (absent) and one listing; no HTTP request at all.
  EXPECT_EQ(History(hc, "requests"), "2");
  EXPECT_EQ(http->requests(), 0);
}

TEST_F(CrawlScenarioTest, RsyncUnavailableFallsBackToHttp) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "r", false);
  auto http = HttpMirror::Start(root.path());
  int64_t hc = 0;
  AddHost("fallback.example.org",
          {http->base() + "/r/pub/test",
           absl::StrCat("rsync://127.0.0.1:", FreePort(), "/mirror/r/pub/test")},
          &hc);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(hc, "method"), "http");
  EXPECT_EQ(Hcd(hc, "a"), "t");
}

TEST_F(CrawlScenarioTest, FtpWithVsftpd) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "f", false);
  auto ftp = FtpServer::Start(root.path());
  ASSERT_OK(ftp.status());
  int64_t hc = 0;
  int64_t host = AddHost("ftp.example.org", {(*ftp)->url() + "/f/pub/test"}, &hc);
  SeedHcds(hc);
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectCommon(hc);
  EXPECT_EQ(Hcd(hc, "gone"), "f");  // 550 on LIST -> empty listing -> not up to date
  EXPECT_EQ(Hcd(hc, "error"), "t");
  ExpectOkBookkeeping(host);
  EXPECT_EQ(History(hc, "method"), "ftp");
}

TEST_F(CrawlScenarioTest, StalledServerTimesOutAndAutoDisables) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "slow", false);
  auto http = HttpMirror::Start(root.path());
  http->SetRule("/slow/pub/test/b/", {0, "", absl::Seconds(60)});
  int64_t hc = 0;
  int64_t host = AddHost("slow.example.org", {http->base() + "/slow/pub/test"}, &hc);
  f_->Hcd(hc, dir_ids_["a"], "a", true);
  auto smtp = SmtpServer::Start();
  absl::Time start = absl::Now();
  // 0.05 minutes = 3 s per host; CRAWLER_HTTP_TIMEOUT is 30 s so only the host deadline fires.
  ProcessResult r = RunCrawler(
      {"--host-timeout", "0.05", "crawl"},
      absl::StrCat("CRAWLER_AUTO_DISABLE = 1\nCRAWLER_HTTP_TIMEOUT = 30\nCRAWLER_SEND_EMAIL = "
                   "True\nSMTP_SERVER = '127.0.0.1:",
                   smtp->port(), "'\n"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("TIMEOUT"));
  EXPECT_EQ(Hcd(hc, "a"), "f");  // TIMEOUT marks the host not up to date
  EXPECT_EQ(HostField(host, "crawl_failures"), "1");
  EXPECT_EQ(HostField(host, "user_active"), "f");
  EXPECT_EQ(HostField(host, "disable_reason"),
            "Host has been disabled (user_active) after 1 consecutive crawl failures");
  EXPECT_EQ(History(hc, "result"), "timeout");
  EXPECT_GE(std::stoi(HostField(host, "last_crawl_duration")), 3);  // TIMEOUT records it
  // Marking the host not up to date mails the admin (upstream's Reporter.mark_not_up2date).
  // (The second mail tells of the auto-disable.)
  ASSERT_TRUE(WaitFor([&] { return smtp->messages().size() == 2; }, absl::Seconds(5)));
  EXPECT_THAT(smtp->messages(), ::testing::Contains(HasSubstr(absl::StrCat(
                                    "Host ", host,
                                    " marked not up2date: Crawler timed out before completing. "
                                    "Host is likely overloaded.\nLog can be found at "))));
}

TEST_F(CrawlScenarioTest, DeadMirrorCountsFailuresThenOkReenables) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "d", false);
  int port = FreePort();
  int64_t hc = 0;
  int64_t host =
      AddHost("dead.example.org", {absl::StrCat("http://127.0.0.1:", port, "/d/pub/test")}, &hc);
  f_->Hcd(hc, dir_ids_["a"], "a", true);
  for (int i = 1; i <= 2; ++i) {
    ProcessResult r = RunCrawler({"crawl"}, "CRAWLER_AUTO_DISABLE = 2\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("FAILURE"));
    EXPECT_EQ(HostField(host, "crawl_failures"), std::to_string(i));
  }
  EXPECT_EQ(HostField(host, "user_active"), "f");
  EXPECT_EQ(Hcd(hc, "a"), "t");  // a plain FAILURE does not mark HCDs stale
  // Disabled hosts are skipped unless --include-disabled; a good crawl re-enables.
  ProcessResult skipped = RunCrawler({"crawl"});
  EXPECT_THAT(skipped.out, ::testing::Not(HasSubstr("dead.example.org")));
  auto http = HttpMirror::Start(root.path());
  catalog_->db().Exec(
      absl::StrCat("UPDATE host_category_url SET url = ", Q(http->base() + "/d/pub/test"),
                   " WHERE host_category_id = ", hc));
  ProcessResult ok = RunCrawler({"--include-disabled", "crawl"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(HostField(host, "user_active"), "t");
  EXPECT_EQ(HostField(host, "crawl_failures"), "0");
  EXPECT_EQ(HostField(host, "disable_reason"), "");
}

TEST_F(CrawlScenarioTest, CanaryFailureMarksHostStaleAndSendsMail) {
  BuildMaster();
  auto smtp = SmtpServer::Start();
  int64_t hc = 0;
  int64_t host =
      AddHost("canary.example.org", {absl::StrCat("http://127.0.0.1:", FreePort(), "/x")}, &hc);
  f_->Hcd(hc, dir_ids_["a"], "a", true);
  ProcessResult r =
      RunCrawler({"crawl", "--canary"},
                 absl::StrCat("CRAWLER_SEND_EMAIL = True\nSMTP_SERVER = '127.0.0.1:", smtp->port(),
                              "'\nADMIN_EMAIL = 'admin@example.org'\n"
                              "APPLICATION_URL = 'https://mm.example.org/mirrormanager'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Hcd(hc, "a"), "f");
  EXPECT_EQ(HostField(host, "crawl_failures"), "0");       // canary failures are not counted
  EXPECT_EQ(HostField(host, "last_crawl_duration"), "0");  // canary runs keep the duration
  ASSERT_TRUE(WaitFor([&] { return !smtp->messages().empty(); }, absl::Seconds(5)));
  std::string mail = smtp->messages()[0];
  EXPECT_THAT(mail, HasSubstr("Subject: MirrorManager crawler report: canary.example.org"));
  EXPECT_THAT(mail, HasSubstr("To: admin@example.org"));
  // Upstream's body: the "marked not up2date" line, then where the log is.
  EXPECT_THAT(mail, HasSubstr(absl::StrCat(
                        "\n\nHost ", host,
                        " marked not up2date: Canary mode failed for all categories. Marking host "
                        "as not up to date.\nLog can be found at "
                        "https://mm.example.org/mirrormanager/crawler/",
                        host, ".log\n")));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("Host ", host, " marked not up2date: Canary mode")));
}

TEST_F(CrawlScenarioTest, RepodataModeChecksOnlyRepodataAndKeepsOthers) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m", false);
  auto http = HttpMirror::Start(root.path());
  int64_t hc = 0;
  AddHost("repo.example.org", {http->base() + "/m/pub/test"}, &hc);
  f_->Hcd(hc, dir_ids_["gone"], "gone", true);
  f_->Hcd(hc, dir_ids_["badrepo/repodata"], "badrepo/repodata", true);
  ProcessResult r = RunCrawler({"crawl", "--repodata"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Hcd(hc, "c/repodata"), "t");
  EXPECT_EQ(Hcd(hc, "badrepo/repodata"), "f");
  EXPECT_EQ(Hcd(hc, "gone"), "t");  // not a repodata directory: untouched
  EXPECT_EQ(Hcd(hc, "a"), "");
  EXPECT_EQ(History(hc, "directories_total"), "2");
}

TEST_F(CrawlScenarioTest, ContinentAndEmbargoFiltering) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "c", false);
  auto http = HttpMirror::Start(root.path());
  // Literal addresses from the GeoIP test database: no DNS and no connection is needed to
  // decide these two hosts.
  int64_t gb = AddHost("gb.example.org", {"http://81.2.69.160/pub/test"});
  int64_t se = AddHost("se.example.org", {"http://89.160.20.112/pub/test"});
  int64_t hc = 0;
  int64_t local = AddHost("local.example.org", {http->base() + "/c/pub/test"}, &hc);
  std::string cfg =
      absl::StrCat("CRAWLER_GEOIP_DATABASE = '", TestDataDir(),
                   "/geoip/GeoIP2-Country-Test.mmdb'\nEMBARGOED_COUNTRIES = ['GB']\n");
  ProcessResult r = RunCrawler({"--continent", "^eu", "crawl"}, cfg);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(HostField(gb, "user_active"), "f");
  EXPECT_EQ(HostField(gb, "disable_reason"), "Embargoed country: GB");
  EXPECT_EQ(HostField(se, "user_active"), "t");
  EXPECT_THAT(r.out, HasSubstr("se.example.org"));
  EXPECT_EQ(HostField(se, "last_crawl_duration"), "0");  // UNKNOWN: wrong continent
  EXPECT_EQ(Hcd(hc, "a"), "t");                          // 127.0.0.1 -> US (default) -> NA: crawled
  EXPECT_EQ(HostField(local, "crawl_failures"), "0");
  // A country_continent_redirect row moves SE to Africa, which ^AF excludes (without the
  // redirect SE would be selected).
  catalog_->db().Exec(
      "INSERT INTO country_continent_redirect (country, continent) VALUES ('SE', 'AF')");
  ProcessResult r2 = RunCrawler({"--continent", "^AF", "--category", "Test Linux", "crawl"}, cfg);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_THAT(r2.out, ::testing::ContainsRegex("se.example.org \\([0-9]+\\) +UNKNOWN"));
  EXPECT_THAT(r2.out, ::testing::ContainsRegex("local.example.org \\([0-9]+\\) +OK"));
}

TEST_F(CrawlScenarioTest, UsageErrors) {
  BuildMaster();
  ProcessResult r = RunCrawler({"--category", "Nope", "crawl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("Category Nope does not exist. Available categories: Test Linux"));
  r = RunCrawler({"--fraction", "1:2", "--startid", "3", "crawl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("Cannot use --fraction with --startid or --stopid"));
  r = RunCrawler({"--continent", "XX", "crawl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("Unknown continent XX. Known continents: AF, AN, AS, EU, NA, OC, "
                               "SA, --"));
  r = RunCrawler({"propagation", "--version", "40"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--version requires --product"));
  r = RunCrawler({"nothing"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace mm::testing
