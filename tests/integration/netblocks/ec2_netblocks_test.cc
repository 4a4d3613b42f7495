// mm2_update-EC2-netblocks against a real catalog (in-process catalog on a fresh PostgreSQL
// database) with the ranges document served from loopback: adds, keeps, deletes, dry run, IPv6,
// the missing "Red Hat" site; and the Netblocks.SyncHostNetblocks RPC itself.
#include "services/netblocks/ec2_netblocks.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "mirrormanager/catalog/v1/netblocks.grpc.pb.h"
#include "services/netblocks/catalog_client.h"
#include "tests/testing/catalog_harness.h"
#include "tests/testing/fake_servers.h"
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

constexpr char kDryRunLines[] =
    "Adding host s3-mirror-eu-west-1 netblock 18.200.0.0/16\n"
    "Adding host s3-mirror-eu-west-1.fedoraproject.org netblock 18.200.0.0/16\n"
    "Adding host s3-mirror-us-east-1.fedoraproject.org netblock 3.5.140.0/22\n"
    "Adding host s3-mirror-us-east-1.fedoraproject.org netblock 2600:1f18::/33\n"
    "Deleting host s3-mirror-us-east-1.fedoraproject.org netblock 52.94.0.0/22\n"
    "Deleting host s3-mirror-us-east-1.fedoraproject.org netblock 1.2.3.0/24\n"
    "Deleting host s3-mirror-xx-nowhere-1.fedoraproject.org netblock 9.9.9.0/24\n"
    "Deleting host s3.example.org netblock 8.8.8.0/24\n";

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

  // Site "Red Hat" with five S3 hosts (names starting with "s3") and two others; another site
  // with an S3 host. Regions: "us-east-1", "eu-west-1" (twice: the suffix is optional),
  // "xx-nowhere-1" and "s3.example.org" (neither prefix nor suffix to strip), none in the
  // document.
  void Seed() {
    FixtureBuilder f(harness_->db());
    red_hat_ = f.Site("Red Hat");
    east_ = f.Host(red_hat_, "s3-mirror-us-east-1.fedoraproject.org", "US");
    west_ = f.Host(red_hat_, "s3-mirror-eu-west-1.fedoraproject.org", "IE");
    west2_ = f.Host(red_hat_, "s3-mirror-eu-west-1", "IE");
    gone_ = f.Host(red_hat_, "s3-mirror-xx-nowhere-1.fedoraproject.org", "US");
    odd_ = f.Host(red_hat_, "s3.example.org", "US");
    other_ = f.Host(red_hat_, "mirror.redhat.example", "US");
    upper_ = f.Host(red_hat_, "S3-mirror-us-east-1.fedoraproject.org", "US");
    int64_t elsewhere_site = f.Site("Elsewhere");
    elsewhere_ = f.Host(elsewhere_site, "s3-mirror-us-east-1.example.org", "US");
    keep_id_ = f.HostNetblock(east_, "52.94.0.0/22", "kept");
    f.HostNetblock(east_, "52.94.0.0/22", "duplicate");
    f.HostNetblock(east_, "1.2.3.0/24", "manual");
    f.HostNetblock(gone_, "9.9.9.0/24");
    f.HostNetblock(odd_, "8.8.8.0/24", "manual");
    f.HostNetblock(other_, "10.0.0.0/8", "untouched");
    f.HostNetblock(upper_, "10.2.0.0/16", "untouched");
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
  int64_t red_hat_ = 0, east_ = 0, west_ = 0, west2_ = 0, gone_ = 0, odd_ = 0, other_ = 0,
          upper_ = 0, elsewhere_ = 0;
  int64_t keep_id_ = 0;
};

