// End to end: a catalog fixture in a real database, a cache generated through catalog's gRPC
// API, and mirrorlist-server's request handling (MirrorlistServerModel, checked against
// upstream's own server tests in mirrorlist_server_model_test.cc) answering representative
// requests from it: the mirrors each client is offered, tier by tier.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/integration/cachegen/cachegen_testing.h"
#include "tests/integration/cachegen/mirrorlist_server_model.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::cachegen::testing {
namespace {

using ::mm::testing::ReadFile;

using ::mm::testing::FixtureBuilder;
using ::mm::testing::HostOptions;
using ::mm::testing::SiteOptions;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using Response = MirrorlistServerModel::Response;

const std::string kOs = "pub/fedora/linux/releases/40/Everything/x86_64/os";
const std::string kSource = "pub/fedora/linux/releases/40/Everything/source/tree";
const std::string kF39 = "pub/fedora/linux/releases/39/Everything/x86_64/os";
const std::string kEpel = "pub/epel/9/Everything/x86_64";

// The server's ASN table: 134.108/16 is AS 553, 134.109/16 AS 680.
constexpr char kGlobalNetblocks[] = "134.108.0.0/16 553\n134.109.0.0/16 680\n";

// Client addresses and what the GeoIP test database (or the fixture) says about them.
constexpr char kSweden[] = "89.160.20.113";        // GeoIP SE
constexpr char kUnitedStates[] = "216.160.83.57";  // GeoIP US
constexpr char kBhutan[] = "67.43.156.1";          // GeoIP BT (continent AS, redirected to EU)
constexpr char kCanada[] = "203.0.113.9";          // netblock_country 'ca'
constexpr char kGermany[] = "198.51.100.7";        // netblock_country 'de'
constexpr char kOffice[] = "10.1.2.3";             // host_netblock 10.0.0.0/8 (private mirror)

class FixedResolver final : public HostResolver {
 public:
  ResolveResults ResolveAll(const std::vector<std::string>& names, absl::Duration) override {
    ResolveResults r;
    for (const auto& n : names) {
      if (n == "priv-office.example.org") {
        r.addresses[n] = {"172.16.5.5"};
      } else {
        r.errors[n] = "unknown";
      }
    }
    return r;
  }
};

class MirrorlistServerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, mm::testing::CatalogHarness::Start());
    auto& db = harness_->db();
    FixtureBuilder f(db);
    int64_t fedora = f.Product("Fedora"), epel_product = f.Product("EPEL");
    linux_ = f.Category("Fedora Linux", fedora, "pub/fedora/linux");
    epel_ = f.Category("Fedora EPEL", epel_product, "pub/epel");
    int64_t os = f.Directory(kOs, {linux_});
    int64_t repodata = f.Directory(kOs + "/repodata", {linux_});
    int64_t source = f.Directory(kSource, {linux_});
    f.Directory(kSource + "/repodata", {linux_});
    int64_t f39 = f.Directory(kF39, {linux_});
    f.Directory(kF39 + "/repodata", {linux_});
    int64_t epel = f.Directory(kEpel, {epel_});
    int64_t epel_repodata = f.Directory(kEpel + "/repodata", {epel_});
    int64_t x86 = f.Arch("x86_64"), src = f.Arch("source");
    f.Arch("aarch64");
    int64_t v40 = f.Version(fedora, "40"), v39 = f.Version(fedora, "39");
    int64_t v9 = f.Version(epel_product, "9");
    f.Repository("fedora-40", "fedora-40", linux_, v40, x86, os);
    f.Repository("fedora-source-40", "fedora-source-40", linux_, v40, src, source);
    f.Repository("fedora-39", "fedora-39", linux_, v39, x86, f39, /*disabled=*/true);
    f.Repository("epel-9", "epel-9", epel_, v9, x86, epel);
    db.Exec(
        "INSERT INTO repository_redirect (from_repo, to_repo) VALUES "
        "('fedora-40-beta', 'fedora-40'), ('old-39', 'fedora-39'), ('gone', NULL)");
    f.FileDetail(repodata, {"repomd.xml", 1700000000, 3732, std::nullopt, std::nullopt, "old"});
    f.FileDetail(repodata, {"repomd.xml", 1700086400, 3800, std::nullopt, std::nullopt, "new"});
    f.FileDetail(epel_repodata, {"repomd.xml", 1690000000, 100});
    // A row that is not CIDR first: written as is, it would end the server's scan.
    db.Exec(
        "INSERT INTO netblock_country (netblock, country) VALUES ('not a network', 'US'), "
        "('198.51.100.0/24', 'de'), ('203.0.113.0/24', 'ca')");
    db.Exec("INSERT INTO country_continent_redirect (country, continent) VALUES ('bt', 'eu')");

    int64_t site = f.Site("Public");
    SiteOptions hidden;
    hidden.private_ = true;
    int64_t private_site = f.Site("Private", hidden);
    auto mirror = [&](const std::string& name, const std::string& country,
                      const std::vector<std::string>& schemes, const std::vector<int64_t>& dirs,
                      const HostOptions& options = {}, std::optional<int64_t> on = std::nullopt) {
      int64_t host = f.Host(on.value_or(site), name + ".example.org", country, options);
      int64_t hc = f.HostCategory(host, linux_);
      for (const auto& scheme : schemes) {
        f.Url(hc, scheme + "://" + name + ".example.org/fedora/linux");
      }
      for (int64_t d : dirs) f.Hcd(hc, d, "x" + std::to_string(d), true);
      return host;
    };
    de_ = mirror("de", "DE", {"http", "https", "rsync"}, {os, repodata, source});
    at_ = mirror("at", "AT", {"http"}, {os, repodata});
    se_ = mirror("se", "SE", {"https"}, {os, repodata}, {.bandwidth = 0});
    nl_ = mirror("nl", "NL", {"http"}, {os, repodata}, {.asn = 553});
    us_only_ = mirror("us-only", "US", {"http"}, {os, repodata});
    f.HostCountryAllowed(us_only_, "us");  // the admin panel's table
    us_ = mirror("us", "US", {"http"}, {os, repodata});
    ca_only_ = mirror("ca-only", "CA", {"http"}, {os});
    f.HostCountry(ca_only_, f.Country("CA"));  // the UI's table
    stale_ = mirror("stale", "DE", {"http"}, {});
    f.Hcd(std::stoll(
              db.QueryValue(absl::StrCat("SELECT id FROM host_category WHERE host_id = ", stale_))),
          os, "stale", /*up2date=*/false);
    inactive_ = mirror("inactive", "DE", {"http"}, {os, repodata}, {.admin_active = false});
    f.HostNetblock(inactive_, "10.0.0.0/8");
    priv_ = mirror("priv", "DE", {"http"}, {os, repodata}, {.private_ = true});
    f.HostNetblock(priv_, "10.0.0.0/8");
    f.HostNetblock(priv_, "priv-office.example.org");
    f.HostNetblock(priv_, "2001:DB8:1::/48");
    privsite_ = mirror("privsite", "SE", {"http"}, {os}, {}, private_site);
    f.HostNetblock(privsite_, "192.168.0.0/255.255.0.0");
    peer_ = mirror("peer", "NL", {"http"}, {os}, {.private_ = true, .asn_clients = false});
    f.HostPeerAsn(peer_, 680);
    // Fedora Linux (not always up to date, no HCDs) read before EPEL (always up to date):
    // upstream's per-host flag would have put this host into every Fedora Linux directory.
    fr_ = f.Host(site, "fr.example.org", "FR");
    f.Url(f.HostCategory(fr_, linux_, /*always_up2date=*/false), "http://fr.example.org/linux");
    int64_t fr_epel = f.HostCategory(fr_, epel_, /*always_up2date=*/true);
    f.Url(fr_epel, "http://fr.example.org/epel");
    f.Url(fr_epel, "https://fr.example.org/epel");

    FixedResolver resolver;
    ASSERT_OK_AND_ASSIGN(Generated g, GenerateFrom(*harness_, &resolver));
    ASSERT_OK_AND_ASSIGN(server_,
                         MirrorlistServerModel::Load(
                             g.path, kGlobalNetblocks,
                             ReadFile(mm::testing::TestDataDir() + "/country_continent.csv"),
                             mm::testing::TestDataDir() + "/geoip/GeoIP2-Country-Test.mmdb", 2));
  }

  Response Get(const std::string& uri) {
    auto r = server_->Handle(uri);
    EXPECT_TRUE(r.ok()) << uri << ": " << r.status();
    return r.ok() ? *r : Response{};
  }

  std::unique_ptr<mm::testing::CatalogHarness> harness_;
  std::unique_ptr<MirrorlistServerModel> server_;
  int64_t linux_ = 0, epel_ = 0;
  int64_t de_ = 0, at_ = 0, se_ = 0, nl_ = 0, us_only_ = 0, us_ = 0, ca_only_ = 0, stale_ = 0,
          inactive_ = 0, priv_ = 0, privsite_ = 0, peer_ = 0, fr_ = 0;
};

