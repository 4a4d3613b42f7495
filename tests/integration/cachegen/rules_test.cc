// One test per rule of mm2-backend.md §7.3 (with the decisions of DESIGN.md §5), each on a
// small fixture in a real database, generated through catalog's real gRPC API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "tests/integration/cachegen/cachegen_testing.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::cachegen::testing {
namespace {

using ::mm::testing::FixtureBuilder;
using ::mm::testing::HostOptions;
using ::mm::testing::SiteOptions;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kTop[] = "pub/fedora/linux";
constexpr char kOs[] = "pub/fedora/linux/releases/40/Everything/x86_64/os";
constexpr char kRepodata[] = "pub/fedora/linux/releases/40/Everything/x86_64/os/repodata";

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, mm::testing::CatalogHarness::Start());
    f_ = std::make_unique<FixtureBuilder>(harness_->db());
    fedora_ = f_->Product("Fedora");
    linux_ = f_->Category("Fedora Linux", fedora_, kTop);
    top_ = f_->Directory(kTop);
    os_ = f_->Directory(kOs, {linux_});
    repodata_ = f_->Directory(kRepodata, {linux_});
    site_ = f_->Site("site");
  }

  // A host carrying Fedora Linux with one public URL; up to date for `dirs`.
  int64_t Mirror(const std::string& name, const std::string& country,
                 const std::vector<int64_t>& dirs, const HostOptions& options = {},
                 std::optional<int64_t> site = std::nullopt) {
    int64_t host = f_->Host(site.value_or(site_), name, country, options);
    int64_t hc = f_->HostCategory(host, linux_);
    f_->Url(hc, "http://" + name + "/fedora/linux");
    for (int64_t d : dirs) f_->Hcd(hc, d, "x" + std::to_string(d), true);
    return host;
  }

  Generated Generate(HostResolver* resolver = nullptr) {
    auto g = GenerateFrom(*harness_, resolver);
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? std::move(*g) : Generated{};
  }

  std::unique_ptr<mm::testing::CatalogHarness> harness_;
  std::unique_ptr<FixtureBuilder> f_;
  int64_t fedora_ = 0, linux_ = 0, top_ = 0, os_ = 0, repodata_ = 0, site_ = 0;
};

TEST_F(RulesTest, TimeIsTheGenerationTime) {
  int64_t before = absl::ToUnixSeconds(absl::Now());
  Generated g = Generate();
  EXPECT_GE(static_cast<int64_t>(g.cache.time()), before);
  EXPECT_LE(static_cast<int64_t>(g.cache.time()), absl::ToUnixSeconds(absl::Now()));
  EXPECT_EQ(g.cache.locationcache_size(), 0);  // LocationCache stays empty
}

TEST_F(RulesTest, NetblockCountryCacheHoldsTheCidrRows) {
  harness_->db().Exec(
      "INSERT INTO netblock_country (netblock, country) VALUES ('192.0.2.0/24', 'se'), "
      "('2001:db8::/32', 'DE'), ('not-a-network', 'US')");
  Generated g = Generate();
  // Only CIDR keys: the server stops scanning this table at the first key that is not.
  EXPECT_THAT(StringString(g.cache.netblockcountrycache()),
              ElementsAre(Pair("192.0.2.0/24", "SE"), Pair("2001:db8::/32", "DE")));
  EXPECT_EQ(g.result.stats.dropped.at("netblock_country_not_cidr"), 1);
}

TEST_F(RulesTest, HcUrlCacheHoldsPublicUrlsWhateverTheHostState) {
  int64_t active = f_->Host(site_, "a", "DE");
  int64_t inactive = f_->Host(site_, "b", "DE", {.user_active = false});
  int64_t hc1 = f_->HostCategory(active, linux_);
  int64_t hc2 = f_->HostCategory(inactive, linux_);
  int64_t u1 = f_->Url(hc1, "http://a/linux");
  int64_t u2 = f_->Url(hc1, "rsync://a/linux", /*private_url=*/true);
  int64_t u3 = f_->Url(hc2, "https://b/linux");
  Generated g = Generate();
  EXPECT_THAT(IntString(g.cache.hcurlcache()),
              ElementsAre(Pair(u1, "http://a/linux"), Pair(u3, "https://b/linux")));
  (void)u2;
}

