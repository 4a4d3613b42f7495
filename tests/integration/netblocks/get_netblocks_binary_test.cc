// The real mm2_get-netblocks binary against RIB dumps served from loopback HTTP: global and
// internet2 runs, the output compared with bgpdump's reading of the same files, failures that
// keep the previous output, the command line, and the metrics pushed to a Pushgateway.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"
#include "tests/unit/netblocks/bgpdump_reference.h"
#include "tests/unit/netblocks/mrt_writer.h"
#include "tests/unit/netblocks/server_netblocks_model.h"
#include "tests/unit/netblocks/test_http_server.h"

namespace mm::netblocks {
namespace {

using ::mm::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;
using namespace ::mm::netblocks::testing;  // NOLINT: test helpers
using ::mm::testing::FakePushgateway;

Attributes Path(std::vector<uint32_t> seq) {
  Attributes a;
  a.as_path = {Segment{kAsSequence, std::move(seq)}};
  return a;
}

RibEntry Entry(std::vector<uint32_t> seq, uint16_t peer = 0) {
  RibEntry e;
  e.peer_index = peer;
  e.attrs = Path(std::move(seq));
  return e;
}

std::string RouteViews2() {
  MrtWriter w;
  w.PeerIndexTable(
      1, "route-views2",
      {Peer{1, false, V4("192.0.2.1"), 3356, true}, Peer{2, false, V4("192.0.2.2"), 174, false}});
  uint32_t seq = 0;
  for (int a = 1; a < 60; ++a) {
    for (int b = 0; b < 8; ++b) {
      std::string p(4, '\0');
      p[0] = static_cast<char>(a);
      p[1] = static_cast<char>(b * 32);
      w.RibUnicast(false, seq++, p, static_cast<uint8_t>(11 + b % 14),
                   {Entry({3356, 1000u + static_cast<uint32_t>(a * 8 + b)}), Entry({174, 9}, 1)});
    }
  }
  w.RibUnicast(false, seq++, V4("0.0.0.0"), 0, {Entry({3356})});
  return w.Take();
}

std::string RouteViews6() {
  MrtWriter w;
  w.PeerIndexTable(1, "route-views6", {Peer{1, true, V6("2001:db8::1"), 6939, true}});
  uint32_t seq = 0;
  for (int a = 0; a < 100; ++a) {
    std::string p = V6("2a00::");
    p[2] = static_cast<char>(a);
    w.RibUnicast(true, seq++, p, 32, {Entry({6939, 200000u + static_cast<uint32_t>(a)})});
  }
  w.RibUnicast(true, seq++, V6("2001::"), 32, {Entry({6939, 1101})});
  return w.Take();
}

class GetNetblocksBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(http_.ok());
    char tmpl[] = "/tmp/get_netblocks_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    v4_ = RouteViews2();
    v6_ = RouteViews6();
    http_.Serve("/dnszones/rib.bz2", Bzip2(v4_));
    // Yesterday's month (and the day before's, should the date roll over during the test).
    for (int back : {1, 2}) {
      absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) - back;
      std::string dir =
          absl::StrFormat("/route-views6/bgpdata/%04d.%02d/RIBS/", day.year(), day.month());
      http_.ServeIndex(dir, {"rib.20240131.2200.bz2", "rib.20240131.2000.bz2"});
      http_.Serve(dir + "rib.20240131.2200.bz2", Bzip2(v6_));
      http_.Serve(dir + "rib.20240131.2000.bz2", "stale");
    }
    output_ = dir_ + "/global_netblocks.txt";
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string Config(const std::string& extra = "") {
    std::string cfg = dir_ + "/mm.cfg";
    WriteFile(cfg, "NETBLOCKS_GLOBAL_IPV4_URL = '" + http_.Url("/dnszones/rib.bz2") + "'\n" +
                       "NETBLOCKS_GLOBAL_IPV6_URL = '" +
                       http_.Url("/route-views6/bgpdata/{year}.{month}/RIBS/") + "'\n" + extra);
    return cfg;
  }

  absl::StatusOr<mm::testing::ProcessResult> Run(const std::vector<std::string>& args) {
    return mm::testing::RunProcess(mm::testing::BinaryPath("mm2_get-netblocks"), args);
  }

  TestHttpServer http_;
  std::string dir_, output_, v4_, v6_;
};

