// The crawler's catalog contract, in process: lease rules enforced by catalog (holder checks,
// deleted hosts, a retried Acquire), a crawl whose catalog fails (tree loads, reports) against
// a real catalog and a real HTTP mirror, and SMTP with AUTH and STARTTLS against the test's
// SMTP responder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "services/common/clock.h"
#include "services/crawler/catalog_client.h"
#include "services/crawler/crawl_runner.h"
#include "services/crawler/host_crawler.h"
#include "services/crawler/mailer.h"
#include "tests/integration/crawler/crawl_fixture.h"

namespace mm::testing {
namespace {

using crawler::CrawlCatalog;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<int64_t> Ids(const crawler::LeaseGrant& g) {
  std::vector<int64_t> out;
  for (const auto& h : g.hosts) out.push_back(h.id);
  return out;
}

class CrawlCatalogTest : public CrawlTest {
 protected:
  void SetUp() override {
    CrawlTest::SetUp();
    client_ =
        std::make_unique<crawler::GrpcCrawlCatalog>(catalog_->address(), common::RpcOptions{});
  }
  crawler::LeaseRequest Lease(const std::string& holder, std::vector<int64_t> candidates, int max,
                              std::vector<int64_t> held = {}) {
    crawler::LeaseRequest r;
    r.crawl_id = "crawl-1";
    r.holder = holder;
    r.candidates = std::move(candidates);
    r.max_hosts = max;
    r.lease_seconds = 60;
    r.held = std::move(held);
    return r;
  }
  crawler::CategoryReportData Report(const std::string& holder, int64_t host, int64_t hc) {
    crawler::CategoryReportData r;
    r.crawl_id = "crawl-1";
    r.holder = holder;
    r.host_id = host;
    r.host_category_id = hc;
    r.up2date_ids = {dir_ids_["a"]};
    r.total = 1;
    r.method = "http";
    r.result = "ok";
    return r;
  }
  crawler::HostCompletionData Complete(const std::string& holder, int64_t host) {
    crawler::HostCompletionData c;
    c.crawl_id = "crawl-1";
    c.holder = holder;
    c.host_id = host;
    c.status = crawler::HostStatus::kOk;
    c.finished_at = 1700000000;
    return c;
  }
  std::unique_ptr<crawler::GrpcCrawlCatalog> client_;
};

TEST_F(CrawlCatalogTest, OnlyTheLeaseHolderMayReportAndARetriedAcquireGetsItsHostsBack) {
  BuildMaster();
  std::vector<int64_t> hosts, hcs;
  for (int i = 0; i < 4; ++i) {
    int64_t hc = 0;
    hosts.push_back(AddHost(absl::StrCat("h", i, ".example.org"),
                            {absl::StrCat("http://h", i, "/pub/test")}, &hc));
    hcs.push_back(hc);
  }
  ASSERT_OK(client_->BeginCrawl("crawl-1", "A", crawler::CrawlMode::kFull).status());
  auto first = client_->Acquire(Lease("A", hosts, 2));
  ASSERT_OK(first.status());
  EXPECT_THAT(Ids(*first), ElementsAre(hosts[0], hosts[1]));
  // The reply was lost: the same call again returns the same two hosts, nothing more.
  auto again = client_->Acquire(Lease("A", hosts, 2));
  ASSERT_OK(again.status());
  EXPECT_THAT(Ids(*again), ElementsAre(hosts[0], hosts[1]));
  // With both in hand, the next hosts.
  auto next = client_->Acquire(Lease("A", hosts, 2, {hosts[0], hosts[1]}));
  ASSERT_OK(next.status());
  EXPECT_THAT(Ids(*next), ElementsAre(hosts[2], hosts[3]));
  // Another process gets nothing and waits for A's four leases.
  auto b = client_->Acquire(Lease("B", hosts, 4));
  ASSERT_OK(b.status());
  EXPECT_THAT(Ids(*b), IsEmpty());
  EXPECT_EQ(b->leased_elsewhere, 4);

  // Only A may write for its hosts.
  EXPECT_THAT(client_->ReportCategory(Report("B", hosts[0], hcs[0])).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Hcd(hcs[0], "a"), "");
  EXPECT_THAT(client_->CompleteHost(Complete("B", hosts[0])).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(HostField(hosts[0], "last_crawled"), "");
  ASSERT_OK(client_->ReportCategory(Report("A", hosts[0], hcs[0])).status());
  EXPECT_EQ(Hcd(hcs[0], "a"), "t");
  auto done = client_->CompleteHost(Complete("A", hosts[0]));
  ASSERT_OK(done.status());
  EXPECT_FALSE(done->already_completed);
  EXPECT_NE(HostField(hosts[0], "last_crawled"), "");
  // Completed: a repeated completion is a no-op, a late report is refused.
  auto twice = client_->CompleteHost(Complete("A", hosts[0]));
  ASSERT_OK(twice.status());
  EXPECT_TRUE(twice->already_completed);
  EXPECT_THAT(client_->ReportCategory(Report("A", hosts[0], hcs[0])).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // A host without any lease in the crawl is refused too.
  crawler::CategoryReportData stray = Report("A", hosts[1], hcs[1]);
  stray.crawl_id = "crawl-2";
  EXPECT_THAT(client_->ReportCategory(stray).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(CrawlCatalogTest, AutoDisableReasonNamesTheConfiguredLimit) {
  BuildMaster();
  int64_t over = AddHost("over.example.org", {"http://over/pub/test"});
  int64_t first = AddHost("first.example.org", {"http://first/pub/test"});
  // An admin re-enabled `over` without resetting its counter.
  catalog_->db().Exec(absl::StrCat("UPDATE host SET crawl_failures = 5 WHERE id = ", over));
  ASSERT_OK(client_->Acquire(Lease("A", {over, first}, 2)).status());
  crawler::HostCompletionData c = Complete("A", over);
  c.status = crawler::HostStatus::kFailure;
  c.auto_disable = 2;
  auto done = client_->CompleteHost(c);
  ASSERT_OK(done.status());
  EXPECT_TRUE(done->disabled);
  EXPECT_EQ(done->crawl_failures, 6);
  EXPECT_EQ(HostField(over, "user_active"), "f");
  EXPECT_EQ(HostField(over, "disable_reason"),
            "Host has been disabled (user_active) after 2 consecutive crawl failures");
  // CRAWLER_AUTO_DISABLE = 0 disables at the first failure (upstream's `failures >= limit`).
  c = Complete("A", first);
  c.status = crawler::HostStatus::kFailure;
  c.auto_disable = 0;
  done = client_->CompleteHost(c);
  ASSERT_OK(done.status());
  EXPECT_TRUE(done->disabled);
  EXPECT_EQ(HostField(first, "crawl_failures"), "1");
  EXPECT_EQ(HostField(first, "user_active"), "f");
  EXPECT_EQ(HostField(first, "disable_reason"),
            "Host has been disabled (user_active) after 0 consecutive crawl failures");
}

TEST_F(CrawlCatalogTest, AutoDisableDefaultsToFourFailuresWhenTheRequestSetsNoLimit) {
  BuildMaster();
  int64_t host = AddHost("flaky.example.org", {"http://flaky/pub/test"});
  for (int i = 1; i <= 4; ++i) {
    const std::string crawl = absl::StrCat("crawl-", i);
    ASSERT_OK(client_->BeginCrawl(crawl, "A", crawler::CrawlMode::kFull).status());
    crawler::LeaseRequest lease = Lease("A", {host}, 1);
    lease.crawl_id = crawl;
    ASSERT_OK(client_->Acquire(lease).status());
    crawler::HostCompletionData c = Complete("A", host);
    c.crawl_id = crawl;
    c.status = crawler::HostStatus::kFailure;  // auto_disable left unset
    auto done = client_->CompleteHost(c);
    ASSERT_OK(done.status());
    EXPECT_EQ(done->crawl_failures, i);
    EXPECT_EQ(done->disabled, i == 4) << i;
    EXPECT_EQ(HostField(host, "user_active"), i == 4 ? "f" : "t") << i;
  }
  EXPECT_EQ(HostField(host, "disable_reason"),
            "Host has been disabled (user_active) after 4 consecutive crawl failures");
}

TEST_F(CrawlCatalogTest, AHostThatIsAlreadyDisabledIsNotReportedAsDisabledAgain) {
  BuildMaster();
  int64_t host = AddHost("off.example.org", {"http://off/pub/test"});
  catalog_->db().Exec(absl::StrCat(
      "UPDATE host SET user_active = false, disable_reason = 'by hand' WHERE id = ", host));
  ASSERT_OK(client_->Acquire(Lease("A", {host}, 1)).status());
  crawler::HostCompletionData c = Complete("A", host);
  c.status = crawler::HostStatus::kFailure;
  c.auto_disable = 1;
  auto done = client_->CompleteHost(c);
  ASSERT_OK(done.status());
  EXPECT_FALSE(done->disabled);
  EXPECT_FALSE(done->disabled_notice.has_value());
  EXPECT_EQ(done->crawl_failures, 1);
  EXPECT_EQ(HostField(host, "user_active"), "f");
  EXPECT_EQ(HostField(host, "disable_reason"),
            "Host has been disabled (user_active) after 1 consecutive crawl failures");
}

TEST_F(CrawlCatalogTest, DeletedHostsAreSkippedByAcquire) {
  BuildMaster();
  std::vector<int64_t> hosts;
  for (int i = 0; i < 3; ++i) {
    hosts.push_back(
        AddHost(absl::StrCat("h", i, ".example.org"), {absl::StrCat("http://h", i, "/pub/test")}));
  }
  catalog_->db().Exec(absl::StrCat("DELETE FROM host_category WHERE host_id = ", hosts[1],
                                   "; DELETE FROM host WHERE id = ", hosts[1]));
  auto g = client_->Acquire(Lease("A", hosts, 3));
  ASSERT_OK(g.status());
  EXPECT_THAT(Ids(*g), ElementsAre(hosts[0], hosts[2]));
  EXPECT_EQ(g->leased_elsewhere, 0);
  EXPECT_EQ(g->completed, 0);
}

TEST_F(CrawlCatalogTest, CategoryTreesAreReloadedOnceTheyAreOlderThanTheRefreshInterval) {
  BuildMaster();
  common::FakeClock clock(absl::FromUnixSeconds(1700000000));
  crawler::CategoryTreeCache cache(client_.get(), &clock, absl::Seconds(600));
  auto first = cache.Get(category_, false);
  ASSERT_OK(first.status());
  const size_t before = (*first)->dirs.size();
  // UMDL adds a directory during the crawl.
  f_->Directory(absl::StrCat(kTopdir, "/new"), {category_}, true, 0, FilesJson({{"n.rpm", "n"}}));
  clock.Advance(absl::Seconds(599));
  auto cached = cache.Get(category_, false);
  ASSERT_OK(cached.status());
  EXPECT_EQ(cached->get(), first->get());
  clock.Advance(absl::Seconds(2));
  auto fresh = cache.Get(category_, false);
  ASSERT_OK(fresh.status());
  EXPECT_EQ((*fresh)->dirs.size(), before + 1);
  EXPECT_EQ((*first)->dirs.size(), before);  // crawls holding the old tree keep it
  // Samples carry the master's timestamps.
  bool found = false;
  for (const auto& d : (*fresh)->dirs) {
    if (d.path != "badrepo/repodata") continue;
    found = true;
    ASSERT_EQ(d.files.size(), 1u);
    EXPECT_EQ(d.files[0].timestamp, 1700000100);
  }
  EXPECT_TRUE(found);
}

// Forwards to the real catalog, failing the calls it is told to fail, like a catalog that went
// away in the middle of a crawl.
class FlakyCatalog final : public CrawlCatalog {
 public:
  explicit FlakyCatalog(CrawlCatalog* real) : real_(real) {}
  std::atomic<int> fail_tree_loads{0};
  std::atomic<int> fail_reports{0};
  std::atomic<int> reports_refused{0};

  absl::StatusOr<std::vector<crawler::HostRef>> ListHosts(
      const crawler::HostSelection& s) override {
    return real_->ListHosts(s);
  }
  absl::StatusOr<int64_t> BeginCrawl(const std::string& id, const std::string& holder,
                                     crawler::CrawlMode mode) override {
    return real_->BeginCrawl(id, holder, mode);
  }
  absl::StatusOr<crawler::LeaseGrant> Acquire(const crawler::LeaseRequest& r) override {
    return real_->Acquire(r);
  }
  absl::StatusOr<std::vector<int64_t>> Renew(const std::string& id, const std::string& holder,
                                             const std::vector<int64_t>& ids,
                                             int seconds) override {
    return real_->Renew(id, holder, ids, seconds);
  }
  absl::Status Release(const std::string& id, const std::string& holder,
                       const std::vector<int64_t>& ids) override {
    return real_->Release(id, holder, ids);
  }
  absl::StatusOr<std::shared_ptr<crawler::CategoryTree>> LoadCategoryTree(int64_t category,
                                                                          bool repodata) override {
    if (fail_tree_loads > 0) {
      --fail_tree_loads;
      return absl::UnavailableError("catalog went away");
    }
    return real_->LoadCategoryTree(category, repodata);
  }
  absl::StatusOr<crawler::CategoryReportCounts> ReportCategory(
      const crawler::CategoryReportData& r) override {
    if (fail_reports > 0) {
      --fail_reports;
      ++reports_refused;
      return absl::UnavailableError("catalog went away");
    }
    return real_->ReportCategory(r);
  }
  absl::StatusOr<crawler::HostCompletionOutcome> CompleteHost(
      const crawler::HostCompletionData& d) override {
    return real_->CompleteHost(d);
  }
  absl::StatusOr<std::map<std::string, std::string>> ContinentRedirects() override {
    return real_->ContinentRedirects();
  }
  absl::StatusOr<int> FinishCrawl(const std::string& id, const std::string& holder,
                                  int days) override {
    return real_->FinishCrawl(id, holder, days);
  }
  absl::StatusOr<std::vector<crawler::PropagationRepo>> PropagationTargets(
      const std::vector<crawler::PropagationTargetKey>& r) override {
    return real_->PropagationTargets(r);
  }
  absl::StatusOr<std::vector<std::string>> CategoryNames() override {
    return real_->CategoryNames();
  }

 private:
  CrawlCatalog* real_;
};

class CrawlCatalogFailureTest : public CrawlCatalogTest {
 protected:
  void SetUpMirror() {
    BuildMaster();
    WriteMirror(root_.path(), "m", false);
    http_ = HttpMirror::Start(root_.path());
    host_ = AddHost("m.example.org", {http_->base() + "/m/pub/test"}, &hc_);
    catalog_->db().Exec(absl::StrCat(
        "UPDATE host SET crawl_failures = 2, last_crawl_duration = 77 WHERE id = ", host_));
    f_->Hcd(hc_, dir_ids_["a"], "a", false);
  }
  crawler::RunSummary Crawl(CrawlCatalog* catalog) {
    crawler::CrawlerOptions o;
    o.threads = 1;
    o.auto_disable = 3;
    o.http_timeout = absl::Seconds(2);
    o.retry_attempts = 2;
    o.retry_max_wait = absl::Milliseconds(100);
    o.user_agent = "mm2-crawler-test";
    common::RealClock clock;
    std::atomic<bool> stop{false};
    crawler::CrawlRunner runner(o, catalog, &clock, &stop);
    auto s = runner.Run();
    EXPECT_OK(s.status());
    last_exit_ = s.ok() ? crawler::ExitCode(*s, o) : -1;
    return s.ok() ? *s : crawler::RunSummary{};
  }
  TempDir root_;
  std::unique_ptr<HttpMirror> http_;
  int64_t host_ = 0, hc_ = 0;
  int last_exit_ = 0;
};

TEST_F(CrawlCatalogFailureTest, ATreeThatCannotBeLoadedIsUnknownNotAMirrorFailure) {
  SetUpMirror();
  FlakyCatalog flaky(client_.get());
  flaky.fail_tree_loads = 1000;
  crawler::RunSummary s = Crawl(&flaky);
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].status, crawler::HostStatus::kUnknown);
  EXPECT_THAT(s.results[0].details, HasSubstr("Catalog error"));
  EXPECT_EQ(last_exit_, 1);
  EXPECT_EQ(HostField(host_, "crawl_failures"), "2");  // not counted against the mirror
  EXPECT_EQ(HostField(host_, "user_active"), "t");
  EXPECT_EQ(HostField(host_, "last_crawl_duration"), "77");  // UNKNOWN keeps it
  EXPECT_NE(HostField(host_, "last_crawled"), "");
  EXPECT_EQ(Hcd(hc_, "a"), "f");
  EXPECT_EQ(http_->requests(), 0);
}

TEST_F(CrawlCatalogFailureTest, AReportThatFailsOnceIsRetried) {
  SetUpMirror();
  FlakyCatalog flaky(client_.get());
  flaky.fail_reports = 1;
  crawler::RunSummary s = Crawl(&flaky);
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].status, crawler::HostStatus::kOk);
  EXPECT_EQ(flaky.reports_refused, 1);
  EXPECT_EQ(last_exit_, 0);
  EXPECT_EQ(Hcd(hc_, "a"), "t");
  EXPECT_EQ(HostField(host_, "crawl_failures"), "0");
}

TEST_F(CrawlCatalogFailureTest, AReportThatKeepsFailingMakesTheHostUnknown) {
  SetUpMirror();
  FlakyCatalog flaky(client_.get());
  flaky.fail_reports = 1000;
  crawler::RunSummary s = Crawl(&flaky);
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].status, crawler::HostStatus::kUnknown);
  EXPECT_TRUE(s.results[0].report_failed);
  EXPECT_THAT(s.results[0].details, HasSubstr("could not record category Test Linux"));
  EXPECT_EQ(flaky.reports_refused, 3);
  EXPECT_EQ(last_exit_, 1);
  EXPECT_EQ(Hcd(hc_, "a"), "f");  // nothing recorded
  EXPECT_EQ(HostField(host_, "crawl_failures"), "2");
  EXPECT_EQ(HostField(host_, "user_active"), "t");
}