TEST_F(Ec2NetblocksTest, DryRunPrintsTheChangesAndWritesNothing) {
  Seed();
  std::string before = Snapshot();
  auto r = RunBinary({"--dry-run"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out, kDryRunLines);
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
  EXPECT_EQ(r->out, kDryRunLines);  // what the dry run announced is what was done
  EXPECT_THAT(Netblocks(east_), ElementsAre("2600:1f18::/33", "3.5.140.0/22", "52.94.0.0/22"));
  EXPECT_THAT(Netblocks(west_), ElementsAre("18.200.0.0/16"));
  EXPECT_THAT(Netblocks(west2_), ElementsAre("18.200.0.0/16"));
  EXPECT_THAT(Netblocks(gone_), ElementsAre());
  EXPECT_THAT(Netblocks(odd_), ElementsAre());
  // Not S3 hosts of "Red Hat": left alone ("s3" is matched case-sensitively, as upstream).
  EXPECT_THAT(Netblocks(other_), ElementsAre("10.0.0.0/8"));
  EXPECT_THAT(Netblocks(upper_), ElementsAre("10.2.0.0/16"));
  EXPECT_THAT(Netblocks(elsewhere_), ElementsAre("10.1.0.0/16"));
  // The kept row is the original one (same id and name); added rows have no name.
  EXPECT_EQ(harness_->db().QueryValue("SELECT id || ':' || name FROM host_netblock WHERE "
                                      "netblock = '52.94.0.0/22'"),
            std::to_string(keep_id_) + ":kept");
  EXPECT_EQ(
      harness_->db().Count(
          "SELECT count(*) FROM host_netblock WHERE netblock = '3.5.140.0/22' AND name IS NULL"),
      1);
  EXPECT_EQ(harness_->db().Count("SELECT count(*) FROM host_netblock WHERE netblock = "
                                 "'18.200.0.0/16' AND name IS NULL"),
            2);

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

TEST_F(Ec2NetblocksTest, RangesOverHttpsWithTheConfiguredCaBundle) {
  Seed();
  std::string cert, key;
  ASSERT_TRUE(mm::testing::MakeSelfSignedCertificate(dir_, &cert, &key));
  testing::TestHttpServer https(cert, key);
  ASSERT_TRUE(https.ok());
  https.Serve("/ip-ranges.json", kRanges);
  std::string url = "EC2_IP_RANGES_URL = '" + https.Url("/ip-ranges.json") + "'\n";
  auto r = RunBinary({"-n"}, url);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("certificate"));
  r = RunBinary({"-n"}, url + "NETBLOCKS_CA_BUNDLE = '" + cert + "'\n");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out, kDryRunLines);
}

TEST_F(Ec2NetblocksTest, MissingRedHatSiteIsAClearError) {
  FixtureBuilder f(harness_->db());
  // Only the exact name counts.
  f.Host(f.Site("Red Hat Inc."), "s3-mirror-us-east-1.fedoraproject.org", "US");
  f.Host(f.Site("red hat"), "s3-mirror-eu-west-1.fedoraproject.org", "IE");
  auto r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("Error: there is no site named \"Red Hat\" in the catalog"));
  EXPECT_EQ(r->out, "");
}

