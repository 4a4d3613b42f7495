// Route tests: the real mm2-web-gateway binary in front of a real catalog and PostgreSQL, on a
// fixture modelled on MirrorManager2's (26 public mirrors, Fedora 25-27 on x86_64, host_country
// rows for US and FR, one host per eligibility failure).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "services/catalog/catalog_server.h"
#include "services/common/version.h"
#include "tests/integration/web/web_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

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
    for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
      ++n;
    return n;
  }
  // The text a reader sees: tags dropped, entities decoded, whitespace collapsed.
  static std::string PlainText(const std::string& html) {
    std::string text = std::regex_replace(html, std::regex("<[^>]*>"), " ");
    for (const auto& [entity, ch] : std::vector<std::pair<std::string, std::string>>{
             {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}}) {
      text = std::regex_replace(text, std::regex(entity), ch);
    }
    text = std::regex_replace(text, std::regex("\\s+"), " ");
    // No space before punctuation that followed a closing tag.
    return std::regex_replace(text, std::regex(" ([.,;:])"), "$1");
  }
  static int Rows(const std::string& page) {
    return Count(page, "<td data-label=\"Mirror Name\">");
  }
  static std::vector<std::string> MirrorNames(const std::string& page) {
    std::vector<std::string> out;
    std::regex re("<td data-label=\"Mirror Name\">([^<]*)</td>");
    for (auto it = std::sregex_iterator(page.begin(), page.end(), re); it != std::sregex_iterator();
         ++it) {
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
  // Upstream's texts (templates/fedora/index.html), word for word.
  std::string text = PlainText(r.body);
  for (const char* sentence :
       {"Fedora is distributed to millions of systems globally. This would not be possible without "
        "the donations of time, disk space, and bandwidth by hundreds of volunteer system "
        "administrators and their companies or institutions. Your fast download experience is made "
        "possible by these donations.",
        "To become a public Fedora mirror, please see our wiki page on Mirroring.",
        "You may trim the selection through the links on the right, or see the whole list.",
        "I2 means both Internet2 and its peer high speed research and development networks "
        "globally.",
        "Mirror list filtering matrix Projects Versions Architectures"}) {
    EXPECT_THAT(text, HasSubstr(sentence));
  }
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/mirrors/Fedora\">Fedora</a>"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/mirrors/EPEL/7\">EPEL 7</a>")) << "display_name wins";
  EXPECT_THAT(r.body, HasSubstr("href=\"/mirrors/Fedora/27/x86_64\""));
  EXPECT_THAT(r.body, HasSubstr("href=\"/mirrors/Fedora/27/aarch64\""));
  EXPECT_THAT(r.body, Not(HasSubstr("href=\"/mirrors/Fedora/26/aarch64\"")));
  EXPECT_THAT(r.body, Not(HasSubstr("Hidden Product")));
  EXPECT_LT(r.body.find("/mirrors/EPEL\""), r.body.find("/mirrors/Fedora\"")) << "by name";
  EXPECT_LT(r.body.find("/mirrors/Fedora/27/aarch64\""), r.body.find("/mirrors/Fedora/27/x86_64\""))
      << "arches by name";
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
  // The export-compliance notice (templates/fedora/_macros.html), word for word.
  EXPECT_THAT(
      text,
      HasSubstr(
          "Export Compliance By downloading Fedora software, you acknowledge that you understand "
          "all "
          "of the following: Fedora software and technical information may be subject to the U.S. "
          "Export Administration Regulations (the “EAR”) and other U.S. and foreign laws and may "
          "not "
          "be exported, re-exported or transferred (a) to any country listed in Country Group E:1 "
          "in "
          "Supplement No. 1 to part 740 of the EAR (currently, Cuba, Iran, North Korea, Sudan and "
          "Syria); (b) to any prohibited destination or to any end user who has been prohibited "
          "from "
          "participating in U.S. export transactions by any federal agency of the U.S. government; "
          "or "
          "(c) for use in connection with the design, development or production of nuclear, "
          "chemical "
          "or biological weapons, or rocket systems, space launch vehicles, or sounding rockets, "
          "or "
          "unmanned air vehicle systems. You may not download Fedora software or technical "
          "information if you are located in one of these countries or otherwise subject to these "
          "restrictions. You may not provide Fedora software or technical information to "
          "individuals "
          "or entities located in one of these countries or otherwise subject to these "
          "restrictions. "
          "You are also responsible for compliance with foreign law requirements applicable to the "
          "import, export and use of Fedora software and technical information."));
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
  EXPECT_THAT(PlainText(r.body), HasSubstr("We currently have 26 active mirrors Country"))
      << "upstream's sentence has no final period";
  EXPECT_EQ(Rows(r.body), 20) << "ITEMS_PER_PAGE";
  // Ordered by country, then name: DE first.
  std::vector<std::string> names = MirrorNames(r.body);
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "mirror03.example.org");
  EXPECT_THAT(r.body,
              HasSubstr("<th scope=\"col\">Country</th><th scope=\"col\">Site Name</th>"
                        "<th scope=\"col\">Mirror Name</th><th scope=\"col\">Categories</th>"));
  EXPECT_THAT(r.body, HasSubstr("href=\"/mirrors?page_size=20&amp;page_number=2\">2</a>"));
  EXPECT_THAT(r.body, HasSubstr("<span aria-current=\"page\" class=\"current\">1</span>"));
}