TEST_F(MirrorlistServerE2eTest, CountryThenContinentForAPublicClient) {
  Response r = Get(absl::StrCat("/mirrorlist?repo=fedora-40&arch=x86_64&ip=", kSweden));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.directory, kOs);
  EXPECT_THAT(r.header, StartsWith("# repo = fedora-40 arch = x86_64 country = SE "));
  EXPECT_THAT(r.HostsIn("geoip"), ElementsAre(se_));  // bandwidth 0 is clamped: no panic
  // Every up-to-date, active, public European mirror; not the stale, inactive or private
  // ones, nor the French host whose Fedora Linux category is not up to date.
  EXPECT_THAT(r.HostsIn("continent"), UnorderedElementsAre(at_, de_, nl_));
  EXPECT_THAT(r.HostsIn("global"), IsEmpty());  // 4 hosts >= minimum 2
  // One URL per host; the https one where a mirror has both (ByHostId lists it first).
  EXPECT_THAT(r.UrlsOf(de_),
              ElementsAre("https://de.example.org/fedora/linux/releases/40/Everything/x86_64/os/"));
  EXPECT_THAT(r.UrlsOf(at_),
              ElementsAre("http://at.example.org/fedora/linux/releases/40/Everything/x86_64/os/"));

  // A repository redirect leads to the same answer.
  Response redirected =
      Get(absl::StrCat("/mirrorlist?repo=fedora-40-beta&arch=x86_64&ip=", kSweden));
  EXPECT_THAT(redirected.header, StartsWith("# repo = fedora-40 arch = x86_64 "));
  EXPECT_THAT(redirected.HostIds(), UnorderedElementsAre(se_, at_, de_, nl_));
}