TEST_F(CrawlCatalogFailureTest, AnExceptionInAHostCrawlIsUnknownAndTheOtherHostsGoOn) {
  SetUpMirror();
  int64_t other = AddHost("other.example.org", {http_->base() + "/m/pub/test/"});
  catalog_->db().Exec(absl::StrCat("UPDATE host SET crawl_failures = 1 WHERE id = ", other));
  crawler::CrawlerOptions o;
  o.threads = 1;
  o.user_agent = "mm2-crawler-test";
  common::RealClock clock;
  std::atomic<bool> stop{false};
  crawler::CrawlRunner runner(o, client_.get(), &clock, &stop);
  runner.set_job([&](const crawler::HostInfo& h, const crawler::Deadline&,
                     const crawler::RunSummary&) -> crawler::HostResult {
    if (h.id == host_) throw std::runtime_error("boom");
    crawler::HostResult r;
    r.host_id = h.id;
    r.host_name = h.name;
    r.status = crawler::HostStatus::kOk;
    r.finished_at = 1700000000;
    return r;
  });
  auto s = runner.Run();
  ASSERT_OK(s.status());
  ASSERT_EQ(s->results.size(), 2u);
  EXPECT_EQ(crawler::ExitCode(*s, o), 0);
  for (const auto& r : s->results) {
    if (r.host_id != host_) continue;
    EXPECT_EQ(r.status, crawler::HostStatus::kUnknown);
    EXPECT_THAT(r.details, HasSubstr("this is a bug in the MM crawler: boom"));
  }
  EXPECT_NE(HostField(host_, "last_crawled"), "");
  EXPECT_EQ(HostField(host_, "crawl_failures"), "2");        // UNKNOWN: untouched
  EXPECT_EQ(HostField(host_, "last_crawl_duration"), "77");  // UNKNOWN: kept
  EXPECT_EQ(HostField(other, "crawl_failures"), "0");
}