TEST_F(WebRoutesTest, MirrorListPagination) {
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_number=2").body), 6);
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_size=0").body), 26);
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_size=5&page_number=6").body), 1);
  EXPECT_EQ(Rows(harness_->Get("/mirrors?page_size=abc&page_number=xyz").body), 20)
      << "non-integers fall back to the defaults";
  HttpAnswer r = harness_->Get("/mirrors?page_size=1&page_number=13");
  EXPECT_EQ(Rows(r.body), 1);
  // truncated_pages_list(margin=6): 13 pages from the start, then the last one.
  auto pager = [](const std::string& body) {
    std::string nav = body.substr(body.find("<nav class=\"pager\""));
    nav = nav.substr(0, nav.find("</nav>"));
    std::string out;
    std::regex item(">([0-9]+|…)</");
    for (auto it = std::sregex_iterator(nav.begin(), nav.end(), item); it != std::sregex_iterator();
         ++it) {
      out += (out.empty() ? "" : " ") + (*it)[1].str();
    }
    return out;
  };
  EXPECT_EQ(pager(harness_->Get("/mirrors?page_size=1").body),
            "1 2 3 4 5 6 7 8 9 10 11 12 13 … 26");
  EXPECT_EQ(pager(r.body), "1 … 7 8 9 10 11 12 13 14 15 16 17 18 19 … 26");
  EXPECT_EQ(pager(harness_->Get("/mirrors?page_size=1&page_number=26").body),
            "1 … 14 15 16 17 18 19 20 21 22 23 24 25 26");
  EXPECT_EQ(pager(harness_->Get("/mirrors?page_size=1&page_number=20").body),
            "1 … 14 15 16 17 18 19 20 21 22 23 24 25 26");
  // Past the end: an empty page that still counts every mirror, as upstream.
  HttpAnswer past = harness_->Get("/mirrors?page_size=5&page_number=9");
  EXPECT_EQ(Rows(past.body), 0);
  EXPECT_THAT(PlainText(past.body), HasSubstr("We currently have 26 active mirrors"));
  EXPECT_EQ(pager(past.body), "1 2 3 4 5 6");
  // Page links keep every query parameter (by name, as the server's query map sorts them), with
  // the page ones set.
  HttpAnswer kept = harness_->Get("/mirrors/Nope?page_number=2&foo=a%20b&page_size=5&country=XX");
  EXPECT_THAT(kept.body, HasSubstr("href=\"/mirrors/Nope?country=XX&amp;foo=a%20b&amp;page_number=3"
                                   "&amp;page_size=5\">3</a>"));
  // All names together, no duplicates.
  std::set<std::string> all;
  for (int p = 1; p <= 6; ++p) {
    for (const auto& n :
         MirrorNames(harness_->Get(absl::StrCat("/mirrors?page_size=5&page_number=", p)).body)) {
      all.insert(n);
    }
  }
  EXPECT_EQ(all.size(), 26u);
}

