// The netblocks job: source URL templates and directory indexes, the table rules (dedup,
// exclusions, order), atomic output, failure policy and the metrics summary.
#include "services/netblocks/netblocks_job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "absl/time/civil_time.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/common/config.h"
#include "services/netblocks/netblocks_metrics.h"
#include "services/netblocks/rib_source.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/netblocks/bgpdump_reference.h"
#include "tests/unit/netblocks/mrt_writer.h"
#include "tests/unit/netblocks/test_http_server.h"

namespace mm::netblocks {
namespace {

using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using namespace ::mm::netblocks::testing;  // NOLINT: test helpers

absl::Time At(int y, int m, int d, int hh = 12) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), absl::UTCTimeZone());
}

TEST(RibSourceTest, TemplatesUseYesterdayUtc) {
  EXPECT_EQ(ExpandUrlTemplate("http://x/{year}.{month}/RIBS/", At(2024, 3, 1), ""),
            "http://x/2024.02/RIBS/");
  EXPECT_EQ(ExpandUrlTemplate("http://x/{router}/{year}/{month}/{day}/", At(2024, 1, 1, 0), "ATLA"),
            "http://x/ATLA/2023/12/31/");
  EXPECT_EQ(ExpandUrlTemplate("file:///plain/rib.bz2", At(2024, 1, 1), "R"),
            "file:///plain/rib.bz2");
}

TEST(RibSourceTest, RibFileNamesAsUpstreamsPattern) {
  EXPECT_TRUE(IsRibFileName("rib.20240101.0000.bz2"));
  EXPECT_TRUE(IsRibFileName("rib.1.2.bz2"));
  EXPECT_TRUE(IsRibFileName("rib_2024_0101_bz2"));  // upstream's dots match any character
  EXPECT_FALSE(IsRibFileName("rib.20240101.0000.gz"));
  EXPECT_FALSE(IsRibFileName("updates.20240101.0000.bz2"));
  EXPECT_TRUE(IsRibFileName("rib.20240101.bz2"));  // "0" and "1" satisfy ".[0-9]+." as well
  EXPECT_FALSE(IsRibFileName("xrib.1.2.bz2"));
  EXPECT_FALSE(IsRibFileName("rib.1.2.bz2.sig"));
}

// A Fetcher whose listings are fixed.
class ListingFetcher final : public Fetcher {
 public:
  absl::Status Stream(const std::string&, ByteSink&) override {
    return absl::UnimplementedError("no");
  }
  absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& url) override {
    listed.push_back(url);
    return entries;
  }
  std::vector<std::string> entries;
  std::vector<std::string> listed;
};