TEST_F(MirrorlistServerE2eTest, PrivateMirrorsOnlyThroughTheirNetblocks) {
  Response r = Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=", kOffice));
  EXPECT_THAT(r.header, HasSubstr("Using preferred netblock "));
  EXPECT_THAT(r.HostsIn("netblocks"), ElementsAre(priv_));  // not the inactive host
  EXPECT_THAT(
      r.UrlsOf(priv_),
      ElementsAre("http://priv.example.org/fedora/linux/releases/40/Everything/x86_64/os/"));
  // One netblock host < minimum 2: the global list, without hosts restricted to countries
  // (the client's country is N/A).
  EXPECT_THAT(r.HostsIn("global"), UnorderedElementsAre(de_, at_, se_, nl_, us_));

  // Dotted-mask, DNS-name and IPv6 netblocks.
  EXPECT_THAT(Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=192.168.7.7")).HostsIn("netblocks"),
              ElementsAre(privsite_));
  EXPECT_THAT(Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=2001:db8:1::5")).HostsIn("netblocks"),
              ElementsAre(priv_));
  EXPECT_THAT(Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=172.16.5.5")).HostsIn("netblocks"),
              ElementsAre(priv_));
  // netblock=0 turns netblocks off; a public client never sees private mirrors.
  EXPECT_THAT(Get(absl::StrCat("/mirrorlist?path=", kOs, "&netblock=0&ip=", kOffice)).HostIds(),
              UnorderedElementsAre(de_, at_, se_, nl_, us_));
  for (const char* ip : {kSweden, kUnitedStates, kBhutan, kGermany}) {
    for (int64_t hidden : {priv_, privsite_, peer_, inactive_, stale_}) {
      EXPECT_EQ(Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=", ip)).Find(hidden), nullptr)
          << ip << " got host " << hidden;
    }
  }
  // The private mirror's netblock does not reach directories it does not carry.
  EXPECT_THAT(Get(absl::StrCat("/mirrorlist?path=", kSource, "&ip=", kOffice)).HostIds(),
              ElementsAre(de_));
}

TEST_F(MirrorlistServerE2eTest, AsnClientsAndPeerAsns) {
  Response r = Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=134.108.34.134"));
  EXPECT_THAT(r.header, HasSubstr("Using ASN 553 "));
  EXPECT_THAT(r.HostsIn("asn"), ElementsAre(nl_));
  // host_peer_asn reaches a private mirror (upstream's generator ignored the table).
  Response peer = Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=134.109.1.1"));
  EXPECT_THAT(peer.header, HasSubstr("Using ASN 680 "));
  EXPECT_THAT(peer.HostsIn("asn"), ElementsAre(peer_));
  EXPECT_THAT(
      peer.UrlsOf(peer_),
      ElementsAre("http://peer.example.org/fedora/linux/releases/40/Everything/x86_64/os/"));
}

TEST_F(MirrorlistServerE2eTest, CountryRestrictedHosts) {
  auto hosts = [&](const std::string& query, const char* ip) {
    return Get(absl::StrCat("/mirrorlist?path=", kOs, "&", query, "&ip=", ip)).HostIds();
  };
  // Restricted to US clients (host_country_allowed, written in lower case).
  EXPECT_THAT(hosts("country=US", kSweden), ElementsAre(us_));
  EXPECT_THAT(hosts("country=US", kUnitedStates), UnorderedElementsAre(us_only_, us_));
  EXPECT_THAT(hosts("country=global", kSweden), UnorderedElementsAre(de_, at_, se_, nl_, us_));
  // Restricted to Canada through the UI's host_country table. A Canadian client (by the
  // lower-case netblock_country row) gets it; a US client asking for CA does not.
  EXPECT_THAT(hosts("country=CA", kCanada), ElementsAre(ca_only_));
  EXPECT_THAT(hosts("country=CA", kUnitedStates), IsEmpty());
}

TEST_F(MirrorlistServerE2eTest, AlwaysUp2dateCountsPerHostCategory) {
  Response epel = Get(absl::StrCat("/mirrorlist?repo=epel-9&arch=x86_64&ip=", kSweden));
  EXPECT_EQ(epel.directory, kEpel);
  EXPECT_THAT(epel.HostsIn("continent"), ElementsAre(fr_));
  EXPECT_THAT(epel.UrlsOf(fr_), ElementsAre("https://fr.example.org/epel/9/Everything/x86_64/"));
  Response linux = Get(absl::StrCat("/mirrorlist?path=", kOs, "&country=FR&ip=", kSweden));
  EXPECT_EQ(linux.Find(fr_), nullptr);
}

TEST_F(MirrorlistServerE2eTest, DisabledRedirectedUnknownAndSourceRepositories) {
  EXPECT_EQ(Get("/mirrorlist?repo=fedora-39&arch=x86_64").body, "repo disabled");
  EXPECT_EQ(Get("/mirrorlist?repo=fedora-39&arch=aarch64").body, "repo disabled");  // by prefix
  EXPECT_EQ(Get("/mirrorlist?repo=old-39&arch=x86_64").body, "repo disabled");      // redirected
  Response gone = Get("/mirrorlist?repo=gone&arch=x86_64");  // NULL redirect target
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.body,
            "# repo = gone arch = x86_64 error: invalid repo or arch\n"
            "# following repositories are available:\n"
            "# repo=epel-9&arch=x86_64\n# repo=fedora-39&arch=x86_64\n"
            "# repo=fedora-40&arch=x86_64\n# repo=fedora-source-40&arch=source\n");

  Response source = Get(absl::StrCat("/mirrorlist?repo=fedora-source-40&arch=x86_64&ip=", kSweden));
  EXPECT_EQ(source.status, 200);
  EXPECT_THAT(source.header, StartsWith("# repo = fedora-source-40 arch = source "));
  EXPECT_EQ(source.directory, kSource);
  ASSERT_THAT(source.HostIds(), ElementsAre(de_));
  EXPECT_THAT(
      source.hosts[0].urls,
      ElementsAre("https://de.example.org/fedora/linux/releases/40/Everything/source/tree/"));
}

