// Route tests: the real mm2-web-gateway binary in front of a real catalog and PostgreSQL, on a
// fixture modelled on MirrorManager2's (26 public mirrors, Fedora 25-27 on x86_64, host_country
// rows for US and FR, one host per eligibility failure).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "services/common/version.h"
#include "tests/integration/web/web_harness.h"
#include "services/catalog/catalog_server.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class WebRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto h = WebHarness::Start();
    ASSERT_OK(h.status());
    harness_ = std::move(*h).release();
    fixture_ = new WebFixture(SeedUpstreamLikeFixture(harness_->db()));
  }
  static void TearDownTestSuite() {
    delete fixture_;
    delete harness_;
  }

  static int Count(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
    return n;
  }
  static int Rows(const std::string& page) { return Count(page, "<td data-label=\"Mirror Name\">"); }
  static std::vector<std::string> MirrorNames(const std::string& page) {
    std::vector<std::string> out;
    std::regex re("<td data-label=\"Mirror Name\">([^<]*)</td>");
    for (auto it = std::sregex_iterator(page.begin(), page.end(), re); it != std::sregex_iterator(); ++it) {
      out.push_back((*it)[1]);
    }
    return out;
  }

  static WebHarness* harness_;
  static WebFixture* fixture_;
};
WebHarness* WebRoutesTest::harness_ = nullptr;
WebFixture* WebRoutesTest::fixture_ = nullptr;

TEST_F(WebRoutesTest, HomeMatrix) {
  HttpAnswer r = harness_->Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, StartsWith("text/html"));
  EXPECT_THAT(r.body, HasSubstr("<h1>Fedora Public Active Mirrors</h1>"));
  EXPECT_THAT(r.body, HasSubstr("\"I2\" means Internet2"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/mirrors/Fedora\">Fedora</a>"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/mirrors/EPEL/7\">EPEL 7</a>")) << "display_name wins";
  EXPECT_THAT(r.body, HasSubstr("href=\"/mirrors/Fedora/27/x86_64\""));
  EXPECT_THAT(r.body, HasSubstr("href=\"/mirrors/Fedora/27/aarch64\""));
  EXPECT_THAT(r.body, Not(HasSubstr("href=\"/mirrors/Fedora/26/aarch64\"")));
  EXPECT_THAT(r.body, Not(HasSubstr("Hidden Product")));
  EXPECT_THAT(r.body, Not(HasSubstr("/mirrors/Fedora/24\""))) << "display = false";
  EXPECT_THAT(r.body, Not(HasSubstr("<th scope=\"col\">source</th>"))) << "arch not publiclist";
  // displayed_versions: non-numeric first, then numeric descending.
  size_t raw = r.body.find("/mirrors/Fedora/rawhide\""), v27 = r.body.find("/mirrors/Fedora/27\""),
         v26 = r.body.find("/mirrors/Fedora/26\""), v25 = r.body.find("/mirrors/Fedora/25\"");
  ASSERT_NE(raw, std::string::npos);
  EXPECT_LT(raw, v27);
  EXPECT_LT(v27, v26);
  EXPECT_LT(v26, v25);
  // Navigation bar and footer.
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/mirrors\">Mirrors</a>"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/statistics\">Statistics</a>"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/maps\">Map</a>"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/propagation/\">Propagation</a>"));
  EXPECT_THAT(r.body, HasSubstr(absl::StrCat("mirrormanager -- ", common::kVersion)));
  EXPECT_THAT(r.body, HasSubstr("U.S. Export Administration Regulations (EAR)"));
}

TEST_F(WebRoutesTest, NavigationTogglesFollowConfig) {
  int port = 0;
  auto gw = harness_->StartGateway("SHOW_MAPS = False\nSHOW_PROPAGATION = False\n", &port);
  ASSERT_OK(gw.status());
  HttpAnswer r = harness_->Get("/", port);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, Not(HasSubstr(">Map</a>")));
  EXPECT_THAT(r.body, Not(HasSubstr(">Propagation</a>")));
  EXPECT_EQ(harness_->Get("/maps", port).status, 200) << "the route exists either way";
  HttpAnswer p = harness_->Get("/propagation/", port);
  EXPECT_EQ(p.status, 200);
  EXPECT_THAT(p.body, HasSubstr("Propagation statistics are disabled on this server."));
}

