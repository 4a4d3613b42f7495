// HTML escaping of every database value on every anonymous page: each text column that any page
// shows holds a hostile string (quotes, a tag, an ampersand), and no page may contain it
// unescaped. The real gateway, catalog and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/integration/web/web_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Breaks out of a double- or single-quoted attribute, opens a tag, starts an entity.
std::string Hostile(const std::string& column) {
  return absl::StrCat(column, "\"'><hostile-", column, ">&");
}
// The same text as the template engine (and charts.cc) must write it.
std::string Escaped(const std::string& column) {
  return absl::StrCat(column, "&quot;&apos;&gt;&lt;hostile-", column, "&gt;&amp;");
}
std::string Enc(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    out += std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~'
               ? std::string(1, static_cast<char>(ch))
               : absl::StrFormat("%%%02X", ch);
  }
  return out;
}

TEST(WebEscapingTest, EveryDatabaseValueIsEscapedOnEveryPage) {
  auto h = WebHarness::Start();
  ASSERT_OK(h.status());
  WebHarness& w = **h;
  FixtureBuilder f(w.db());
  int64_t product = f.Product(Hostile("product"));
  int64_t arch = f.Arch(Hostile("arch"));
  int64_t category = f.Category(Hostile("category"), product, "pub/hostile");
  int64_t version = f.Version(product, Hostile("version"));
  f.Version(product, "99", true, false, Hostile("display"));
  int64_t dir = f.Directory("pub/hostile/releases/1/os", {category}, true, 100);
  int64_t repo =
      f.Repository(Hostile("repository"), Hostile("prefix"), category, version, arch, dir);
  int64_t country = f.Country(Hostile("country"));
  SiteOptions so;
  so.org_url = "https://org.example.org/" + Hostile("orgurl");
  int64_t site = f.Site(Hostile("site"), so);
  std::vector<int64_t> hosts;
  for (int i = 1; i <= 2; ++i) {
    HostOptions ho;
    ho.comment = Hostile("comment");
    ho.latitude = 10;
    ho.longitude = 20 * i;
    int64_t host = f.Host(site, absl::StrCat(Hostile("host"), i), Hostile("hcountry"), ho);
    hosts.push_back(host);
    int64_t hc = f.HostCategory(host, category);
    f.Url(hc, absl::StrCat("http://url", i, ".example.org/", Hostile("url")));
    f.Url(hc, absl::StrCat("https://", Hostile("urlhost"), i, "/x"));
    f.Hcd(hc, dir, "releases/1/os", true);
    f.HostCountry(host, country);
  }
  int64_t countries =
      f.Insert("INSERT INTO access_stat_category (name) VALUES ('countries') RETURNING id");
  int64_t archs = f.Insert("INSERT INTO access_stat_category (name) VALUES ('archs') RETURNING id");
  int64_t repos =
      f.Insert("INSERT INTO access_stat_category (name) VALUES ('repositories') RETURNING id");
  for (int64_t c : {countries, archs, repos}) {
    w.db().Exec(
        absl::StrCat("INSERT INTO access_stat (category_id, date, name, percent, requests) "
                     "VALUES (",
                     c, ", '2026-01-02', ", Q(Hostile("stat")), ", 100, 10)"));
  }
  w.db().Exec(absl::StrCat(
      "INSERT INTO propagation_stat (repository_id, datetime, same_day, one_day, two_day, older, "
      "no_info) VALUES (",
      repo, ", '2026-01-02 10:00', 1, 1, 0, 0, 0)"));

  const std::string p = Enc(Hostile("product")), v = Enc(Hostile("version")),
                    a = Enc(Hostile("arch")), c = Enc(Hostile("country"));
  struct Page {
    std::string path;
    std::vector<std::string> shown;  // columns whose (escaped) value the page must show
  };
  for (const Page& page : std::vector<Page>{
           {"/", {"product", "version", "display", "arch"}},
           {"/mirrors",
            {"site", "orgurl", "host", "comment", "hcountry", "category", "url", "urlhost",
             "country"}},
           {"/mirrors/" + p, {"product", "site", "host"}},
           {"/mirrors/" + p + "/" + v + "/" + a, {"product", "version", "arch", "host"}},
           {"/mirrors?country=" + c, {"country", "host"}},
           {"/mirrors?page_size=1&x=" + Enc(Hostile("query")), {"host"}},
           {"/statistics/2026-01-02", {"stat"}},
           {"/statistics/2026-01-02/archs", {"stat"}},
           {"/statistics/2026-01-02/repositories", {"stat"}},
           {"/propagation/", {"product", "version", "arch", "prefix"}},
           {absl::StrCat("/propagation/", repo), {"product", "version", "arch", "prefix"}},
           {"/maps", {"site", "urlhost"}},
           {"/map/mirrors_location.txt", {"site", "urlhost"}},
       }) {
    HttpAnswer r = w.Get(page.path);
    ASSERT_EQ(r.status, 200) << page.path;
    // Nothing from the database may open a tag or leave a quoted attribute.
    EXPECT_THAT(r.body, Not(HasSubstr("<hostile"))) << page.path;
    EXPECT_THAT(r.body, Not(HasSubstr("\"'>"))) << page.path;
    // Every page works without JavaScript (the Content-Security-Policy forbids scripts).
    EXPECT_THAT(r.body, Not(HasSubstr("<script"))) << page.path;
    for (const std::string& column : page.shown) {
      EXPECT_THAT(r.body, HasSubstr(Escaped(column))) << page.path << ": " << column;
    }
  }
  // The pager keeps the hostile query parameter, percent-encoded.
  EXPECT_THAT(w.Get("/mirrors?page_size=1&x=" + Enc(Hostile("query"))).body,
              HasSubstr("x=" + Enc(Hostile("query"))));
  // Plain-text and JSON answers carry raw values, but are never HTML.
  for (const std::string& path :
       {"/rsyncFilter?categories=" + Enc(Hostile("category")) + "&since=0&stripprefix=pub",
        std::string("/api/mirrors"), std::string("/api/repositories"),
        absl::StrCat("/api/hosts/", hosts[0], "/status"),
        absl::StrCat("/api/explain?host=", hosts[0], "&repo=", Enc(Hostile("prefix")),
                     "&arch=", a)}) {
    HttpAnswer r = w.Get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_THAT(r.content_type, Not(StartsWith("text/html"))) << path;
    EXPECT_EQ(r.headers.find("X-Content-Type-Options")->second, "nosniff") << path;
  }
}

}  // namespace
}  // namespace mm::testing