TEST(RibSourceTest, DirectoryIndexGivesTheFirstRibListed) {
  ListingFetcher f;
  f.entries = {"../", "?C=N;O=A", "updates.20240101.0015.bz2", "rib.20240101.0200.bz2",
               "rib.20240101.0000.bz2"};
  EXPECT_EQ(*ResolveRibUrl(f, "http://h/2024.01/RIBS/"),
            "http://h/2024.01/RIBS/rib.20240101.0200.bz2");
  EXPECT_EQ(*ResolveRibUrl(f, "http://h/rib.bz2"), "http://h/rib.bz2");
  EXPECT_EQ(f.listed.size(), 1u);
  f.entries = {"../", "updates.1.2.bz2"};
  EXPECT_THAT(ResolveRibUrl(f, "http://h/RIBS/"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no RIB file")));
}

Prefix P(const char* s) {
  Prefix p;
  EXPECT_TRUE(ParsePrefix(s, &p)) << s;
  return p;
}

TEST(NetblockTableTest, LaterRecordWinsExclusionsAndOrder) {
  NetblockTable t;
  EXPECT_THAT(t.OnRoute(P("2001:db8::/32"), 1), IsOk());
  EXPECT_THAT(t.OnRoute(P("10.0.0.0/8"), 2), IsOk());
  EXPECT_THAT(t.OnRoute(P("10.0.0.0/8"), 3), IsOk());             // duplicate: the later line wins
  EXPECT_THAT(t.OnRoute(P("10.0.0.0/9"), 4), IsOk());             // another prefix
  EXPECT_THAT(t.OnRoute(P("10.0.0.0/9"), std::nullopt), IsOk());  // no line: 4 stays
  EXPECT_THAT(t.OnRoute(P("192.0.2.0/24"), std::nullopt), IsOk());
  EXPECT_THAT(t.OnRoute(P("192.0.2.0/24"), 5), IsOk());  // the first record with an origin
  EXPECT_THAT(t.OnRoute(P("0.0.0.0/0"), 6), IsOk());
  EXPECT_THAT(t.OnRoute(P("2001::/32"), 7), IsOk());  // Teredo: excluded
  EXPECT_THAT(t.OnRoute(P("1.0.0.0/24"), 8), IsOk());
  EXPECT_THAT(t.OnRoute(P("2001:db8::/32"), 1), IsOk());  // same line again
  EXPECT_EQ(t.ipv4_count(), 4u);
  EXPECT_EQ(t.ipv6_count(), 2u);
  std::string out;
  size_t n4 = 0, n6 = 0;
  EXPECT_EQ(t.Render(out, &n4, &n6), 5u);
  EXPECT_EQ(out, "10.0.0.0/8 3\n10.0.0.0/9 4\n192.0.2.0/24 5\n1.0.0.0/24 8\n2001:db8::/32 1\n");
  EXPECT_EQ(n4, 4u);
  EXPECT_EQ(n6, 1u);
  EXPECT_EQ(t.stats().duplicates, 2u);
  EXPECT_EQ(t.stats().replaced, 1u);
  EXPECT_EQ(t.stats().no_origin, 2u);
  EXPECT_EQ(t.stats().default_route, 1u);
  EXPECT_EQ(t.stats().excluded, 1u);
  t.Sort();
  out.clear();
  t.Render(out);
  EXPECT_EQ(out, "1.0.0.0/24 8\n10.0.0.0/8 3\n10.0.0.0/9 4\n192.0.2.0/24 5\n2001:db8::/32 1\n");
  // After sorting, a later record still replaces the right line.
  EXPECT_THAT(t.OnRoute(P("10.0.0.0/9"), 9), IsOk());
  EXPECT_THAT(t.OnRoute(P("2001:db8::/32"), 10), IsOk());
  out.clear();
  t.Render(out);
  EXPECT_EQ(out, "1.0.0.0/24 8\n10.0.0.0/8 3\n10.0.0.0/9 9\n192.0.2.0/24 5\n2001:db8::/32 10\n");
}

TEST(NetblockTableTest, PrefixCap) {
  NetblockTable t(3);
  EXPECT_THAT(t.OnRoute(P("10.0.0.0/8"), 1), IsOk());
  EXPECT_THAT(t.OnRoute(P("2001:db8::/32"), 2), IsOk());
  EXPECT_THAT(t.OnRoute(P("11.0.0.0/8"), 3), IsOk());
  // Known prefixes, routes without origin and the default route do not count.
  EXPECT_THAT(t.OnRoute(P("10.0.0.0/8"), 4), IsOk());
  EXPECT_THAT(t.OnRoute(P("12.0.0.0/8"), std::nullopt), IsOk());
  EXPECT_THAT(t.OnRoute(P("::/0"), 5), IsOk());
  EXPECT_THAT(t.OnRoute(P("12.0.0.0/8"), 6),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("more than 3 distinct prefixes (NETBLOCKS_MAX_PREFIXES)")));
  EXPECT_THAT(t.OnRoute(P("2001:db8::/33"), 6), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(t.size(), 3u);
  std::string out;
  EXPECT_EQ(t.Render(out), 3u);
  EXPECT_EQ(out, "10.0.0.0/8 4\n11.0.0.0/8 3\n2001:db8::/32 2\n");
}

TEST(NetblockTableTest, ExclusionPatternsAsUpstreamRegexes) {
  EXPECT_TRUE(NetblockTable::Excluded("2001::/32 1101"));
  EXPECT_TRUE(NetblockTable::Excluded("a:2001::/32 5"));  // re.search, not anchored
  EXPECT_TRUE(NetblockTable::Excluded("1.0.0.0/8 Unknown"));
  EXPECT_TRUE(NetblockTable::Excluded("0.0/16 5"));
  EXPECT_TRUE(NetblockTable::Excluded("10.0.0/16 5"));
  EXPECT_TRUE(NetblockTable::Excluded("000:206f::/32 5"));
  EXPECT_FALSE(NetblockTable::Excluded("2001:db8::/32 5"));
  EXPECT_FALSE(NetblockTable::Excluded("10.0.0.0/16 5"));
  EXPECT_FALSE(NetblockTable::Excluded("100.0.0/16 5"));
}

TEST(PrefixTest, ParseFormatCanonical) {
  Prefix p;
  ASSERT_TRUE(ParsePrefix("10.1.2.3/8", &p));
  EXPECT_EQ(FormatPrefix(p), "10.0.0.0/8");
  ASSERT_TRUE(ParsePrefix("2001:db8:ffff::1/33", &p));
  EXPECT_EQ(FormatPrefix(p), "2001:db8:8000::/33");
  ASSERT_TRUE(ParsePrefix("0.0.0.0/0", &p));
  EXPECT_EQ(FormatPrefix(p), "0.0.0.0/0");
  ASSERT_TRUE(ParsePrefix("255.255.255.255/32", &p));
  EXPECT_EQ(FormatPrefix(p), "255.255.255.255/32");
  EXPECT_FALSE(ParsePrefix("10.0.0.0/33", &p));
  EXPECT_FALSE(ParsePrefix("::/129", &p));
  EXPECT_FALSE(ParsePrefix("10.0.0.0", &p));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/", &p));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/1x", &p));
  EXPECT_FALSE(ParsePrefix("host.example/24", &p));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/0024", &p));
}

class JobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/netblocks_job_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // A small v4 table and a small v6 table.
  std::string V4Table(uint32_t origin_base = 64500) {
    MrtWriter w;
    w.PeerIndexTable(1, "", {Peer{1, false, V4("192.0.2.1"), 3356, true}});
    for (int i = 0; i < 50; ++i) {
      RibEntry e;
      e.attrs.as_path = {Segment{kAsSequence, {3356, origin_base + static_cast<uint32_t>(i)}}};
      std::string p = V4("30.0.0.0");
      p[1] = static_cast<char>(i);
      w.RibUnicast(false, static_cast<uint32_t>(i), p, 16, {e});
    }
    // An IPv6 prefix in the "IPv4" table: written with the IPv6 lines.
    RibEntry e;
    e.attrs.as_path = {Segment{kAsSequence, {6939, 1}}};
    w.RibUnicast(true, 99, V6("2001:db8:1::"), 48, {e});
    return w.Take();
  }
  std::string V6Table() {
    MrtWriter w;
    w.PeerIndexTable(1, "", {Peer{1, true, V6("2001:db8::1"), 6939, true}});
    for (int i = 0; i < 20; ++i) {
      RibEntry e;
      e.attrs.as_path = {Segment{kAsSequence, {6939, 200000 + static_cast<uint32_t>(i)}}};
      std::string p = V6("2a00::");
      p[2] = static_cast<char>(i);
      w.RibUnicast(true, static_cast<uint32_t>(i), p, 32, {e});
    }
    RibEntry dup;
    dup.attrs.as_path = {Segment{kAsSequence, {6939, 2}}};
    w.RibUnicast(true, 99, V6("2001:db8:1::"), 48, {dup});  // also in the v4 source: this wins
    return w.Take();
  }

  std::string dir_;
  UrlFetcher fetcher_;
  common::FakeClock clock_{At(2024, 2, 1)};
};