TEST_F(WebRoutesTest, MirrorListCountsAndDefaultPage) {
  HttpAnswer r = harness_->Get("/mirrors");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("We currently have <strong>26</strong> active mirrors."));
  EXPECT_EQ(Rows(r.body), 20) << "ITEMS_PER_PAGE";
  // Ordered by country, then name: DE first.
  std::vector<std::string> names = MirrorNames(r.body);
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "mirror03.example.org");
  EXPECT_THAT(r.body, HasSubstr("<th scope=\"col\">Country</th><th scope=\"col\">Site Name</th>"
                                "<th scope=\"col\">Mirror Name</th><th scope=\"col\">Categories</th>"));
  EXPECT_THAT(r.body, HasSubstr("href=\"/mirrors?page_size=20&amp;page_number=2\">2</a>"));
  EXPECT_THAT(r.body, HasSubstr("aria-current=\"page\" class=\"current\">1</a>"));
}

TEST_F(WebRoutesTest, MirrorListPagination) {
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_number=2").body), 6);
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_size=0").body), 26);
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_size=5&page_number=6").body), 1);
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_size=abc&page_number=xyz").body), 20)
      << "non-integers fall back to the defaults";
  HttpAnswer r = harness_->Get("/mirrors?page_size=1&page_number=13");
  EXPECT_EQ(Rows(r.body), 1);
  // A window of 6 around the current page, the first and last pages, and gaps.
  EXPECT_THAT(r.body, HasSubstr(">1</a><span class=\"gap\">…</span>"));
  EXPECT_THAT(r.body, HasSubstr("page_number=7\">7</a>"));
  EXPECT_THAT(r.body, Not(HasSubstr("page_number=6\">6</a>")));
  EXPECT_THAT(r.body, HasSubstr("page_number=19\">19</a><span class=\"gap\">…</span>"));
  EXPECT_THAT(r.body, HasSubstr("page_number=26\">26</a>"));
  // All names together, no duplicates.
  std::set<std::string> all;
  for (int p = 1; p <= 6; ++p) {
    for (const auto& n : MirrorNames(harness_->Get(absl::StrCat("/mirrors?page_size=5&page_number=", p)).body)) {
      all.insert(n);
    }
  }
  EXPECT_EQ(all.size(), 26u);
}

TEST_F(WebRoutesTest, MirrorListPathFilters) {
  HttpAnswer f = harness_->Get("/mirrors/Fedora");
  EXPECT_THAT(f.body, HasSubstr("We currently have <strong>20</strong> active mirrors for Fedora."));
  HttpAnswer e = harness_->Get("/mirrors/EPEL?page_size=0");
  EXPECT_THAT(e.body, HasSubstr("<strong>6</strong> active mirrors for EPEL."));
  EXPECT_EQ(Rows(e.body), 6);
  HttpAnswer v = harness_->Get("/mirrors/Fedora/27/x86_64");
  EXPECT_THAT(v.body, HasSubstr("<strong>20</strong> active mirrors for Fedora 27 on x86_64."));
  // Unknown product: product and version ignored; the arch still filters on its own.
  HttpAnswer u = harness_->Get("/mirrors/Nope/27/x86_64");
  EXPECT_THAT(u.body, HasSubstr("<strong>26</strong> active mirrors on x86_64."));
  HttpAnswer a = harness_->Get("/mirrors/EPEL/7/aarch64");
  EXPECT_THAT(a.body, HasSubstr("There are currently no active mirrors registered for EPEL 7 on aarch64."));
  EXPECT_EQ(Rows(a.body), 0);
  HttpAnswer sp = harness_->Get("/mirrors/Fedora%20Nothing");
  EXPECT_THAT(sp.body, HasSubstr("<strong>26</strong> active mirrors."));
}

