// Golden file: a cache generated from a fixed catalog that touches every MirrorList field,
// decoded by protoc against our mirrormanager.proto, must equal
// tests/data/cachegen/golden_mirrorlist.txt (apart from the Time value). protoc's decoder
// rejects files with missing required fields, so this also proves the file loads with a
// parser generated from the schema.
//
// To regenerate after an intended change: MM_UPDATE_GOLDEN=1 ctest -R GoldenTest, then review
// the diff of the text file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/cachegen/cachegen_testing.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::cachegen::testing {
namespace {

using ::mm::testing::ReadFile;

using ::mm::testing::FixtureBuilder;
using ::mm::testing::HostOptions;
using ::mm::testing::SiteOptions;

class FixedResolver final : public HostResolver {
 public:
  ResolveResults ResolveAll(const std::vector<std::string>& names, absl::Duration) override {
    ResolveResults r;
    for (const auto& n : names) {
      if (n == "mirror4.example.org") {
        r.addresses[n] = {"192.0.2.10", "2001:db8::10"};
      } else {
        r.errors[n] = "unknown";
      }
    }
    return r;
  }
};

// A small catalog that fills every field the generator writes.
void Seed(mm::testing::TestDatabase& db) {
  FixtureBuilder f(db);
  int64_t fedora = f.Product("Fedora"), epel_product = f.Product("EPEL");
  int64_t linux = f.Category("Fedora Linux", fedora, "pub/fedora/linux");
  int64_t epel = f.Category("Fedora EPEL", epel_product, "pub/epel");
  int64_t os = f.Directory("pub/fedora/linux/releases/40/Everything/x86_64/os", {linux});
  int64_t repodata =
      f.Directory("pub/fedora/linux/releases/40/Everything/x86_64/os/repodata", {linux});
  int64_t source = f.Directory("pub/fedora/linux/releases/40/Everything/source/tree", {linux});
  int64_t epel9 = f.Directory("pub/epel/9/Everything/x86_64", {epel});
  int64_t x86 = f.Arch("x86_64"), src = f.Arch("source");
  int64_t v40 = f.Version(fedora, "40"), v9 = f.Version(epel_product, "9");
  f.Repository("fedora-40-x86_64", "fedora-40", linux, v40, x86, os);
  f.Repository("fedora-source-40", "fedora-source-40", linux, v40, src, source, true);
  f.Repository("epel-9-x86_64", "epel-9", epel, v9, x86, epel9);
  f.FileDetail(repodata, {"repomd.xml", 1700000000, 3732, "sha1a", "md5a", "sha256a", "sha512a"});
  f.FileDetail(repodata, {"repomd.xml", 1700086400, 3800, std::nullopt, std::nullopt, "sha256b"});
  f.FileDetail(epel9, {"repomd.xml", 1690000000, 100});

  int64_t site = f.Site("Public site");
  SiteOptions hidden;
  hidden.private_ = true;
  int64_t private_site = f.Site("Private site", hidden);
  int64_t h1 = f.Host(site, "mirror1.example.org", "DE",
                      {.internet2 = true, .bandwidth = 20000, .asn = 553});
  int64_t h2 = f.Host(private_site, "mirror2.example.org", "us",
                      {.internet2 = true, .internet2_clients = true, .max_connections = 4});
  int64_t h3 = f.Host(site, "mirror3.example.org", "SE", {.user_active = false, .asn = 553});
  int64_t h4 = f.Host(site, "mirror4.example.org", "us", {.bandwidth = std::nullopt});
  int64_t h5 = f.Host(std::nullopt, "nosite.example.org", "FR");

  auto carry = [&](int64_t host, int64_t category, const std::string& base, bool always,
                   const std::vector<std::pair<int64_t, std::string>>& dirs) {
    int64_t hc = f.HostCategory(host, category, always);
    f.Url(hc, "http://" + base);
    f.Url(hc, "https://" + base);
    f.Url(hc, "rsync://" + base, /*private_url=*/true);
    for (const auto& [d, path] : dirs) f.Hcd(hc, d, path, true);
    return hc;
  };
  carry(h1, linux, "mirror1.example.org/fedora/linux", false,
        {{os, "releases/40/Everything/x86_64/os"},
         {repodata, "releases/40/Everything/x86_64/os/repodata"}});
  carry(h1, epel, "mirror1.example.org/epel", true, {});
  carry(h2, linux, "mirror2.example.org/linux", false, {{os, "releases/40/Everything/x86_64/os"}});
  carry(h3, linux, "mirror3.example.org/linux", true, {});
  carry(h4, linux, "mirror4.example.org/pub/fedora/linux", false,
        {{os, "releases/40/Everything/x86_64/os"}, {source, "releases/40/Everything/source/tree"}});
  carry(h5, linux, "nosite.example.org/linux", true, {});

  f.HostPeerAsn(h4, 680);
  f.HostCountryAllowed(h4, "us");
  f.HostCountry(h4, f.Country("CA"));
  f.HostNetblock(h1, "10.0.0.0/8");
  f.HostNetblock(h2, "192.168.0.0/255.255.0.0");
  f.HostNetblock(h4, "mirror4.example.org");
  f.HostNetblock(h4, "2001:DB8:1::/48");
  db.Exec(
      "INSERT INTO netblock_country (netblock, country) VALUES ('192.0.2.0/24', 'SE'), "
      "('2001:db8:2::/48', 'NO')");
  db.Exec("INSERT INTO country_continent_redirect (country, continent) VALUES ('IL', 'EU')");
  db.Exec(
      "INSERT INTO repository_redirect (from_repo, to_repo) VALUES ('fedora-rawhide', "
      "'rawhide'), ('epel-8', NULL)");
}

TEST(GoldenTest, DecodedCacheMatchesTheGoldenFile) {
  ASSERT_OK_AND_ASSIGN(auto harness, mm::testing::CatalogHarness::Start());
  Seed(harness->db());
  FixedResolver resolver;
  ASSERT_OK_AND_ASSIGN(Generated g, GenerateFrom(*harness, &resolver));

  std::string proto_root = mm::testing::SourceDir() + "/proto";
  mm::testing::ProcessOptions o;
  o.stdin_data = ReadFile(g.path);
  ASSERT_OK_AND_ASSIGN(auto decoded, mm::testing::RunProcess(
                                         MM_PROTOC,
                                         {"--decode", "mirrormanager.MirrorList", "-I", proto_root,
                                          proto_root + "/mirrormanager/cache/mirrormanager.proto"},
                                         o));
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  std::string text = std::regex_replace(
      decoded.out, std::regex("^Time: [0-9]+$", std::regex::multiline), "Time: <generation time>");
  std::string golden_path = mm::testing::TestDataDir() + "/cachegen/golden_mirrorlist.txt";
  if (std::getenv("MM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path, std::ios::binary) << text;
    GTEST_SKIP() << "rewrote " << golden_path;
  }
  EXPECT_EQ(text, ReadFile(golden_path)) << "decoded:\n" << text;
}

}  // namespace
}  // namespace mm::cachegen::testing
