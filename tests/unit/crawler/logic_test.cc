#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "services/common/arg_parser.h"
#include "services/crawler/continents.h"
#include "services/crawler/crawl_runner.h"
#include "services/crawler/crawler_options.h"
#include "services/crawler/deadline.h"
#include "services/crawler/host_crawler.h"
#include "services/crawler/host_notifier.h"
#include "services/crawler/listing_matcher.h"
#include "services/crawler/mailer.h"
#include "services/crawler/propagation.h"
#include "services/crawler/rsync_runner.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

void Fill(CategoryTree& t) {
  t.dirs = {{1, "", {{"top.txt", 3}}, ""},
            {2, "a", {{"x.rpm", 10}, {"y.rpm", 20}}, ""},
            {3, "empty", {}, ""},
            {4, "missing", {}, ""},
            {5, "sym", {{"link", 99}}, ""}};
}

TEST(ListingMatcherTest, DecidesFromListingIncludingMissingDirectories) {
  CategoryTree t;
  Fill(t);
  ListingMatcher m(t, "linux/");
  m.Observe('d', "linux", 0, true);
  m.Observe('f', "linux/top.txt", 3, true);
  m.Observe('d', "linux/a", 0, true);
  m.Observe('f', "linux/a/x.rpm", 10, true);
  m.Observe('f', "linux/a/y.rpm", 21, true);
  m.Observe('d', "linux/empty", 0, true);
  m.Observe('l', "linux/sym/link", 5, true);
  m.Observe('f', "other/top.txt", 3, true);
  EXPECT_EQ(m.Decide(0), DirState::kUp2date);
  EXPECT_EQ(m.Decide(1), DirState::kStale);    // wrong size
  EXPECT_EQ(m.Decide(2), DirState::kUp2date);  // empty sample, directory present
  EXPECT_EQ(m.Decide(3), DirState::kStale);    // directory absent
  EXPECT_EQ(m.Decide(4), DirState::kUp2date);  // symlinks are accepted
}

TEST(ListingMatcherTest, ComparesMtimesOnlyWhenAskedAndKnown) {
  CategoryTree t;
  t.dirs = {{1, "r", {{"repomd.xml", 40, 1700000100}}, ""},
            {2, "s", {{"old.rpm", 10, 0}}, ""},
            {3, "l", {{"link", 5, 1700000100}}, ""}};
  for (bool compare : {false, true}) {
    ListingMatcher m(t, "", compare);
    m.Observe('f', "r/repomd.xml", 40, true, 1700000000);  // same size, older
    m.Observe('f', "s/old.rpm", 10, true, 1600000000);     // sample without a timestamp
    m.Observe('l', "l/link", 9, true, 1);                  // symlinks: accepted
    EXPECT_EQ(m.Decide(0), compare ? DirState::kStale : DirState::kUp2date) << compare;
    EXPECT_EQ(m.Decide(1), DirState::kUp2date);
    EXPECT_EQ(m.Decide(2), DirState::kUp2date);
  }
  ListingMatcher same(t, "", true);
  same.Observe('f', "r/repomd.xml", 40, true, 1700000100);
  EXPECT_EQ(same.Decide(0), DirState::kUp2date);
}

TEST(FftLocationTest, FollowsTheTopdirNotTheMirrorsUrl) {
  // A mirror serving Fedora Linux under a name of its own: the FFT is still one level up and
  // its entries still start with "linux/".
  FftLocation f = LocateFft("Fedora Linux", "pub/fedora/linux", "https://m.example/fedora-linux");
  EXPECT_EQ(f.base_url, "https://m.example");
  EXPECT_EQ(f.strip_prefix, "linux/");
  EXPECT_EQ(f.default_name, "fullfiletimelist-fedora");
  FftLocation e = LocateFft("EPEL", "pub/epel", "rsync://m.example/mirrors/epel-copy");
  EXPECT_EQ(e.base_url, "rsync://m.example/mirrors/epel-copy");
  EXPECT_EQ(e.strip_prefix, "");
  EXPECT_EQ(e.default_name, "fullfiletimelist-epel");
  FftLocation s = LocateFft("Fedora Secondary Arches", "pub/fedora-secondary", "http://m/sec");
  EXPECT_EQ(s.default_name, "fullfiletimelist-fedora-secondary");
}

