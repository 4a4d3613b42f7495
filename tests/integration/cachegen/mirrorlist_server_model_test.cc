// The mirrorlist-server model against upstream's own server tests (mirrorlist-server.md §5.3
// do_mirrorlist_test, §5.4 netblock_host_at_index_zero_test): if the model answers those
// exactly as the Rust server does, its verdicts on our caches (mirrorlist_server_e2e_test.cc)
// stand for the real server's.
#include "tests/integration/cachegen/mirrorlist_server_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::cachegen::testing {
namespace {

namespace mc = ::mirrormanager;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string GeoIp() { return mm::testing::TestDataDir() + "/geoip/GeoIP2-Country-Test.mmdb"; }

// §5.2 lines plus the invalid /124 one.
constexpr char kGlobalNetblocks[] =
    "134.107.226.0/23 5520\n134.108.0.0/16 553\n134.109.0.0/16 680\n134.110.0.0/16 680\n"
    "134.111.0.0/16 394990\n134.112.0.0/16 10455\n2001:07c0::/29 553\n89.160.20.112/124 131313\n";

mc::MirrorListCacheType Ml(const std::string& directory) {
  mc::MirrorListCacheType ml;
  ml.set_directory(directory);
  for (int64_t id : {1, 42, 100}) ml.add_global(id);
  for (auto [host, urls] : std::vector<std::pair<int64_t, std::vector<int64_t>>>{
           {42, {421, 422, 423}}, {1, {11, 12, 13}}, {100, {1001, 1002, 1003}}}) {
    auto* e = ml.add_byhostid();
    e->set_key(host);
    for (int64_t u : urls) e->add_value(u);
  }
  auto* se = ml.add_bycountry();
  se->set_key("SE");
  se->add_value(42);
  return ml;
}

mc::MirrorList DoMirrorlistFixture() {
  mc::MirrorList c;
  c.set_time(1);
  *c.add_mirrorlistcache() = Ml("directory/level/three");
  for (auto [host, bw] :
       std::vector<std::pair<int64_t, int64_t>>{{1, 100}, {42, 83}, {100, 1000}}) {
    auto* b = c.add_hostbandwidthcache();
    b->set_key(host);
    b->set_value(bw);
  }
  for (int64_t id : {11, 12, 13, 1001, 1002, 1003, 421, 422, 423}) {
    auto* u = c.add_hcurlcache();
    u->set_key(id);
    u->set_value(absl::StrCat("http://hcurl", id, "/test-", id));
  }
  return c;
}

TEST(MirrorlistServerModelTest, UpstreamDoMirrorlistTest) {
  const std::string peer = "134.108.34.134";
  ASSERT_OK_AND_ASSIGN(auto m,
                       MirrorlistServerModel::FromCache(DoMirrorlistFixture(), kGlobalNetblocks,
                                                        /*country_continent_csv=*/"", GeoIp()));
  using Response = MirrorlistServerModel::Response;
  auto get = [&](const std::string& uri) {
    auto r = m->Handle(uri, peer);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : Response{};
  };
  Response r = get("/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "We don't serve their kind here!");
  r = get("/mirrorlist");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "# either path=, or repo= and arch= must be specified");
  r = get("/metalink");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "# either path=, or repo= and arch= must be specified");
  r = get("/mirrorlist?path=n/a");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "error: invalid path");
  r = get("/mirrorlist?path=directory/level/three&ip=10.11.12.331");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "Cannot parse client IP address. Aborting.");
  r = get("/mirrorlist?path=directory/level/three&country=sE");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "# path = directory/level/three country = sE \nhttp://hcurl421/test-421/\n");

  m->set_minimum(1);
  r = get("/mirrorlist?path=directory/level/three&ip=89.160.20.113");
  EXPECT_EQ(r.body, "# path = directory/level/three country = SE \nhttp://hcurl421/test-421/\n");
  m->set_minimum(2);
  r = get("/mirrorlist?path=directory/level/three&ip=89.160.20.113");
  EXPECT_THAT(r.body, StartsWith("# path = directory/level/three country = SE country = global "
                                 "\nhttp://hcurl421/test-421/\nhttp://hcurl"));
  EXPECT_THAT(r.HostsIn("global"), ::testing::UnorderedElementsAre(1, 100));

  const std::string metalink = "/metalink?repo=repo-name&arch=arch-name&ip=89.160.20.113";
  r = get(metalink);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "# repo = repo-name arch = arch-name error: invalid repo or arch\n"
            "# following repositories are available:\n");

  mc::MirrorList c = m->cache();
  auto* ra = c.add_repoarchtodirectoryname();
  ra->set_key("repo-name+arch-name");
  ra->set_value("directory/level/three");
  ASSERT_OK_AND_ASSIGN(m, MirrorlistServerModel::FromCache(c, kGlobalNetblocks, "", GeoIp(), 2));
  r = get(metalink);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "mirrorlist cache index out of range, you broke it!");

  *c.add_mirrorlistcache() = Ml("directory/level/three/repodata");
  ASSERT_OK_AND_ASSIGN(m, MirrorlistServerModel::FromCache(c, kGlobalNetblocks, "", GeoIp(), 2));
  r = get(metalink);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "directory/level/three/repodata/repomd.xml not found or has not metalink");

  auto* fd = c.add_filedetailscache();
  fd->set_directory("directory/level/three/repodata");
  auto* file = fd->add_filedetailscachefiles();
  file->set_filename("repomd.xml");
  auto* d = file->add_filedetails();
  d->set_size(3);
  d->set_timestamp(17);
  d->set_md5("MD5555");
  ASSERT_OK_AND_ASSIGN(m, MirrorlistServerModel::FromCache(c, kGlobalNetblocks, "", GeoIp(), 2));
  r = get(metalink);
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(r.file_details.size(), 1u);
  EXPECT_EQ(r.file_details[0].md5(), "MD5555");
  ASSERT_EQ(r.hosts.size(), 3u);
  EXPECT_EQ(r.hosts[0].id, 42);
  EXPECT_THAT(r.hosts[0].urls, ElementsAre("http://hcurl421/test-421/repomd.xml",
                                           "http://hcurl422/test-422/repomd.xml",
                                           "http://hcurl423/test-423/repomd.xml"));
  EXPECT_EQ(r.hosts[0].preference, 100);
  EXPECT_EQ(r.hosts[1].preference, 99);
  EXPECT_EQ(r.hosts[2].preference, 98);
  for (const auto& h : r.hosts) {
    EXPECT_EQ(h.location, "");
    EXPECT_FALSE(h.is_private);
  }
}

