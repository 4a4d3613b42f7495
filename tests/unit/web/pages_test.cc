#include "services/web-gateway/pages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "absl/strings/str_split.h"
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

TEST(PagesTest, StrptimeDateLikePython) {
  EXPECT_EQ(ParseStrptimeDate("2026-01-02"), "2026-01-02");
  // %m and %d take one digit too, %d also " 7"; the result is always zero-padded.
  EXPECT_EQ(ParseStrptimeDate("2026-1-2"), "2026-01-02");
  EXPECT_EQ(ParseStrptimeDate("2026-12- 7"), "2026-12-07");
  EXPECT_EQ(ParseStrptimeDate("2024-02-29"), "2024-02-29");
  for (const char* bad :
       {"", "2026", "2026-01", "2026-01-", "26-01-02", "02026-01-02", "2026-13-01", "2026-00-10",
        "2026-01-32", "2026-01-00", "2026-02-30", "2025-02-29", "0000-01-01", "2026-01-02x",
        "2026-01-02 ", " 2026-01-02", "2026/01/02", "2026-01-3x", "2026-001-02"}) {
    EXPECT_EQ(ParseStrptimeDate(bad), std::nullopt) << bad;
  }
}

TEST(PagesTest, DisplayedVersionsOrder) {
  pb::PublicSnapshot s;
  for (auto [id, name, display] :
       std::vector<std::tuple<int, const char*, bool>>{{1, "9", true},
                                                       {2, "10", true},
                                                       {3, "rawhide", true},
                                                       {4, "alpha", true},
                                                       {5, "10", true},
                                                       {6, "11", false},
                                                       {7, "8.1", true}}) {
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
  EXPECT_THAT(
      RsyncFilterDirectories({"pub/fedora/linux/a/b", "pub/fedora/linux/a", "pub/x"}, "pub/fedora"),
      ElementsAre("", "linux", "linux/a", "linux/a/b"))
      << "pub/x has no more components than the prefix: \"\" (\"+ /\"), as upstream";
  // "" is one component ("".split("/") == [""]); "x/" two; too short a name becomes "".
  EXPECT_THAT(RsyncFilterDirectories({"a/b"}, ""), ElementsAre("b"));
  EXPECT_THAT(RsyncFilterDirectories({"pub/fedora/linux/a", "pub/fedora"}, "pub/fedora/"),
              ElementsAre("", "a"));
  EXPECT_THAT(RsyncFilterDirectories({"pub"}, "pub/fedora"), ElementsAre(""));
  EXPECT_EQ(RsyncFilterText({""}, ""),
            "# rsync --exclude-from=(this file)\n# includes\n+ /\n+ /*\n# excludes\n- *\n# end of "
            "list\n");
  EXPECT_EQ(ParsePyInt(" 1_000 "), 1000);
  EXPECT_EQ(ParsePyInt("-5"), -5);
  EXPECT_EQ(ParsePyInt("+7"), 7);
  for (const char* bad :
       {"", " ", "1__0", "_1", "1_", "1.5", "0x10", "1e3", "99999999999999999999999"}) {
    EXPECT_EQ(ParsePyInt(bad), std::nullopt) << bad;
  }
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
            "1.5\t-2.0\t<a href='http://a.example' rel='noopener noreferrer' "
            "target='_blank'>a.example</a>"
            "\tS&lt;1&gt;\t24,24\t-12,-24\t/static/map/f-dot.png\n"
            "1.5\t-2.0\t<a href='https://c.example' rel='noopener noreferrer' "
            "target='_blank'>c.example</a>"
            "\tN/A\t24,24\t-12,-24\t/static/map/f-dot.png\n");
}