TEST_F(WebRoutesTest, MirrorListCountryFilterUsesHostCountry) {
  HttpAnswer us = harness_->Get("/mirrors?country=US");
  EXPECT_THAT(us.body, HasSubstr("<strong>1</strong> active mirror in US."));
  EXPECT_THAT(MirrorNames(us.body), ::testing::ElementsAre("mirror01.example.org"));
  HttpAnswer fr = harness_->Get("/mirrors/Fedora?country=FR");
  EXPECT_THAT(MirrorNames(fr.body), ::testing::ElementsAre("mirror02.example.org"));
  EXPECT_THAT(fr.body, HasSubstr("for Fedora in FR."));
  // Not host.country: mirror05 is in US but has no host_country row.
  EXPECT_EQ(Rows(harness_->Get("/mirrors?country=XX").body), 20) << "unknown code is ignored";
  // The drop-down lists the codes referenced by host_country only.
  HttpAnswer all = harness_->Get("/mirrors");
  EXPECT_THAT(all.body, HasSubstr("<option value=\"FR\">FR</option>"));
  EXPECT_THAT(all.body, HasSubstr("<option value=\"US\">US</option>"));
  EXPECT_THAT(all.body, Not(HasSubstr("<option value=\"DE\">")));
  EXPECT_THAT(us.body, HasSubstr("<option value=\"US\" selected>US</option>"));
}

TEST_F(WebRoutesTest, MirrorListEligibilityRules) {
  std::string body = harness_->Get("/mirrors?page_size=0").body;
  for (const char* hidden : {"private-host.example.org", "private-site.example.org",
                             "host-admin-off.example.org", "host-user-off.example.org",
                             "site-admin-off.example.org", "site-user-off.example.org",
                             "stale.example.org", "private-url.example.org"}) {
    EXPECT_THAT(body, Not(HasSubstr(hidden))) << hidden;
  }
  for (int i = 1; i <= 26; ++i) {
    EXPECT_THAT(body, HasSubstr(absl::StrFormat(">mirror%02d.example.org<", i)));
  }
}

TEST_F(WebRoutesTest, MirrorListColumns) {
  std::string body = harness_->Get("/mirrors?page_size=0").body;
  // mirror06: http + https (even), rsync (multiple of 3).
  EXPECT_THAT(body, HasSubstr("<span class=\"cat-name\">Fedora Linux</span> <a class=\"proto\" "
                              "href=\"http://mirror06.example.org/pub/fedora/linux\" "
                              "rel=\"noopener noreferrer\">http</a> <a class=\"proto\" "
                              "href=\"https://mirror06.example.org/pub/fedora/linux\" "
                              "rel=\"noopener noreferrer\">https</a> <a class=\"proto\" "
                              "href=\"rsync://mirror06.example.org/fedora-linux\" "
                              "rel=\"noopener noreferrer\">rsync</a>"));
  EXPECT_THAT(body, HasSubstr("<td data-label=\"Bandwidth\" class=\"num\">500</td>"));
  EXPECT_THAT(body, HasSubstr("<td data-label=\"Internet2\">Yes</td>"));
  EXPECT_THAT(body, HasSubstr("<td data-label=\"Internet2\">No</td>"));
  EXPECT_THAT(body, HasSubstr("<a href=\"https://site01.example.org\" rel=\"noopener noreferrer\">Site 01</a>"));
}

