// mm2_update-EC2-netblocks against a real catalog (in-process catalog on a fresh PostgreSQL
// database) with the ranges document served from loopback: adds, keeps, deletes, dry run, IPv6,
// the missing "Red Hat" site; and the Netblocks.SyncHostNetblocks RPC itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <grpcpp/grpcpp.h>

#include <sstream>

#include "mirrormanager/catalog/v1/netblocks.grpc.pb.h"
#include "services/netblocks/catalog_client.h"
#include "services/netblocks/ec2_netblocks.h"
#include "tests/testing/catalog_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/unit/netblocks/mrt_writer.h"
#include "tests/unit/netblocks/test_http_server.h"

namespace mm::netblocks {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using ::mm::testing::CatalogHarness;
using ::mm::testing::FixtureBuilder;
using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kRanges[] = R"json({
  "syncToken": "1700000000",
  "createDate": "2024-01-01-00-00-00",
  "prefixes": [
    {"ip_prefix": "3.5.140.0/22", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"},
    {"ip_prefix": "3.5.140.0/22", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"},
    {"ip_prefix": "52.94.0.0/22", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"},
    {"ip_prefix": "52.94.0.0/22", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1-bos-1"},
    {"ip_prefix": "18.200.0.0/16", "region": "eu-west-1", "service": "EC2", "network_border_group": "eu-west-1"},
    {"ip_prefix": "15.230.0.0/24", "region": "GLOBAL", "service": "EC2", "network_border_group": "GLOBAL"},
    {"ip_prefix": "13.34.0.0/24", "region": "ap-south-1", "service": "EC2", "network_border_group": "ap-south-1"},
    {"ip_prefix": "not-a-prefix", "region": "us-east-1", "service": "EC2"},
    {"region": "us-east-1", "service": "EC2"}
  ],
  "ipv6_prefixes": [
    {"ipv6_prefix": "2600:1f18::/33", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"},
    {"ipv6_prefix": "2600:1f14::/35", "region": "us-west-2", "service": "EC2", "network_border_group": "us-west-2"},
    {"ipv6_prefix": "2a05:d018::/36", "region": "eu-west-1", "service": "S3", "network_border_group": "eu-west-1"}
  ]
})json";

class Ec2NetblocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = CatalogHarness::Start();
    ASSERT_THAT(h, IsOk());
    harness_ = std::move(*h);
    ASSERT_TRUE(http_.ok());
    http_.Serve("/ip-ranges.json", kRanges);
    char tmpl[] = "/tmp/ec2_netblocks_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // Site "Red Hat" with three S3 hosts and one other host; another site with an S3 host.
  void Seed() {
    FixtureBuilder f(harness_->db());
    red_hat_ = f.Site("Red Hat");
    east_ = f.Host(red_hat_, "s3-mirror-us-east-1.fedoraproject.org", "US");
    west_ = f.Host(red_hat_, "s3-mirror-eu-west-1.fedoraproject.org", "IE");
    gone_ = f.Host(red_hat_, "s3-mirror-xx-nowhere-1.fedoraproject.org", "US");
    other_ = f.Host(red_hat_, "mirror.redhat.example", "US");
    int64_t elsewhere_site = f.Site("Elsewhere");
    elsewhere_ = f.Host(elsewhere_site, "s3-mirror-us-east-1.example.org", "US");
    keep_id_ = f.HostNetblock(east_, "52.94.0.0/22", "kept");
    f.HostNetblock(east_, "52.94.0.0/22", "duplicate");
    f.HostNetblock(east_, "1.2.3.0/24", "manual");
    f.HostNetblock(gone_, "9.9.9.0/24");
    f.HostNetblock(other_, "10.0.0.0/8", "untouched");
    f.HostNetblock(elsewhere_, "10.1.0.0/16", "untouched");
  }

  std::vector<std::string> Netblocks(int64_t host) {
    std::vector<std::string> out;
    std::string rows = harness_->db().QueryValue(
        "SELECT string_agg(netblock, ',' ORDER BY netblock) FROM host_netblock WHERE host_id = " +
        std::to_string(host));
    if (rows.empty()) return out;
    std::stringstream ss(rows);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(item);
    return out;
  }

  std::string Snapshot() {
    return harness_->db().QueryValue(
        "SELECT string_agg(id || ':' || host_id || ':' || netblock || ':' || COALESCE(name, '-'), "
        "' ' ORDER BY id) FROM host_netblock");
  }

  absl::StatusOr<mm::testing::ProcessResult> RunBinary(const std::vector<std::string>& extra,
                                                       const std::string& config_extra = "") {
    std::string cfg = harness_->WriteConfigFile(
        dir_, "EC2_IP_RANGES_URL = '" + http_.Url("/ip-ranges.json") + "'\n" + config_extra);
    std::vector<std::string> args = {"-c", cfg};
    args.insert(args.end(), extra.begin(), extra.end());
    return mm::testing::RunProcess(mm::testing::BinaryPath("mm2_update-EC2-netblocks"), args);
  }

  std::unique_ptr<CatalogHarness> harness_;
  testing::TestHttpServer http_;
  std::string dir_;
  int64_t red_hat_ = 0, east_ = 0, west_ = 0, gone_ = 0, other_ = 0, elsewhere_ = 0;
  int64_t keep_id_ = 0;
};

TEST_F(Ec2NetblocksTest, DryRunPrintsTheChangesAndWritesNothing) {
  Seed();
  std::string before = Snapshot();
  auto r = RunBinary({"--dry-run"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out,
            "Adding host s3-mirror-eu-west-1.fedoraproject.org netblock 18.200.0.0/16\n"
            "Adding host s3-mirror-us-east-1.fedoraproject.org netblock 3.5.140.0/22\n"
            "Adding host s3-mirror-us-east-1.fedoraproject.org netblock 2600:1f18::/33\n"
            "Deleting host s3-mirror-us-east-1.fedoraproject.org netblock 52.94.0.0/22\n"
            "Deleting host s3-mirror-us-east-1.fedoraproject.org netblock 1.2.3.0/24\n"
            "Deleting host s3-mirror-xx-nowhere-1.fedoraproject.org netblock 9.9.9.0/24\n");
  EXPECT_EQ(Snapshot(), before);
  // -n is the short form.
  auto r2 = RunBinary({"-n"});
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(r2->out, r->out);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(Ec2NetblocksTest, AddsKeepsAndDeletes) {
  Seed();
  auto r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_THAT(r->out, HasSubstr("Adding host s3-mirror-us-east-1.fedoraproject.org netblock "
                                "3.5.140.0/22\n"));
  EXPECT_THAT(Netblocks(east_), ElementsAre("2600:1f18::/33", "3.5.140.0/22", "52.94.0.0/22"));
  EXPECT_THAT(Netblocks(west_), ElementsAre("18.200.0.0/16"));
  EXPECT_THAT(Netblocks(gone_), ElementsAre());
  EXPECT_THAT(Netblocks(other_), ElementsAre("10.0.0.0/8"));
  EXPECT_THAT(Netblocks(elsewhere_), ElementsAre("10.1.0.0/16"));
  // The kept row is the original one (same id and name); added rows have no name.
  EXPECT_EQ(harness_->db().QueryValue("SELECT id || ':' || name FROM host_netblock WHERE "
                                      "netblock = '52.94.0.0/22'"),
            std::to_string(keep_id_) + ":kept");
  EXPECT_EQ(harness_->db().Count(
                "SELECT count(*) FROM host_netblock WHERE netblock = '3.5.140.0/22' AND name IS NULL"),
            1);

  // A second run changes nothing.
  std::string after = Snapshot();
  auto again = RunBinary({});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->exit_code, 0) << again->err;
  EXPECT_EQ(again->out, "");
  EXPECT_EQ(Snapshot(), after);
}

TEST_F(Ec2NetblocksTest, RangesFromALocalFile) {
  Seed();
  std::string path = dir_ + "/ranges.json";
  ASSERT_TRUE(testing::WriteFile(path, kRanges));
  auto r = RunBinary({}, "EC2_IP_RANGES_URL = 'file://" + path + "'\n");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_THAT(Netblocks(west_), ElementsAre("18.200.0.0/16"));
  // --ranges-url overrides the configuration, a plain path works too.
  http_.Serve("/ip-ranges.json", "", 404);
  auto r2 = RunBinary({"--ranges-url", path, "-n"});
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(r2->exit_code, 0) << r2->err;
  EXPECT_EQ(r2->out, "");
}

TEST_F(Ec2NetblocksTest, MissingRedHatSiteIsAClearError) {
  FixtureBuilder f(harness_->db());
  f.Host(f.Site("Red Hat Inc."), "s3-mirror-us-east-1.fedoraproject.org", "US");
  auto r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("Error: there is no site named \"Red Hat\" in the catalog"));
  EXPECT_EQ(r->out, "");
}

TEST_F(Ec2NetblocksTest, DownloadAndDocumentErrorsChangeNothing) {
  Seed();
  std::string before = Snapshot();
  http_.Serve("/ip-ranges.json", "oops", 500);
  auto r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("500"));
  http_.Serve("/ip-ranges.json", "<html>maintenance</html>");
  r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("not valid JSON"));
  http_.Serve("/ip-ranges.json", R"({"prefixes": [{"ip_prefix": "1.0.0.0/8", "region": "us-east-1", "service": "S3"}]})");
  r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("lists no EC2 prefix"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(Ec2NetblocksTest, UnreachableCatalogFailsAfterRetries) {
  Seed();
  auto r = RunBinary({"--catalog", "127.0.0.1:1"}, "CATALOG_RPC_ATTEMPTS = 2\nCATALOG_RPC_TIMEOUT = 2\n");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("Error:"));
}

TEST_F(Ec2NetblocksTest, InProcessUpdaterReportsCounts) {
  Seed();
  CatalogClient catalog(harness_->address(), common::RpcOptions{});
  UrlFetcher fetcher;
  Ec2NetblockUpdater updater(catalog, fetcher);
  std::ostringstream out;
  auto summary = updater.Run(http_.Url("/ip-ranges.json"), false, out);
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->hosts, 3u);
  EXPECT_EQ(summary->ec2_prefixes, 7u);  // 5 IPv4 (GLOBAL excluded) + 2 IPv6 EC2
  EXPECT_EQ(summary->skipped_entries, 2u);
  EXPECT_EQ(summary->added, 3u);
  EXPECT_EQ(summary->deleted, 3u);
}

TEST_F(Ec2NetblocksTest, SyncRpcContract) {
  Seed();
  auto stub = pb::Netblocks::NewStub(harness_->channel());
  auto call = [&](const pb::SyncHostNetblocksRequest& req, pb::SyncHostNetblocksResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return stub->SyncHostNetblocks(&ctx, req, resp);
  };
  pb::SyncHostNetblocksRequest req;
  auto* t = req.add_hosts();
  t->set_host_id(west_);
  t->add_netblocks("192.0.2.0/24");
  t->add_netblocks("192.0.2.0/24");
  pb::SyncHostNetblocksResponse resp;
  ASSERT_TRUE(call(req, &resp).ok());
  ASSERT_EQ(resp.changes_size(), 1);
  EXPECT_EQ(resp.changes(0).action(), pb::HostNetblockChange::ADD);
  EXPECT_GT(resp.changes(0).id(), 0);
  EXPECT_THAT(Netblocks(west_), ElementsAre("192.0.2.0/24"));

  // Unknown host: NOT_FOUND and nothing written for the other hosts of the call.
  std::string before = Snapshot();
  auto* u = req.add_hosts();
  u->set_host_id(999999);
  req.mutable_hosts(0)->add_netblocks("198.51.100.0/24");
  resp.Clear();
  EXPECT_EQ(call(req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Snapshot(), before);

  // Empty netblock: INVALID_ARGUMENT.
  pb::SyncHostNetblocksRequest bad;
  auto* b = bad.add_hosts();
  b->set_host_id(west_);
  b->add_netblocks("");
  EXPECT_EQ(call(bad, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // An empty target set deletes everything, with the row's name in the change.
  pb::SyncHostNetblocksRequest clear;
  clear.add_hosts()->set_host_id(other_);
  resp.Clear();
  ASSERT_TRUE(call(clear, &resp).ok());
  ASSERT_EQ(resp.changes_size(), 1);
  EXPECT_EQ(resp.changes(0).action(), pb::HostNetblockChange::DELETE);
  EXPECT_EQ(resp.changes(0).name(), "untouched");
  EXPECT_THAT(Netblocks(other_), ElementsAre());
}

TEST(RegionFromHostNameTest, AsUpstream) {
  EXPECT_EQ(RegionFromHostName("s3-mirror-us-east-1.fedoraproject.org"), "us-east-1");
  EXPECT_EQ(RegionFromHostName("s3-mirror-ap-southeast-2.fedoraproject.org"), "ap-southeast-2");
  EXPECT_EQ(RegionFromHostName("s3.fedoraproject.org"), "s3");
  EXPECT_EQ(RegionFromHostName("s3-mirror-eu-west-1"), "eu-west-1");
}

}  // namespace
}  // namespace mm::netblocks