TEST_F(RulesTest, HcUrlCacheStripsOneTrailingSlash) {
  // Rows written before the UI stripped the slash (or through the API): without the strip the
  // server would answer "http://c/linux//releases/40/..." (mirrorlist-server.md §2.15).
  int64_t host = Mirror("c", "DE", {os_});
  int64_t hc = std::stoll(harness_->db().QueryValue(
      "SELECT id FROM host_category WHERE host_id = " + std::to_string(host)));
  harness_->db().Exec(
      "UPDATE host_category_url SET url = 'http://c/fedora/linux/' "
      "WHERE host_category_id = " +
      std::to_string(hc));
  int64_t root = f_->Url(hc, "rsync://c/");
  int64_t two = f_->Url(hc, "ftp://c/linux//");
  Generated g = Generate();
  auto urls = IntString(g.cache.hcurlcache());
  ASSERT_EQ(urls.size(), 3u);
  EXPECT_EQ(urls.begin()->second, "http://c/fedora/linux");
  EXPECT_EQ(urls[root], "rsync://c");
  EXPECT_EQ(urls[two], "ftp://c/linux/");  // one slash only, as the UI does; inspect flags it
  const auto* os = FindDirectory(g.cache, "pub/fedora/linux/releases/40/Everything/x86_64/os");
  ASSERT_NE(os, nullptr);
  EXPECT_EQ(ByHostId(*os).at(host).size(), 3u);
}

TEST_F(RulesTest, FileDetailsCacheCoversEveryDirectoryNewestFirst) {
  int64_t loose = f_->Directory("pub/somewhere/outside/any/category");
  f_->FileDetail(repodata_, {"repomd.xml", 100, 10, "sha1-old", "md5-old", "sha256-old", "s512"});
  f_->FileDetail(repodata_, {"repomd.xml", 300, 30, std::nullopt, std::nullopt, "sha256-new"});
  f_->FileDetail(repodata_, {"repomd.xml", std::nullopt, std::nullopt});
  f_->FileDetail(repodata_, {"repomd.xml", 200, 20});
  f_->FileDetail(repodata_, {"summary", 5, 6});
  f_->FileDetail(loose, {"CHECKSUM", 1, 2});
  Generated g = Generate();
  ASSERT_EQ(g.cache.filedetailscache_size(), 2);
  const auto& dir = g.cache.filedetailscache(0);  // directory id order
  EXPECT_EQ(dir.directory(), kRepodata);
  ASSERT_EQ(dir.filedetailscachefiles_size(), 2);
  const auto& repomd = dir.filedetailscachefiles(0);
  EXPECT_EQ(repomd.filename(), "repomd.xml");
  std::vector<uint64_t> times;
  for (const auto& d : repomd.filedetails()) times.push_back(d.timestamp());
  EXPECT_THAT(times, ElementsAre(300, 200, 100, 0));  // unknown time: last, as 0
  EXPECT_EQ(repomd.filedetails(0).size(), 30u);
  EXPECT_EQ(repomd.filedetails(0).sha256(), "sha256-new");
  EXPECT_FALSE(repomd.filedetails(0).has_md5());
  EXPECT_FALSE(repomd.filedetails(0).has_sha1());
  EXPECT_EQ(repomd.filedetails(2).md5(), "md5-old");
  EXPECT_EQ(repomd.filedetails(2).sha512(), "s512");
  EXPECT_EQ(repomd.filedetails(3).size(), 0u);
  EXPECT_TRUE(repomd.filedetails(3).has_size());
  EXPECT_EQ(dir.filedetailscachefiles(1).filename(), "summary");
  EXPECT_EQ(g.cache.filedetailscache(1).directory(), "pub/somewhere/outside/any/category");
}

