#include "services/web-gateway/pages.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/web-gateway/charts.h"

namespace mm::web {
namespace {

using List = kainjow::mustache::data;

Data NewList() { return Data(Data::type::list); }
std::string S(int64_t v) { return absl::StrCat(v); }

std::optional<int64_t> ParseInt(const std::optional<std::string>& s) {
  int64_t v = 0;
  if (!s || !absl::SimpleAtoi(*s, &v)) return std::nullopt;
  return v;
}

bool Contains(const google::protobuf::RepeatedField<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string Scheme(const std::string& url) {
  size_t p = url.find("://");
  return p == std::string::npos ? url : url.substr(0, p);
}

// Only these schemes become links: a database value like "javascript:..." must never be an href.
bool SafeLink(const std::string& url) {
  std::string lower = absl::AsciiStrToLower(url.substr(0, 9));
  return absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://") ||
         absl::StartsWith(lower, "rsync://") || absl::StartsWith(lower, "ftp://");
}

std::string HostOfUrl(const std::string& url) {
  size_t p = url.find("://");
  if (p == std::string::npos) return "";
  size_t start = p + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    return close == std::string::npos ? authority : authority.substr(0, close + 1);
  }
  size_t colon = authority.find(':');
  return colon == std::string::npos ? authority : authority.substr(0, colon);
}

}  // namespace

std::string PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < in.size() &&
               std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += absl::StrFormat("%%%02X", c);
    }
  }
  return out;
}

Query::Query(std::string_view raw) {
  if (!raw.empty() && raw.front() == '?') raw.remove_prefix(1);
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(raw.data(), raw.size()), '&', absl::SkipEmpty())) {
    size_t eq = part.find('=');
    std::string_view sv(part.data(), part.size());
    if (eq == absl::string_view::npos) {
      items_.emplace_back(PercentDecode(sv, true), "");
    } else {
      items_.emplace_back(PercentDecode(sv.substr(0, eq), true),
                          PercentDecode(sv.substr(eq + 1), true));
    }
    if (items_.size() >= 64) break;  // bounded
  }
}

std::optional<std::string> Query::Get(const std::string& key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string PyFloatRepr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  // The shortest digits that round-trip, as d.ddde[+-]X.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(sci.substr(e + 1));
  // float_repr_style 'short': scientific when the decimal point would be at <= -4 or > 16.
  int decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    std::string mant = digits.substr(0, 1);
    if (digits.size() > 1) mant += "." + digits.substr(1);
    return absl::StrFormat("%s%se%c%02d", sign, mant, exp < 0 ? '-' : '+', std::abs(exp));
  }
  std::string out;
  if (decpt <= 0) {
    out = "0." + std::string(-decpt, '0') + digits;
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    out = digits + std::string(decpt - digits.size(), '0') + ".0";
  } else {
    out = digits.substr(0, decpt) + "." + digits.substr(decpt);
  }
  return sign + out;
}

