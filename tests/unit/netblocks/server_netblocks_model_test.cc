// The model of mirrorlist-server's netblocks loader (server_netblocks_model.h) checked against
// the server's own test (find_in_ip_tree_test, mirrorlist-server.md §5.2) and its documented
// hazards; then our job's real output for the same prefixes loaded through it.
#include "tests/unit/netblocks/server_netblocks_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "services/netblocks/netblock_table.h"
#include "services/netblocks/netblocks_job.h"
#include "services/netblocks/prefix.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "tests/unit/netblocks/mrt_writer.h"

namespace mm::netblocks {
namespace {

using ::mm::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Optional;
using namespace ::mm::netblocks::testing;  // NOLINT: test helpers

TEST(ServerNetblocksModelTest, ReproducesTheServersFindInIpTreeTest) {
  ServerNetblocksModel m(
      ReadFile(mm::testing::TestDataDir() + "/global_netblocks.from-upstream-test.txt"));
  EXPECT_EQ(m.hazard(), "");
  EXPECT_TRUE(m.starts());
  EXPECT_THAT(m.LongestMatch("134.108.34.134"), Optional(std::string("553")));
  EXPECT_EQ(m.LongestMatch("127.0.0.1"), std::nullopt);
  EXPECT_THAT(m.LongestMatch("2001:7c0:700:1234::4321"), Optional(std::string("553")));
  EXPECT_EQ(m.skipped_lines(), 1);  // 89.160.20.112/124
  EXPECT_EQ(m.ipv4_size(), 6u);
  EXPECT_EQ(m.ipv6_size(), 1u);
}

TEST(ServerNetblocksModelTest, RulesAndHazardsOfTheServersLoader) {
  ServerNetblocksModel rules(
      "# comment\n10.0.0.0 1\n10.0.0.0/8 1\n10.0.0.0/8 2 extra\n0.0.0.0/0 3\n"
      "10.1.0.0/16\t4\r\n2001:db8::/32 5");
  EXPECT_EQ(rules.hazard(), "");
  EXPECT_EQ(rules.skipped_lines(), 3);
  EXPECT_THAT(rules.Exact("10.0.0.0/8"), Optional(std::string("2")));  // the later line wins
  EXPECT_THAT(rules.LongestMatch("10.1.2.3"), Optional(std::string("4")));
  EXPECT_THAT(rules.LongestMatch("10.2.0.1"), Optional(std::string("2")));
  EXPECT_EQ(rules.LongestMatch("11.0.0.1"), std::nullopt);  // no /0 entry
  EXPECT_THAT(rules.LongestMatch("2001:db8::1"), Optional(std::string("5")));

  EXPECT_THAT(ServerNetblocksModel("10.0.0.0/8 1\n\n").hazard(), HasSubstr("empty line"));
  EXPECT_THAT(ServerNetblocksModel("10.0.0.0/8 1\n  \n").hazard(), HasSubstr("empty line"));
  EXPECT_THAT(ServerNetblocksModel("10.0.0.0/8\n").hazard(), HasSubstr("no second field"));
  EXPECT_EQ(ServerNetblocksModel("garbage\n10.0.0.0/8 1\n").hazard(), "");  // skipped, not fatal
  EXPECT_THAT(ServerNetblocksModel("10.16.0.0/8 1\n").hazard(), HasSubstr("host bits"));
  EXPECT_THAT(ServerNetblocksModel("2001:db8::1/64 1\n").hazard(), HasSubstr("host bits"));
  EXPECT_THAT(ServerNetblocksModel("10.0.0.0/8 \xc3\xa9\n").hazard(), HasSubstr("not ASCII"));
  EXPECT_FALSE(ServerNetblocksModel("2001:db8::/32 1\n").starts());
  EXPECT_FALSE(ServerNetblocksModel("").starts());
}

TEST(ServerNetblocksModelTest, OurOutputForTheServersTestPrefixesAnswersAlike) {
  // The prefixes of the server's test file, announced in a RIB (the invalid /124 cannot be), read
  // by the job: the server's answers on our file are those on its own test file.
  char tmpl[] = "/tmp/server_model_test.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  MrtWriter w;
  w.PeerIndexTable(1, "route-views2", {Peer{1, false, V4("192.0.2.1"), 3356, true}});
  struct Announcement {
    bool v6;
    const char* prefix;
    uint8_t len;
    uint32_t origin;
  };
  uint32_t seq = 0;
  for (const Announcement& a : {Announcement{false, "134.107.226.0", 23, 5520},
                                {false, "134.108.0.0", 16, 553},
                                {false, "134.109.0.0", 16, 680},
                                {false, "134.110.0.0", 16, 680},
                                {false, "134.111.0.0", 16, 394990},
                                {false, "134.112.0.0", 16, 10455},
                                {true, "2001:07c0::", 29, 553}}) {
    RibEntry e;
    e.attrs.as_path = {Segment{kAsSequence, {3356, 174, a.origin}}};
    w.RibUnicast(a.v6, seq++, a.v6 ? V6(a.prefix) : V4(a.prefix), a.len, {e});
  }
  ASSERT_TRUE(WriteFile(dir + "/rib.bz2", Bzip2(w.data())));
  NetblocksConfig cfg;
  cfg.global_ipv4_url = dir + "/rib.bz2";
  UrlFetcher fetcher;
  common::FakeClock clock(absl::FromUnixSeconds(1706788800));
  NetblocksJob job(fetcher, clock, {});
  std::string out = dir + "/global_netblocks.txt";
  ASSERT_THAT(job.Run(GlobalSources(cfg), JobOptions::Global(cfg), out, nullptr), IsOk());

  ServerNetblocksModel ours(ReadFile(out));
  ServerNetblocksModel theirs(
      ReadFile(mm::testing::TestDataDir() + "/global_netblocks.from-upstream-test.txt"));
  EXPECT_EQ(ours.hazard(), "");
  EXPECT_TRUE(ours.starts());
  EXPECT_EQ(ours.skipped_lines(), 0);
  EXPECT_THAT(ours.LongestMatch("134.108.34.134"), Optional(std::string("553")));
  EXPECT_EQ(ours.LongestMatch("127.0.0.1"), std::nullopt);
  EXPECT_THAT(ours.LongestMatch("2001:7c0:700:1234::4321"), Optional(std::string("553")));
  for (const char* ip : {"134.107.226.1", "134.107.227.255", "134.107.228.0", "134.109.255.255",
                         "134.110.0.0", "134.111.1.1", "134.112.9.9", "134.113.0.0",
                         "2001:7c0::", "2001:7c7:ffff::1", "2001:7c8::1", "89.160.20.113"}) {
    EXPECT_EQ(ours.LongestMatch(ip), theirs.LongestMatch(ip)) << ip;
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST(ServerNetblocksModelTest, IpTextFormsOfTheOutputLoad) {
  // inet_ntop writes IPv4-mapped and IPv4-compatible-looking networks with a dotted tail
  // ("::ffff:1.2.3.0", "::0.1.0.2"); the server's parser (ipnet, std's grammar) takes those too.
  NetblockTable table;
  struct Case {
    const char* text;
    uint32_t origin;
  };
  const std::vector<Case> cases = {{"255.255.255.254/31", 1},
                                   {"0.0.0.1/32", 2},
                                   {"::ffff:1.2.3.0/120", 3},
                                   {"::1.2.3.0/120", 4},
                                   {"::/8", 5},
                                   {"::1/128", 6},
                                   {"::0.1.0.2/128", 7},
                                   {"2001:0:0:1::1/128", 8},
                                   {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", 9},
                                   {"1:0:0:1::/64", 10},
                                   {"64:ff9b::/96", 11}};
  for (const Case& c : cases) {
    Prefix p;
    ASSERT_TRUE(ParsePrefix(c.text, &p)) << c.text;
    ASSERT_THAT(table.OnRoute(p, c.origin), IsOk());
  }
  std::string text;
  ASSERT_EQ(table.Render(text), cases.size());
  ServerNetblocksModel m(text);
  EXPECT_EQ(m.hazard(), "");
  EXPECT_EQ(m.skipped_lines(), 0);
  for (const Case& c : cases) {
    EXPECT_THAT(text, HasSubstr(std::string(c.text) + " " + std::to_string(c.origin) + "\n"));
    EXPECT_THAT(m.Exact(c.text), Optional(std::to_string(c.origin))) << c.text;
  }
}

}  // namespace
}  // namespace mm::netblocks