// --- SMTP ---------------------------------------------------------------------------------------

TEST(CrawlerMailTest, AuthPlainWithoutTls) {
  auto smtp = SmtpServer::Start(/*auth=*/true);
  crawler::SmtpSettings s{absl::StrCat("127.0.0.1:", smtp->port()), "mirror-bot", "s3cret", ""};
  ASSERT_OK(crawler::SendMail(
      s, {"from@example.org", "a@example.org, b@example.org", "Subject", "Body\n"}));
  EXPECT_THAT(smtp->auth(), ElementsAre("mirror-bot:s3cret"));
  EXPECT_THAT(smtp->rcpts(), ElementsAre("<a@example.org>", "<b@example.org>"));
  ASSERT_EQ(smtp->messages().size(), 1u);
  EXPECT_THAT(smtp->messages()[0], HasSubstr("Subject: Subject"));
  EXPECT_EQ(smtp->tls_sessions(), 0);
}

TEST(CrawlerMailTest, StartTlsBeforeAuthWithTheConfiguredCa) {
  TempDir dir;
  std::string cert, key;
  ASSERT_TRUE(MakeSelfSignedCertificate(dir.path(), &cert, &key));
  auto smtp = SmtpServer::Start(/*auth=*/true, cert, key);
  ASSERT_NE(smtp, nullptr);
  crawler::SmtpSettings s{absl::StrCat("127.0.0.1:", smtp->port()), "mirror-bot", "s3cret", cert};
  ASSERT_OK(crawler::SendMail(s, {"from@example.org", "a@example.org", "Over TLS", "Body\n"}));
  EXPECT_EQ(smtp->tls_sessions(), 1);
  EXPECT_THAT(smtp->auth(), ElementsAre("mirror-bot:s3cret"));
  ASSERT_EQ(smtp->messages().size(), 1u);
  EXPECT_THAT(smtp->messages()[0], HasSubstr("Subject: Over TLS"));
  // Without the CA the self-signed certificate is refused and no credentials are sent.
  crawler::SmtpSettings untrusted{absl::StrCat("127.0.0.1:", smtp->port()), "mirror-bot", "s3cret",
                                  ""};
  EXPECT_FALSE(
      crawler::SendMail(untrusted, {"from@example.org", "a@example.org", "No", "Body\n"}).ok());
  EXPECT_EQ(smtp->auth().size(), 1u);
}

}  // namespace
}  // namespace mm::testing