std::string IsoTime(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

// ---------------------------------------------------------------------------------------------

Data HomePage(const PublicView& view) {
  const auto& d = view.data();
  std::vector<const pb::PublicArch*> public_arches;
  for (const auto& a : d.arches()) {
    if (a.publiclist()) public_arches.push_back(&a);
  }
  Data products = NewList();
  bool any = false;
  for (const auto& p : d.products()) {
    if (!p.publiclist()) continue;
    any = true;
    std::vector<const pb::PublicVersion*> shown = view.DisplayedVersions(p.id());
    Data versions = NewList();
    // A product without displayed versions still gets its row (and its link).
    size_t rows = std::max<size_t>(1, shown.size());
    for (size_t i = 0; i < rows; ++i) {
      const pb::PublicVersion* v = i < shown.size() ? shown[i] : nullptr;
      Data vd;
      vd.set("first", i == 0);
      vd.set("rowspan", S(static_cast<int64_t>(rows)));
      vd.set("product", p.name());
      vd.set("product_url", PercentEncode(p.name()));
      vd.set("has_version", v != nullptr);
      Data cells = NewList();
      if (v != nullptr) {
        vd.set("label",
               v->has_display_name() && !v->display_name().empty() ? v->display_name() : v->name());
        vd.set("url_name", PercentEncode(v->name()));
      }
      for (const pb::PublicArch* a : public_arches) {
        Data cd;
        bool has = v != nullptr && Contains(v->arch_ids(), a->id());
        cd.set("has", has);
        if (has) {
          cd.set("arch", a->name());
          cd.set("arch_url", PercentEncode(a->name()));
          cd.set("version_url", PercentEncode(v->name()));
          cd.set("product_url", PercentEncode(p.name()));
        }
        cells.push_back(cd);
      }
      vd.set("cells", cells);
      versions.push_back(vd);
    }
    Data pd;
    pd.set("versions", versions);
    products.push_back(pd);
  }
  Data page;
  page.set("arch_count", S(static_cast<int64_t>(std::max<size_t>(1, public_arches.size()))));
  page.set("products", any ? products : Data(false));
  return page;
}

namespace {

bool HasPublicUrl(const pb::PublicHostCategory& hc) {
  return std::any_of(hc.urls().begin(), hc.urls().end(),
                     [](const pb::PublicUrl& u) { return !u.private_(); });
}

// Upstream's get_mirrors joins one host_category row (and through its category, one repository
// row) for every condition: the up-to-date directory, the public URL, the product and the
// (version, arch) pair must all be satisfied by the same host category.
bool HostCategoryQualifies(const PublicView& view, const MirrorSelection& sel,
                           const pb::PublicHostCategory& hc) {
  if (hc.up_to_date() <= 0 || !HasPublicUrl(hc)) return false;
  if (!sel.product && !sel.version && !sel.arch) return true;
  const pb::PublicCategory* c = view.CategoryById(hc.category_id());
  if (c == nullptr) return false;
  if (sel.product && c->product_id() != sel.product->id()) return false;
  if (!sel.version && !sel.arch) return true;
  return std::any_of(c->repositories().begin(), c->repositories().end(),
                     [&](const pb::PublicRepoKey& r) {
                       return (!sel.version || r.version_id() == sel.version->id()) &&
                              (!sel.arch || r.arch_id() == sel.arch->id());
                     });
}

}  // namespace

MirrorSelection SelectMirrors(const PublicView& view, const MirrorListRequest& req) {
  MirrorSelection sel;
  if (req.product) sel.product = view.ProductByName(*req.product);
  if (sel.product && req.version) sel.version = view.Version(sel.product->id(), *req.version);
  if (req.arch) sel.arch = view.ArchByName(*req.arch);
  if (auto c = req.query.Get("country"); c && !c->empty()) sel.country = view.CountryByCode(*c);
  for (const auto& h : view.data().hosts()) {
    if (sel.country && !Contains(h.allowed_country_ids(), sel.country->id())) continue;
    if (std::any_of(h.categories().begin(), h.categories().end(),
                    [&](const pb::PublicHostCategory& hc) {
                      return HostCategoryQualifies(view, sel, hc);
                    })) {
      sel.hosts.push_back(&h);
    }
  }
  return sel;
}

std::vector<std::optional<int64_t>> TruncatedPagesList(int64_t page_number, int64_t total_pages,
                                                       int64_t margin) {
  int64_t num_pages = 2 * margin + 1, min_page = 1, max_page = 1;
  if (page_number <= margin + 1) {
    min_page = 1;
    max_page = std::min(total_pages, num_pages);
  } else if (total_pages - page_number >= margin) {
    min_page = std::max<int64_t>(page_number - margin, 1);
    max_page = std::min(page_number + margin, total_pages);
  } else {
    max_page = std::min(total_pages, page_number + margin);
    min_page = std::max<int64_t>(max_page - (num_pages - 1), 1);
  }
  std::vector<std::optional<int64_t>> out;
  if (min_page != 1) {
    out.push_back(1);
    out.push_back(std::nullopt);
  }
  for (int64_t p = min_page; p <= max_page; ++p) out.push_back(p);
  if (max_page != total_pages) {
    out.push_back(std::nullopt);
    out.push_back(total_pages);
  }
  return out;
}

std::string PageUrl(const std::string& path, const Query& query, int64_t page_size,
                    int64_t page_number) {
  // dict(request.args) updated with page_size and page_number: the first value of every
  // parameter in first-seen order; the two page parameters keep their place or are appended.
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [k, v] : query.items()) {
    bool seen =
        std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == k; });
    if (!seen) params.emplace_back(k, v);
  }
  for (const auto& [k, v] : {std::pair<std::string, std::string>{"page_size", S(page_size)},
                             std::pair<std::string, std::string>{"page_number", S(page_number)}}) {
    auto it =
        std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == k; });
    if (it != params.end()) {
      it->second = v;
    } else {
      params.emplace_back(k, v);
    }
  }
  std::string out = path + "?";
  for (size_t i = 0; i < params.size(); ++i) {
    absl::StrAppend(&out, i ? "&" : "", PercentEncode(params[i].first), "=",
                    PercentEncode(params[i].second));
  }
  return out;
}