TEST_F(WebRoutesTest, MirrorListPathFilters) {
  auto sentence = [](const std::string& body) {
    std::string text = PlainText(body);
    size_t at = text.find("We currently have");
    if (at == std::string::npos) at = text.find("There are currently");
    return at == std::string::npos ? text : text.substr(at, text.find(" Country", at) - at);
  };
  EXPECT_EQ(sentence(harness_->Get("/mirrors/Fedora").body),
            "We currently have 20 active mirrors for Fedora");
  HttpAnswer e = harness_->Get("/mirrors/EPEL?page_size=0");
  EXPECT_EQ(sentence(e.body), "We currently have 6 active mirrors for EPEL");
  EXPECT_EQ(Rows(e.body), 6);
  EXPECT_EQ(sentence(harness_->Get("/mirrors/Fedora/27/x86_64?country=US").body),
            "We currently have 1 active mirror for Fedora 27 on x86_64 in US");
  // Unknown product: product and version ignored; the arch still filters on its own.
  EXPECT_EQ(sentence(harness_->Get("/mirrors/Nope/27/x86_64").body),
            "We currently have 26 active mirrors on x86_64");
  HttpAnswer a = harness_->Get("/mirrors/EPEL/7/aarch64");
  EXPECT_EQ(sentence(a.body), "There are currently no active mirrors registered.");
  EXPECT_EQ(Rows(a.body), 0);
  EXPECT_THAT(a.body, Not(HasSubstr("<table"))) << "no table without mirrors";
  EXPECT_EQ(sentence(harness_->Get("/mirrors/Fedora%20Nothing").body),
            "We currently have 26 active mirrors");
  // A version the product does not have is ignored; the product still filters.
  EXPECT_EQ(sentence(harness_->Get("/mirrors/Fedora/99").body),
            "We currently have 20 active mirrors for Fedora");
  EXPECT_EQ(sentence(harness_->Get("/mirrors/EPEL/27/x86_64").body),
            "We currently have 6 active mirrors for EPEL on x86_64");
}

TEST_F(WebRoutesTest, MirrorListVersionAndArchNeedOneRepository) {
  // "Fedora Linux" has repositories for 26/x86_64 and 27/aarch64, so its hosts carry version 26
  // and arch aarch64 only through different repositories: not a match for /Fedora/26/aarch64.
  EXPECT_EQ(Rows(harness_->Get("/mirrors/Fedora/26/aarch64").body), 0);
  EXPECT_EQ(Rows(harness_->Get("/mirrors/Fedora/27/aarch64?page_size=0").body), 20);
  EXPECT_EQ(Rows(harness_->Get("/mirrors/Fedora/26/x86_64?page_size=0").body), 20);
  // Version alone and arch alone still match through any repository.
  EXPECT_EQ(Rows(harness_->Get("/mirrors/Fedora/26?page_size=0").body), 20);
  EXPECT_EQ(Rows(harness_->Get("/mirrors/x/y/aarch64?page_size=0").body), 20);
  // A repository for 26/aarch64 in another category, carried by an EPEL host only.
  FixtureBuilder f(harness_->db());
  int64_t other = f.Category("Fedora Secondary", fixture_->fedora, "pub/fedora-secondary");
  int64_t v26 = std::stoll(harness_->db().QueryValue(absl::StrCat(
      "SELECT id FROM version WHERE name = '26' AND product_id = ", fixture_->fedora)));
  int64_t d =
      f.Directory("pub/fedora-secondary/releases/26/Everything/aarch64/os", {other}, true, 5);
  f.Repository("Fedora 26 aarch64", std::string("fedora-26"), other, v26, fixture_->aarch64, d);
  int64_t host = fixture_->hosts["mirror21.example.org"];
  int64_t hc = f.HostCategory(host, other);
  f.Url(hc, "http://mirror21.example.org/pub/fedora-secondary");
  // Not up to date in that category yet: the host's up-to-date directory (EPEL) is in another
  // host category, and upstream joins one host_category row for every condition.
  f.Hcd(hc, d, "releases/26/Everything/aarch64/os", false);
  EXPECT_EQ(Rows(harness_->Get("/mirrors/Fedora/26/aarch64").body), 0);
  harness_->db().Exec(
      absl::StrCat("UPDATE host_category_dir SET up2date = true WHERE host_category_id = ", hc));
  EXPECT_THAT(MirrorNames(harness_->Get("/mirrors/Fedora/26/aarch64").body),
              ::testing::ElementsAre("mirror21.example.org"));
  // The same holds for the public URL: make that category's only URL private.
  harness_->db().Exec(
      absl::StrCat("UPDATE host_category_url SET private = true WHERE host_category_id = ", hc));
  EXPECT_EQ(Rows(harness_->Get("/mirrors/Fedora/26/aarch64").body), 0);
}