TEST_F(GetNetblocksBinaryTest, GlobalMatchesBgpdump) {
  auto r = Run({"-c", Config(), "global", output_});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exit_code, 0) << r->err;
  auto lines = ReadNetblocksFile(output_);
  ASSERT_EQ(lines.size(), 59u * 8u + 100u);
  // IPv4 first, then IPv6; no blank line, two fields each, canonical prefixes.
  EXPECT_EQ(lines.front().first, "1.0.0.0/11");
  EXPECT_EQ(lines[59 * 8].first, "2a00::/32");
  std::string text = ReadFile(output_);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');

  ASSERT_TRUE(WriteFile(dir_ + "/v4.bz2", Bzip2(v4_)));
  ASSERT_TRUE(WriteFile(dir_ + "/v6.bz2", Bzip2(v6_)));
  ReferenceTable a = BgpdumpOrigins(dir_ + "/v4.bz2");
  ReferenceTable b = BgpdumpOrigins(dir_ + "/v6.bz2");
  ASSERT_EQ(a.error + b.error, "");
  auto ref = a.entries;
  ref.insert(ref.end(), b.entries.begin(), b.entries.end());
  EXPECT_THAT(lines, UnorderedElementsAreArray(ref));
  // mirrorlist-server loads the file (no start-up hazard, no skipped line) into the table that
  // bgpdump's reading gives, and longest-prefix matches agree.
  std::string ref_text;
  for (const auto& [prefix, origin] : ref) ref_text += prefix + " " + std::to_string(origin) + "\n";
  ServerNetblocksModel ours(text), theirs(ref_text);
  EXPECT_EQ(ours.hazard(), "");
  EXPECT_TRUE(ours.starts());
  EXPECT_EQ(ours.skipped_lines(), 0);
  EXPECT_EQ(ours.ipv4_size(), 59u * 8u);
  EXPECT_EQ(ours.ipv6_size(), 100u);
  for (const auto& [prefix, origin] : ref) {
    EXPECT_EQ(ours.Exact(prefix), std::optional<std::string>(std::to_string(origin))) << prefix;
    std::string network = prefix.substr(0, prefix.find('/'));
    EXPECT_EQ(ours.LongestMatch(network), theirs.LongestMatch(network)) << prefix;
  }
  // The directory index was asked for newest-first, as upstream does.
  EXPECT_THAT(http_.requests(), ::testing::Contains(HasSubstr("/RIBS/?C=M;O=D")));
}

TEST_F(GetNetblocksBinaryTest, FailureKeepsThePreviousFile) {
  ASSERT_TRUE(WriteFile(output_, "192.0.2.0/24 64496\n"));
  http_.Serve("/dnszones/rib.bz2", "", 404);
  auto r = Run({"--debug", "-c", Config(), "global", output_});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("Error: global_ipv4"));
  EXPECT_THAT(r->err, HasSubstr("404"));
  EXPECT_EQ(ReadFile(output_), "192.0.2.0/24 64496\n");

  // A corrupt compressed stream.
  std::string bz = Bzip2(v4_);
  for (size_t i = 300; i < 400; ++i) bz[i] = static_cast<char>(~bz[i]);
  http_.Serve("/dnszones/rib.bz2", bz);
  r = Run({"-c", Config(), "global", output_});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("bzip2"));
  EXPECT_EQ(ReadFile(output_), "192.0.2.0/24 64496\n");
}

TEST_F(GetNetblocksBinaryTest, Internet2OverHttp) {
  for (const char* router : {"ATLA", "SEAT"}) {
    for (int back : {1, 2}) {
      absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) - back;
      std::string dir = absl::StrFormat("/bgp/RIBS/%s/%04d/%02d/%02d/", router, day.year(),
                                        day.month(), day.day());
      http_.ServeIndex(dir, {"rib.20240131.1200.bz2"});
      MrtWriter w;
      w.PeerIndexTable(1, "", {});
      w.RibUnicast(false, 0, V4(router[0] == 'A' ? "64.57.0.0" : "64.56.0.0"), 16,
                   {Entry({11537, 11164})});
      http_.Serve(dir + "rib.20240131.1200.bz2", Bzip2(w.data()));
    }
  }
  std::string cfg =
      Config("NETBLOCKS_INTERNET2_URL = '" + http_.Url("/bgp/RIBS/{router}/{year}/{month}/{day}/") +
             "'\nNETBLOCKS_INTERNET2_ROUTERS = ['ATLA', 'SEAT']\n");
  std::string out = dir_ + "/i2_netblocks.txt";
  auto r = Run({"-c", cfg, "internet2", out});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(ReadFile(out), "64.56.0.0/16 11164\n64.57.0.0/16 11164\n");
}