Data MirrorListPage(const PublicView& view, const MirrorListRequest& req) {
  MirrorSelection sel = SelectMirrors(view, req);
  int64_t total = static_cast<int64_t>(sel.hosts.size());
  // PaginationArgs: non-integers fall back to the defaults.
  std::optional<int64_t> ps = ParseInt(req.query.Get("page_size"));
  std::optional<int64_t> pn = ParseInt(req.query.Get("page_number"));
  int64_t page_size = ps && *ps >= 0 ? *ps : req.default_page_size;
  int64_t page_number = pn && *pn >= 1 ? *pn : 1;
  int64_t total_pages = page_size == 0 ? 1 : (total + page_size - 1) / page_size;
  // A page past the end is empty, as upstream's OFFSET beyond the last row.
  int64_t first = 0, last = total;
  if (page_size > 0) {
    first = std::min(total, (page_number - 1) * page_size);
    last = std::min(total, first + page_size);
  }
  Data page;
  page.set("path", req.path);
  if (total > 0) page.set("total", S(total));
  page.set("mirror_word", total == 1 ? "mirror" : "mirrors");
  if (sel.product) page.set("product", sel.product->name());
  if (sel.version) page.set("version", sel.version->name());
  if (sel.arch) page.set("arch", sel.arch->name());
  if (sel.country) page.set("country", sel.country->code());
  if (ps) page.set("page_size_param", S(page_size));
  Data countries = NewList();
  for (const auto& c : view.data().countries()) {
    if (!c.in_host_country()) continue;
    Data cd;
    cd.set("code", c.code());
    cd.set("selected", sel.country != nullptr && sel.country->id() == c.id());
    countries.push_back(cd);
  }
  page.set("countries", countries);
  Data rows = NewList();
  for (int64_t i = first; i < last; ++i) {
    const pb::PublicHost& h = *sel.hosts[i];
    Data r;
    r.set("country", h.country());
    r.set("site_name", h.site_name());
    if (h.has_site_org_url() && SafeLink(h.site_org_url())) r.set("org_url", h.site_org_url());
    r.set("host_name", h.name());
    Data cats = NewList();
    for (const auto& hc : h.categories()) {
      // Private URLs are never shown publicly (upstream lists them: a leak we do not repeat).
      Data urls = NewList();
      bool any = false;
      for (const auto& u : hc.urls()) {
        if (u.private_() || !SafeLink(u.url())) continue;
        Data ud;
        ud.set("url", u.url());
        ud.set("scheme", Scheme(u.url()));
        urls.push_back(ud);
        any = true;
      }
      if (!any) continue;
      Data cd;
      cd.set("name", hc.category_name());
      cd.set("urls", urls);
      cats.push_back(cd);
    }
    r.set("categories", cats);
    r.set("bandwidth", h.has_bandwidth_int() ? S(h.bandwidth_int()) : "");
    r.set("internet2", h.internet2() ? "Yes" : "No");
    r.set("comment", h.has_comment() ? h.comment() : "");
    rows.push_back(r);
  }
  page.set("rows", rows);
  // pagination_bar(): truncated_pages_list(margin=6) when there is more than one page.
  Data bar = NewList();
  for (const auto& p : total_pages > 1 ? TruncatedPagesList(page_number, total_pages, 6)
                                       : std::vector<std::optional<int64_t>>{}) {
    Data item;
    if (!p) {
      item.set("gap", true);
    } else {
      Data link;
      link.set("href", PageUrl(req.path, req.query, page_size, *p));
      link.set("number", S(*p));
      link.set("current", *p == page_number);
      item.set("link", link);
    }
    bar.push_back(item);
  }
  page.set("has_pages", total_pages > 1);
  page.set("pages", bar);
  return page;
}