TEST_F(RulesTest, DisabledRepositoryCacheOnePrefixEntry) {
  int64_t x86 = f_->Arch("x86_64"), arm = f_->Arch("aarch64");
  int64_t v40 = f_->Version(fedora_, "40");
  f_->Repository("r1", "fedora-40", linux_, v40, x86, os_, /*disabled=*/true);
  f_->Repository("r2", "fedora-40", linux_, v40, arm, os_, /*disabled=*/true);
  f_->Repository("r3", "fedora-41", linux_, v40, x86, repodata_, /*disabled=*/false);
  f_->Repository("r4", std::nullopt, linux_, v40, arm, repodata_, /*disabled=*/true);
  f_->Repository("r5", "no-version", linux_, std::nullopt, x86, os_, /*disabled=*/true);
  f_->Repository("r6", "no-arch", linux_, v40, std::nullopt, os_, /*disabled=*/true);
  f_->Repository("r7", "no-dir", linux_, v40, x86, std::nullopt, /*disabled=*/true);
  Generated g = Generate();
  ASSERT_EQ(g.cache.disabledrepositorycache_size(), 1);
  EXPECT_EQ(g.cache.disabledrepositorycache(0).key(), "fedora-40");
  EXPECT_TRUE(g.cache.disabledrepositorycache(0).value());
}

TEST_F(RulesTest, CountryContinentRedirectCache) {
  harness_->db().Exec(
      "INSERT INTO country_continent_redirect (country, continent) VALUES ('IL', 'EU'), "
      "('tw', 'as')");
  Generated g = Generate();
  EXPECT_THAT(StringString(g.cache.countrycontinentredirectcache()),
              ElementsAre(Pair("IL", "EU"), Pair("TW", "AS")));
}

TEST_F(RulesTest, RepositoryRedirectCacheSkipsNullTargets) {
  harness_->db().Exec(
      "INSERT INTO repository_redirect (from_repo, to_repo) VALUES ('fedora-rawhide', "
      "'rawhide'), ('epel-6', NULL), ('Fedora-41', 'fedora-41')");
  Generated g = Generate();
  EXPECT_THAT(StringString(g.cache.repositoryredirectcache()),
              ElementsAre(Pair("Fedora-41", "fedora-41"), Pair("fedora-rawhide", "rawhide")));
  EXPECT_EQ(g.cache.repositoryredirectcache_size(), 2);
}

TEST_F(RulesTest, RepoArchToDirectoryName) {
  int64_t x86 = f_->Arch("x86_64"), src = f_->Arch("source");
  int64_t v40 = f_->Version(fedora_, "40");
  f_->Repository("r1", "fedora-40", linux_, v40, x86, os_);
  f_->Repository("r2", "fedora-source-40", linux_, v40, src, repodata_);
  f_->Repository("r3", "", linux_, v40, src, os_);                    // empty prefix
  f_->Repository("r4", std::nullopt, linux_, v40, x86, repodata_);    // NULL prefix
  f_->Repository("r5", "fedora-41", linux_, std::nullopt, x86, os_);  // no version (Q11)
  f_->Repository("r6", "fedora-42", linux_, v40, std::nullopt, os_);  // no arch (Q11)
  f_->Repository("r7", "fedora-43", linux_, v40, x86, std::nullopt);  // no directory (Q11)
  Generated g = Generate();
  EXPECT_THAT(
      StringString(g.cache.repoarchtodirectoryname()),
      ElementsAre(Pair("fedora-40+x86_64", kOs), Pair("fedora-source-40+source", kRepodata)));
}

TEST_F(RulesTest, HostAsnCacheFromAsnClientsAndPeerAsns) {
  int64_t a = f_->Host(site_, "a", "DE", {.asn = 553});
  int64_t b = f_->Host(site_, "b", "DE", {.admin_active = false, .asn = 553});  // inactive counts
  int64_t c = f_->Host(site_, "c", "DE", {.asn = 553, .asn_clients = false});
  int64_t d = f_->Host(site_, "d", "DE", {.asn = 680});
  int64_t e = f_->Host(site_, "e", "DE");  // no ASN
  f_->HostPeerAsn(e, 553);
  f_->HostPeerAsn(c, 999);  // peer ASNs count whatever asn_clients says
  f_->HostPeerAsn(a, 553);  // already there: not twice
  Generated g = Generate();
  std::map<int64_t, std::vector<int64_t>> asns;
  for (const auto& x : g.cache.hostasncache()) asns[x.key()] = Ids(x.value());
  EXPECT_THAT(asns, ElementsAre(Pair(553, ElementsAre(a, b, e)), Pair(680, ElementsAre(d)),
                                Pair(999, ElementsAre(c))));
}