TEST_F(WebRoutesTest, HostileStringsAreEscaped) {
  std::string body = harness_->Get("/mirrors?page_size=0").body;
  EXPECT_THAT(body, HasSubstr("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; Co"));
  EXPECT_THAT(body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(body, HasSubstr("Fast &lt;b&gt;mirror&lt;/b&gt;"));
  std::string stats = harness_->Get("/statistics/2026-01-02").body;
  EXPECT_THAT(stats, Not(HasSubstr("<b>XX</b>")));
  EXPECT_THAT(stats, HasSubstr("&lt;b&gt;XX&lt;/b&gt;"));
  std::string feed = harness_->Get("/map/mirrors_location.txt").body;
  EXPECT_THAT(feed, Not(HasSubstr("<script>")));
  std::string api = harness_->Get("/api/mirrors").body;
  EXPECT_THAT(api, HasSubstr("<script>alert('x')</script> & Co")) << "JSON carries the raw value";
  // A javascript: URL in the database never becomes a link.
  harness_->db().Exec("UPDATE site SET org_url = 'javascript:alert(1)' WHERE name = 'Site 02'");
  EXPECT_THAT(harness_->Get("/mirrors?page_size=0").body, Not(HasSubstr("javascript:")));
  harness_->db().Exec("UPDATE site SET org_url = 'https://site02.example.org' WHERE name = 'Site 02'");
}

TEST_F(WebRoutesTest, Statistics) {
  HttpAnswer r = harness_->Get("/statistics/2026-01-02");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<h1>Mirrorlist access breakdown by <strong>country</strong> | "
                                "<a href=\"/statistics/2026-01-02/archs\">architecture</a> | "
                                "<a href=\"/statistics/2026-01-02/repositories\">repository</a> "
                                "on 2026-01-02</h1>"));
  EXPECT_THAT(r.body, HasSubstr("href=\"/statistics/2026-01-01/countries\">← 2026-01-01</a>"));
  EXPECT_THAT(r.body, Not(HasSubstr("2026-01-03")));
  // Ordered by requests, 4 decimals, total row.
  size_t us = r.body.find("US</td><td class=\"num\">60.0000</td><td class=\"num\">600</td>");
  size_t fr = r.body.find("FR</td><td class=\"num\">30.0000</td><td class=\"num\">300</td>");
  ASSERT_NE(us, std::string::npos);
  ASSERT_NE(fr, std::string::npos);
  EXPECT_LT(us, fr);
  EXPECT_THAT(r.body, HasSubstr("<th scope=\"row\">Total</th><td></td><td class=\"num\">1000</td>"));
  EXPECT_THAT(r.body, HasSubstr("<svg")) << "server-side chart";
  EXPECT_THAT(r.body, HasSubstr("<title>US: 60.00 %</title>"));

  HttpAnswer a = harness_->Get("/statistics/2026-01-02/archs");
  EXPECT_THAT(a.body, HasSubstr("<strong>architecture</strong>"));
  EXPECT_THAT(a.body, HasSubstr("x86_64</td><td class=\"num\">100.0000</td>"));
  EXPECT_THAT(a.body, Not(HasSubstr("← 2026-01-01"))) << "no archs data the day before";
  HttpAnswer bogus = harness_->Get("/statistics/2026-01-02/bogus");
  EXPECT_THAT(bogus.body, HasSubstr("<strong>country</strong>"));
  HttpAnswer bad = harness_->Get("/statistics/not-a-date");
  EXPECT_EQ(bad.status, 200);
  EXPECT_THAT(bad.body, HasSubstr("No statistics for this day."));
  EXPECT_EQ(harness_->Get("/statistics").status, 200);
}

TEST_F(WebRoutesTest, Propagation) {
  HttpAnswer index = harness_->Get("/propagation/");
  ASSERT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("how many mirrors have a <code>repomd.xml</code> that is the same"));
  EXPECT_THAT(index.body, HasSubstr("<h2 class=\"h3\">Fedora 27:</h2>"));
  int64_t x86 = fixture_->repos["fedora-27"], arm = fixture_->repos["fedora-27-aarch64"];
  // Same prefix: the repo with more hosts on average comes first and is the main one.
  std::string main_link = absl::StrCat("<a href=\"/propagation/", x86, "\">x86_64</a> (main)");
  std::string other = absl::StrCat("<a href=\"/propagation/", arm,
                                   "\" title=\"Mirrors that don&apos;t contain the main arch\">aarch64</a>");
  EXPECT_THAT(index.body, HasSubstr(main_link));
  EXPECT_THAT(index.body, HasSubstr(other));
  HttpAnswer d = harness_->Get(absl::StrCat("/propagation/", x86));
  ASSERT_EQ(d.status, 200);
  EXPECT_THAT(d.body, HasSubstr("<h1>Propagation for Fedora 27</h1>"));
  EXPECT_THAT(d.body, HasSubstr(absl::StrCat("<strong><a href=\"/propagation/", x86, "\">x86_64</a>")));
  EXPECT_THAT(d.body, HasSubstr("<td>2026-01-02 10:00</td><td class=\"num\">15</td><td class=\"num\">3</td>"
                                "<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">6</td>"
                                "<td class=\"num\">26</td>"));
  for (const char* series : {">synced<", ">synced - 1<", ">synced - 2<", ">older<", ">N/A<"}) {
    EXPECT_THAT(d.body, HasSubstr(series));
  }
  EXPECT_THAT(d.body, HasSubstr("<rect")) << "stacked bars";
  HttpAnswer missing = harness_->Get("/propagation/999999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("Repository not found"));
  HttpAnswer old = harness_->Get("/propgation");
  EXPECT_EQ(old.status, 302);
  EXPECT_EQ(old.headers.find("Location")->second, "/propagation/");
  EXPECT_EQ(harness_->Get("/propagation").status, 308);
}