TEST(PagesTest, PyFloatReprMatchesPython) {
  // Values checked against CPython's repr().
  EXPECT_EQ(PyFloatRepr(10), "10.0");
  EXPECT_EQ(PyFloatRepr(-20), "-20.0");
  EXPECT_EQ(PyFloatRepr(0), "0.0");
  EXPECT_EQ(PyFloatRepr(48.856613), "48.856613");
  EXPECT_EQ(PyFloatRepr(-33.8688197), "-33.8688197");
  EXPECT_EQ(PyFloatRepr(0.1), "0.1");
  EXPECT_EQ(PyFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PyFloatRepr(0.00001), "1e-05");
  EXPECT_EQ(PyFloatRepr(1.5e-7), "1.5e-07");
  EXPECT_EQ(PyFloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(PyFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PyFloatRepr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(PyFloatRepr(1.0 / 3), "0.3333333333333333");
}

TEST(PagesTest, TruncatedPagesListAndPageUrl) {
  auto pages = [](int64_t page, int64_t total) {
    std::string out;
    for (const auto& p : TruncatedPagesList(page, total, 6)) {
      out += (out.empty() ? "" : " ") + (p ? std::to_string(*p) : std::string("..."));
    }
    return out;
  };
  EXPECT_EQ(pages(1, 26), "1 2 3 4 5 6 7 8 9 10 11 12 13 ... 26");
  EXPECT_EQ(pages(7, 26), "1 2 3 4 5 6 7 8 9 10 11 12 13 ... 26");
  EXPECT_EQ(pages(8, 26), "1 ... 2 3 4 5 6 7 8 9 10 11 12 13 14 ... 26");
  EXPECT_EQ(pages(20, 26), "1 ... 14 15 16 17 18 19 20 21 22 23 24 25 26");
  EXPECT_EQ(pages(21, 26), "1 ... 14 15 16 17 18 19 20 21 22 23 24 25 26");
  EXPECT_EQ(pages(40, 26), "1 ... 14 15 16 17 18 19 20 21 22 23 24 25 26");
  EXPECT_EQ(pages(2, 5), "1 2 3 4 5");
  EXPECT_EQ(pages(1, 13), "1 2 3 4 5 6 7 8 9 10 11 12 13");
  EXPECT_EQ(pages(1, 14), "1 2 3 4 5 6 7 8 9 10 11 12 13 ... 14");
  EXPECT_EQ(PageUrl("/mirrors", Query("country=US&x=%3C1%3E"), 20, 2),
            "/mirrors?country=US&x=%3C1%3E&page_size=20&page_number=2");
  EXPECT_EQ(PageUrl("/mirrors/F", Query("page_number=9&a=1&a=2&page_size=5"), 5, 3),
            "/mirrors/F?page_number=3&a=1&page_size=5");
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

// The land outline must not draw a line across the whole map where a ring crosses the
// antimeridian (Fiji and Chukotka did): every segment, the closing one included, spans at most
// half the map width, except along the edge at a pole (Antarctica is closed there).
TEST(ChartsTest, WorldOutlineHasNoSegmentAcrossTheMap) {
  std::string path = WorldOutlinePath();
  std::regex number("-?[0-9]+(\\.[0-9]+)?");
  int rings = 0;
  double min_x = 1e9, max_x = -1e9;
  for (absl::string_view sub : absl::StrSplit(path, 'z', absl::SkipEmpty())) {
    std::string ring(sub);
    ASSERT_EQ(ring[0], 'M') << ring.substr(0, 40);
    std::vector<double> v;
    for (auto it = std::sregex_iterator(ring.begin(), ring.end(), number);
         it != std::sregex_iterator(); ++it) {
      v.push_back(std::stod(it->str()));
    }
    ASSERT_GE(v.size(), 6u);
    ASSERT_EQ(v.size() % 2, 0u);
    std::vector<std::pair<double, double>> pts{{v[0], v[1]}};
    for (size_t i = 2; i < v.size(); i += 2) {
      pts.emplace_back(pts.back().first + v[i], pts.back().second + v[i + 1]);
    }
    for (size_t i = 0; i < pts.size(); ++i) {
      auto [x0, y0] = pts[i];
      auto [x1, y1] = pts[(i + 1) % pts.size()];
      min_x = std::min(min_x, x0);
      max_x = std::max(max_x, x0);
      bool along_pole = y0 == y1 && (y0 == 0 || y0 == 360);
      EXPECT_TRUE(std::abs(x1 - x0) <= 360 || along_pole)
          << "ring " << rings << ": (" << x0 << "," << y0 << ") -> (" << x1 << "," << y1 << ")";
    }
    ++rings;
  }
  EXPECT_GT(rings, 100);
  // Rings unwrapped past an edge are drawn a second time from the other side.
  EXPECT_LT(min_x, 0);
  EXPECT_GT(max_x, 720);
}

}  // namespace
}  // namespace mm::web
