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
      const pb::MirrorAdminsRequest&) override {
    ++calls;
    return pb::MirrorAdminsResponse();
  }
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