// ---------------------------------------------------------------------------------------------

std::optional<std::string> ParseStrptimeDate(std::string_view text) {
  auto digit = [&](size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  // %Y: exactly four digits.
  if (!(digit(0) && digit(1) && digit(2) && digit(3)) || text.size() < 5 || text[4] != '-') {
    return std::nullopt;
  }
  int year = std::stoi(std::string(text.substr(0, 4)));
  // %m: "1[0-2]|0[1-9]|[1-9]", tried in that order.
  size_t i = 5;
  int month = 0;
  if (digit(i) && digit(i + 1) && (text[i] == '1' ? text[i + 1] <= '2' : text[i] == '0')) {
    month = (text[i] - '0') * 10 + (text[i + 1] - '0');
    i += 2;
  } else if (digit(i) && text[i] != '0') {
    month = text[i] - '0';
    i += 1;
  }
  if (month < 1 || i >= text.size() || text[i] != '-') return std::nullopt;
  ++i;
  // %d: "3[01]|[12]\d|0[1-9]|[1-9]| [1-9]", and nothing may follow.
  int day = 0;
  std::string_view rest = text.substr(i);
  if (rest.size() == 2 && digit(i) && digit(i + 1) && text[i] >= '0' && text[i] <= '3') {
    day = (text[i] - '0') * 10 + (text[i + 1] - '0');
    if (day == 0 || day > 31) return std::nullopt;
  } else if (rest.size() == 1 && digit(i) && text[i] != '0') {
    day = text[i] - '0';
  } else if (rest.size() == 2 && text[i] == ' ' && digit(i + 1) && text[i + 1] != '0') {
    day = text[i + 1] - '0';
  } else {
    return std::nullopt;
  }
  // datetime.date(): year 1..9999 and a day that exists in that month.
  absl::CivilDay d(year, month, day);
  if (year < 1 || d.year() != year || d.month() != month || d.day() != day) return std::nullopt;
  return absl::FormatCivilTime(d);
}

std::string ShiftDay(const std::string& date, int days) {
  absl::CivilDay d;
  if (!absl::ParseCivilTime(date, &d)) return "";
  return absl::FormatCivilTime(d + days);
}

Data StatisticsPage(const std::string& date, const std::string& category,
                    const pb::AccessStatsResponse& stats) {
  static const std::vector<std::pair<std::string, std::string>> kCategories = {
      {"countries", "country"}, {"archs", "architecture"}, {"repositories", "repository"}};
  Data page;
  page.set("date", date);
  page.set("category", category);
  Data cats = NewList();
  std::string label = "country";
  for (size_t i = 0; i < kCategories.size(); ++i) {
    Data c;
    c.set("name", kCategories[i].first);
    c.set("label", kCategories[i].second);
    c.set("date", date);
    c.set("current", kCategories[i].first == category);
    c.set("last", i + 1 == kCategories.size());
    if (kCategories[i].first == category) label = kCategories[i].second;
    cats.push_back(c);
  }
  page.set("categories", cats);
  page.set("category_label", label);
  // The table header is Jinja's `cat|title`: "Countries", "Archs", "Repositories".
  std::string title = category;
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  page.set("category_title", title);
  if (stats.has_previous()) page.set("previous", ShiftDay(date, -1));
  if (stats.has_next()) page.set("next", ShiftDay(date, 1));
  Data rows = NewList();
  int64_t total = 0;
  std::vector<Slice> slices;
  double other = 0;
  for (int i = 0; i < stats.rows_size(); ++i) {
    const auto& r = stats.rows(i);
    std::string color = i < 12 ? PaletteColor(i) : PaletteColor(12);
    Data rd;
    rd.set("name", r.name());
    rd.set("percent", absl::StrFormat("%03.4f", r.percent()));  // Python's "{:03.4f}"
    rd.set("requests", S(r.requests()));
    rd.set("color", color);
    rows.push_back(rd);
    total += r.requests();
    if (i < 12) {
      slices.push_back({r.name(), r.percent(), color});
    } else {
      other += r.percent();
    }
  }
  if (other > 0) slices.push_back({"Other", other, PaletteColor(12)});
  page.set("rows", rows);
  page.set("has_rows", stats.rows_size() > 0);
  page.set("total", S(total));
  page.set("chart", DoughnutSvg(slices));
  return page;
}

// ---------------------------------------------------------------------------------------------

Data PropagationPage(const pb::PropagationResponse& data, int64_t repository_id) {
  Data page;
  Data versions = NewList();
  for (const auto& v : data.versions()) {
    Data vd;
    vd.set("product", v.product());
    vd.set("version", v.version());
    Data repos = NewList();
    for (int i = 0; i < v.repos_size(); ++i) {
      const auto& r = v.repos(i);
      Data rd;
      rd.set("id", S(r.id()));
      rd.set("arch", r.arch().empty() ? r.prefix() : r.arch());
      rd.set("prefix", r.prefix());
      rd.set("main", i == 0 && v.repos_size() > 1);
      if (i > 0) rd.set("title", "Mirrors that don't contain the main arch");
      rd.set("current", r.id() == repository_id);
      repos.push_back(rd);
    }
    vd.set("repos", repos);
    versions.push_back(vd);
  }
  page.set("versions", data.versions_size() > 0 ? versions : Data(false));
  page.set("has_versions", data.versions_size() > 0);
  if (repository_id != 0) {
    page.set("heading", absl::StrCat("Propagation for ", data.product(), " ", data.version()));
    static const std::vector<BarSeries> kSeries = {{"synced", "#2e8540"},
                                                   {"synced - 1", "#51a2da"},
                                                   {"synced - 2", "#e59728"},
                                                   {"older", "#c9513e"},
                                                   {"N/A", "#a4b0be"}};
    std::vector<Bar> bars;
    Data points = NewList();
    for (const auto& p : data.points()) {
      std::string label = absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(p.datetime()),
                                           absl::UTCTimeZone());
      bars.push_back({label,
                      {double(p.same_day()), double(p.one_day()), double(p.two_day()),
                       double(p.older()), double(p.no_info())}});
      Data pd;
      pd.set("label", label);
      pd.set("same_day", S(p.same_day()));
      pd.set("one_day", S(p.one_day()));
      pd.set("two_day", S(p.two_day()));
      pd.set("older", S(p.older()));
      pd.set("no_info", S(p.no_info()));
      pd.set("total",
             S(int64_t{p.same_day()} + p.one_day() + p.two_day() + p.older() + p.no_info()));
      points.push_back(pd);
    }
    Data detail;
    detail.set("chart", StackedBarsSvg(kSeries, bars));
    detail.set("points", points);
    Data legend = NewList();
    for (const auto& s : kSeries) {
      Data l;
      l.set("label", s.label);
      l.set("color", s.color);
      legend.push_back(l);
    }
    detail.set("legend", legend);
    page.set("detail", detail);
  } else {
    page.set("heading", "Propagation");
  }
  return page;
}