TEST_F(RulesTest, HostCachesCoverEveryHostWithASite) {
  int64_t a = f_->Host(site_, "a", "uQ", {.bandwidth = 0, .max_connections = 3});
  int64_t b = f_->Host(site_, "b", "de", {.user_active = false, .bandwidth = 20000});
  int64_t c = f_->Host(site_, "c", "SE", {.bandwidth = std::nullopt});
  int64_t d = f_->Host(site_, "d", "SE", {.bandwidth = 5000});
  int64_t orphan = f_->Host(std::nullopt, "no-site", "US");  // dropped by the join (Q1)
  Generated g = Generate();
  EXPECT_THAT(IntInt(g.cache.hostmaxconnectioncache()),
              ElementsAre(Pair(a, 3), Pair(b, 1), Pair(c, 1), Pair(d, 1)));
  // Upper-cased country.
  EXPECT_THAT(IntString(g.cache.hostcountrycache()),
              ElementsAre(Pair(a, "UQ"), Pair(b, "DE"), Pair(c, "SE"), Pair(d, "SE")));
  // Clamped to 1..10000; NULL takes the column default 100.
  EXPECT_THAT(IntInt(g.cache.hostbandwidthcache()),
              ElementsAre(Pair(a, 1), Pair(b, 10000), Pair(c, 100), Pair(d, 5000)));
  (void)orphan;
}

TEST_F(RulesTest, HostCountryAllowedCacheIsTheUnionOfBothTables) {
  int64_t a = f_->Host(site_, "a", "DE");
  int64_t b = f_->Host(site_, "b", "DE");
  int64_t inactive = f_->Host(site_, "c", "DE", {.admin_active = false});
  int64_t none = f_->Host(site_, "d", "DE");
  f_->HostCountryAllowed(a, "de");        // the admin panel's table
  f_->HostCountry(a, f_->Country("AT"));  // the UI's table, by country code
  f_->HostCountry(a, f_->Country("DE"));  // in both: once
  f_->HostCountry(b, f_->Country("ch"));
  f_->HostCountryAllowed(inactive, "SE");  // inactive hosts are left out
  f_->HostCountryAllowed(b, "LI");         // the same country for several hosts is
  f_->HostCountryAllowed(a, "LI");         // allowed since migration 0002
  Generated g = Generate();
  std::map<int64_t, std::vector<std::string>> allowed;
  for (const auto& x : g.cache.hostcountryallowedcache()) {
    allowed[x.key()] = {x.value().begin(), x.value().end()};
  }
  EXPECT_THAT(allowed, ElementsAre(Pair(a, UnorderedElementsAre("DE", "LI", "AT")),
                                   Pair(b, UnorderedElementsAre("LI", "CH"))));
  (void)none;
}

TEST_F(RulesTest, HostNetblockCacheParsesEveryForm) {
  int64_t a = Mirror("a", "DE", {});
  int64_t b = Mirror("b", "DE", {}, {.private_ = true});  // private hosts count
  int64_t c = Mirror("c", "DE", {}, {.user_active = false});
  f_->HostNetblock(a, "10.0.0.0/8");
  f_->HostNetblock(a, "192.0.2.7");
  f_->HostNetblock(a, "198.51.100.0/255.255.255.0");
  f_->HostNetblock(a, "2001:DB8::/32");
  f_->HostNetblock(a, "localhost");  // resolved (locally, from /etc/hosts)
  f_->HostNetblock(a, "this is not a network");
  f_->HostNetblock(a, "203.0.1");        // getaddrinfo's reading, as upstream: 203.0.0.1
  f_->HostNetblock(b, "10.0.0.0/8");     // shared key: one entry, both hosts
  f_->HostNetblock(c, "172.16.0.0/12");  // inactive host
  Generated g = Generate();
  std::map<std::string, std::vector<int64_t>> keys;
  for (const auto& x : g.cache.hostnetblockcache()) keys[x.key()] = Ids(x.value());
  EXPECT_THAT(keys["10.0.0.0/8"], ElementsAre(a, b));
  EXPECT_THAT(keys["192.0.2.7/32"], ElementsAre(a));
  EXPECT_THAT(keys["198.51.100.0/24"], ElementsAre(a));
  EXPECT_THAT(keys["2001:db8::/32"], ElementsAre(a));
  EXPECT_THAT(keys["127.0.0.1/32"], ElementsAre(a));
  EXPECT_THAT(keys["203.0.0.1/32"], ElementsAre(a));
  EXPECT_EQ(keys.count("172.16.0.0/12"), 0u);
  EXPECT_EQ(g.result.stats.dropped.at("netblock_unparsable"), 1);
}

