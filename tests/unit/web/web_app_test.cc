// WebApp driven directly with a fake catalog: RPCs per page (no N+1), snapshot caching, and
// behaviour when catalog fails.
#include "services/web-gateway/web_app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "prometheus/registry.h"
#include "services/web-gateway/catalog_api.h"

namespace mm::web {
namespace {

using ::testing::HasSubstr;

class FakeCatalog : public CatalogApi {
 public:
  std::atomic<int> calls{0};
  absl::Status fail = absl::OkStatus();

  absl::StatusOr<pb::PublicSnapshot> GetPublicSnapshot() override {
    ++calls;
    if (!fail.ok()) return fail;
    pb::PublicSnapshot s;
    auto* p = s.add_products();
    p->set_id(1);
    p->set_name("Fedora");
    p->set_publiclist(true);
    for (int i = 0; i < 45; ++i) {
      auto* h = s.add_hosts();
      h->set_id(i + 1);
      h->set_name("h" + std::to_string(i) + ".example.org");
      h->set_country("US");
      h->set_site_name("S");
      auto* c = h->add_categories();
      c->set_category_name("Fedora Linux");
      c->add_urls()->set_url("http://h/" + std::to_string(i));
      c->set_directories(2);
      c->set_up_to_date(1);
    }
    return s;
  }
  absl::StatusOr<pb::AccessStatsResponse> GetAccessStats(const pb::AccessStatsRequest&) override {
    ++calls;
    return pb::AccessStatsResponse();
  }
  absl::StatusOr<pb::PropagationResponse> GetPropagation(int64_t id) override {
    ++calls;
    if (id == 7) return absl::NotFoundError("Repository not found");
    return pb::PropagationResponse();
  }
  absl::StatusOr<pb::MapUrlsResponse> ListMapUrls() override {
    ++calls;
    return pb::MapUrlsResponse();
  }
  absl::StatusOr<pb::RsyncFilterResponse> ListRsyncFilterDirectories(
      const pb::RsyncFilterRequest&) override {
    ++calls;
    return pb::RsyncFilterResponse();
  }
  absl::StatusOr<pb::MirrorAdminsResponse> ListMirrorAdmins(
      const pb::MirrorAdminsRequest& r) override {
    ++calls;
    admins_by_name = r.has_name();
    if (r.has_name() && r.name() != "Site") {
      return absl::NotFoundError("No host or site found for " + r.name());
    }
    pb::MirrorAdminsResponse out;
    out.add_admins("jos\xc3\xa9");  // josé
    return out;
  }
  bool admins_by_name = false;
  absl::StatusOr<pb::ApiRepositoriesResponse> ListApiRepositories() override {
    ++calls;
    return pb::ApiRepositoriesResponse();
  }
  absl::StatusOr<pb::HostStatus> GetHostStatus(int64_t) override {
    ++calls;
    return absl::NotFoundError("Host not found");
  }
  absl::StatusOr<pb::ExplainResponse> Explain(const pb::ExplainRequest&) override {
    ++calls;
    return pb::ExplainResponse();
  }
  absl::StatusOr<pb::CheckinResponse> Checkin(const pb::CheckinRequest&) override {
    ++calls;
    return pb::CheckinResponse();
  }
  absl::Status CheckHealth() override {
    ++calls;
    return fail;
  }
};

HttpRequest Get(const std::string& target, const std::string& query = "") {
  return HttpRequest{"GET", target, query, "", "127.0.0.1", "test"};
}

WebOptions Options(absl::Duration ttl) {
  WebOptions o;
  o.cache_ttl = ttl;
  o.access_log = false;
  return o;
}

TEST(WebAppTest, OneCatalogCallPerPageAtMost) {
  FakeCatalog catalog;
  prometheus::Registry registry;
  WebApp app(Options(absl::ZeroDuration()), catalog, registry);
  for (const auto& [target, query] : std::vector<std::pair<std::string, std::string>>{
           {"/", ""},
           {"/mirrors", "page_size=0"},
           {"/mirrors/Fedora/1/x", ""},
           {"/statistics/2026-01-01/archs", ""},
           {"/propagation/", ""},
           {"/propagation/3", ""},
           {"/maps", ""},
           {"/map/mirrors_location.txt", ""},
           {"/rsyncFilter", "categories=a&since=1&stripprefix=p"},
           {"/api/mirroradmins", ""},
           {"/api/repositories", ""},
           {"/api/mirrors", ""},
           {"/api/hosts/1/status", ""},
           {"/api/explain", "host=1&path=x"},
           {"/crawler/1.log", ""}}) {
    int before = catalog.calls.load();
    HttpResponse r = app.Handle(Get(target, query));
    EXPECT_LT(r.status, 500) << target;
    EXPECT_EQ(catalog.calls.load() - before, 1) << target;
  }
  HttpResponse page = app.Handle(Get("/mirrors", "page_size=0"));
  EXPECT_THAT(page.body, HasSubstr("We currently have <strong>45</strong> active mirrors</p>"));
}

TEST(WebAppTest, SnapshotIsCachedForItsTtl) {
  FakeCatalog catalog;
  prometheus::Registry registry;
  WebApp app(Options(absl::Hours(1)), catalog, registry);
  app.Handle(Get("/"));
  app.Handle(Get("/mirrors"));
  app.Handle(Get("/api/mirrors"));
  EXPECT_EQ(catalog.calls.load(), 1);
  // A failing refresh keeps serving the previous snapshot (here: no refresh is due at all).
  catalog.fail = absl::UnavailableError("down");
  EXPECT_EQ(app.Handle(Get("/mirrors")).status, 200);
}

TEST(WebAppTest, CatalogFailuresBecome503AndNotFound404) {
  FakeCatalog catalog;
  catalog.fail = absl::UnavailableError("down");
  prometheus::Registry registry;
  WebApp app(Options(absl::ZeroDuration()), catalog, registry);
  HttpResponse r = app.Handle(Get("/mirrors"));
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("temporarily unavailable"));
  EXPECT_EQ(app.Handle(Get("/api/mirrors")).status, 503);
  EXPECT_EQ(app.Handle(Get("/healthz/ready")).status, 503);
  EXPECT_EQ(app.Handle(Get("/healthz/live")).status, 200);
  EXPECT_EQ(app.Handle(Get("/propagation/7")).status, 404);
  EXPECT_EQ(app.Handle(Get("/propagation/x")).status, 404);
}

// Every route of §2.1 an anonymous visitor can reach: status, content type and redirects,
// including the trailing-slash forms (Werkzeug: a different URL unless the route declares it).
TEST(WebAppTest, RouteTable) {
  FakeCatalog catalog;
  prometheus::Registry registry;
  WebApp app(Options(absl::ZeroDuration()), catalog, registry);
  struct Case {
    std::string method, target, query;
    int status;
    std::string type;  // content-type prefix
    std::string location = "";
  };
  const std::string html = "text/html; charset=utf-8", text = "text/plain; charset=utf-8",
                    json = "application/json";
  for (const Case& c : std::vector<Case>{
           {"GET", "/", "", 200, html},
           {"HEAD", "/", "", 200, html},
           {"GET", "/mirrors", "", 200, html},
           {"GET", "/mirrors/", "", 404, html},
           {"GET", "/mirrors/Fedora", "", 200, html},
           {"GET", "/mirrors/Fedora/", "", 404, html},
           {"GET", "/mirrors/Fedora/27", "", 200, html},
           {"GET", "/mirrors/Fedora/27/x86_64", "", 200, html},
           {"GET", "/mirrors/Fedora/27/x86_64/", "", 404, html},
           {"GET", "/mirrors/Fedora/27/x86_64/extra", "", 404, html},
           {"POST", "/mirrors", "", 405, html},
           {"GET", "/statistics", "", 200, html},
           {"GET", "/statistics/", "", 404, html},
           {"GET", "/statistics/2026-01-01", "", 200, html},
           {"GET", "/statistics/2026-01-01/archs", "", 200, html},
           {"GET", "/statistics/2026-01-01/archs/", "", 404, html},
           {"GET", "/statistics/2026-01-01/archs/x", "", 404, html},
           {"GET", "/propagation", "", 308, text, "/propagation/"},
           {"GET", "/propagation", "a=1", 308, text, "/propagation/?a=1"},
           {"GET", "/propagation/", "", 200, html},
           {"GET", "/propagation/3", "", 200, html},
           {"GET", "/propagation/3/", "", 404, html},
           {"GET", "/propagation/abc", "", 404, html},
           {"GET", "/propagation/-3", "", 404, html},
           {"GET", "/propagation/7", "", 404, html},
           {"GET", "/propgation", "", 302, text, "/propagation/"},
           {"GET", "/propgation/", "", 404, html},
           {"POST", "/propgation", "", 405, html},
           {"GET", "/maps", "", 200, html},
           {"GET", "/maps/", "", 404, html},
           {"GET", "/maps/interactive", "", 302, text, "/maps"},
           {"GET", "/maps/interactive/", "", 404, html},
           {"POST", "/maps/interactive", "", 405, html},
           {"GET", "/map/mirrors_location.txt", "", 200, text},
           {"GET", "/map/mirrors_location.txt/", "", 404, html},
           {"GET", "/rsyncFilter", "", 200, text},
           {"GET", "/rsyncFilter/", "", 200, text},
           {"GET", "/crawler/1.log", "", 404, html},
           {"GET", "/crawler/x.log", "", 404, html},
           {"GET", "/crawler/1.log/", "", 404, html},
           {"GET", "/api/mirroradmins", "", 200, json},
           {"GET", "/api/mirroradmins/", "", 200, json},
           {"POST", "/api/mirroradmins", "", 405, html},
           {"GET", "/api/repositories", "", 200, json},
           {"GET", "/api/repositories/", "", 200, json},
           {"GET", "/api/mirrors", "", 200, json},
           {"GET", "/api/mirrors/", "", 200, json},
           {"GET", "/api/hosts/1/status", "", 404, json},
           {"GET", "/api/hosts/1/status/", "", 404, json},
           {"GET", "/api/explain", "host=1&path=x", 200, json},
           {"GET", "/api/explain", "", 400, json},
           {"GET", "/api/nothing", "", 404, json},
           {"GET", "/xmlrpc", "", 405, html},
           {"GET", "/xmlrpc/", "", 404, html},
           {"GET", "/healthz/live", "", 200, json},
           {"GET", "/healthz/live/", "", 404, html},
           {"GET", "/healthz/ready", "", 200, json},
           {"GET", "/metrics", "", 200, "text/plain; version=0.0.4"},
           {"GET", "/static/style.css", "", 200, "text/css"},
           {"GET", "/static/logo.svg", "", 200, "image/svg+xml"},
           {"GET", "/static/map/f-dot.png", "", 200, "image/png"},
           {"GET", "/static/nothing.css", "", 404, html},
           {"GET", "/nothing", "", 404, html},
       }) {
    HttpResponse r = app.Handle(HttpRequest{c.method, c.target, c.query, "", "127.0.0.1", "t"});
    std::string what = c.method + " " + c.target + (c.query.empty() ? "" : "?" + c.query);
    EXPECT_EQ(r.status, c.status) << what;
    EXPECT_THAT(r.content_type, ::testing::StartsWith(c.type)) << what;
    std::string location;
    for (const auto& [k, v] : r.headers) {
      if (k == "Location") location = v;
    }
    EXPECT_EQ(location, c.location) << what;
    if (r.status == 404 && c.type == html && c.target != "/propagation/7") {
      EXPECT_THAT(r.body, HasSubstr("The requested URL was not found on the server.")) << what;
    }
    if (r.status == 405) {
      bool allow = false;
      for (const auto& [k, v] : r.headers) allow |= k == "Allow";
      EXPECT_TRUE(allow) << what;
    }
  }
  EXPECT_THAT(app.Handle(Get("/propagation/7")).body, HasSubstr("Repository not found"));
  HttpResponse xml = app.Handle(
      HttpRequest{"POST", "/xmlrpc", "",
                  "<?xml version='1.0'?><methodCall><methodName>system.listMethods</methodName>"
                  "<params></params></methodCall>",
                  "127.0.0.1", "t"});
  EXPECT_EQ(xml.status, 200);
  EXPECT_EQ(xml.content_type, "text/xml");
}

TEST(WebAppTest, MirrorAdminsJsonLikeFlask) {
  FakeCatalog catalog;
  prometheus::Registry registry;
  WebApp app(Options(absl::ZeroDuration()), catalog, registry);
  // jsonify: sorted keys, compact, ensure_ascii, a final newline.
  HttpResponse all = app.Handle(Get("/api/mirroradmins"));
  EXPECT_EQ(all.body, "{\"admins\":[\"jos\\u00e9\"],\"total\":1}\n");
  EXPECT_FALSE(catalog.admins_by_name);
  // `if not name`: an empty name is no name.
  EXPECT_EQ(app.Handle(Get("/api/mirroradmins/", "name=")).body, all.body);
  EXPECT_FALSE(catalog.admins_by_name);
  EXPECT_EQ(app.Handle(Get("/api/mirroradmins", "name=Site")).status, 200);
  EXPECT_TRUE(catalog.admins_by_name);
  HttpResponse unknown = app.Handle(Get("/api/mirroradmins", "name=%C3%A9t%C3%A9"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, "{\"message\":\"No host or site found for \\u00e9t\\u00e9\"}\n");
}

TEST(WebAppTest, LoginSlotCarriesTheReturnUrl) {
  FakeCatalog catalog;
  prometheus::Registry registry;
  WebOptions o = Options(absl::ZeroDuration());
  o.login_enabled = true;
  WebApp app(o, catalog, registry);
  HttpResponse r = app.Handle(Get("/mirrors/Fedora", "country=US"));
  EXPECT_THAT(r.body,
              HasSubstr("<a href=\"/login?next=%2Fmirrors%2FFedora%3Fcountry%3DUS\">Login</a>"));
  WebApp anonymous(Options(absl::ZeroDuration()), catalog, registry);
  EXPECT_THAT(anonymous.Handle(Get("/")).body, ::testing::Not(HasSubstr("/login")));
}

}  // namespace
}  // namespace mm::web