TEST(MirrorlistServerModelTest, UpstreamNetblockHostAtIndexZeroTest) {
  mc::MirrorList c;
  c.set_time(1);
  auto* ml = c.add_mirrorlistcache();
  ml->set_directory("test/netblock/path");
  for (auto [host, url] : std::vector<std::pair<int64_t, int64_t>>{{42, 421}, {99, 991}}) {
    auto* e = ml->add_byhostid();
    e->set_key(host);
    e->add_value(url);
    auto* b = c.add_hostbandwidthcache();
    b->set_key(host);
    b->set_value(100);
    auto* u = c.add_hcurlcache();
    u->set_key(url);
    u->set_value(absl::StrCat("http://mirror", host, ".example.com/pub"));
  }
  auto* nb = c.add_hostnetblockcache();
  nb->set_key("10.0.0.0/8");
  nb->add_value(42);
  ASSERT_OK_AND_ASSIGN(auto m, MirrorlistServerModel::FromCache(c, "192.168.0.0/16 12345\n", "",
                                                                GeoIp(), /*minimum=*/1));
  ASSERT_OK_AND_ASSIGN(auto r,
                       m->Handle("/mirrorlist?path=test/netblock/path&ip=10.0.0.1", "10.0.0.1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "# path = test/netblock/path Using preferred netblock \n"
            "http://mirror42.example.com/pub/\n");
  EXPECT_THAT(r.HostsIn("netblocks"), ElementsAre(42));
}

// A host without a weight in a weighted tier: the Rust server panics; the model says so.
TEST(MirrorlistServerModelTest, MissingBandwidthIsAPanic) {
  mc::MirrorList c = DoMirrorlistFixture();
  c.mutable_hostbandwidthcache()->RemoveLast();  // host 100
  ASSERT_OK_AND_ASSIGN(auto m,
                       MirrorlistServerModel::FromCache(c, kGlobalNetblocks, "", GeoIp(), 5));
  auto r = m->Handle("/mirrorlist?path=directory/level/three&country=global", "10.0.0.1");
  EXPECT_THAT(r.status().message(), HasSubstr("host 100 has weight 0"));
}

}  // namespace
}  // namespace mm::cachegen::testing