TEST_F(JobTest, GlobalFromFilesAndDirectoryIndex) {
  ASSERT_TRUE(WriteFile(dir_ + "/rib.bz2", Bzip2(V4Table())));
  ASSERT_EQ(mkdir((dir_ + "/2024.01").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir_ + "/2024.01/RIBS").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(dir_ + "/2024.01/RIBS/rib.20240131.2200.bz2", Bzip2(V6Table())));
  ASSERT_TRUE(WriteFile(dir_ + "/2024.01/RIBS/rib.20240131.0000.bz2", "old and broken"));
  ASSERT_EQ(
      std::system(
          ("touch -d '2024-01-31 01:00' " + dir_ + "/2024.01/RIBS/rib.20240131.0000.bz2").c_str()),
      0);
  NetblocksConfig cfg;
  cfg.global_ipv4_url = "file://" + dir_ + "/rib.bz2";
  cfg.global_ipv6_url = "file://" + dir_ + "/{year}.{month}/RIBS/";
  NetblocksJob job(fetcher_, clock_, {});
  RunReport report;
  std::string out = dir_ + "/global_netblocks.txt";
  ASSERT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, &report), IsOk());
  auto lines = ReadNetblocksFile(out);
  ASSERT_EQ(lines.size(), 71u);
  EXPECT_THAT(lines[0], Pair("30.0.0.0/16", 64500u));
  EXPECT_THAT(lines[49], Pair("30.49.0.0/16", 64549u));
  // In both sources: the later (IPv6 source) record decides, as mirrorlist-server would with
  // upstream's two lines.
  EXPECT_THAT(lines[50], Pair("2001:db8:1::/48", 2u));
  EXPECT_THAT(lines[51], Pair("2a00::/32", 200000u));
  EXPECT_EQ(report.ipv4_lines, 50u);
  EXPECT_EQ(report.ipv6_lines, 21u);
  ASSERT_EQ(report.sources.size(), 2u);
  EXPECT_EQ(report.sources[1].resolved_url,
            "file://" + dir_ + "/2024.01/RIBS/rib.20240131.2200.bz2");
  EXPECT_EQ(report.sources[1].new_prefixes, 20u);
  EXPECT_EQ(report.table.duplicates, 1u);
  EXPECT_EQ(report.table.replaced, 1u);
  EXPECT_TRUE(report.written);
  // The file is world-readable (umask permitting): the mirrorlist server runs as another user.
  struct stat st;
  ASSERT_EQ(stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0444, 0444u & ~static_cast<unsigned>(umask(022)));
}

TEST_F(JobTest, OutputThroughASymbolicLinkReplacesItsTarget) {
  // Deployments point the served path at a file on another volume: the link stays.
  ASSERT_TRUE(WriteFile(dir_ + "/v4.bz2", Bzip2(V4Table())));
  ASSERT_EQ(mkdir((dir_ + "/volume").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(dir_ + "/volume/global_netblocks.txt", "192.0.2.0/24 1\n"));
  ASSERT_EQ(chmod((dir_ + "/volume/global_netblocks.txt").c_str(), 0640), 0);
  std::string link = dir_ + "/global_netblocks.txt";
  ASSERT_EQ(symlink("volume/global_netblocks.txt", link.c_str()), 0);
  NetblocksConfig cfg;
  cfg.global_ipv4_url = dir_ + "/v4.bz2";
  NetblocksJob job(fetcher_, clock_, {});
  ASSERT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), link, nullptr), IsOk());
  struct stat st;
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(ReadNetblocksFile(dir_ + "/volume/global_netblocks.txt").size(), 51u);
  ASSERT_EQ(stat(link.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(JobTest, MatchesBgpdumpAcrossBothSources) {
  ASSERT_TRUE(WriteFile(dir_ + "/v4.mrt.bz2", Bzip2(V4Table())));
  ASSERT_TRUE(WriteFile(dir_ + "/v6.mrt.gz", Gzip(V6Table())));
  NetblocksConfig cfg;
  cfg.global_ipv4_url = dir_ + "/v4.mrt.bz2";
  cfg.global_ipv6_url = dir_ + "/v6.mrt.gz";
  NetblocksJob job(fetcher_, clock_, {});
  std::string out = dir_ + "/out.txt";
  ASSERT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr), IsOk());
  ReferenceTable a = BgpdumpOrigins(dir_ + "/v4.mrt.bz2");
  ReferenceTable b = BgpdumpOrigins(dir_ + "/v6.mrt.gz");
  ASSERT_EQ(a.error + b.error, "");
  // The second source's records come later: they win.
  std::map<std::string, uint32_t> ref;
  for (const auto& e : a.entries) ref[e.first] = e.second;
  for (const auto& e : b.entries) ref[e.first] = e.second;
  EXPECT_EQ(ref["2001:db8:1::/48"], 2u);
  EXPECT_THAT(ReadNetblocksFile(out),
              ::testing::UnorderedElementsAreArray(
                  std::vector<std::pair<std::string, uint32_t>>(ref.begin(), ref.end())));
}