TEST_F(RulesTest, MirrorListCacheOneEntryPerCategoryDirectoryWithSubpath) {
  f_->Directory("pub/elsewhere/not/in/a/category");
  Generated g = Generate();
  std::vector<std::string> dirs;
  for (const auto& e : g.cache.mirrorlistcache()) dirs.push_back(e.directory());
  EXPECT_THAT(dirs, ElementsAre(kOs, kRepodata));  // topdir itself is not linked
  EXPECT_EQ(FindDirectory(g.cache, kOs)->subpath(), "releases/40/Everything/x86_64/os");
  EXPECT_TRUE(FindDirectory(g.cache, kOs)->has_subpath());
  EXPECT_FALSE(FindDirectory(g.cache, kOs)->has_orderedmirrorlist());

  // The top directory itself, once linked, has an empty (but present) Subpath.
  harness_->db().Exec("INSERT INTO category_directory (category_id, directory_id) VALUES (" +
                      std::to_string(linux_) + ", " + std::to_string(top_) + ")");
  Generated again = Generate();
  ASSERT_NE(FindDirectory(again.cache, kTop), nullptr);
  EXPECT_EQ(FindDirectory(again.cache, kTop)->subpath(), "");
  EXPECT_TRUE(FindDirectory(again.cache, kTop)->has_subpath());
}

// Q2 reads every directory, readable or not (a tree only mirrors with access rights carry).
TEST_F(RulesTest, UnreadableDirectoriesAreListedToo) {
  int64_t hidden = f_->Directory("pub/fedora/linux/embargoed", {linux_}, /*readable=*/false);
  f_->FileDetail(hidden, {"repomd.xml", 1, 2});
  int64_t h = Mirror("a", "DE", {hidden});
  Generated g = Generate();
  const auto* e = FindDirectory(g.cache, "pub/fedora/linux/embargoed");
  ASSERT_NE(e, nullptr);
  EXPECT_THAT(Ids(e->global()), ElementsAre(h));
  ASSERT_EQ(g.cache.filedetailscache_size(), 1);
  EXPECT_EQ(g.cache.filedetailscache(0).directory(), "pub/fedora/linux/embargoed");
}

// Upstream indexed the topdir unchecked (a panic); such a category serves nothing, and a
// directory it shares with a category that has a top directory is served by that one.
TEST_F(RulesTest, CategoryWithoutTopdirIsSkipped) {
  int64_t bare = f_->Category("No top", fedora_, "pub/notop");
  int64_t only = f_->Directory("pub/notop/x", {bare});
  int64_t shared = f_->Directory("pub/fedora/linux/both", {bare, linux_});
  harness_->db().Exec("UPDATE category SET topdir_id = NULL WHERE id = " + std::to_string(bare));
  int64_t host = f_->Host(site_, "m", "DE");
  f_->Url(f_->HostCategory(host, bare, /*always_up2date=*/true), "http://m/notop");
  int64_t h = Mirror("a", "DE", {shared});
  Generated g = Generate();
  EXPECT_EQ(FindDirectory(g.cache, "pub/notop/x"), nullptr);
  const auto* e = FindDirectory(g.cache, "pub/fedora/linux/both");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->subpath(), "both");
  EXPECT_THAT(Ids(e->global()), ElementsAre(h));
  (void)only;
}

TEST_F(RulesTest, FirstCategoryDirectoryRowWins) {
  int64_t archive = f_->Category("Fedora Archive", fedora_, "pub/archive");
  int64_t shared = f_->Directory("pub/fedora/linux/shared", {linux_, archive});
  int64_t h = Mirror("a", "DE", {shared});
  Generated g = Generate();
  const auto* e = FindDirectory(g.cache, "pub/fedora/linux/shared");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->subpath(), "shared");  // Fedora Linux (the lower category id) serves it
  EXPECT_THAT(Ids(e->global()), ElementsAre(h));
}