TEST(HostNotifierTest, UpstreamMessageBodyAndMail) {
  DisabledNotice n;
  n.site_id = 3;
  n.site_name = "Site";
  n.site_org_url = "https://site.example";
  n.admin_usernames = {"alice", "bob"};
  n.admin_emails = {"alice@example.org"};
  n.host_id = 7;
  n.host_name = "m.example";
  n.country = "SE";
  n.bandwidth = 100;
  CrawlerOptions o;
  o.application_url = "https://mm.example/mm";
  o.admin_email = "admin@example.org";
  o.email_from = "crawler@example.org";
  EXPECT_EQ(
      HostDisabledMessageJson(n, "Embargoed country: CU", 0, o),
      R"({"crawled_at":"1970-01-01T00:00:00+00:00","host":{"asn":null,"bandwidth":100,"country":"SE",)"
      R"("id":7,"name":"m.example","url":"https://mm.example/mm/host/7"},)"
      R"("logs_url":"https://mm.example/mm/crawler/7.log","reason":"Embargoed country: CU",)"
      R"("site":{"admins":["alice","bob"],"id":3,"name":"Site","org_url":"https://site.example"}})");
  MailMessage m = HostDisabledMail(n, "Embargoed country: CU", 0, o);
  EXPECT_EQ(m.to, "alice@example.org, admin@example.org");
  EXPECT_EQ(m.from, "crawler@example.org");
  EXPECT_THAT(m.body, HasSubstr("Reason: Embargoed country: CU"));
  o.application_url.clear();
  o.log_dir = "/var/log/mirrormanager";
  EXPECT_EQ(CrawlerLogUrl(o, 7), "/var/log/mirrormanager/crawler/7.log");
  EXPECT_EQ(HostPageUrl(o, 7), "");
}

TEST(OptionsTest, FractionBoundsFollowUpstream) {
  std::vector<int64_t> ids{5, 1, 9, 3, 7, 2, 8};
  EXPECT_EQ(FractionBounds(ids, 1, 3), (std::pair<int64_t, int64_t>(1, 3)));
  EXPECT_EQ(FractionBounds(ids, 2, 3), (std::pair<int64_t, int64_t>(3, 7)));
  EXPECT_EQ(FractionBounds(ids, 3, 3), (std::pair<int64_t, int64_t>(7, 0)));
  std::vector<HostRef> hosts;
  for (int64_t id : {9, 1, 5, 3, 7, 2, 8}) hosts.push_back({id, "", std::nullopt});
  CrawlerOptions o;
  o.fraction_part = 2;
  o.fraction_count = 3;
  EXPECT_THAT(CrawlRunner::FilterCandidates(hosts, o), ElementsAre(5, 3));
  CrawlerOptions s;
  s.startid = 3;
  s.stopid = 8;
  EXPECT_THAT(CrawlRunner::FilterCandidates(hosts, s), ElementsAre(5, 3, 7));
  EXPECT_EQ(FormatElapsed(absl::Seconds(3723)), "1h 2m 3s");
}

absl::StatusOr<CrawlerOptions> Parse(std::vector<std::string> args) {
  common::ArgParser p("mm2_crawler", "");
  AddCrawlerFlags(p);
  args.push_back("crawl");
  if (absl::Status s = p.Parse(args); !s.ok()) return s;
  return OptionsFromFlags(p);
}

TEST(OptionsTest, GroupOptionsAsUpstreamsClick) {
  auto d = Parse({});
  ASSERT_OK(d.status());
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(d->threads, std::min(100, cpus * 20));
  EXPECT_EQ(d->global_timeout, absl::Minutes(360));
  EXPECT_FALSE(d->host_timeout.has_value());
  EXPECT_FALSE(d->include_private);
  EXPECT_FALSE(d->include_disabled);
  auto o = Parse({"--include-private", "--include-disabled", "--category", "A", "--category", "B",
                  "-t", "7", "--global-timeout", "2", "--host-timeout", "3", "--continent", "eu",
                  "--continent", "^as", "-d", "--no-fail", "--disable-fedmsg"});
  ASSERT_OK(o.status());
  EXPECT_TRUE(o->include_private);
  EXPECT_TRUE(o->include_disabled);
  EXPECT_THAT(o->categories, ElementsAre("A", "B"));
  EXPECT_EQ(o->threads, 7);
  EXPECT_EQ(o->global_timeout, absl::Minutes(2));
  EXPECT_EQ(o->host_timeout, absl::Minutes(3));
  EXPECT_THAT(o->continents, ElementsAre("EU", "^AS"));
  EXPECT_TRUE(o->debug);
  EXPECT_TRUE(o->no_fail);
  auto e = Parse({"--include-disabled", "--exclude-disabled"});
  ASSERT_OK(e.status());
  EXPECT_FALSE(e->include_disabled);
  // --host-timeout 0 means none (upstream: `value * 60 if value else None`).
  auto zero = Parse({"--host-timeout", "0"});
  ASSERT_OK(zero.status());
  EXPECT_FALSE(zero->host_timeout.has_value());
  // --fraction conflicts with a non-zero --startid/--stopid only.
  EXPECT_OK(Parse({"--fraction", "2:3", "--startid", "0"}).status());
  EXPECT_OK(Parse({"--fraction", "1:1", "--startid", "5"}).status());
  EXPECT_THAT(Parse({"--fraction", "2:3", "--stopid", "5"}).status(),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("Cannot use --fraction with --startid or --stopid")));
  EXPECT_THAT(Parse({"--continent", "^xx"}).status(),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("Unknown continent XX. Known continents: AF, AN, AS, "
                                              "EU, NA, OC, SA, --")));
  EXPECT_FALSE(Parse({"--fraction", "3:2"}).ok());
}