TEST_F(JobTest, FailuresLeaveThePreviousFileAlone) {
  std::string out = dir_ + "/global_netblocks.txt";
  ASSERT_TRUE(WriteFile(out, "192.0.2.0/24 1\n"));
  ASSERT_TRUE(WriteFile(dir_ + "/v4.bz2", Bzip2(V4Table())));
  NetblocksJob job(fetcher_, clock_, {});
  NetblocksConfig cfg;
  cfg.global_ipv4_url = dir_ + "/v4.bz2";

  // A missing IPv6 source.
  cfg.global_ipv6_url = dir_ + "/missing.bz2";
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.bz2")));
  // An HTML page instead of a RIB.
  ASSERT_TRUE(WriteFile(dir_ + "/error.html", "<html><body>Service Unavailable</body></html>\n"));
  cfg.global_ipv6_url = dir_ + "/error.html";
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not an MRT dump")));
  // A valid MRT file without RIB records (BGP4MP updates, say).
  {
    MrtWriter updates;
    updates.Raw(16, 4, std::string(40, '\0'));
    updates.Raw(99, 0, "?");
    ASSERT_TRUE(WriteFile(dir_ + "/updates.mrt", updates.data()));
  }
  cfg.global_ipv6_url = dir_ + "/updates.mrt";
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no usable RIB record (2 records, 1 of unknown type")));
  // A valid dump whose prefixes all lack an origin: empty result.
  MrtWriter w;
  RibEntry e;
  w.RibUnicast(false, 0, V4("1.0.0.0"), 8, {e});
  ASSERT_TRUE(WriteFile(dir_ + "/noorigin.mrt", w.data()));
  cfg.global_ipv4_url = dir_ + "/noorigin.mrt";
  cfg.global_ipv6_url = "";
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("Unable to retrieve netblock list")));
  // A truncated download.
  std::string bz = Bzip2(V4Table());
  ASSERT_TRUE(WriteFile(dir_ + "/cut.bz2", bz.substr(0, bz.size() / 2)));
  cfg.global_ipv4_url = dir_ + "/cut.bz2";
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("cut.bz2: bzip2")));
  // Only IPv6 prefixes: mirrorlist-server would exit ("Creating ASN cache failed").
  cfg.global_ipv4_url = "";
  ASSERT_TRUE(WriteFile(dir_ + "/v6.bz2", Bzip2(V6Table())));
  cfg.global_ipv6_url = dir_ + "/v6.bz2";
  RunReport v6_only;
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, &v6_only),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("the result has no IPv4 prefix (21 IPv6)")));
  EXPECT_FALSE(v6_only.written);
  EXPECT_EQ(v6_only.ipv6_lines, 21u);
  // Too many prefixes.
  cfg.global_ipv4_url = dir_ + "/v4.bz2";
  cfg.max_prefixes = 10;
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("global_ipv4: " + dir_ + "/v4.bz2: more than 10 distinct")));
  cfg.max_prefixes = NetblockTable::kDefaultMaxPrefixes;
  // No source at all.
  cfg.global_ipv4_url = "";
  cfg.global_ipv6_url = "";
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReadFile(out), "192.0.2.0/24 1\n");
  // And no temporary files are left behind.
  EXPECT_EQ(std::system(("test -z \"$(ls -A " + dir_ + " | grep tmp)\"").c_str()), 0);
}

TEST_F(JobTest, Internet2RoutersAreReadAndSorted) {
  NetblocksConfig cfg;
  cfg.internet2_url = "file://" + dir_ + "/{router}/{year}/{month}/{day}/";
  cfg.internet2_routers = {"ATLA", "CHIC"};
  uint32_t base = 70000;
  for (const char* router : {"ATLA", "CHIC"}) {
    std::string d = dir_ + "/" + router;
    ASSERT_EQ(std::system(("mkdir -p " + d + "/2024/01/31").c_str()), 0);
    MrtWriter w;
    w.PeerIndexTable(1, "", {});
    RibEntry e;
    e.attrs.as_path = {Segment{kAsSequence, {11537, base}}};
    w.RibUnicast(false, 0, V4(base == 70000 ? "40.0.0.0" : "39.0.0.0"), 8, {e});
    w.RibUnicast(false, 1, V4("41.0.0.0"), 8, {e});
    ASSERT_TRUE(WriteFile(d + "/2024/01/31/rib.20240131.1200.bz2", Bzip2(w.data())));
    base += 1;
  }
  NetblocksJob job(fetcher_, clock_, {});
  std::string out = dir_ + "/i2.txt";
  RunReport report;
  ASSERT_THAT(job.Run(Internet2Sources(cfg), JobOptions::Internet2(cfg), out, &report), IsOk());
  // 41.0.0.0/8 is announced by both routers' tables: the later router decides.
  EXPECT_EQ(ReadFile(out), "39.0.0.0/8 70001\n40.0.0.0/8 70000\n41.0.0.0/8 70001\n");
  ASSERT_EQ(report.sources.size(), 2u);
  EXPECT_EQ(report.sources[1].source.name, "internet2_CHIC");
}