TEST_F(WebRoutesTest, MapsAndFeed) {
  HttpAnswer m = harness_->Get("/maps");
  ASSERT_EQ(m.status, 200);
  EXPECT_THAT(m.body, HasSubstr("<svg"));
  EXPECT_THAT(m.body, HasSubstr("<title>mirror01.example.org — Site 01</title>"));
  EXPECT_EQ(harness_->Get("/maps/interactive").status, 302);
  HttpAnswer f = harness_->Get("/map/mirrors_location.txt");
  ASSERT_EQ(f.status, 200);
  EXPECT_THAT(f.content_type, StartsWith("text/plain"));
  EXPECT_THAT(f.body, StartsWith("lat\tlon\ttitle\tdescription\ticonSize\ticonOffset\ticon\n"));
  EXPECT_THAT(f.body, HasSubstr("10\t-20\t<a href='http://mirror01.example.org' rel='noopener noreferrer' "
                                "target='_blank'>mirror01.example.org</a>\tSite 01\t24,24\t-12,-24\t"
                                "/static/map/f-dot.png\n"));
  // One row per URL host name (mirror02 has http and https).
  EXPECT_EQ(Count(f.body, ">mirror02.example.org</a>"), 1);
  // Private host and site excluded; inactive ones are not (upstream quirk kept).
  EXPECT_THAT(f.body, Not(HasSubstr("private-host.example.org")));
  EXPECT_THAT(f.body, Not(HasSubstr("private-site.example.org")));
  EXPECT_THAT(f.body, HasSubstr("host-admin-off.example.org"));
  EXPECT_THAT(f.body, Not(HasSubstr("mirror05.example.org"))) << "no coordinates";
  EXPECT_EQ(harness_->Get("/static/map/f-dot.png").content_type, "image/png");
}

TEST_F(WebRoutesTest, RsyncFilter) {
  HttpAnswer r = harness_->Get("/rsyncFilter?categories=Fedora%20Linux&since=1026&stripprefix=pub/fedora");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, StartsWith("text/plain"));
  EXPECT_EQ(r.body,
            "# rsync --exclude-from=(this file)\n# includes\n"
            "+ linux/\n+ linux/*\n"
            "+ linux/releases/\n+ linux/releases/*\n"
            "+ linux/releases/27/\n+ linux/releases/27/*\n"
            "+ linux/releases/27/Everything/\n+ linux/releases/27/Everything/*\n"
            "+ linux/releases/27/Everything/aarch64/\n+ linux/releases/27/Everything/aarch64/*\n"
            "+ linux/releases/27/Everything/aarch64/os/\n+ linux/releases/27/Everything/aarch64/os/*\n"
            "+ linux/releases/27/Everything/x86_64/\n+ linux/releases/27/Everything/x86_64/*\n"
            "+ linux/releases/27/Everything/x86_64/os/\n+ linux/releases/27/Everything/x86_64/os/*\n"
            "# excludes\n- *\n# end of list\n");
  EXPECT_EQ(harness_->Get("/rsyncFilter/?categories=Fedora%20Linux&since=1").status, 200);
  EXPECT_EQ(harness_->Get("/rsyncFilter?categories=Fedora%20Linux&since=1").body,
            "# rsync --exclude-from=(this file)\n"
            "# Missing categories, since, or stripprefix arguments\n"
            "# includes\n# excludes\n- *\n# end of list\n");
  EXPECT_THAT(harness_->Get("/rsyncFilter?categories=Fedora%20Linux&since=x&stripprefix=pub").body,
              HasSubstr("# value of argument since is not an integer\n"));
}