// ---------------------------------------------------------------------------------------------

std::string MapLocationsText(const pb::MapUrlsResponse& urls) {
  std::string out = "lat\tlon\ttitle\tdescription\ticonSize\ticonOffset\ticon\n";
  std::set<std::string> seen;
  for (const auto& u : urls.urls()) {
    std::string scheme = Scheme(u.url());
    if (scheme.rfind("http", 0) != 0) continue;
    std::string host = HostOfUrl(u.url());
    if (host.empty() || !seen.insert(host).second) continue;
    // The feed is a text layer whose title column is HTML; escape what comes from the database.
    std::string h = EscapeHtml(host);
    absl::StrAppend(&out, PyFloatRepr(u.latitude()), "\t", PyFloatRepr(u.longitude()),
                    "\t<a href='", EscapeHtml(scheme), "://", h,
                    "' rel='noopener noreferrer' target='_blank'>", h, "</a>\t",
                    u.has_site_name() ? EscapeHtml(u.site_name()) : "N/A",
                    "\t24,24\t-12,-24\t/static/map/f-dot.png\n");
  }
  return out;
}

Data MapsPage(const pb::MapUrlsResponse& urls) {
  std::vector<MapPoint> points;
  std::set<std::string> seen;
  for (const auto& u : urls.urls()) {
    std::string scheme = Scheme(u.url());
    if (scheme.rfind("http", 0) != 0) continue;
    std::string host = HostOfUrl(u.url());
    if (host.empty() || !seen.insert(host).second) continue;
    points.push_back({u.latitude(), u.longitude(),
                      absl::StrCat(host, u.has_site_name() ? " — " + u.site_name() : ""),
                      absl::StrCat(scheme, "://", host)});
  }
  Data page;
  page.set("map", MapSvg(points));
  page.set("count", S(static_cast<int64_t>(points.size())));
  return page;
}