// Forwards to the metrics and keeps what a scrape would have seen after each progress call.
class ScrapingObserver final : public RunObserver {
 public:
  ScrapingObserver(NetblocksMetrics& metrics, prometheus::Registry& registry)
      : metrics_(metrics), registry_(registry) {}
  void OnSourceProgress(const NetblocksSource& source, const RibReadStats& read,
                        const NetblockTable& table) override {
    metrics_.OnSourceProgress(source, read, table);
    scrapes.push_back(prometheus::TextSerializer().Serialize(registry_.Collect()));
  }
  std::vector<std::string> scrapes;

 private:
  NetblocksMetrics& metrics_;
  prometheus::Registry& registry_;
};

// The value of the sample `series` (name and labels as printed) in a text exposition.
double Sample(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST_F(JobTest, MetricsFromTheStartThroughProgressToTheSummary) {
  std::string v4 = V4Table();
  ASSERT_TRUE(WriteFile(dir_ + "/v4.bz2", Bzip2(v4)));
  // The second source has one route of each kind that gives no line of its own, and records
  // the reader skips.
  MrtWriter w;
  w.PeerIndexTable(1, "", {Peer{1, true, V6("2001:db8::1"), 6939, true}});
  RibEntry e;
  e.attrs.as_path = {Segment{kAsSequence, {6939, 1101}}};
  w.RibUnicast(true, 0, V6("2001::"), 32, {e});              // excluded (Teredo)
  w.RibUnicast(true, 1, V6("::"), 0, {e});                   // default route
  w.RibUnicast(false, 2, V4("30.0.0.0"), 16, {e});           // duplicate, another origin: replaced
  w.RibUnicast(false, 3, V4("30.1.0.0"), 16, {RibEntry{}});  // no origin: the line stays
  RibEntry set_only;
  set_only.attrs.as_path = {Segment{kAsSet, {1, 2}}};
  w.RibUnicast(false, 4, V4("31.0.0.0"), 16, {set_only});  // no origin
  w.RibUnicast(false, 5, V4("32.0.0.0"), 16, {e});         // a new prefix
  w.Raw(99, 0, "?");                                       // unknown type
  w.Raw(13, 2, std::string("\x00\x00\x00\x01\x21", 5));    // malformed: /33
  w.Raw(16, 4, std::string(8, '\0'));                      // ignored: BGP4MP
  std::string extras = w.Take();
  ASSERT_TRUE(WriteFile(dir_ + "/extras.mrt.gz", Gzip(extras)));
  NetblocksConfig cfg;
  cfg.global_ipv4_url = dir_ + "/v4.bz2";
  cfg.global_ipv6_url = dir_ + "/extras.mrt.gz";
  prometheus::Registry registry;
  absl::Time constructed = absl::Now();
  NetblocksMetrics metrics(registry, GlobalSources(cfg));
  // Every family is there before anything is read.
  std::string before = prometheus::TextSerializer().Serialize(registry.Collect());
  for (const char* family :
       {"mm_netblocks_records ", "mm_netblocks_records_read ", "mm_netblocks_source_bytes ",
        "mm_netblocks_table_prefixes ", "mm_netblocks_prefixes ", "mm_netblocks_dropped ",
        "mm_netblocks_origin_replaced ", "mm_netblocks_duration_seconds ",
        "mm_netblocks_success "}) {
    EXPECT_THAT(before, HasSubstr(std::string("# TYPE ") + family)) << family;
  }
  EXPECT_THAT(before, HasSubstr("mm_netblocks_success 0"));
  EXPECT_THAT(before, HasSubstr("mm_netblocks_records_read{source=\"global_ipv4\"} 0"));
  EXPECT_THAT(before, HasSubstr("mm_netblocks_records_read{source=\"global_ipv6\"} 0"));
  // No success yet, so no time of the last one.
  EXPECT_THAT(before, ::testing::Not(HasSubstr("mm_netblocks_last_success_timestamp_seconds")));

  ScrapingObserver observer(metrics, registry);
  RibReadOptions small_chunks;
  small_chunks.chunk_size = 256;  // progress several times within this small table
  NetblocksJob job(fetcher_, clock_, small_chunks, &observer);
  RunReport report;
  ASSERT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), dir_ + "/o.txt", &report),
              IsOk());
  ASSERT_GE(observer.scrapes.size(), 3u);
  // Mid-run: some records counted, nothing written yet, the duration running.
  const std::string& mid = observer.scrapes[observer.scrapes.size() / 4];
  EXPECT_THAT(mid, ::testing::ContainsRegex(
                       "mm_netblocks_records\\{kind=\"rib_ipv4\",source=\"global_ipv4\"\\} "
                       "([1-9]|[1-4][0-9])\n"));
  EXPECT_THAT(
      mid, HasSubstr("mm_netblocks_records{kind=\"peer_index_table\",source=\"global_ipv4\"} 1"));
  EXPECT_THAT(mid, HasSubstr("mm_netblocks_success 0"));
  EXPECT_THAT(mid, HasSubstr("mm_netblocks_prefixes{family=\"ipv4\"} 0"));
  EXPECT_THAT(mid,
              ::testing::ContainsRegex("mm_netblocks_table_prefixes\\{family=\"ipv4\"\\} [1-9]"));
  double mid_duration = Sample(mid, "mm_netblocks_duration_seconds");
  EXPECT_GE(mid_duration, 0);
  EXPECT_LE(mid_duration, absl::ToDoubleSeconds(absl::Now() - constructed));

  metrics.OnRunEnd(report, At(2024, 2, 1));
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  // Records per source and kind.
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"rib_ipv4\",source=\"global_ipv4\"} 50"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"rib_ipv6\",source=\"global_ipv4\"} 1"));
  EXPECT_THAT(
      text, HasSubstr("mm_netblocks_records{kind=\"peer_index_table\",source=\"global_ipv4\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records_read{source=\"global_ipv4\"} 52"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"rib_ipv4\",source=\"global_ipv6\"} 4"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"rib_ipv6\",source=\"global_ipv6\"} 2"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"no_origin\",source=\"global_ipv6\"} 2"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"unknown\",source=\"global_ipv6\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"malformed\",source=\"global_ipv6\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"ignored\",source=\"global_ipv6\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records_read{source=\"global_ipv6\"} 10"));
  // Bytes per source and stage.
  EXPECT_EQ(Sample(text, "mm_netblocks_source_bytes{source=\"global_ipv4\",stage=\"compressed\"}"),
            static_cast<double>(Bzip2(v4).size()));
  EXPECT_EQ(
      Sample(text, "mm_netblocks_source_bytes{source=\"global_ipv4\",stage=\"decompressed\"}"),
      static_cast<double>(v4.size()));
  EXPECT_EQ(
      Sample(text, "mm_netblocks_source_bytes{source=\"global_ipv6\",stage=\"decompressed\"}"),
      static_cast<double>(extras.size()));
  // Prefixes per family: in the table, and written.
  EXPECT_THAT(text, HasSubstr("mm_netblocks_table_prefixes{family=\"ipv4\"} 51"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_table_prefixes{family=\"ipv6\"} 2"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_prefixes{family=\"ipv4\"} 51"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_prefixes{family=\"ipv6\"} 1"));
  // Why routes gave no line of their own.
  EXPECT_THAT(text, HasSubstr("mm_netblocks_dropped{reason=\"duplicate\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_dropped{reason=\"no_origin\"} 2"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_dropped{reason=\"excluded\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_dropped{reason=\"default_route\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_origin_replaced 1"));
  // The run's duration and outcome.
  EXPECT_DOUBLE_EQ(Sample(text, "mm_netblocks_duration_seconds"),
                   absl::ToDoubleSeconds(report.elapsed));
  EXPECT_GT(report.elapsed, absl::ZeroDuration());
  EXPECT_THAT(text, HasSubstr("mm_netblocks_success 1"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_last_success_timestamp_seconds 1706788800"));
}

TEST_F(JobTest, MetricsOfAFailedRun) {
  ASSERT_TRUE(WriteFile(dir_ + "/v4.bz2", Bzip2(V4Table())));
  NetblocksConfig cfg;
  cfg.global_ipv4_url = dir_ + "/v4.bz2";
  cfg.global_ipv6_url = dir_ + "/missing.bz2";
  prometheus::Registry registry;
  NetblocksMetrics metrics(registry, GlobalSources(cfg));
  NetblocksJob job(fetcher_, clock_, {}, &metrics);
  RunReport report;
  EXPECT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), dir_ + "/o.txt", &report),
              StatusIs(absl::StatusCode::kNotFound));
  metrics.OnRunEnd(report, At(2024, 2, 1));
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  // What was read is reported; nothing was written.
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records{kind=\"rib_ipv4\",source=\"global_ipv4\"} 50"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_records_read{source=\"global_ipv6\"} 0"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_table_prefixes{family=\"ipv4\"} 50"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_prefixes{family=\"ipv4\"} 0"));
  EXPECT_THAT(text, HasSubstr("mm_netblocks_success 0"));
  EXPECT_GT(Sample(text, "mm_netblocks_duration_seconds"), 0);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("mm_netblocks_last_success_timestamp_seconds")));
}

TEST_F(JobTest, ConfigKeysAndDefaults) {
  auto cfg = NetblocksConfig::FromConfig(common::Config::WithDefaults());
  ASSERT_THAT(cfg, IsOk());
  EXPECT_EQ(cfg->global_ipv4_url, "http://ftp.routeviews.org/dnszones/rib.bz2");
  EXPECT_EQ(cfg->global_ipv6_url,
            "http://archive.routeviews.org/route-views6/bgpdata/{year}.{month}/RIBS/");
  EXPECT_THAT(cfg->internet2_routers,
              ElementsAre("ATLA", "CHIC", "HOUS", "KANS", "LOSA", "NEWY", "SALT", "SEAT", "WASH"));
  auto sources = Internet2Sources(*cfg);
  ASSERT_EQ(sources.size(), 9u);
  EXPECT_EQ(ExpandUrlTemplate(sources[0].url, At(2024, 3, 1), sources[0].router),
            "http://routes.net.internet2.edu/bgp/RIBS/ATLA/2024/02/29/");
  common::Config c = common::Config::WithDefaults();
  ASSERT_THAT(c.MergeText("NETBLOCKS_GLOBAL_IPV6_URL = None\nNETBLOCKS_MAX_BYTES = 0\n", "t.cfg"),
              IsOk());
  EXPECT_THAT(NetblocksConfig::FromConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("t.cfg:2")));
  ASSERT_THAT(c.MergeText("NETBLOCKS_MAX_BYTES = 10\n", "t.cfg"), IsOk());
  auto c2 = NetblocksConfig::FromConfig(c);
  ASSERT_THAT(c2, IsOk());
  EXPECT_EQ(GlobalSources(*c2).size(), 1u);
  EXPECT_EQ(cfg->max_prefixes, 5000000u);
  EXPECT_EQ(cfg->ca_bundle, "");
  ASSERT_THAT(c.MergeText("NETBLOCKS_MAX_PREFIXES = 2000000\nNETBLOCKS_CA_BUNDLE = '/etc/ca.pem'\n",
                          "t.cfg"),
              IsOk());
  c2 = NetblocksConfig::FromConfig(c);
  ASSERT_THAT(c2, IsOk());
  EXPECT_EQ(c2->max_prefixes, 2000000u);
  EXPECT_EQ(c2->ca_bundle, "/etc/ca.pem");
  EXPECT_EQ(JobOptions::Global(*c2).max_prefixes, 2000000u);
  EXPECT_TRUE(JobOptions::Global(*c2).require_ipv4);
  EXPECT_TRUE(JobOptions::Internet2(*c2).sort);
  EXPECT_FALSE(JobOptions::Internet2(*c2).require_ipv4);
  ASSERT_THAT(c.MergeText("NETBLOCKS_MAX_PREFIXES = 0\n", "u.cfg"), IsOk());
  EXPECT_THAT(NetblocksConfig::FromConfig(c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("u.cfg:1")));
}

}  // namespace
}  // namespace mm::netblocks