TEST_F(Ec2NetblocksTest, ASiteWithoutS3HostsHasNothingToDo) {
  FixtureBuilder f(harness_->db());
  int64_t host = f.Host(f.Site("Red Hat"), "mirror.redhat.example", "US");
  f.HostNetblock(host, "10.0.0.0/8", "untouched");
  std::string before = Snapshot();
  http_.Serve("/ip-ranges.json", "", 500);  // not even fetched
  auto r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out, "");
  EXPECT_EQ(Snapshot(), before);
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
  http_.Serve(
      "/ip-ranges.json",
      R"({"prefixes": [{"ip_prefix": "1.0.0.0/8", "region": "us-east-1", "service": "S3"}]})");
  r = RunBinary({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("lists no EC2 prefix"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(Ec2NetblocksTest, UnreachableCatalogFailsAfterRetries) {
  Seed();
  auto r = RunBinary({"--catalog", "127.0.0.1:1"},
                     "CATALOG_RPC_ATTEMPTS = 2\nCATALOG_RPC_TIMEOUT = 2\n");
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
  EXPECT_EQ(summary->hosts, 5u);
  EXPECT_EQ(summary->ec2_prefixes, 7u);  // 5 IPv4 (GLOBAL excluded) + 2 IPv6 EC2
  EXPECT_EQ(summary->skipped_entries, 2u);
  EXPECT_EQ(summary->added, 4u);
  EXPECT_EQ(summary->deleted, 4u);
}

TEST_F(Ec2NetblocksTest, ChangesArePrintedWhenTheApplyingCallCommitsButItsReplyIsLost) {
  Seed();
  // Lock the S3 hosts' rows so the applying call waits past its deadline: its transaction
  // commits after the client has given up, and the retried call finds nothing left to do.
  pqxx::connection conn(harness_->db().conninfo());
  pqxx::work locker(conn);
  locker.exec("SELECT id FROM host WHERE name LIKE 's3-mirror-%.fedoraproject.org' FOR UPDATE");
  common::RpcOptions rpc;
  rpc.timeout = absl::Seconds(2);
  rpc.max_attempts = 5;
  CatalogClient catalog(harness_->address(), rpc);
  UrlFetcher fetcher;
  Ec2NetblockUpdater updater(catalog, fetcher);
  std::ostringstream out;
  absl::StatusOr<Ec2Summary> summary;
  std::thread run([&] { summary = updater.Run(http_.Url("/ip-ranges.json"), false, out); });
  // The first attempt and its retry both wait for the lock.
  auto waiting = [&] {
    return harness_->db().Count(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
        "current_database()");
  };
  bool retried = mm::testing::WaitFor([&] { return waiting() >= 2; }, absl::Seconds(30));
  locker.commit();
  run.join();
  ASSERT_TRUE(retried);
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(out.str(), kDryRunLines);
  EXPECT_EQ(summary->added, 4u);
  EXPECT_EQ(summary->deleted, 4u);
  EXPECT_THAT(Netblocks(east_), ElementsAre("2600:1f18::/33", "3.5.140.0/22", "52.94.0.0/22"));
  EXPECT_THAT(Netblocks(gone_), ElementsAre());
}

// Changes the netblocks behind the updater's back between its plan and the apply call.
class InterferingCatalog final : public NetblocksCatalog {
 public:
  InterferingCatalog(NetblocksCatalog& real, std::function<void()> interfere)
      : real_(real), interfere_(std::move(interfere)) {}
  absl::StatusOr<int64_t> FindSite(const std::string& name) override {
    return real_.FindSite(name);
  }
  absl::StatusOr<std::vector<Host>> ListHosts(int64_t site_id) override {
    return real_.ListHosts(site_id);
  }
  absl::StatusOr<SyncResult> SyncHostNetblocks(const std::vector<Target>& targets, bool dry_run,
                                               const std::vector<Change>* expected) override {
    if (!dry_run && interfere_) {
      interfere_();
      interfere_ = nullptr;
    }
    auto r = real_.SyncHostNetblocks(targets, dry_run, expected);
    if (!dry_run) applies.push_back(r.status());
    return r;
  }
  std::vector<absl::Status> applies;

 private:
  NetblocksCatalog& real_;
  std::function<void()> interfere_;
};

TEST_F(Ec2NetblocksTest, ANetblockAddedBetweenPlanAndApplyIsPlannedAgain) {
  Seed();
  CatalogClient real(harness_->address(), common::RpcOptions{});
  InterferingCatalog catalog(real, [&] {
    harness_->db().Exec("INSERT INTO host_netblock (host_id, netblock, name) VALUES (" +
                        std::to_string(west_) + ", '7.7.7.0/24', 'added meanwhile')");
  });
  UrlFetcher fetcher;
  Ec2NetblockUpdater updater(catalog, fetcher);
  std::ostringstream out;
  auto summary = updater.Run(http_.Url("/ip-ranges.json"), false, out);
  ASSERT_THAT(summary, IsOk());
  ASSERT_EQ(catalog.applies.size(), 2u);
  EXPECT_THAT(catalog.applies[0], StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(catalog.applies[1], IsOk());
  // The lines are the second plan's, which is what was done.
  EXPECT_THAT(out.str(), HasSubstr("Deleting host s3-mirror-eu-west-1.fedoraproject.org netblock "
                                   "7.7.7.0/24\n"));
  EXPECT_EQ(summary->deleted, 5u);
  EXPECT_THAT(Netblocks(west_), ElementsAre("18.200.0.0/16"));
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
  EXPECT_EQ(resp.changes(0).action(), pb::HostNetblockChange_Action_ADD);
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
  EXPECT_EQ(resp.changes(0).action(), pb::HostNetblockChange_Action_DELETE);
  EXPECT_EQ(resp.changes(0).name(), "untouched");
  EXPECT_THAT(Netblocks(other_), ElementsAre());

  // A plan as precondition: applied when it still holds ...
  pb::SyncHostNetblocksRequest plan;
  auto* e = plan.add_hosts();
  e->set_host_id(east_);
  e->add_netblocks("52.94.0.0/22");
  e->add_netblocks("203.0.113.0/24");
  plan.set_dry_run(true);
  pb::SyncHostNetblocksResponse planned;
  ASSERT_TRUE(call(plan, &planned).ok());
  ASSERT_EQ(planned.changes_size(), 3);  // add 203.0.113.0/24, delete the duplicate and 1.2.3.0/24
  pb::SyncHostNetblocksRequest apply = plan;
  apply.set_dry_run(false);
  *apply.mutable_expected()->mutable_changes() = planned.changes();
  // ... refused (nothing written) when it does not ...
  pb::SyncHostNetblocksRequest stale = apply;
  stale.mutable_expected()->mutable_changes()->RemoveLast();
  before = Snapshot();
  resp.Clear();
  EXPECT_EQ(call(stale, &resp).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Snapshot(), before);
  resp.Clear();
  ASSERT_TRUE(call(apply, &resp).ok());
  EXPECT_EQ(resp.changes_size(), 3);
  EXPECT_FALSE(resp.already_applied());
  EXPECT_THAT(Netblocks(east_), ElementsAre("203.0.113.0/24", "52.94.0.0/22"));
  // ... and reported as already applied when repeated (a retry after a lost reply).
  resp.Clear();
  ASSERT_TRUE(call(apply, &resp).ok());
  EXPECT_EQ(resp.changes_size(), 0);
  EXPECT_TRUE(resp.already_applied());
  // An empty plan on hosts that need nothing is simply nothing to do.
  pb::SyncHostNetblocksRequest nothing = plan;
  nothing.set_dry_run(false);
  nothing.mutable_expected();
  resp.Clear();
  ASSERT_TRUE(call(nothing, &resp).ok());
  EXPECT_FALSE(resp.already_applied());
}

TEST(RegionFromHostNameTest, AsUpstream) {
  EXPECT_EQ(RegionFromHostName("s3-mirror-us-east-1.fedoraproject.org"), "us-east-1");
  EXPECT_EQ(RegionFromHostName("s3-mirror-ap-southeast-2.fedoraproject.org"), "ap-southeast-2");
  EXPECT_EQ(RegionFromHostName("s3.fedoraproject.org"), "s3");
  EXPECT_EQ(RegionFromHostName("s3-mirror-eu-west-1"), "eu-west-1");
  // Only a leading prefix and a trailing suffix are removed, each at most once.
  EXPECT_EQ(RegionFromHostName("s3-mirror-us-east-1.fedoraproject.org.example"),
            "us-east-1.fedoraproject.org.example");
  EXPECT_EQ(RegionFromHostName("s3-mirror-s3-mirror-x.fedoraproject.org"), "s3-mirror-x");
  EXPECT_EQ(RegionFromHostName("s3-us-east-1.fedoraproject.org"), "s3-us-east-1");
}

}  // namespace
}  // namespace mm::netblocks