TEST_F(WebRoutesTest, CrawlerLogPublicHostsOnly) {
  std::string dir = harness_->dir() + "/log/crawler";
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "'").c_str()), 0);
  int64_t pub = fixture_->hosts["mirror01.example.org"];
  int64_t priv = fixture_->hosts["private-host.example.org"];
  int64_t priv_site = fixture_->hosts["private-site.example.org"];
  for (int64_t id : {pub, priv, priv_site}) {
    std::ofstream(absl::StrCat(dir, "/", id, ".log")) << "crawl of host " << id << "\n";
  }
  HttpAnswer ok = harness_->Get(absl::StrCat("/crawler/", pub, ".log"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, absl::StrCat("crawl of host ", pub, "\n"));
  EXPECT_THAT(ok.content_type, StartsWith("text/plain"));
  EXPECT_EQ(harness_->Get(absl::StrCat("/crawler/", priv, ".log")).status, 404);
  EXPECT_EQ(harness_->Get(absl::StrCat("/crawler/", priv_site, ".log")).status, 404);
  EXPECT_EQ(harness_->Get(absl::StrCat("/crawler/", fixture_->hosts["mirror02.example.org"], ".log")).status,
            404) << "no log file";
  EXPECT_EQ(harness_->Get("/crawler/abc.log").status, 404);
  EXPECT_EQ(harness_->Get("/crawler/..%2F..%2Fetc%2Fpasswd.log").status, 404);
}

TEST_F(WebRoutesTest, ApiMirrorAdmins) {
  HttpAnswer all = harness_->Get("/api/mirroradmins");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.content_type, "application/json");
  auto j = nlohmann::json::parse(all.body);
  EXPECT_EQ(j["total"], 13);
  EXPECT_EQ(j["admins"][0], "admin01");
  HttpAnswer by_host = harness_->Get("/api/mirroradmins/?name=mirror04.example.org");
  EXPECT_EQ(by_host.body, "{\"admins\":[\"admin02\",\"creator02\"],\"total\":2}\n");
  HttpAnswer by_site = harness_->Get("/api/mirroradmins?name=Site%2001");
  EXPECT_EQ(by_site.body, "{\"admins\":[\"admin01\",\"creator01\"],\"total\":2}\n");
  HttpAnswer unknown = harness_->Get("/api/mirroradmins?name=nobody");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, "{\"message\":\"No host or site found for nobody\"}\n");
}

TEST_F(WebRoutesTest, ApiRepositories) {
  FixtureBuilder f(harness_->db());
  int64_t no_dir = f.Repository("Orphan", std::string("orphan-1"), fixture_->linux_category, std::nullopt,
                                fixture_->x86_64, std::nullopt);
  int64_t no_prefix = f.Repository("No prefix", std::nullopt, fixture_->linux_category, std::nullopt,
                                   fixture_->aarch64, std::nullopt);
  f.Repository("No arch", std::string("noarch-1"), fixture_->linux_category, std::nullopt,
               std::nullopt, std::nullopt);
  HttpAnswer r = harness_->Get("/api/repositories/");
  ASSERT_EQ(r.status, 200) << "a NULL directory no longer breaks the endpoint";
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["total"], 7) << "repositories without an arch are left out";
  // Ordered by arch id, then repository id.
  EXPECT_EQ(j["repositories"][0], nlohmann::json::parse(
      R"({"fedora-25": {"directory": "pub/fedora/linux/releases/25/Everything/x86_64/os", "name": "Fedora 25 x86_64"}})"));
  EXPECT_EQ(j["repositories"][4], nlohmann::json::parse(R"({"orphan-1": {"directory": null, "name": "Orphan"}})"));
  EXPECT_EQ(j["repositories"][6], nlohmann::json::parse(R"({"null": {"directory": null, "name": "No prefix"}})"));
  EXPECT_THAT(r.body, HasSubstr("{\"directory\":null,\"name\":\"Orphan\"}")) << "sorted keys";
  harness_->db().Exec(absl::StrCat("DELETE FROM repository WHERE id IN (", no_dir, ",", no_prefix,
                                   ") OR name = 'No arch'"));
}