TEST_F(GetNetblocksBinaryTest, CommandLine) {
  auto r = Run({"--help"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_THAT(r->out, HasSubstr("global OUTPUT"));
  r = Run({"-c", Config(), "regional", output_});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_THAT(r->err, HasSubstr("No such command 'regional'"));
  r = Run({"-c", Config(), "global"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_THAT(r->err, HasSubstr("missing argument 'OUTPUT'"));
  r = Run({"-c", dir_ + "/nope.cfg", "global", output_});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 2);
  // Options after the sub-command work too.
  r = Run({"global", "--debug", "-c", Config(), output_});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_THAT(r->err, HasSubstr("wrote " + output_));
}

TEST_F(GetNetblocksBinaryTest, SigtermDuringAStalledDownloadStopsPromptly) {
  ASSERT_TRUE(WriteFile(output_, "192.0.2.0/24 64496\n"));
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::string bz = Bzip2(v4_);
  http_.ServeStreaming("/dnszones/rib.bz2", bz, bz.size() / 3 + 1, [&](size_t chunk) {
    if (chunk == 0) return;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(60), [&] { return release; });
  });
  auto p = mm::testing::BackgroundProcess::Start(mm::testing::BinaryPath("mm2_get-netblocks"),
                                                 {"-c", Config(), "global", output_});
  ASSERT_THAT(p, IsOk());
  // Let it connect and receive the first third.
  ASSERT_TRUE(mm::testing::WaitFor(
      [&] { return (*p)->ReadLog().find("reading") != std::string::npos; }, absl::Seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  absl::Time start = absl::Now();
  auto code = (*p)->Stop(SIGTERM, absl::Seconds(10));
  absl::Duration took = absl::Now() - start;
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  ASSERT_THAT(code, IsOk());
  EXPECT_EQ(*code, 1);
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_THAT((*p)->ReadLog(), HasSubstr("stopped by a signal"));
  EXPECT_EQ(ReadFile(output_), "192.0.2.0/24 64496\n");
}

// A plain MRT IPv4 table of `n` /24 prefixes (about 60 bytes of MRT each).
std::string ManyPrefixes(int n) {
  MrtWriter w;
  w.PeerIndexTable(1, "route-views2", {Peer{1, false, V4("192.0.2.1"), 3356, true}});
  for (int i = 0; i < n; ++i) {
    std::string p(4, '\0');
    p[0] = static_cast<char>(20 + i / 65536);
    p[1] = static_cast<char>(i >> 8);
    p[2] = static_cast<char>(i);
    w.RibUnicast(false, static_cast<uint32_t>(i), p, 24,
                 {Entry({3356, 64512, 100000u + static_cast<uint32_t>(i % 5000)})});
  }
  return w.Take();
}

TEST_F(GetNetblocksBinaryTest, MetricsAreServedWhileTheRunProgresses) {
  ASSERT_TRUE(WriteFile(output_, "192.0.2.0/24 64496\n"));
  // The IPv4 dump trickles in: after two pieces (1 MiB each) the server waits for the test.
  std::string mrt = ManyPrefixes(60000);
  ASSERT_GT(mrt.size(), 3u << 20);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  http_.ServeStreaming("/dnszones/rib.bz2", mrt, 1 << 20, [&](size_t chunk) {
    if (chunk < 2) return;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(60), [&] { return release; });
  });
  auto unblock = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
  };
  int port = mm::testing::FreePort();
  auto p = mm::testing::BackgroundProcess::Start(
      mm::testing::BinaryPath("mm2_get-netblocks"),
      {"-c", Config(absl::StrFormat("METRICS_LISTEN = '127.0.0.1:%d'\n", port)), "global",
       output_});
  ASSERT_THAT(p, IsOk());
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  std::string body;
  // Records counted from the first pieces, long before the download ends.
  bool progressed = mm::testing::WaitFor(
      [&] {
        auto res = client.Get("/metrics");
        if (!res || res->status != 200) return false;
        body = res->body;
        return body.find("mm_netblocks_records{kind=\"rib_ipv4\",source=\"global_ipv4\"} ") !=
                   std::string::npos &&
               body.find("mm_netblocks_records{kind=\"rib_ipv4\",source=\"global_ipv4\"} 0\n") ==
                   std::string::npos;
      },
      absl::Seconds(30));
  if (!progressed) unblock();
  ASSERT_TRUE(progressed) << body << (*p)->ReadLog();
  EXPECT_THAT(
      body, HasSubstr("mm_netblocks_records{kind=\"peer_index_table\",source=\"global_ipv4\"} 1"));
  EXPECT_THAT(body, ::testing::ContainsRegex(
                        "mm_netblocks_records_read\\{source=\"global_ipv4\"\\} [1-9]"));
  EXPECT_THAT(body,
              ::testing::ContainsRegex("mm_netblocks_table_prefixes\\{family=\"ipv4\"\\} [1-9]"));
  EXPECT_THAT(body, HasSubstr("mm_netblocks_records_read{source=\"global_ipv6\"} 0"));
  EXPECT_THAT(body, HasSubstr("mm_netblocks_success 0"));
  EXPECT_EQ(ReadFile(output_), "192.0.2.0/24 64496\n");  // still running
  auto promtool =
      mm::testing::RunProcess("/usr/bin/promtool", {"check", "metrics"}, {.stdin_data = body});
  ASSERT_THAT(promtool, IsOk());
  EXPECT_EQ(promtool->exit_code, 0) << promtool->out << promtool->err << body;

  unblock();
  auto code = (*p)->Stop(0, absl::Seconds(60));  // signal 0: just wait for the exit
  ASSERT_THAT(code, IsOk());
  EXPECT_EQ(*code, 0) << (*p)->ReadLog();
  EXPECT_EQ(ReadNetblocksFile(output_).size(), 60000u + 100u);
}

TEST_F(GetNetblocksBinaryTest, HttpsSourcesWithTheConfiguredCaBundle) {
  std::string cert, key;
  ASSERT_TRUE(mm::testing::MakeSelfSignedCertificate(dir_, &cert, &key));
  TestHttpServer https(cert, key);
  ASSERT_TRUE(https.ok());
  https.Serve("/dnszones/rib.bz2", Bzip2(v4_));
  std::string cfg = dir_ + "/https.cfg";
  ASSERT_TRUE(WriteFile(cfg, "NETBLOCKS_GLOBAL_IPV4_URL = '" + https.Url("/dnszones/rib.bz2") +
                                 "'\nNETBLOCKS_GLOBAL_IPV6_URL = None\n"));
  // Not trusted by the system store: refused, the old file stays.
  ASSERT_TRUE(WriteFile(output_, "192.0.2.0/24 64496\n"));
  auto r = Run({"-c", cfg, "global", output_});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("certificate"));
  EXPECT_EQ(ReadFile(output_), "192.0.2.0/24 64496\n");
  // Trusted through NETBLOCKS_CA_BUNDLE.
  ASSERT_TRUE(WriteFile(cfg, ReadFile(cfg) + "NETBLOCKS_CA_BUNDLE = '" + cert + "'\n"));
  r = Run({"-c", cfg, "global", output_});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(ReadNetblocksFile(output_).size(), 59u * 8u);
}

TEST_F(GetNetblocksBinaryTest, GlobalWithoutIpv4IsRefused) {
  // The IPv4 dump holds only IPv6 prefixes: mirrorlist-server would exit on such a file.
  http_.Serve("/dnszones/rib.bz2", Bzip2(v6_));
  ASSERT_TRUE(WriteFile(output_, "192.0.2.0/24 64496\n"));
  auto r = Run({"-c", Config(), "global", output_});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("the result has no IPv4 prefix"));
  EXPECT_THAT(r->err, HasSubstr("Creating ASN cache failed"));
  EXPECT_EQ(ReadFile(output_), "192.0.2.0/24 64496\n");
}