TEST_F(MirrorlistServerE2eTest, MetalinkForAPrivateNetblockClient) {
  Response r = Get(absl::StrCat("/metalink?repo=fedora-40&arch=x86_64&ip=", kOffice));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.directory, kOs + "/repodata");
  EXPECT_EQ(r.file, "repomd.xml");
  // Newest first: the main entry, then the alternate dnf accepts from a lagging mirror.
  ASSERT_EQ(r.file_details.size(), 2u);
  EXPECT_EQ(r.file_details[0].timestamp(), 1700086400u);
  EXPECT_EQ(r.file_details[0].sha256(), "new");
  EXPECT_EQ(r.file_details[1].timestamp(), 1700000000u);
  ASSERT_FALSE(r.hosts.empty());
  EXPECT_EQ(r.hosts[0].id, priv_);
  EXPECT_TRUE(r.hosts[0].is_private);  // mm0:private="True"
  EXPECT_EQ(r.hosts[0].location, "DE");
  EXPECT_THAT(r.hosts[0].urls,
              ElementsAre("http://priv.example.org/fedora/linux/releases/40/Everything/x86_64/os/"
                          "repodata/repomd.xml"));
  EXPECT_THAT(r.HostsIn("global"), UnorderedElementsAre(de_, at_, se_, nl_, us_));
  const auto* de = r.Find(de_);
  ASSERT_NE(de, nullptr);
  EXPECT_FALSE(de->is_private);
  const std::string path = "de.example.org/fedora/linux/releases/40/Everything/x86_64/os/repodata";
  EXPECT_THAT(de->urls,
              ElementsAre("https://" + path + "/repomd.xml", "http://" + path + "/repomd.xml",
                          "rsync://" + path + "/repomd.xml"));
}