TEST_F(WebRoutesTest, ApiMirrorsAndHostStatus) {
  auto j = nlohmann::json::parse(harness_->Get("/api/mirrors").body);
  EXPECT_EQ(j["total"], 26);
  auto us = nlohmann::json::parse(harness_->Get("/api/mirrors?country=us").body);
  EXPECT_EQ(us["total"], 7);
  auto epel = nlohmann::json::parse(harness_->Get("/api/mirrors?category=Fedora%20EPEL").body);
  EXPECT_EQ(epel["total"], 6);
  const auto& first = j["mirrors"][0];
  EXPECT_EQ(first["name"], "mirror03.example.org");
  EXPECT_EQ(first["status"], "active");
  EXPECT_TRUE(first["last_crawled"].is_null());
  EXPECT_EQ(first["categories"][0]["urls"].size(), 2u);

  int64_t id = fixture_->hosts["mirror01.example.org"];
  HttpAnswer s = harness_->Get(absl::StrCat("/api/hosts/", id, "/status"));
  ASSERT_EQ(s.status, 200);
  auto st = nlohmann::json::parse(s.body);
  EXPECT_EQ(st["categories"][0]["category"], "Fedora Linux");
  EXPECT_EQ(st["categories"][0]["directories"], 1);
  EXPECT_EQ(st["categories"][0]["up_to_date"], 1);
  EXPECT_EQ(st["totals"]["not_up_to_date"], 0);
  EXPECT_EQ(st["active"], true);
  auto stale = nlohmann::json::parse(
      harness_->Get(absl::StrCat("/api/hosts/", fixture_->hosts["stale.example.org"], "/status")).body);
  EXPECT_EQ(stale["categories"][0]["not_up_to_date"], 1);
  EXPECT_EQ(harness_->Get(absl::StrCat("/api/hosts/", fixture_->hosts["private-host.example.org"],
                                       "/status")).status, 404);
  EXPECT_EQ(harness_->Get("/api/hosts/99999/status").status, 404);
}

