#pragma once
// The web gateway's application: routes a plain HTTP request to a page, the JSON API, the XML-RPC
// check-in or the operational endpoints, and returns a plain response. It knows nothing about the
// HTTP server (http_server.cc adapts Pistache) or gRPC (CatalogApi), so tests can drive it
// directly.
//
// Request context: every request carries a Viewer (anonymous until the login issue adds
// sessions); templates and access checks take it from there.
//
// Thread-safety: Handle() may be called from any number of threads.

#include <atomic>
#include <cstdint>
#include <kainjow/mustache.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/web-gateway/checkin_codec.h"

namespace prometheus {
class Registry;
}
namespace mm::common {
class Config;
}

namespace mm::web {

class CatalogApi;
class SnapshotCache;
class TemplateSet;
struct WebMetrics;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw path, percent-encoded, without the query
  std::string query;   // raw query string, without '?'
  std::string body;
  std::string remote;  // peer address, for the access log
  std::string user_agent;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Who is asking. Login arrives in a later issue: a session store (table mm_* in migration 0007
// or later) resolves the session cookie into this struct at the top of WebApp::Handle(); pages,
// the layout's user menu and access checks read it from there. Until then everyone is anonymous.
struct Viewer {
  bool logged_in = false;
  bool is_admin = false;
  std::string username;
  std::string return_to;  // this request's path and query, percent-encoded: the login's next=
};

struct WebOptions {
  bool show_maps = true;                           // SHOW_MAPS
  bool show_propagation = true;                    // SHOW_PROPAGATION
  int items_per_page = 20;                         // ITEMS_PER_PAGE
  std::string log_dir = "/var/log/mirrormanager";  // MM_LOG_DIR
  size_t crawler_log_max_bytes = 8u << 20;         // WEB_CRAWLER_LOG_MAX_BYTES
  absl::Duration cache_ttl = absl::Seconds(10);    // WEB_CACHE_SECONDS
  bool access_log = true;                          // WEB_ACCESS_LOG
  CheckinLimits checkin;                           // CHECKIN_MAX_*
  bool login_enabled = false;                      // the login issue turns this on
};

absl::StatusOr<WebOptions> WebOptionsFromConfig(const common::Config& config);

class WebApp {
 public:
  // `catalog` and `registry` must outlive the app.
  WebApp(WebOptions options, CatalogApi& catalog, prometheus::Registry& registry);
  ~WebApp();
  WebApp(const WebApp&) = delete;
  WebApp& operator=(const WebApp&) = delete;

  HttpResponse Handle(const HttpRequest& request);

  // Largest request body the HTTP server should accept (the check-in limit plus envelope).
  size_t max_request_bytes() const;

 private:
  HttpResponse Dispatch(const HttpRequest& request, const Viewer& viewer, std::string* route);

  HttpResponse Home(const Viewer& viewer);
  HttpResponse Mirrors(const HttpRequest& request, const std::vector<std::string>& segments,
                       const Viewer& viewer);
  HttpResponse Statistics(const std::vector<std::string>& segments, const Viewer& viewer);
  HttpResponse Propagation(int64_t repository_id, const Viewer& viewer);
  HttpResponse Maps(const Viewer& viewer);
  HttpResponse MapFeed();
  HttpResponse RsyncFilter(const HttpRequest& request);
  HttpResponse CrawlerLog(int64_t host_id, const Viewer& viewer);
  HttpResponse ApiMirrorAdmins(const HttpRequest& request);
  HttpResponse ApiRepositories();
  HttpResponse ApiMirrors(const HttpRequest& request);
  HttpResponse ApiHostStatus(const std::string& id_text);
  HttpResponse ApiExplain(const HttpRequest& request);
  HttpResponse XmlRpc(const HttpRequest& request);
  HttpResponse Ready();
  std::optional<HttpResponse> Static(const std::string& name);

  // Renders `page` (a template name) inside the layout.
  HttpResponse Page(const std::string& page, const std::string& title, const std::string& nav,
                    kainjow::mustache::data& data, const Viewer& viewer, int status = 200);
  HttpResponse ErrorPage(int status, const std::string& message, const Viewer& viewer);
  HttpResponse CatalogError(const absl::Status& status, const Viewer& viewer);

  WebOptions options_;
  CatalogApi& catalog_;
  prometheus::Registry& registry_;
  std::unique_ptr<WebMetrics> metrics_;
  std::unique_ptr<SnapshotCache> snapshot_;
  std::unique_ptr<TemplateSet> templates_;
  std::shared_ptr<const absl::Status> ready_;  // cached readiness (atomic load/store)
  std::atomic<int64_t> ready_checked_ns_{0};
};

}  // namespace mm::web