TEST(UrlTest, PreferenceAndEscaping) {
  EXPECT_THAT(SortUrls({"ftp://f/x/", "http://h/x", "https://s/x", "rsync://r/x/", "gopher://g"}),
              ElementsAre("rsync://r/x", "https://s/x", "http://h/x", "ftp://f/x"));
  EXPECT_EQ(EscapePath("a b/c%d+e"), "a%20b/c%25d+e");
  EXPECT_EQ(UrlHost("http://user@[::1]:80/x"), "::1");
  EXPECT_EQ(UrlHost("rsync://mirror.example.org/m"), "mirror.example.org");
  EXPECT_THAT(SplitCommandLine("--no-motd --timeout 14400 '--x y'"),
              ElementsAre("--no-motd", "--timeout", "14400", "--x y"));
}

TEST(PropagationTest, Buckets) {
  const int64_t day = 86400, t = 1700000000;
  std::vector<RepomdDetail> h{{5, t, "new"},
                              {4, t - day - 10, "d1"},
                              {3, t - 2 * day - 10, "d2"},
                              {2, t - 3 * day - 10, "d3"},
                              {1, t - 5 * day, "ancient"}};
  EXPECT_EQ(Bucket(h, "new", 4), PropagationState::kSameDay);
  EXPECT_EQ(Bucket(h, "d1", 4), PropagationState::kOneDay);
  EXPECT_EQ(Bucket(h, "d2", 4), PropagationState::kTwoDay);
  EXPECT_EQ(Bucket(h, "d3", 4), PropagationState::kOlder);
  EXPECT_EQ(Bucket(h, "ancient", 4), PropagationState::kOlder);
  EXPECT_EQ(Bucket(h, "unknown", 4), PropagationState::kOlder);
  EXPECT_EQ(Bucket({}, "x", 4), PropagationState::kNoInfo);
}

TEST(PropagationTest, BucketBoundariesAndTheStaleWindow) {
  const int64_t day = 86400, t = 1700000000;
  auto bucket = [&](int64_t age, int max_stale_days = 4) {
    return Bucket({{9, t, "ref"}, {8, t - age, "m"}}, "m", max_stale_days);
  };
  EXPECT_EQ(bucket(day), PropagationState::kSameDay);  // "> 1 day" is strict
  EXPECT_EQ(bucket(day + 1), PropagationState::kOneDay);
  EXPECT_EQ(bucket(2 * day), PropagationState::kOneDay);
  EXPECT_EQ(bucket(2 * day + 1), PropagationState::kTwoDay);
  EXPECT_EQ(bucket(3 * day), PropagationState::kTwoDay);
  EXPECT_EQ(bucket(3 * day + 1), PropagationState::kOlder);
  // Only matches newer than reference - MAX_STALE_DAYS count (strictly).
  EXPECT_EQ(bucket(2 * day - 1, 2), PropagationState::kOneDay);
  EXPECT_EQ(bucket(2 * day, 2), PropagationState::kOlder);
  // The newest matching file_detail decides; the reference is the highest id, not the newest
  // timestamp.
  EXPECT_EQ(Bucket({{9, t, "ref"}, {8, t - 3 * day + 5, "m"}, {7, t - day + 5, "m"}}, "m", 4),
            PropagationState::kSameDay);
  EXPECT_EQ(Bucket({{9, t - 2 * day, "ref"}, {8, t, "m"}}, "m", 4), PropagationState::kSameDay);
}