TEST_F(WebRoutesTest, ApiExplain) {
  int64_t good = fixture_->hosts["mirror01.example.org"];
  auto e = nlohmann::json::parse(
      harness_->Get(absl::StrCat("/api/explain?host=", good, "&path=pub/fedora/linux/releases/27")).body);
  EXPECT_EQ(e["offered"], true);
  EXPECT_EQ(e["offered_globally"], true);
  EXPECT_EQ(e["category"], "Fedora Linux");
  EXPECT_EQ(e["allowed_countries"], nlohmann::json::parse(R"(["US"])"));
  // The repository's own directory has no HCD on this host.
  auto repo = nlohmann::json::parse(harness_->Get(
      absl::StrCat("/api/explain?host=", good, "&repo=fedora-27&arch=x86_64")).body);
  EXPECT_EQ(repo["offered"], false);
  EXPECT_EQ(repo["directory"], "pub/fedora/linux/releases/27/Everything/x86_64/os");
  bool found = false;
  for (const auto& r : repo["rules"]) {
    if (r["rule"] == "directory.up_to_date") {
      found = true;
      EXPECT_EQ(r["passed"], false);
      EXPECT_THAT(r["detail"].get<std::string>(), HasSubstr("no host_category_dir row"));
    }
  }
  EXPECT_TRUE(found);
  auto off = nlohmann::json::parse(harness_->Get(absl::StrCat(
      "/api/explain?host=", fixture_->hosts["site-admin-off.example.org"], "&path=pub/fedora/linux/releases/27")).body);
  EXPECT_EQ(off["offered"], false);
  EXPECT_THAT(off["summary"].get<std::string>(), HasSubstr("site.admin_active"));
  auto priv = nlohmann::json::parse(harness_->Get(absl::StrCat(
      "/api/explain?host=", fixture_->hosts["private-host.example.org"], "&path=pub/fedora/linux/releases/27")).body);
  EXPECT_EQ(priv["offered"], true);
  EXPECT_EQ(priv["offered_globally"], false);
  auto priv_url = nlohmann::json::parse(harness_->Get(absl::StrCat(
      "/api/explain?host=", fixture_->hosts["private-url.example.org"], "&path=pub/fedora/linux/releases/27")).body);
  EXPECT_THAT(priv_url["summary"].get<std::string>(), HasSubstr("host_category.public_url"));
  auto norepo = nlohmann::json::parse(
      harness_->Get(absl::StrCat("/api/explain?host=", good, "&repo=nope&arch=x86_64")).body);
  EXPECT_THAT(norepo["summary"].get<std::string>(), HasSubstr("repository.exists"));
  EXPECT_EQ(harness_->Get("/api/explain?host=abc&path=x").status, 400);
  EXPECT_EQ(harness_->Get(absl::StrCat("/api/explain?host=", good)).status, 400);
  EXPECT_EQ(harness_->Get("/api/explain?host=999999&path=x").status, 404);
}

TEST_F(WebRoutesTest, HealthMetricsAndErrors) {
  HttpAnswer live = harness_->Get("/healthz/live");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, R"({"status": 200, "title": "OK"})");
  HttpAnswer ready = harness_->Get("/healthz/ready");
  EXPECT_EQ(ready.status, 200);
  harness_->Get("/mirrors");
  HttpAnswer m = harness_->Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_THAT(m.body, HasSubstr("mm_web_requests_total{code=\"200\",method=\"GET\",route=\"/mirrors\"}"));
  EXPECT_THAT(m.body, HasSubstr("mm_web_request_duration_seconds_bucket{route=\"/mirrors\""));
  EXPECT_THAT(m.body, HasSubstr("mm_web_checkins_total{result=\"ok\"}"));
  EXPECT_THAT(m.body, HasSubstr("mm_build_info{component=\"web-gateway\""));
  HttpAnswer nf = harness_->Get("/no/such/page");
  EXPECT_EQ(nf.status, 404);
  EXPECT_THAT(nf.body, HasSubstr("404 Not Found"));
  EXPECT_EQ(harness_->Get("/xmlrpc").status, 405);
  EXPECT_EQ(harness_->Post("/mirrors", "x", "text/plain").status, 405);
  // Security headers on HTML.
  HttpAnswer home = harness_->Get("/");
  EXPECT_NE(home.headers.find("Content-Security-Policy"), home.headers.end());
  EXPECT_EQ(home.headers.find("X-Content-Type-Options")->second, "nosniff");
  // A structured access-log line per request.
  EXPECT_THAT(harness_->GatewayLog(), HasSubstr("\"event\":\"access\""));
}

TEST(WebReadinessTest, NotReadyWithoutCatalog) {
  auto h = WebHarness::Start();
  ASSERT_OK(h.status());
  EXPECT_EQ((*h)->Get("/healthz/ready").status, 200);
  (*h)->catalog().server().Stop(absl::Milliseconds(100));
  ASSERT_TRUE(WaitFor([&] { return (*h)->Get("/healthz/ready").status == 503; }, absl::Seconds(10)));
  HttpAnswer r = (*h)->Get("/healthz/ready");
  EXPECT_THAT(r.body, HasSubstr("\"status\":503"));
  EXPECT_EQ((*h)->Get("/healthz/live").status, 200);
  EXPECT_EQ((*h)->Get("/mirrors").status, 503);
}

}  // namespace
}  // namespace mm::testing