TEST_F(RulesTest, ByHostIdIncludesPrivateHostsWithPublicUrls) {
  int64_t pub = Mirror("pub", "DE", {os_});
  int64_t priv = Mirror("priv", "DE", {os_}, {.private_ = true});
  SiteOptions private_site;
  private_site.private_ = true;
  int64_t priv_site = Mirror("privsite", "DE", {os_}, {}, f_->Site("private", private_site));
  // A host whose only URL is private has no ByHostId entry.
  int64_t only_private_url = f_->Host(site_, "hidden", "DE");
  int64_t hc = f_->HostCategory(only_private_url, linux_);
  f_->Url(hc, "http://hidden/linux", /*private_url=*/true);
  f_->Hcd(hc, os_, "releases/40/Everything/x86_64/os", true);
  Generated g = Generate();
  const auto* e = FindDirectory(g.cache, kOs);
  ASSERT_NE(e, nullptr);
  auto by_host = ByHostId(*e);
  EXPECT_EQ(by_host.size(), 3u);
  EXPECT_EQ(by_host.count(pub) + by_host.count(priv) + by_host.count(priv_site), 3u);
  EXPECT_EQ(by_host.count(only_private_url), 0u);
  // Private hosts never reach Global or ByCountry; the public one without a URL does.
  EXPECT_THAT(Ids(e->global()), ElementsAre(pub, only_private_url));
  EXPECT_THAT(ByCountry(e->bycountry()),
              ElementsAre(Pair("DE", ElementsAre(pub, only_private_url))));
}

TEST_F(RulesTest, GlobalAndByCountryHoldActiveUpToDatePublicHosts) {
  int64_t de = Mirror("de", "de", {os_, repodata_});
  int64_t se = Mirror("se", "SE", {os_});
  int64_t us = Mirror("us", "US", {});  // no HCD for os: not up to date
  int64_t stale = f_->Host(site_, "stale", "DE");
  int64_t hc = f_->HostCategory(stale, linux_);
  f_->Url(hc, "http://stale/linux");
  f_->Hcd(hc, os_, "releases/40/Everything/x86_64/os", /*up2date=*/false);
  Generated g = Generate();
  const auto* os = FindDirectory(g.cache, kOs);
  ASSERT_NE(os, nullptr);
  EXPECT_THAT(Ids(os->global()), ElementsAre(de, se));
  EXPECT_THAT(ByCountry(os->bycountry()),
              ElementsAre(Pair("DE", ElementsAre(de)), Pair("SE", ElementsAre(se))));
  EXPECT_THAT(ByHostId(*os),
              ElementsAre(Pair(de, ::testing::SizeIs(1)), Pair(se, ::testing::SizeIs(1))));
  EXPECT_THAT(Ids(FindDirectory(g.cache, kRepodata)->global()), ElementsAre(de));
  (void)us;
}

TEST_F(RulesTest, ActiveMeansAllFourFlags) {
  int64_t ok = Mirror("ok", "DE", {os_});
  Mirror("host-user", "DE", {os_}, {.user_active = false});
  Mirror("host-admin", "DE", {os_}, {.admin_active = false});
  SiteOptions site_user, site_admin;
  site_user.user_active = false;
  site_admin.admin_active = false;  // the Python generator forgot this one
  Mirror("site-user", "DE", {os_}, {}, f_->Site("su", site_user));
  Mirror("site-admin", "DE", {os_}, {}, f_->Site("sa", site_admin));
  Generated g = Generate();
  const auto* e = FindDirectory(g.cache, kOs);
  ASSERT_NE(e, nullptr);
  EXPECT_THAT(Ids(e->global()), ElementsAre(ok));
  EXPECT_THAT(ByHostId(*e), ElementsAre(Pair(ok, ::testing::_)));
}

TEST_F(RulesTest, ByCountryInternet2) {
  int64_t i2 = Mirror("i2", "us", {os_}, {.internet2 = true});
  int64_t plain = Mirror("plain", "US", {os_});
  // Private hosts reach ByCountryInternet2 only with internet2_clients, and never Global.
  int64_t priv_i2 = Mirror("priv-i2", "CA", {os_},
                           {.private_ = true, .internet2 = true, .internet2_clients = true});
  Mirror("priv-no-clients", "CA", {os_}, {.private_ = true, .internet2 = true});
  Generated g = Generate();
  const auto* e = FindDirectory(g.cache, kOs);
  ASSERT_NE(e, nullptr);
  EXPECT_THAT(ByCountry(e->bycountryinternet2()),
              ElementsAre(Pair("CA", ElementsAre(priv_i2)), Pair("US", ElementsAre(i2))));
  EXPECT_THAT(Ids(e->global()), ElementsAre(i2, plain));
}

