// Upstream-parity details of mm2_crawler against real servers on loopback: which hosts are
// selected, the always_up2date and no-category shortcuts, last_crawl_duration and the modes of
// table 2.8, the HTTP(S) base-URL check, request headers and keep-alive, the metrics a crawl
// pushes, per-host log files, crawl history retention, and propagation's order of checks.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "absl/strings/str_split.h"
#include "services/common/clock.h"
#include "services/common/version.h"
#include "services/crawler/curl_session.h"
#include "services/crawler/propagation.h"
#include "tests/integration/crawler/crawl_fixture.h"
#include "tests/testing/fake_servers.h"

namespace mm::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class CrawlParityTest : public CrawlTest {
 protected:
  // Names (without ".example.org") of the hosts whose last_crawled is set.
  std::set<std::string> Crawled() {
    std::set<std::string> out;
    std::string names = catalog_->db().QueryValue(
        "SELECT string_agg(replace(name, '.example.org', ''), ',' ORDER BY name) FROM host "
        "WHERE last_crawled IS NOT NULL");
    for (absl::string_view n : absl::StrSplit(names, ',', absl::SkipEmpty())) {
      out.insert(std::string(n));
    }
    return out;
  }
};

TEST_F(CrawlParityTest, HostSelectionHonoursThePrivateAndActiveFlagsOfHostsAndSites) {
  BuildMaster();
  TempDir root;
  auto http = HttpMirror::Start(root.path());
  struct Case {
    std::string name;
    HostOptions host;
    SiteOptions site;
  };
  std::vector<Case> cases(7);
  cases[0].name = "plain";
  cases[1].name = "hostprivate";
  cases[1].host.private_ = true;
  cases[2].name = "siteprivate";
  cases[2].site.private_ = true;
  cases[3].name = "hostadminoff";
  cases[3].host.admin_active = false;
  cases[4].name = "siteadminoff";
  cases[4].site.admin_active = false;
  cases[5].name = "siteuseroff";
  cases[5].site.user_active = false;
  cases[6].name = "hostuseroff";
  cases[6].host.user_active = false;
  std::map<std::string, int64_t> ids;
  for (const auto& c : cases) {
    WriteMirror(root.path(), c.name, false);
    int64_t site = f_->Site("site-" + c.name, c.site);
    int64_t host = f_->Host(site, c.name + ".example.org", "US", c.host);
    f_->Url(f_->HostCategory(host, category_), http->base() + "/" + c.name + "/pub/test");
    ids[c.name] = host;
  }
  const std::string reset = "UPDATE host SET last_crawled = NULL";
  ProcessResult r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Crawled(), (std::set<std::string>{"plain"}));
  catalog_->db().Exec(reset);
  // --include-private really includes private hosts and hosts of private sites (a deliberate
  // difference: upstream's option has no effect).
  r = RunCrawler({"--include-private", "crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Crawled(), (std::set<std::string>{"plain", "hostprivate", "siteprivate"}));
  catalog_->db().Exec(reset);
  // --include-disabled adds hosts with user_active = false; admin_active and the site's flags
  // are never overridden.
  r = RunCrawler({"--include-disabled", "crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Crawled(), (std::set<std::string>{"plain", "hostuseroff"}));
  EXPECT_EQ(HostField(ids["hostuseroff"], "user_active"), "t");  // OK re-enables
  // propagation checks user_active hosts only, even with --include-disabled.
  catalog_->db().Exec(
      absl::StrCat("UPDATE host SET user_active = false WHERE id = ", ids["hostuseroff"]));
  r = RunCrawler({"--include-disabled", "propagation", "--product", "Test", "--version", "1"},
                 "CRAWLER_CRAWL_ID = 'prop-1'\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(catalog_->db().QueryValue("SELECT string_agg(host_id::text, ',') FROM mm_crawl_lease "
                                      "WHERE crawl_id = 'prop-1'"),
            std::to_string(ids["plain"]));
}

TEST_F(CrawlParityTest, AlwaysUp2dateAndNoCategoryShortcutsAndHistoryRetention) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m", false);
  auto http = HttpMirror::Start(root.path());
  int64_t always = f_->Host(f_->Site("site-always"), "always.example.org", "US");
  int64_t always_hc = f_->HostCategory(always, category_, /*always_up2date=*/true);
  f_->Url(always_hc, http->base() + "/m/pub/test");
  f_->Hcd(always_hc, dir_ids_["a"], "a", false);
  int64_t bare = f_->Host(f_->Site("site-bare"), "bare.example.org", "US");  // no category
  catalog_->db().Exec(absl::StrCat(
      "UPDATE host SET crawl_failures = 2, last_crawl_duration = 777 WHERE id = ", always,
      "; UPDATE host SET crawl_failures = 3, last_crawl_duration = 777 WHERE id = ", bare));
  // Crawl history older than CRAWLER_HISTORY_KEEP_DAYS goes when a crawl finishes.
  catalog_->db().Exec(absl::StrCat(
      "INSERT INTO mm_crawl_run (crawl_id, mode, started_at) VALUES ('old', 'full', "
      "(now() AT TIME ZONE 'utc') - interval '10 days'); "
      "INSERT INTO mm_crawl_history (crawl_id, holder, host_id, host_category_id, category_id, "
      "crawled_at, mode, method, result) VALUES "
      "('old', 'x', ",
      always, ", ", always_hc, ", ", category_,
      ", (now() AT TIME ZONE 'utc') - interval '10 days', 'full', 'http', 'ok'), "
      "('recent', 'x', ",
      always, ", ", always_hc, ", ", category_,
      ", (now() AT TIME ZONE 'utc') - interval '3 days', 'full', 'http', 'ok')"));

  // --catalog wins over CATALOG_ADDRESS.
  ProcessResult r = RunCrawler({"--catalog", catalog_->address(), "crawl"},
                               "CRAWLER_HISTORY_KEEP_DAYS = 7\nCATALOG_ADDRESS = '127.0.0.1:1'\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // always_up2date: successful without a request, HCDs untouched, failures reset.
  EXPECT_THAT(r.out, ContainsRegex("always.example.org \\([0-9]+\\) +OK"));
  EXPECT_EQ(http->requests(), 0);
  EXPECT_EQ(Hcd(always_hc, "a"), "f");
  EXPECT_EQ(HostField(always, "crawl_failures"), "0");
  EXPECT_NE(HostField(always, "last_crawl_duration"), "777");
  EXPECT_EQ(History(always_hc, "method"), "always_up2date");
  EXPECT_EQ(History(always_hc, "result"), "ok");
  // No category: UNKNOWN, counters and duration kept, last_crawled written.
  EXPECT_THAT(r.out, ContainsRegex("bare.example.org \\([0-9]+\\) +UNKNOWN"));
  EXPECT_EQ(HostField(bare, "crawl_failures"), "3");
  EXPECT_EQ(HostField(bare, "last_crawl_duration"), "777");
  EXPECT_EQ(HostField(bare, "user_active"), "t");
  EXPECT_NE(HostField(bare, "last_crawled"), "");
  EXPECT_THAT(HostLog(bare), HasSubstr(absl::StrCat("No categories to crawl on host ", bare,
                                                    " (bare.example.org)")));
  // Retention.
  EXPECT_EQ(Count("SELECT count(*) FROM mm_crawl_history WHERE crawl_id = 'old'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mm_crawl_run WHERE crawl_id = 'old'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mm_crawl_history WHERE crawl_id = 'recent'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM mm_crawl_history WHERE crawled_at > (now() AT TIME ZONE "
                  "'utc') - interval '1 hour'"),
            1);
}

// Table 2.8 and the last_crawl_duration rule: a duration is recorded only by full crawls whose
// status is not UNKNOWN; canary runs never count failures; repodata runs skip rsync, count
// failures and keep the duration.
TEST_F(CrawlParityTest, ModesAndLastCrawlDurationFollowUpstreamsTable) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "ok", false);
  auto http = HttpMirror::Start(root.path());
  auto rsync = RsyncDaemon::Start(root.path());
  ASSERT_OK(rsync.status());
  int64_t ok_hc = 0, dead_hc = 0;
  int64_t ok = AddHost("ok.example.org",
                       {http->base() + "/ok/pub/test", (*rsync)->url() + "/ok/pub/test"}, &ok_hc);
  int64_t dead =
      AddHost("dead.example.org", {absl::StrCat("http://127.0.0.1:", FreePort(), "/dead/pub/test")},
              &dead_hc);
  f_->Hcd(ok_hc, dir_ids_["gone"], "gone", true);  // not on the mirror
  f_->Hcd(ok_hc, std::nullopt, "b", false);        // as report_mirror may leave it
  f_->Hcd(dead_hc, dir_ids_["a"], "a", true);
  catalog_->db().Exec(absl::StrCat(
      "UPDATE host SET last_crawl_duration = 777; UPDATE host SET user_active = false, "
      "disable_reason = 'manual' WHERE id = ",
      ok));

  // Canary: the disabled but working host is re-enabled (OK); HCDs are left alone; the dead
  // host's HCDs are marked stale without counting a failure; no duration is recorded.
  ProcessResult r = RunCrawler({"--include-disabled", "crawl", "--canary"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(HostField(ok, "user_active"), "t");
  EXPECT_EQ(HostField(ok, "disable_reason"), "");
  EXPECT_EQ(Hcd(ok_hc, "gone"), "t");
  EXPECT_EQ(Hcd(ok_hc, "a"), "");
  EXPECT_EQ(History(ok_hc, "method"), "canary");
  EXPECT_EQ(History(ok_hc, "mode"), "canary");
  EXPECT_EQ(Hcd(dead_hc, "a"), "f");
  EXPECT_EQ(HostField(dead, "crawl_failures"), "0");
  EXPECT_EQ(HostField(ok, "last_crawl_duration"), "777");
  EXPECT_EQ(HostField(dead, "last_crawl_duration"), "777");

  // Repodata: over HTTP although rsync is preferred; repodata directories only; unseen HCDs
  // kept; a failure counts; no duration.
  r = RunCrawler({"crawl", "--repodata"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(ok_hc, "method"), "http");
  EXPECT_EQ(History(ok_hc, "directories_total"), "2");
  EXPECT_EQ(Hcd(ok_hc, "c/repodata"), "t");
  EXPECT_EQ(Hcd(ok_hc, "a"), "");
  EXPECT_EQ(Hcd(ok_hc, "gone"), "t");
  EXPECT_EQ(HostField(dead, "crawl_failures"), "1");
  EXPECT_EQ(HostField(ok, "last_crawl_duration"), "777");
  EXPECT_EQ(HostField(dead, "last_crawl_duration"), "777");

  // Full: rsync decides, unseen HCDs are marked stale, both durations are recorded (OK and
  // FAILURE), the failure counts.
  r = RunCrawler({"crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(History(ok_hc, "method"), "rsync");
  EXPECT_EQ(Hcd(ok_hc, "a"), "t");
  EXPECT_EQ(Hcd(ok_hc, "b"), "t");
  EXPECT_EQ(catalog_->db().QueryValue(
                absl::StrCat("SELECT directory_id FROM host_category_dir WHERE path = 'b' AND "
                             "host_category_id = ",
                             ok_hc)),
            std::to_string(dir_ids_["b"]));
  EXPECT_EQ(Hcd(ok_hc, "gone"), "f");
  EXPECT_EQ(HostField(dead, "crawl_failures"), "2");
  EXPECT_NE(HostField(ok, "last_crawl_duration"), "777");
  EXPECT_NE(HostField(dead, "last_crawl_duration"), "777");
}

TEST_F(CrawlParityTest, BaseUrlHeadDecidesWhichHttpUrlIsUsedAndUnknownRsyncModulesFallBack) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "b", false);
  auto http = HttpMirror::Start(root.path());
  http->SetRule("/a/pub/test", {404});  // the content is gone from this URL
  auto rsync = RsyncDaemon::Start(root.path());
  ASSERT_OK(rsync.status());
  const std::string gone = http->base() + "/a/pub/test", good = http->base() + "/b/pub/test";
  int64_t hc1 = 0, hc2 = 0, hc3 = 0;
  int64_t both = AddHost("both.example.org", {gone, good}, &hc1);
  int64_t module =
      AddHost("module.example.org",
              {absl::StrCat("rsync://127.0.0.1:", (*rsync)->port(), "/nosuchmodule/b/pub/test"),
               good + "/"},  // URLs are unique
              &hc2);
  int64_t only = AddHost("only.example.org", {gone + "/"}, &hc3);
  ProcessResult r = RunCrawler({"--threads", "1", "crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The first URL's base HEAD answered 404: it is skipped without any directory request (its
  // two requests: the fullfiletimelist and the HEAD).
  EXPECT_EQ(History(hc1, "url"), good);
  EXPECT_EQ(History(hc1, "method"), "http");
  EXPECT_EQ(Hcd(hc1, "a"), "t");
  EXPECT_THAT(HostLog(both), HasSubstr("Base URL " + gone + " does not exist."));
  EXPECT_EQ(HostField(both, "crawl_failures"), "0");
  // rsync exit 5 (unknown module) makes the URL unavailable, like exit 10.
  EXPECT_EQ(History(hc2, "method"), "http");
  EXPECT_THAT(HostLog(module), HasSubstr("not available (exit 5)"));
  EXPECT_EQ(Hcd(hc2, "a"), "t");
  // No URL passes: all categories failed.
  EXPECT_THAT(r.out, ContainsRegex("only.example.org \\([0-9]+\\) +FAILURE"));
  EXPECT_EQ(History(hc3, "result"), "not_accessible");
  EXPECT_EQ(HostField(only, "crawl_failures"), "1");
  EXPECT_THAT(HostLog(only), HasSubstr("All categories failed."));
  EXPECT_EQ(http->RequestsFor("/a/pub/test"), 4);  // two per host that lists it
}

TEST_F(CrawlParityTest, UpstreamHeadersOneConnectionAndThePushedMetrics) {
  BuildMaster();
  TempDir root;
  WriteMirror(root.path(), "m", false);
  auto http = HttpMirror::Start(root.path());
  http->SetRule("/m/pub/test/forbidden/", {403});
  http->SetRule("/m/pub/test/gone/", {410});
  http->SetRule("/m/pub/test/error/", {500});
  http->SetRule("/m/pub/test/moved/", {302, "http://elsewhere.invalid/"});
  FakePushgateway push;
  int64_t hc = 0;
  // b/g.iso is sent chunked: no Content-Length on its HEAD, which upstream takes as present
  // (the body here is of another size, which a GET would show).
  HttpMirror::StreamSpec chunked;
  chunked.body = "short";
  http->Stream("/m/pub/test/b/g.iso", chunked);
  AddHost("m.example.org", {http->base() + "/m/pub/test"}, &hc);
  ProcessResult r = RunCrawler({"crawl"}, absl::StrCat("PUSHGATEWAY_URL = '", push.url(), "'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(http->Header("/m/pub/test/a/f1.rpm", "User-Agent"),
            absl::StrCat("mirrormanager-crawler/", common::kVersion,
                         " (+https://github.com/fedora-infra/mirrormanager2/)"));
  EXPECT_EQ(http->Header("/m/pub/test/a/f1.rpm", "Pragma"), "no-cache");
  EXPECT_EQ(Hcd(hc, "b"), "t");
  // 13 requests: the fullfiletimelist (404), the base HEAD, 9 HEADs and 2 repomd.xml GETs,
  // all over one kept-alive connection.
  EXPECT_EQ(http->requests(), 13);
  EXPECT_EQ(History(hc, "requests"), "13");
  EXPECT_EQ(http->connections(), 1);
  const std::string m = push.bodies();
  EXPECT_THAT(m, HasSubstr("mm_crawler_hosts_total{status=\"OK\"} 1"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_directories_total{state=\"up2date\"} 4"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_directories_total{state=\"not_up2date\"} 6"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_directories_total{state=\"unknown\"} 1"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_requests_total{protocol=\"http\",result=\"2xx\"} 7"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_requests_total{protocol=\"http\",result=\"3xx\"} 1"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_requests_total{protocol=\"http\",result=\"4xx\"} 4"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_requests_total{protocol=\"http\",result=\"5xx\"} 1"));
  EXPECT_THAT(m, ContainsRegex("mm_crawler_bytes_total\\{protocol=\"http\"\\} [1-9]"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_connections_total{protocol=\"http\"} 1"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_categories_total{method=\"http\"} 1"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_host_duration_seconds_count 1"));
  EXPECT_THAT(m, HasSubstr("mm_crawler_category_duration_seconds_count 1"));
}

TEST_F(CrawlParityTest, PerHostLogFilesAreAppendedHoldOnlyTheirHostAndFollowDebug) {
  BuildMaster();
  TempDir root;
  auto http = HttpMirror::Start(root.path());
  std::vector<int64_t> hosts;
  for (const char* name : {"one", "two"}) {
    WriteMirror(root.path(), name, false);
    // Slow enough that both hosts are crawled at the same time.
    http->SetRule(absl::StrCat("/", name, "/pub/test/b/"), {0, "", absl::Milliseconds(500)});
    hosts.push_back(AddHost(absl::StrCat(name, ".example.org"),
                            {absl::StrCat(http->base(), "/", name, "/pub/test")}));
  }
  ProcessResult r = RunCrawler({"--threads", "2", "crawl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string one = HostLog(hosts[0]);
  EXPECT_THAT(one, HasSubstr("/one/pub/test"));
  EXPECT_THAT(one, Not(HasSubstr("/two/")));
  EXPECT_THAT(one, Not(HasSubstr(" - DEBUG - ")));
  EXPECT_THAT(one, ContainsRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8},[0-9]{3} - INFO - "
                                 "Starting crawl \\(full\\)\n"));
  EXPECT_THAT(HostLog(hosts[1]), Not(HasSubstr("/one/")));
  // Console lines carry the host, or "master (0)" outside host crawls.
  EXPECT_THAT(r.err, HasSubstr("master (0): Crawl "));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("one.example.org (", hosts[0], "): Starting crawl")));
  ProcessResult d = RunCrawler({"--threads", "2", "--debug", "crawl"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  one = HostLog(hosts[0]);
  EXPECT_THAT(one, HasSubstr(" - DEBUG - "));
  EXPECT_THAT(one, Not(HasSubstr("/two/")));
  size_t starts = 0;
  for (size_t p = one.find("Starting crawl"); p != std::string::npos;
       p = one.find("Starting crawl", p + 1)) {
    ++starts;
  }
  EXPECT_EQ(starts, 2u);  // appended
}

// A TLS server on loopback that records the protocols the client offers by ALPN, selects h2
// and reads what the client sends first.
TEST(CurlSessionTest, OffersHttp2OverTlsAndSpeaksItWhenTheServerAgrees) {
  TempDir dir;
  std::string cert, key;
  ASSERT_TRUE(MakeSelfSignedCertificate(dir.path(), &cert, &key));
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_EQ(SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()), 1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM), 1);
  struct Seen {
    std::vector<std::string> offered;
    std::string first_bytes;
  } seen;
  SSL_CTX_set_alpn_select_cb(
      ctx,
      [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
         unsigned int inlen, void* arg) -> int {
        auto* s = static_cast<Seen*>(arg);
        for (unsigned int i = 0; i < inlen && i + 1 + in[i] <= inlen; i += 1 + in[i]) {
          s->offered.emplace_back(reinterpret_cast<const char*>(in + i + 1), in[i]);
        }
        static const unsigned char kH2[] = {2, 'h', '2'};
        return SSL_select_next_proto(const_cast<unsigned char**>(out), outlen, kH2, sizeof kH2, in,
                                     inlen) == OPENSSL_NPN_NEGOTIATED
                   ? SSL_TLSEXT_ERR_OK
                   : SSL_TLSEXT_ERR_NOACK;
      },
      &seen);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread server([&] {
    int c = accept(fd, nullptr, nullptr);
    if (c < 0) return;
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) {
      char buf[64];
      while (seen.first_bytes.size() < 24) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) break;
        seen.first_bytes.append(buf, n);
      }
    }
    SSL_free(ssl);
    close(c);
  });
  crawler::HttpOptions o;
  o.timeout = absl::Seconds(5);
  o.ca_bundle = cert;
  o.user_agent = "test";
  crawler::CurlSession session(o, nullptr);
  session.Head(absl::StrCat("https://127.0.0.1:", ntohs(addr.sin_port), "/pub/test/"));
  server.join();
  close(fd);
  SSL_CTX_free(ctx);
  EXPECT_THAT(seen.offered, ElementsAre("h2", "http/1.1"));
  EXPECT_EQ(seen.first_bytes.substr(0, 24), std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
}

// Propagation for one host, against an HTTP mirror: upstream's order of checks and the arch
// fallback (check_propagation_for_repo).
TEST(PropagationCheckerTest, OrderOfChecksAndArchFallback) {
  TempDir root;
  const std::string body = "<repomd>b</repomd>\n";
  WriteFile(root.path(), "m/pub/t/b/os/repodata/repomd.xml", body);
  auto http = HttpMirror::Start(root.path());
  crawler::CrawlerOptions o;
  o.http_timeout = absl::Seconds(2);
  o.user_agent = "test";
  const int64_t t = 1700000000;
  auto repo = [&](int64_t id, const std::string& arch, int64_t category, const std::string& dir,
                  std::vector<crawler::RepomdDetail> history) {
    crawler::PropagationRepo r;
    r.id = id;
    r.name = absl::StrCat("repo", id);
    r.product = "Fedora";
    r.version = "40";
    r.arch = arch;
    r.category_id = category;
    r.topdir = "pub/t";
    r.directory_name = dir;
    r.has_repodata_directory = true;
    r.repomd_history = std::move(history);
    return r;
  };
  std::vector<crawler::PropagationRepo> repos = {
      // The host does not carry category 10: next repository (even without a file_detail).
      repo(1, "x86_64", 10, "pub/t/x/os", {}),
      // Not on the mirror (404): next repository, the other arch.
      repo(2, "x86_64", 20, "pub/t/a/os", {{5, t, "x"}}),
      repo(3, "aarch64", 20, "pub/t/b/os", {{7, t, "other"}, {6, t - 36 * 3600, Sha256Hex(body)}}),
  };
  crawler::PropagationChecker checker(o, {{"Fedora", "40", "updates-released-f40"}}, repos);
  common::RealClock clock;
  crawler::Deadline deadline(&clock, clock.Now() + absl::Minutes(1), std::nullopt, nullptr);
  crawler::HostInfo host;
  host.id = 1;
  host.name = "m.example.org";
  crawler::HostCategoryInfo hc;
  hc.category_id = 20;
  hc.urls = {"rsync://127.0.0.1:1/m/pub/t", http->base() + "/m/pub/t/"};
  host.categories = {hc};
  crawler::HostResult r = checker.CheckHost(host, deadline);
  EXPECT_EQ(r.status, crawler::HostStatus::kOk);
  EXPECT_THAT(r.propagation, ElementsAre(std::pair<int64_t, int>(
                                 3, static_cast<int>(crawler::PropagationState::kOneDay))));
  EXPECT_EQ(http->RequestsFor("/m/pub/t/a/os/repodata/repomd.xml"), 1);
  EXPECT_EQ(http->RequestsFor("/m/pub/t/b/os/repodata/repomd.xml"), 1);
  // A host without an HTTP(S) URL for the category: no information.
  host.categories[0].urls = {"rsync://127.0.0.1:1/m/pub/t"};
  r = checker.CheckHost(host, deadline);
  EXPECT_THAT(r.propagation, ElementsAre(std::pair<int64_t, int>(
                                 2, static_cast<int>(crawler::PropagationState::kNoInfo))));
  // A repository without a repodata directory: no information, whatever the host carries.
  repos[0].has_repodata_directory = false;
  crawler::PropagationChecker no_dir(o, {{"Fedora", "40", "updates-released-f40"}}, repos);
  r = no_dir.CheckHost(host, deadline);
  EXPECT_THAT(r.propagation, ElementsAre(std::pair<int64_t, int>(
                                 1, static_cast<int>(crawler::PropagationState::kNoInfo))));
}

}  // namespace
}  // namespace mm::testing