TEST(ContinentsTest, GeoIpCsvRedirectsAndSelection) {
  auto csv = ParseCountryContinentCsv(BuiltinCountryContinentCsv());
  EXPECT_EQ(csv.size(), 252u);
  EXPECT_EQ(csv["SE"], "EU");
  Resolver fake = [](const std::string& host) -> std::vector<std::string> {
    if (host == "se.example") return {"89.160.20.112", "89.160.20.113", "81.2.69.160"};
    if (host == "local.example") return {"127.0.0.1"};
    return {};
  };
  auto f = ContinentFilter::Create(mm::testing::TestDataDir() + "/geoip/GeoIP2-Country-Test.mmdb",
                                   csv, {{"GB", "NA"}}, {"^eu"}, {"CU"}, fake);
  ASSERT_OK(f.status());
  auto v = (*f)->Check("http://se.example/pub");
  EXPECT_EQ(v.country, "SE");  // most frequent
  EXPECT_EQ(v.kind, ContinentFilter::Verdict::Kind::kWrongContinent);
  EXPECT_EQ((*f)->Check("http://local.example/pub").country, "US");
  EXPECT_EQ((*f)->Check("http://local.example/pub").kind, ContinentFilter::Verdict::Kind::kCrawl);
  EXPECT_EQ((*f)->Check("http://nowhere.example/").kind,
            ContinentFilter::Verdict::Kind::kBrokenUrl);
  EXPECT_EQ((*f)->ContinentOf("GB"), "NA");  // redirect wins
  EXPECT_FALSE(ContinentFilter::Create("/does/not/exist.mmdb", csv, {}, {}, {}, fake).ok());
}

TEST(ContinentsTest, ASlowLookupIsAbandonedAtTheTimeout) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  Resolver slow = [release](const std::string&) -> std::vector<std::string> {
    for (int i = 0; i < 500 && !*release; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return {"89.160.20.112"};
  };
  auto f = ContinentFilter::Create(mm::testing::TestDataDir() + "/geoip/GeoIP2-Country-Test.mmdb",
                                   ParseCountryContinentCsv(BuiltinCountryContinentCsv()), {}, {},
                                   {}, slow);
  ASSERT_OK(f.status());
  absl::Time start = absl::Now();
  EXPECT_EQ((*f)->Check("http://slow.example/", absl::Milliseconds(200)).kind,
            ContinentFilter::Verdict::Kind::kBrokenUrl);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  *release = true;
  EXPECT_EQ((*f)->Check("http://slow.example/", absl::Seconds(5)).country, "SE");
}

TEST(DeadlineTest, StopFlagAndTimeouts) {
  common::FakeClock clock(absl::FromUnixSeconds(1000));
  std::atomic<bool> stop{false};
  Deadline d(&clock, absl::FromUnixSeconds(1100), absl::FromUnixSeconds(1050), &stop);
  EXPECT_EQ(d.Check(), StopReason::kNone);
  EXPECT_EQ(d.Remaining(), absl::Seconds(50));
  clock.Advance(absl::Seconds(60));
  EXPECT_EQ(d.Check(), StopReason::kHostTimeout);
  clock.Advance(absl::Seconds(60));
  EXPECT_EQ(d.Check(), StopReason::kGlobalTimeout);
  stop = true;
  EXPECT_EQ(d.Check(), StopReason::kInterrupted);
  EXPECT_FALSE(d.SleepFor(absl::Seconds(10)));
}

TEST(RsyncRunnerTest, KillsTheChildAtTheDeadline) {
  common::RealClock clock;
  Deadline d(&clock, absl::Now() + absl::Milliseconds(300), std::nullopt, nullptr);
  absl::Time start = absl::Now();
  RsyncRun r = RunRsync("/bin/sleep", {"30"}, d, nullptr);
  EXPECT_TRUE(r.spawned);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.exit_code, -9);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  Deadline later(&clock, absl::Now() + absl::Seconds(30), std::nullopt, nullptr);
  std::vector<std::string> lines;
  RsyncRun echo = RunRsync("/bin/sh", {"-c", "printf 'a\\nb\\nc'; exit 23"}, later,
                           [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(echo.exit_code, 23);
  EXPECT_THAT(lines, ElementsAre("a", "b", "c"));
  EXPECT_FALSE(RunRsync("/does/not/exist", {}, later, nullptr).spawned);
}

TEST(MailerTest, FormatsAPlainTextMessage) {
  std::string m = FormatMail({"from@x", "to@y", "MirrorManager crawler report: h", "line1\nline2"},
                             absl::FromUnixSeconds(0));
  EXPECT_THAT(m, HasSubstr("Subject: MirrorManager crawler report: h\r\n"));
  EXPECT_THAT(m, HasSubstr("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
  EXPECT_THAT(m, HasSubstr("\r\n\r\nline1\r\nline2\r\n"));
}

}  // namespace
}  // namespace mm::crawler
