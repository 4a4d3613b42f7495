#include "services/web-gateway/pages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/web-gateway/charts.h"

namespace mm::web {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PagesTest, QueryAndPercentCoding) {
  Query q("a=1&b=x%20y+z&a=2&flag&c=%ZZ");
  EXPECT_EQ(q.Get("a"), "1");
  EXPECT_EQ(q.Get("b"), "x y z");
  EXPECT_EQ(q.Get("flag"), "");
  EXPECT_EQ(q.Get("c"), "%ZZ");
  EXPECT_FALSE(q.Get("d"));
  EXPECT_EQ(PercentEncode("Fedora EPEL/7"), "Fedora%20EPEL%2F7");
  EXPECT_EQ(PercentDecode("a%2Fb+c", false), "a/b+c");
}

TEST(PagesTest, DisplayedVersionsOrder) {
  pb::PublicSnapshot s;
  for (auto [id, name, display] : std::vector<std::tuple<int, const char*, bool>>{
           {1, "9", true}, {2, "10", true}, {3, "rawhide", true}, {4, "alpha", true},
           {5, "10", true}, {6, "11", false}, {7, "8.1", true}}) {
    auto* v = s.add_versions();
    v->set_id(id);
    v->set_product_id(1);
    v->set_name(name);
    v->set_display(display);
  }
  PublicView view(s);
  std::vector<std::string> names;
  for (const auto* v : view.DisplayedVersions(1)) names.push_back(v->name());
  EXPECT_THAT(names, ElementsAre("rawhide", "alpha", "8.1", "10", "9"));
}

TEST(PagesTest, RsyncFilterDirectories) {
  EXPECT_THAT(RsyncFilterDirectories({"pub/fedora/linux/a/b", "pub/fedora/linux/a", "pub/x"},
                                     "pub/fedora"),
              ElementsAre("linux", "linux/a", "linux/a/b"));
  EXPECT_THAT(RsyncFilterDirectories({"a/b"}, ""), ElementsAre("a", "a/b"));
  EXPECT_EQ(RsyncFilterText({"x"}, "note"),
            "# rsync --exclude-from=(this file)\n# note\n# includes\n+ x/\n+ x/*\n"
            "# excludes\n- *\n# end of list\n");
}

TEST(PagesTest, MapFeedDeduplicatesHostsAndEscapes) {
  pb::MapUrlsResponse urls;
  auto add = [&](const std::string& url, std::optional<std::string> site) {
    auto* u = urls.add_urls();
    u->set_url(url);
    u->set_latitude(1.5);
    u->set_longitude(-2);
    if (site) u->set_site_name(*site);
  };
  add("http://a.example/x", "S<1>");
  add("https://a.example/y", "S");
  add("rsync://b.example/", "S");
  add("https://user@c.example:8443/z", std::nullopt);
  std::string text = MapLocationsText(urls);
  EXPECT_EQ(text,
            "lat\tlon\ttitle\tdescription\ticonSize\ticonOffset\ticon\n"
            "1.5\t-2\t<a href='http://a.example' rel='noopener noreferrer' target='_blank'>a.example</a>"
            "\tS&lt;1&gt;\t24,24\t-12,-24\t/static/map/f-dot.png\n"
            "1.5\t-2\t<a href='https://c.example' rel='noopener noreferrer' target='_blank'>c.example</a>"
            "\tN/A\t24,24\t-12,-24\t/static/map/f-dot.png\n");
}

TEST(ChartsTest, SvgEscapesLabels) {
  std::string d = DoughnutSvg({{"<x>", 50, "#000"}, {"y", 50, "#fff"}});
  EXPECT_THAT(d, HasSubstr("&lt;x&gt;: 50.00 %"));
  EXPECT_THAT(d, ::testing::Not(HasSubstr("<x>")));
  EXPECT_THAT(DoughnutSvg({{"all", 100, "#000"}}), HasSubstr("<circle"));
  std::string bars = StackedBarsSvg({{"a", "#000"}}, {{"<t>", {3}}});
  EXPECT_THAT(bars, HasSubstr("&lt;t&gt;"));
  EXPECT_THAT(MapSvg({{95, 200, "<m>", "http://x/'"}}), HasSubstr("&lt;m&gt;"));
}

}  // namespace
}  // namespace mm::web