// ---------------------------------------------------------------------------------------------

std::vector<std::string> RsyncFilterDirectories(const std::vector<std::string>& names,
                                                const std::string& stripprefix) {
  // Upstream's num_prefix_components(): len(prefix.split("/")), so "pub/fedora" strips 2
  // components, "pub/fedora/" and "/pub/fedora" strip 3 and "" strips 1.
  size_t strip = std::vector<std::string>(absl::StrSplit(stripprefix, '/')).size();
  std::set<std::string> out;
  for (const auto& name : names) {
    std::vector<std::string> parts = absl::StrSplit(name, '/');
    std::vector<std::string> kept(parts.begin() + std::min(strip, parts.size()), parts.end());
    // A name with no more components than the prefix becomes "" (listed as "/"), as upstream.
    out.insert(absl::StrJoin(kept, "/"));
    for (size_t i = 1; i < kept.size(); ++i) {  // parents()
      out.insert(absl::StrJoin(kept.begin(), kept.begin() + i, "/"));
    }
  }
  return {out.begin(), out.end()};
}

std::optional<int64_t> ParsePyInt(std::string_view text) {
  std::string s(absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())));
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return std::nullopt;
  uint64_t value = 0;
  bool digit_before = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      // Single underscores between digits only.
      if (!digit_before || i + 1 == s.size() || s[i + 1] < '0' || s[i + 1] > '9')
        return std::nullopt;
      digit_before = false;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (uint64_t{1} << 62)) return std::nullopt;  // far beyond any epoch
    value = value * 10 + static_cast<uint64_t>(c - '0');
    digit_before = true;
  }
  int64_t v = static_cast<int64_t>(value);
  return negative ? -v : v;
}

std::string RsyncFilterText(const std::vector<std::string>& directories,
                            const std::string& message) {
  std::string out = "# rsync --exclude-from=(this file)\n";
  if (!message.empty()) absl::StrAppend(&out, "# ", message, "\n");
  out += "# includes\n";
  for (const auto& d : directories) absl::StrAppend(&out, "+ ", d, "/\n+ ", d, "/*\n");
  out += "# excludes\n- *\n# end of list\n";
  return out;
}

// ---------------------------------------------------------------------------------------------

nlohmann::json MirrorAdminsJson(const pb::MirrorAdminsResponse& admins) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : admins.admins()) list.push_back(a);
  return {{"admins", list}, {"total", admins.admins_size()}};
}

nlohmann::json RepositoriesJson(const pb::ApiRepositoriesResponse& repos) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : repos.repositories()) {
    nlohmann::json value = {
        {"name", r.name()},
        {"directory", r.has_directory() ? nlohmann::json(r.directory()) : nlohmann::json(nullptr)}};
    // Python's json turns a None key into "null".
    list.push_back({{r.has_prefix() ? r.prefix() : "null", value}});
  }
  return {{"repositories", list}, {"total", repos.repositories_size()}};
}

namespace {
nlohmann::json OptTime(bool has, int64_t t) {
  return has ? nlohmann::json(IsoTime(t)) : nlohmann::json(nullptr);
}
}  // namespace

std::string MirrorStatus(int32_t crawl_failures, int64_t directories, int64_t up_to_date) {
  if (crawl_failures > 0) return "crawl_failing";
  if (directories > 0 && up_to_date == directories) return "up_to_date";
  return "partially_up_to_date";
}