TEST_F(GetNetblocksBinaryTest, PushesTheSummaryToThePushgateway) {
  FakePushgateway gateway;
  auto r = Run({"-c", Config("PUSHGATEWAY_URL = '" + gateway.url() + "'\n"), "global", output_});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exit_code, 0) << r->err;
  std::string body = gateway.bodies();
  EXPECT_THAT(body, HasSubstr("mm_netblocks_prefixes{family=\"ipv4\"} 472"));
  EXPECT_THAT(body, HasSubstr("mm_netblocks_prefixes{family=\"ipv6\"} 100"));
  EXPECT_THAT(body,
              HasSubstr("mm_netblocks_records{kind=\"rib_ipv4\",source=\"global_ipv4\"} 473"));
  EXPECT_THAT(
      body, HasSubstr("mm_netblocks_records{kind=\"peer_index_table\",source=\"global_ipv6\"} 1"));
  EXPECT_THAT(body, HasSubstr("mm_netblocks_records_read{source=\"global_ipv4\"} 474"));
  EXPECT_THAT(body, HasSubstr("mm_netblocks_dropped{reason=\"excluded\"} 1"));
  EXPECT_THAT(body, HasSubstr("mm_netblocks_success 1"));
  EXPECT_THAT(gateway.paths(), ::testing::Contains(HasSubstr("/metrics/job/mm2_get-netblocks")));
}

}  // namespace
}  // namespace mm::netblocks