// DESIGN.md §5 / mm2-web-and-data.md §1.5: upstream keyed always_up2date by host, so the last
// host_category read decided for all of a host's categories. It is per host category here.
TEST_F(RulesTest, AlwaysUp2dateIsPerHostCategory) {
  int64_t epel = f_->Category("Fedora EPEL", fedora_, "pub/epel");
  int64_t epel_dir = f_->Directory("pub/epel/9/Everything/x86_64", {epel});
  int64_t epel_dir2 = f_->Directory("pub/epel/9/Everything/aarch64", {epel});
  int64_t host = f_->Host(site_, "m", "DE");
  int64_t hc_linux = f_->HostCategory(host, linux_, /*always_up2date=*/true);
  f_->Url(hc_linux, "http://m/linux");
  int64_t hc_epel = f_->HostCategory(host, epel, /*always_up2date=*/false);  // read last
  f_->Url(hc_epel, "http://m/epel");
  f_->Hcd(hc_epel, epel_dir, "9/Everything/x86_64", true);
  Generated g = Generate();
  // Every Fedora Linux directory, with no HCD at all.
  EXPECT_THAT(Ids(FindDirectory(g.cache, kOs)->global()), ElementsAre(host));
  EXPECT_THAT(Ids(FindDirectory(g.cache, kRepodata)->global()), ElementsAre(host));
  // EPEL only where an up-to-date HCD exists.
  EXPECT_THAT(Ids(FindDirectory(g.cache, "pub/epel/9/Everything/x86_64")->global()),
              ElementsAre(host));
  EXPECT_THAT(Ids(FindDirectory(g.cache, "pub/epel/9/Everything/aarch64")->global()), IsEmpty());
  // Each directory lists the URL of its own category.
  auto by_host = ByHostId(*FindDirectory(g.cache, "pub/epel/9/Everything/x86_64"));
  ASSERT_EQ(by_host.count(host), 1u);
  EXPECT_EQ(IntString(g.cache.hcurlcache())[by_host[host][0]], "http://m/epel");
  (void)epel_dir2;
}

TEST_F(RulesTest, CategoryWithoutHostCategoriesDoesNotCrash) {
  int64_t lonely = f_->Category("Lonely", fedora_, "pub/lonely");
  f_->Directory("pub/lonely/dir", {lonely});
  Generated g = Generate();
  const auto* e = FindDirectory(g.cache, "pub/lonely/dir");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->subpath(), "dir");
  EXPECT_EQ(e->global_size() + e->byhostid_size() + e->bycountry_size(), 0);
}

TEST_F(RulesTest, HostsWithoutASiteAreSkippedNotSubstituted) {
  int64_t real = Mirror("real", "DE", {os_});
  // A host category of a host without a site (upstream substituted the first host, id -1).
  int64_t orphan = f_->Host(std::nullopt, "orphan", "US");
  int64_t hc = f_->HostCategory(orphan, linux_, /*always_up2date=*/true);
  f_->Url(hc, "http://orphan/linux");
  Generated g = Generate();
  const auto* e = FindDirectory(g.cache, kOs);
  ASSERT_NE(e, nullptr);
  EXPECT_THAT(Ids(e->global()), ElementsAre(real));
  EXPECT_EQ(ByHostId(*e).count(orphan), 0u);
  EXPECT_EQ(IntInt(g.cache.hostbandwidthcache()).count(orphan), 0u);
}

TEST_F(RulesTest, DirectoryOutsideItsCategoryTopdirIsLeftOut) {
  f_->Directory("pub/fedora/linuxextra/foo", {linux_});  // shares the prefix, not the tree
  Generated g = Generate();
  EXPECT_EQ(FindDirectory(g.cache, "pub/fedora/linuxextra/foo"), nullptr);
  EXPECT_EQ(g.result.stats.dropped.at("directory_outside_topdir"), 1);
}

}  // namespace
}  // namespace mm::cachegen::testing