nlohmann::json MirrorsJson(const PublicView& view, const Query& query) {
  std::optional<std::string> country = query.Get("country");
  std::optional<std::string> category = query.Get("category");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& h : view.data().hosts()) {
    if (country && !country->empty() &&
        absl::AsciiStrToUpper(h.country()) != absl::AsciiStrToUpper(*country)) {
      continue;
    }
    nlohmann::json cats = nlohmann::json::array();
    bool has_category = !category || category->empty();
    int64_t dirs = 0, up = 0;
    for (const auto& hc : h.categories()) {
      if (category && hc.category_name() == *category) has_category = true;
      nlohmann::json urls = nlohmann::json::array();
      for (const auto& u : hc.urls()) {
        if (!u.private_()) urls.push_back(u.url());
      }
      cats.push_back({{"name", hc.category_name()},
                      {"urls", urls},
                      {"directories", hc.directories()},
                      {"up_to_date", hc.up_to_date()}});
      dirs += hc.directories();
      up += hc.up_to_date();
    }
    if (!has_category) continue;
    list.push_back({
        {"id", h.id()},
        {"name", h.name()},
        {"site",
         {{"id", h.site_id()},
          {"name", h.site_name()},
          {"url",
           h.has_site_org_url() ? nlohmann::json(h.site_org_url()) : nlohmann::json(nullptr)}}},
        {"country", h.country()},
        {"bandwidth",
         h.has_bandwidth_int() ? nlohmann::json(h.bandwidth_int()) : nlohmann::json(nullptr)},
        {"internet2", h.internet2()},
        {"internet2_clients", h.internet2_clients()},
        {"comment", h.has_comment() ? nlohmann::json(h.comment()) : nlohmann::json(nullptr)},
        {"categories", cats},
        {"status", MirrorStatus(h.crawl_failures(), dirs, up)},
        {"directories", {{"total", dirs}, {"up_to_date", up}}},
        {"last_crawled", OptTime(h.has_last_crawled(), h.last_crawled())},
        {"last_checked_in", OptTime(h.has_last_checked_in(), h.last_checked_in())},
        {"crawl_failures", h.crawl_failures()},
    });
  }
  size_t n = list.size();
  return {{"mirrors", std::move(list)},
          {"total", n},
          {"generated_at", IsoTime(view.data().generated_at())}};
}

nlohmann::json HostStatusJson(const pb::HostStatus& s) {
  nlohmann::json cats = nlohmann::json::array();
  int64_t dirs = 0, up = 0;
  for (const auto& c : s.categories()) {
    cats.push_back({{"category", c.category()},
                    {"always_up2date", c.always_up2date()},
                    {"directories", c.directories()},
                    {"up_to_date", c.up_to_date()},
                    {"not_up_to_date", c.directories() - c.up_to_date()},
                    {"public_urls", c.public_urls()}});
    dirs += c.directories();
    up += c.up_to_date();
  }
  bool active = s.host_admin_active() && s.host_user_active() && s.site_admin_active() &&
                s.site_user_active();
  return {
      {"id", s.id()},
      {"name", s.name()},
      {"site", {{"id", s.site_id()}, {"name", s.site_name()}}},
      {"country", s.country()},
      {"active", active},
      {"admin_active", s.host_admin_active()},
      {"user_active", s.host_user_active()},
      {"site_admin_active", s.site_admin_active()},
      {"site_user_active", s.site_user_active()},
      {"last_crawled", OptTime(s.has_last_crawled(), s.last_crawled())},
      {"last_checked_in", OptTime(s.has_last_checked_in(), s.last_checked_in())},
      {"last_crawl_duration", s.has_last_crawl_duration() ? nlohmann::json(s.last_crawl_duration())
                                                          : nlohmann::json(nullptr)},
      {"crawl_failures", s.crawl_failures()},
      {"disable_reason",
       s.has_disable_reason() ? nlohmann::json(s.disable_reason()) : nlohmann::json(nullptr)},
      {"categories", cats},
      {"totals", {{"directories", dirs}, {"up_to_date", up}, {"not_up_to_date", dirs - up}}},
  };
}

nlohmann::json ExplainJson(const pb::ExplainResponse& e) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : e.rules()) {
    rules.push_back({{"rule", r.rule()}, {"passed", r.passed()}, {"detail", r.detail()}});
  }
  nlohmann::json countries = nlohmann::json::array();
  for (const auto& c : e.allowed_countries()) countries.push_back(c);
  return {
      {"host", {{"id", e.host_id()}, {"name", e.host_name()}}},
      {"directory",
       e.directory().empty() ? nlohmann::json(nullptr) : nlohmann::json(e.directory())},
      {"category", e.category().empty() ? nlohmann::json(nullptr) : nlohmann::json(e.category())},
      {"rules", rules},
      {"offered", e.offered()},
      {"offered_globally", e.offered_globally()},
      {"allowed_countries", countries},
      {"summary", e.summary()}};
}

}  // namespace mm::web