TEST_F(MirrorlistServerE2eTest, ClientCountryOverridesAndContinentRedirects) {
  // netblock_country: the row that is not CIDR was left out, so the scan reaches this one.
  Response de = Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=", kGermany));
  EXPECT_EQ(de.client_country, "DE");
  EXPECT_THAT(de.HostsIn("geoip"), ElementsAre(de_));
  // country_continent_redirect 'bt' -> 'eu' (lower case, upper-cased by the generator): a
  // client in Bhutan is treated as European.
  Response bt = Get(absl::StrCat("/mirrorlist?path=", kOs, "&ip=", kBhutan));
  EXPECT_EQ(bt.client_country, "BT");
  EXPECT_THAT(bt.HostsIn("continent"), UnorderedElementsAre(at_, de_, nl_, se_));
  EXPECT_THAT(bt.HostsIn("global"), IsEmpty());
}

// Every repository the cache lists resolves (no "cache index out of range" 500), in both
// modes, and every MirrorListCache directory answers a path= request.
TEST_F(MirrorlistServerE2eTest, EveryListedRepositoryAndDirectoryResolves) {
  for (const auto& e : server_->cache().repoarchtodirectoryname()) {
    std::string key = e.key();
    std::string repo = key.substr(0, key.find('+')), arch = key.substr(key.find('+') + 1);
    for (const char* mode : {"mirrorlist", "metalink"}) {
      Response r = Get(absl::StrCat("/", mode, "?repo=", repo, "&arch=", arch, "&ip=", kSweden));
      EXPECT_NE(r.status, 500) << mode << " " << key << ": " << r.body;
    }
  }
  for (const auto& d : server_->cache().mirrorlistcache()) {
    EXPECT_EQ(Get(absl::StrCat("/mirrorlist?path=", d.directory(), "&ip=", kSweden)).status, 200)
        << d.directory();
  }
}

}  // namespace
}  // namespace mm::cachegen::testing