TEST_F(WebRoutesTest, MirrorListCountryFilterUsesHostCountry) {
  HttpAnswer us = harness_->Get("/mirrors?country=US");
  EXPECT_THAT(PlainText(us.body), HasSubstr("We currently have 1 active mirror in US Country"));
  EXPECT_THAT(MirrorNames(us.body), ::testing::ElementsAre("mirror01.example.org"));
  HttpAnswer fr = harness_->Get("/mirrors/Fedora?country=FR");
  EXPECT_THAT(MirrorNames(fr.body), ::testing::ElementsAre("mirror02.example.org"));
  EXPECT_THAT(PlainText(fr.body), HasSubstr("active mirror for Fedora in FR Country"));
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
  for (const char* hidden :
       {"private-host.example.org", "private-site.example.org", "host-admin-off.example.org",
        "host-user-off.example.org", "site-admin-off.example.org", "site-user-off.example.org",
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
  EXPECT_THAT(
      body,
      HasSubstr("<a href=\"https://site01.example.org\" rel=\"noopener noreferrer\">Site 01</a>"));
}

TEST_F(WebRoutesTest, PrivateUrlsAreNeverShown) {
  FixtureBuilder f(harness_->db());
  f.Url(fixture_->hcs["mirror06.example.org"], "rsync://mirror06.example.org/secret-module", true);
  // A second category whose only URL is private: not listed at all.
  int64_t hc = f.HostCategory(fixture_->hosts["mirror06.example.org"], fixture_->epel_category);
  f.Url(hc, "http://mirror06.example.org/private-epel", true);
  std::string body = harness_->Get("/mirrors?page_size=0").body;
  EXPECT_THAT(body, Not(HasSubstr("secret-module")));
  EXPECT_THAT(body, Not(HasSubstr("private-epel")));
  EXPECT_THAT(body, HasSubstr("href=\"rsync://mirror06.example.org/fedora-linux\""));
  std::string api = harness_->Get("/api/mirrors").body;
  EXPECT_THAT(api, Not(HasSubstr("secret-module")));
  EXPECT_THAT(api, Not(HasSubstr("private-epel")));
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
  harness_->db().Exec(
      "UPDATE site SET org_url = 'https://site02.example.org' WHERE name = 'Site 02'");
}

TEST_F(WebRoutesTest, Statistics) {
  HttpAnswer r = harness_->Get("/statistics/2026-01-02");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<h1>Statistics</h1>"));
  EXPECT_THAT(PlainText(r.body),
              HasSubstr("Mirrorlist access breakdown by country | architecture | "
                        "repository on 2026-01-02"));
  EXPECT_THAT(r.body, HasSubstr("<strong>country</strong> | "
                                "<a href=\"/statistics/2026-01-02/archs\">architecture</a> | "
                                "<a href=\"/statistics/2026-01-02/repositories\">repository</a> "));
  EXPECT_THAT(r.body, HasSubstr("href=\"/statistics/2026-01-01/countries\">&lt;2026-01-01</a>"));
  EXPECT_THAT(r.body, Not(HasSubstr("2026-01-03")));
  // The day before has data too: a link to the next day (this one), none to the day before.
  HttpAnswer before = harness_->Get("/statistics/2026-01-01");
  EXPECT_THAT(before.body,
              HasSubstr("href=\"/statistics/2026-01-02/countries\">2026-01-02&gt;</a>"));
  EXPECT_THAT(before.body, Not(HasSubstr("&lt;2025-12-31")));
  // strptime's one-digit month and day name the same day.
  EXPECT_THAT(harness_->Get("/statistics/2026-1-2").body,
              HasSubstr("US</td><td class=\"num\">60.0000 %</td>"));
  // Upstream's table: `cat|title`, "%", "#Requests"; ordered by requests; "{:03.4f} %"; total.
  EXPECT_THAT(r.body,
              HasSubstr("<th scope=\"col\">Countries</th><th scope=\"col\" class=\"num\">%</th>"
                        "<th scope=\"col\" class=\"num\">#Requests</th>"));
  size_t us = r.body.find("US</td><td class=\"num\">60.0000 %</td><td class=\"num\">600</td>");
  size_t fr = r.body.find("FR</td><td class=\"num\">30.0000 %</td><td class=\"num\">300</td>");
  ASSERT_NE(us, std::string::npos);
  ASSERT_NE(fr, std::string::npos);
  EXPECT_LT(us, fr);
  EXPECT_THAT(r.body,
              HasSubstr("<th scope=\"row\">Total</th><td class=\"num\" colspan=\"2\">1000</td>"));
  EXPECT_THAT(r.body, HasSubstr("<svg")) << "server-side chart";
  EXPECT_THAT(r.body, HasSubstr("<title>US: 60.00 %</title>"));

  HttpAnswer a = harness_->Get("/statistics/2026-01-02/archs");
  EXPECT_THAT(a.body, HasSubstr("<strong>architecture</strong>"));
  EXPECT_THAT(a.body, HasSubstr("x86_64</td><td class=\"num\">100.0000 %</td>"));
  EXPECT_THAT(a.body, HasSubstr("<th scope=\"col\">Archs</th>"));
  EXPECT_THAT(a.body, Not(HasSubstr("&lt;2026-01-01"))) << "no archs data the day before";
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
  EXPECT_THAT(index.body,
              HasSubstr("how many mirrors have a <code>repomd.xml</code> that is the same"));
  EXPECT_THAT(index.body, HasSubstr("<h2 class=\"h3\">Fedora 27:</h2>"));
  int64_t x86 = fixture_->repos["fedora-27"], arm = fixture_->repos["fedora-27-aarch64"];
  // Same prefix: the repo with more hosts on average comes first and is the main one.
  std::string main_link = absl::StrCat("<a href=\"/propagation/", x86, "\">x86_64</a> (main)");
  std::string other =
      absl::StrCat("<a href=\"/propagation/", arm,
                   "\" title=\"Mirrors that don&apos;t contain the main arch\">aarch64</a>");
  EXPECT_THAT(index.body, HasSubstr(main_link));
  EXPECT_THAT(index.body, HasSubstr(other));
  HttpAnswer d = harness_->Get(absl::StrCat("/propagation/", x86));
  ASSERT_EQ(d.status, 200);
  EXPECT_THAT(d.body, HasSubstr("<h1>Propagation for Fedora 27</h1>"));
  EXPECT_THAT(d.body,
              HasSubstr(absl::StrCat("<strong><a href=\"/propagation/", x86, "\">x86_64</a>")));
  EXPECT_THAT(d.body,
              HasSubstr("<td>2026-01-02 10:00</td><td class=\"num\">15</td><td class=\"num\">3</td>"
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
  EXPECT_THAT(
      f.body,
      HasSubstr("10.0\t-20.0\t<a href='http://mirror01.example.org' rel='noopener noreferrer' "
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
  // Coordinates as Python's repr(float): every digit kept, shortest form.
  harness_->db().Exec(
      absl::StrCat("UPDATE host SET latitude = 48.856613, longitude = 2.3522219 WHERE id = ",
                   fixture_->hosts["mirror02.example.org"]));
  harness_->db().Exec(
      absl::StrCat("UPDATE host SET latitude = -33.8688197, longitude = 151.20929 WHERE id = ",
                   fixture_->hosts["mirror03.example.org"]));
  std::string feed = harness_->Get("/map/mirrors_location.txt").body;
  EXPECT_THAT(feed, HasSubstr("\n48.856613\t2.3522219\t<a href='http://mirror02.example.org'"));
  EXPECT_THAT(feed, HasSubstr("\n-33.8688197\t151.20929\t<a href='http://mirror03.example.org'"));
  // The map draws the land outline and a dot per location.
  std::string map = harness_->Get("/maps").body;
  EXPECT_THAT(map, HasSubstr("<path d=\"M"));
  EXPECT_EQ(Count(map, "<circle"), Count(feed, "\n") - 1);
}

TEST_F(WebRoutesTest, RsyncFilter) {
  HttpAnswer r =
      harness_->Get("/rsyncFilter?categories=Fedora%20Linux&since=1026&stripprefix=pub/fedora");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, StartsWith("text/plain"));
  EXPECT_EQ(
      r.body,
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
  // Empty is not missing: an empty since is not an integer, empty categories match nothing.
  EXPECT_THAT(harness_->Get("/rsyncFilter?categories=Fedora%20Linux&since=&stripprefix=pub").body,
              HasSubstr("# value of argument since is not an integer\n"));
  EXPECT_EQ(harness_->Get("/rsyncFilter?categories=&since=0&stripprefix=").body,
            "# rsync --exclude-from=(this file)\n# includes\n# excludes\n- *\n# end of list\n");
  // Python's int(): whitespace, sign and underscores.
  EXPECT_EQ(
      harness_
          ->Get("/rsyncFilter?categories=Fedora%20Linux&since=%201_026%20&stripprefix=pub/fedora")
          .body,
      r.body);
  // len(prefix.split("/")) components: a trailing slash counts one more ("pub/fedora/" strips
  // three), and names with no more components than that become "/".
  std::string prefix = "pub/fedora/linux/releases/27/Everything/x86_64";
  EXPECT_EQ(
      harness_->Get("/rsyncFilter?categories=Fedora%20Linux&since=1026&stripprefix=" + prefix).body,
      "# rsync --exclude-from=(this file)\n# includes\n+ /\n+ /*\n+ os/\n+ os/*\n"
      "# excludes\n- *\n# end of list\n");
  std::string three =
      harness_->Get("/rsyncFilter?categories=Fedora%20Linux&since=1099&stripprefix=pub/fedora/")
          .body;
  EXPECT_EQ(three,
            "# rsync --exclude-from=(this file)\n# includes\n"
            "+ releases/\n+ releases/*\n+ releases/27/\n+ releases/27/*\n"
            "+ releases/27/Everything/\n+ releases/27/Everything/*\n"
            "+ releases/27/Everything/aarch64/\n+ releases/27/Everything/aarch64/*\n"
            "+ releases/27/Everything/aarch64/os/\n+ releases/27/Everything/aarch64/os/*\n"
            "# excludes\n- *\n# end of list\n");
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
  EXPECT_EQ(
      harness_->Get(absl::StrCat("/crawler/", fixture_->hosts["mirror02.example.org"], ".log"))
          .status,
      404)
      << "no log file";
  EXPECT_EQ(harness_->Get("/crawler/abc.log").status, 404);
  EXPECT_EQ(harness_->Get("/crawler/..%2F..%2Fetc%2Fpasswd.log").status, 404);
}

TEST_F(WebRoutesTest, CrawlerLogLongerThanTheCapServesItsTail) {
  std::string dir = harness_->dir() + "/log/crawler";
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "'").c_str()), 0);
  int64_t pub = fixture_->hosts["mirror04.example.org"];
  std::string log;
  for (int i = 0; i < 200; ++i)
    log += absl::StrFormat("line %03d of the crawl\n", i);  // 22 bytes each
  std::ofstream(absl::StrCat(dir, "/", pub, ".log")) << log;
  int port = 0;
  auto gw = harness_->StartGateway("WEB_CRAWLER_LOG_MAX_BYTES = 1000\n", &port);
  ASSERT_OK(gw.status());
  HttpAnswer r = harness_->Get(absl::StrCat("/crawler/", pub, ".log"), port);
  ASSERT_EQ(r.status, 200);
  // The last 1000 bytes start mid-line: from the next whole line on, after a note.
  std::string tail = log.substr(log.size() - 1000);
  tail = tail.substr(tail.find('\n') + 1);
  EXPECT_EQ(r.body, absl::StrCat("[log truncated: the first ", log.size() - tail.size(), " of ",
                                 log.size(), " bytes are not shown]\n", tail));
  EXPECT_THAT(r.body, ::testing::EndsWith("line 199 of the crawl\n"));
  // Within the cap: the whole file, unchanged.
  EXPECT_EQ(harness_->Get(absl::StrCat("/crawler/", pub, ".log")).body, log);
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
  int64_t no_dir = f.Repository("Orphan", std::string("orphan-1"), fixture_->linux_category,
                                std::nullopt, fixture_->x86_64, std::nullopt);
  int64_t no_prefix = f.Repository("No prefix", std::nullopt, fixture_->linux_category,
                                   std::nullopt, fixture_->aarch64, std::nullopt);
  f.Repository("No arch", std::string("noarch-1"), fixture_->linux_category, std::nullopt,
               std::nullopt, std::nullopt);
  HttpAnswer r = harness_->Get("/api/repositories/");
  ASSERT_EQ(r.status, 200) << "a NULL directory no longer breaks the endpoint";
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["total"], 7) << "repositories without an arch are left out";
  // Ordered by arch id, then repository id.
  EXPECT_EQ(
      j["repositories"][0],
      nlohmann::json::parse(
          R"({"fedora-25": {"directory": "pub/fedora/linux/releases/25/Everything/x86_64/os", "name": "Fedora 25 x86_64"}})"));
  EXPECT_EQ(j["repositories"][4],
            nlohmann::json::parse(R"({"orphan-1": {"directory": null, "name": "Orphan"}})"));
  EXPECT_EQ(j["repositories"][6],
            nlohmann::json::parse(R"({"null": {"directory": null, "name": "No prefix"}})"));
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
  EXPECT_EQ(first["status"], "up_to_date");
  EXPECT_EQ(first["directories"], nlohmann::json::parse(R"({"total": 1, "up_to_date": 1})"));
  EXPECT_TRUE(first["last_crawled"].is_null());
  EXPECT_EQ(first["categories"][0]["urls"].size(), 2u);

  // The status says how current the mirror is.
  FixtureBuilder f(harness_->db());
  f.Hcd(fixture_->hcs["mirror07.example.org"],
        std::stoll(harness_->db().QueryValue(
            "SELECT id FROM directory WHERE name = 'pub/fedora/linux/releases'")),
        "releases", false);
  harness_->db().Exec(absl::StrCat("UPDATE host SET crawl_failures = 2 WHERE id = ",
                                   fixture_->hosts["mirror08.example.org"]));
  auto after = nlohmann::json::parse(harness_->Get("/api/mirrors").body);
  std::map<std::string, std::string> status;
  for (const auto& m : after["mirrors"]) status[m["name"]] = m["status"];
  EXPECT_EQ(status["mirror07.example.org"], "partially_up_to_date");
  EXPECT_EQ(status["mirror08.example.org"], "crawl_failing");
  EXPECT_EQ(status["mirror09.example.org"], "up_to_date");

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
      harness_->Get(absl::StrCat("/api/hosts/", fixture_->hosts["stale.example.org"], "/status"))
          .body);
  EXPECT_EQ(stale["categories"][0]["not_up_to_date"], 1);
  EXPECT_EQ(
      harness_
          ->Get(absl::StrCat("/api/hosts/", fixture_->hosts["private-host.example.org"], "/status"))
          .status,
      404);
  EXPECT_EQ(harness_->Get("/api/hosts/99999/status").status, 404);
}

TEST_F(WebRoutesTest, ApiExplain) {
  int64_t good = fixture_->hosts["mirror01.example.org"];
  auto e = nlohmann::json::parse(
      harness_->Get(absl::StrCat("/api/explain?host=", good, "&path=pub/fedora/linux/releases/27"))
          .body);
  EXPECT_EQ(e["offered"], true);
  EXPECT_EQ(e["offered_globally"], true);
  EXPECT_EQ(e["category"], "Fedora Linux");
  EXPECT_EQ(e["allowed_countries"], nlohmann::json::parse(R"(["US"])"));
  // The repository's own directory has no HCD on this host.
  auto repo = nlohmann::json::parse(
      harness_->Get(absl::StrCat("/api/explain?host=", good, "&repo=fedora-27&arch=x86_64")).body);
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
  auto off = nlohmann::json::parse(
      harness_
          ->Get(absl::StrCat("/api/explain?host=", fixture_->hosts["site-admin-off.example.org"],
                             "&path=pub/fedora/linux/releases/27"))
          .body);
  EXPECT_EQ(off["offered"], false);
  EXPECT_THAT(off["summary"].get<std::string>(), HasSubstr("site.admin_active"));
  auto priv = nlohmann::json::parse(
      harness_
          ->Get(absl::StrCat("/api/explain?host=", fixture_->hosts["private-host.example.org"],
                             "&path=pub/fedora/linux/releases/27"))
          .body);
  EXPECT_EQ(priv["offered"], true);
  EXPECT_EQ(priv["offered_globally"], false);
  auto priv_url = nlohmann::json::parse(
      harness_
          ->Get(absl::StrCat("/api/explain?host=", fixture_->hosts["private-url.example.org"],
                             "&path=pub/fedora/linux/releases/27"))
          .body);
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
  EXPECT_THAT(m.body,
              HasSubstr("mm_web_requests_total{code=\"200\",method=\"GET\",route=\"/mirrors\"}"));
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

TEST_F(WebRoutesTest, MetricsPassPromtoolAndCountRoutesStatusesAndCheckins) {
  for (int i = 0; i < 3; ++i) harness_->Get("/statistics/2026-01-02");
  harness_->Get("/no/such/page");
  harness_->Get("/mirrors/");
  harness_->Post("/xmlrpc", "<methodCall><methodName>checkin</methodName><params>");
  HttpAnswer m = harness_->Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_THAT(m.content_type, StartsWith("text/plain; version=0.0.4"));
  auto promtool = RunProcess("/usr/bin/promtool", {"check", "metrics"}, {.stdin_data = m.body});
  ASSERT_OK(promtool.status());
  EXPECT_EQ(promtool->exit_code, 0) << promtool->out << promtool->err;
  // Requests by route, method and status; latency by route; check-ins by result.
  EXPECT_THAT(m.body, HasSubstr("mm_web_requests_total{code=\"200\",method=\"GET\","
                                "route=\"/statistics\"} 3"));
  EXPECT_THAT(m.body,
              HasSubstr("mm_web_requests_total{code=\"404\",method=\"GET\",route=\"other\"} 2"));
  EXPECT_THAT(m.body, HasSubstr("mm_web_request_duration_seconds_count{route=\"/statistics\"} 3"));
  EXPECT_THAT(m.body, HasSubstr("mm_web_request_duration_seconds_bucket{route=\"/statistics\","
                                "le=\"+Inf\"} 3"));
  EXPECT_THAT(m.body, HasSubstr("mm_web_checkins_total{result=\"decode_error\"} 1"));
  for (const char* result :
       {"ok", "invalid", "auth_failed", "host_not_found", "not_private", "limit", "error"}) {
    EXPECT_THAT(m.body, HasSubstr(absl::StrCat("mm_web_checkins_total{result=\"", result, "\"} 0")))
        << "every result is exported from the start";
  }
}

TEST_F(WebRoutesTest, AccessLogIsOneJsonObjectPerRequest) {
  HttpAnswer r = harness_->Get("/mirrors?page_size=3&country=US");
  ASSERT_EQ(r.status, 200);
  harness_->Get("/nothing-here");
  std::vector<nlohmann::json> lines;
  ASSERT_TRUE(WaitFor(
      [&] {
        lines.clear();
        std::istringstream log(harness_->GatewayLog());
        for (std::string line; std::getline(log, line);) {
          size_t brace = line.find("{\"");
          if (line.find("\"event\":\"access\"") == std::string::npos || brace == std::string::npos)
            continue;
          lines.push_back(nlohmann::json::parse(line.substr(brace)));
        }
        return lines.size() >= 2;
      },
      absl::Seconds(5)));
  const nlohmann::json* list = nullptr;
  const nlohmann::json* missing = nullptr;
  for (const auto& l : lines) {
    if (l["path"] == "/mirrors") list = &l;
    if (l["path"] == "/nothing-here") missing = &l;
  }
  ASSERT_NE(list, nullptr);
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ((*list)["method"], "GET");
  EXPECT_EQ((*list)["query"], "country=US&page_size=3");
  EXPECT_EQ((*list)["route"], "/mirrors");
  EXPECT_EQ((*list)["status"], 200);
  EXPECT_EQ((*list)["bytes"], r.body.size());
  EXPECT_TRUE((*list)["duration_ms"].is_number());
  EXPECT_GE((*list)["duration_ms"].get<double>(), 0);
  EXPECT_EQ((*list)["remote"], "127.0.0.1");
  EXPECT_THAT((*list)["user_agent"].get<std::string>(), StartsWith("cpp-httplib"));
  EXPECT_EQ((*missing)["status"], 404);
  EXPECT_EQ((*missing)["route"], "other");
}

// The binary's own interface: configuration from MM2_CONFIG, --catalog over CATALOG_ADDRESS,
// WEB_LISTEN when --listen is absent, and a clean exit on SIGTERM.
TEST(WebGatewayBinaryTest, Mm2ConfigCatalogFlagAndSigterm) {
  auto catalog = CatalogHarness::Start();
  ASSERT_OK(catalog.status());
  char tmpl[] = "/tmp/mm_web_bin.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string cfg = dir + "/mirrormanager2.cfg";
  std::ofstream(cfg) << "CATALOG_ADDRESS = '127.0.0.1:1'\nWEB_LISTEN = '127.0.0.1:0'\n"
                     << "WEB_THREADS = 1\n";
  auto gw =
      BackgroundProcess::Start(BinaryPath("mm2-web-gateway"), {"--catalog", (*catalog)->address()},
                               {.env = {{"MM2_CONFIG", cfg}}});
  ASSERT_OK(gw.status());
  int port = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string log = (*gw)->ReadLog();
        size_t at = log.find("(port ");
        return at != std::string::npos &&
               absl::SimpleAtoi(log.substr(at + 6, log.find(')', at) - at - 6), &port);
      },
      absl::Seconds(20)))
      << (*gw)->ReadLog();
  httplib::Client c("127.0.0.1", port);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = c.Get("/healthz/ready");
        return r && r->status == 200;
      },
      absl::Seconds(10)))
      << "ready only through the --catalog address";
  auto stopped = (*gw)->Stop(SIGTERM, absl::Seconds(10));
  ASSERT_OK(stopped.status());
  EXPECT_EQ(*stopped, 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(WebReadinessTest, NotReadyWithoutCatalog) {
  auto h = WebHarness::Start();
  ASSERT_OK(h.status());
  EXPECT_EQ((*h)->Get("/healthz/ready").status, 200);
  (*h)->catalog().server().Stop(absl::Milliseconds(100));
  ASSERT_TRUE(
      WaitFor([&] { return (*h)->Get("/healthz/ready").status == 503; }, absl::Seconds(10)));
  HttpAnswer r = (*h)->Get("/healthz/ready");
  EXPECT_THAT(r.body, HasSubstr("\"status\":503"));
  EXPECT_EQ((*h)->Get("/healthz/live").status, 200);
  EXPECT_EQ((*h)->Get("/mirrors").status, 503);
}

}  // namespace
}  // namespace mm::testing
