#include "services/web-gateway/web_app.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/common/admin_http.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/common/version.h"
#include "services/web-gateway/catalog_api.h"
#include "services/web-gateway/pages.h"
#include "services/web-gateway/snapshot.h"
#include "services/web-gateway/templates.h"
#include "services/web-gateway/xmlrpc.h"

namespace mm::web {

// Prometheus metrics of the gateway (STYLE.md rule 14).
struct WebMetrics {
  explicit WebMetrics(prometheus::Registry& registry)
      : requests(prometheus::BuildCounter()
                     .Name("mm_web_requests_total")
                     .Help("HTTP requests by route, method and status code.")
                     .Register(registry)),
        latency(prometheus::BuildHistogram()
                    .Name("mm_web_request_duration_seconds")
                    .Help("HTTP request latency by route.")
                    .Register(registry)),
        checkins(prometheus::BuildCounter()
                     .Name("mm_web_checkins_total")
                     .Help("report_mirror check-ins by result.")
                     .Register(registry)) {}

  void Observe(const std::string& route, const std::string& method, int status, double seconds) {
    requests.Add({{"route", route}, {"method", method}, {"code", absl::StrCat(status)}})
        .Increment();
    latency
        .Add({{"route", route}},
             prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})
        .Observe(seconds);
  }

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Family<prometheus::Counter>& checkins;
};

namespace {

using nlohmann::json;

HttpResponse Text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(type);
  r.body = std::move(body);
  return r;
}

// Flask's jsonify: sorted keys (std::map order is code-point order for UTF-8), compact, ASCII
// only (ensure_ascii), one newline.
HttpResponse Json(int status, const json& body) {
  return Text(status, body.dump(-1, ' ', true, json::error_handler_t::replace) + "\n",
              "application/json");
}

HttpResponse Redirect(int status, const std::string& location) {
  HttpResponse r = Text(status, "Redirecting to " + location + "\n");
  r.headers.emplace_back("Location", location);
  return r;
}

HttpResponse FromResult(const common::HttpResult& r) {
  return Text(r.status, r.body, r.content_type);
}

std::string Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

std::optional<int64_t> ParseId(const std::string& s) {
  int64_t v = 0;
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(s, &v)) {
    return std::nullopt;
  }
  return v;
}

// A log file, or its last `max_bytes` (from the first whole line) after a one-line note when it
// is longer. Sized from the file itself, so a request never allocates more than the cap.
std::optional<std::string> ReadLogTail(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  size_t size = static_cast<size_t>(st.st_size);
  size_t offset = size > max_bytes ? size - max_bytes : 0;
  std::string body(size - offset, '\0');
  size_t got = 0;
  while (got < body.size()) {
    ssize_t n = ::pread(fd, body.data() + got, body.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the file shrank meanwhile: serve what was read
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  body.resize(got);
  if (offset == 0) return body;
  size_t nl = body.find('\n');
  size_t skip = nl == std::string::npos ? 0 : nl + 1;
  return absl::StrCat("[log truncated: the first ", offset + skip, " of ", size,
                      " bytes are not shown]\n", absl::string_view(body).substr(skip));
}

std::string TodayLocal() {
  return absl::FormatTime("%Y-%m-%d", absl::Now(), absl::LocalTimeZone());
}

using Fault = xmlrpc::Fault;

// Werkzeug's NotFound description, for URLs that match no route.
constexpr char kUrlNotFound[] =
    "The requested URL was not found on the server. If you entered the URL manually please check "
    "your spelling and try again.";

Fault PyFault(const std::string& type, const std::string& message) {
  return Fault{1, absl::StrCat("<class '", type, "'>:", message)};
}

}  // namespace

absl::StatusOr<WebOptions> WebOptionsFromConfig(const common::Config& config) {
  WebOptions o;
  auto show_maps = config.GetBool("SHOW_MAPS");
  auto show_prop = config.GetBool("SHOW_PROPAGATION");
  auto items = config.GetInt("ITEMS_PER_PAGE");
  auto log_dir = config.GetString("MM_LOG_DIR");
  auto ttl = config.GetFloat("WEB_CACHE_SECONDS");
  auto access = config.GetBool("WEB_ACCESS_LOG");
  auto payload = config.GetInt("CHECKIN_MAX_PAYLOAD_BYTES");
  auto decompressed = config.GetInt("CHECKIN_MAX_DECOMPRESSED_BYTES");
  auto dirs = config.GetInt("CHECKIN_MAX_DIRECTORIES");
  auto log_max = config.GetInt("WEB_CRAWLER_LOG_MAX_BYTES");
  for (const absl::Status& s : {show_maps.status(), show_prop.status(), items.status(),
                                log_dir.status(), ttl.status(), access.status(), payload.status(),
                                decompressed.status(), dirs.status(), log_max.status()}) {
    if (!s.ok()) return s;
  }
  if (*items < 1 || *ttl < 0 || *payload < 1 || *decompressed < 1 || *dirs < 1 || *log_max < 1) {
    return absl::InvalidArgumentError(
        "ITEMS_PER_PAGE, WEB_CRAWLER_LOG_MAX_BYTES and the CHECKIN_MAX_* limits must be positive; "
        "WEB_CACHE_SECONDS >= 0");
  }
  o.show_maps = *show_maps;
  o.show_propagation = *show_prop;
  o.items_per_page = static_cast<int>(*items);
  o.log_dir = *log_dir;
  o.crawler_log_max_bytes = static_cast<size_t>(*log_max);
  o.cache_ttl = absl::Seconds(*ttl);
  o.access_log = *access;
  o.checkin.max_payload_bytes = static_cast<size_t>(*payload);
  o.checkin.max_decompressed_bytes = static_cast<size_t>(*decompressed);
  o.checkin.max_directories = static_cast<size_t>(*dirs);
  return o;
}

WebApp::WebApp(WebOptions options, CatalogApi& catalog, prometheus::Registry& registry)
    : options_(std::move(options)),
      catalog_(catalog),
      registry_(registry),
      metrics_(std::make_unique<WebMetrics>(registry)),
      snapshot_(std::make_unique<SnapshotCache>([this] { return catalog_.GetPublicSnapshot(); },
                                                options_.cache_ttl)),
      templates_(std::make_unique<TemplateSet>()) {
  common::RegisterBuildInfo(registry, "web-gateway");
  for (const char* r : {"ok", "invalid", "auth_failed", "host_not_found", "not_private",
                        "decode_error", "limit", "error"}) {
    metrics_->checkins.Add({{"result", r}});
  }
}

WebApp::~WebApp() = default;

size_t WebApp::max_request_bytes() const {
  return options_.checkin.max_payload_bytes + (64u << 10);
}

HttpResponse WebApp::Handle(const HttpRequest& request) {
  absl::Time start = absl::Now();
  Viewer viewer;  // sessions arrive with the login issue
  viewer.return_to =
      PercentEncode(request.query.empty() ? request.target : request.target + "?" + request.query);
  std::string route = "other";
  HttpResponse response;
  try {
    response = Dispatch(request, viewer, &route);
  } catch (const std::exception& e) {
    MM_LOG(ERROR) << "request " << request.method << " " << request.target
                  << " failed: " << e.what();
    response = Text(500, "Internal Server Error\n");
  }
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (absl::StartsWith(response.content_type, "text/html")) {
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    response.headers.emplace_back("Referrer-Policy", "strict-origin-when-cross-origin");
  }
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  metrics_->Observe(route, request.method, response.status, seconds);
  if (options_.access_log) {
    json line = {{"event", "access"},
                 {"method", request.method},
                 {"path", request.target},
                 {"query", request.query},
                 {"route", route},
                 {"status", response.status},
                 {"bytes", response.body.size()},
                 {"duration_ms", seconds * 1000},
                 {"remote", request.remote},
                 {"user_agent", request.user_agent}};
    MM_LOG(INFO) << line.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return response;
}

HttpResponse WebApp::Dispatch(const HttpRequest& req, const Viewer& viewer, std::string* route) {
  std::vector<std::string> seg;
  for (absl::string_view s : absl::StrSplit(req.target, '/')) {
    seg.push_back(PercentDecode(std::string_view(s.data(), s.size()), false));
  }
  if (!seg.empty() && seg.front().empty()) seg.erase(seg.begin());
  // A trailing slash is a different URL (Werkzeug's strict_slashes): only the routes that
  // upstream declares with one (§2.1) answer it; every other one is a 404.
  bool trailing = !seg.empty() && seg.back().empty();
  if (trailing) seg.pop_back();
  if (seg.empty()) trailing = false;  // "/" itself
  auto not_found = [&] { return ErrorPage(404, kUrlNotFound, viewer); };
  if (seg.size() > 16) return not_found();
  bool get = req.method == "GET" || req.method == "HEAD";
  auto only_get = [&](const char* r) {
    *route = r;
    return get;
  };
  auto not_allowed = [&](const std::string& allow) {
    HttpResponse r = ErrorPage(405, "The method is not allowed for the requested URL.", viewer);
    r.headers.emplace_back("Allow", allow);
    return r;
  };
  const std::string first = seg.empty() ? "" : seg[0];
  const std::string query = req.query.empty() ? "" : "?" + req.query;

  if (seg.empty()) return only_get("/") ? Home(viewer) : not_allowed("GET, HEAD");
  // Routes with a trailing slash of their own (or both forms).
  if (first == "propagation" && seg.size() == 1) {
    if (!only_get("/propagation")) return not_allowed("GET, HEAD");
    // Werkzeug redirects the slash-less form, query string kept.
    return trailing ? Propagation(0, viewer) : Redirect(308, "/propagation/" + query);
  }
  if (first == "rsyncFilter" && seg.size() == 1) {
    return only_get("/rsyncFilter") ? RsyncFilter(req) : not_allowed("GET, HEAD");
  }
  if (first == "api" && seg.size() == 2 && seg[1] == "mirroradmins") {
    return only_get("/api/mirroradmins") ? ApiMirrorAdmins(req) : not_allowed("GET, HEAD");
  }
  if (first == "api" && seg.size() == 2 && seg[1] == "repositories") {
    return only_get("/api/repositories") ? ApiRepositories() : not_allowed("GET, HEAD");
  }
  if (first == "api" && seg.size() == 2 && seg[1] == "mirrors") {
    return only_get("/api/mirrors") ? ApiMirrors(req) : not_allowed("GET, HEAD");
  }
  if (trailing) {
    if (first == "api") {
      *route = "/api/other";
      return Json(404, {{"message", "Not found"}});
    }
    return not_found();
  }

  if (first == "mirrors" && seg.size() <= 4) {
    return only_get("/mirrors") ? Mirrors(req, seg, viewer) : not_allowed("GET, HEAD");
  }
  if (first == "statistics" && seg.size() <= 3) {
    return only_get("/statistics") ? Statistics(seg, viewer) : not_allowed("GET, HEAD");
  }
  if (first == "propagation" && seg.size() == 2) {
    if (!only_get("/propagation/<id>")) return not_allowed("GET, HEAD");
    auto id = ParseId(seg[1]);  // <int:repo_id>: anything else matches no route
    if (!id) return not_found();
    return Propagation(*id, viewer);
  }
  if (first == "propgation" && seg.size() == 1) {
    return only_get("/propgation") ? Redirect(302, "/propagation/") : not_allowed("GET, HEAD");
  }
  if (first == "maps" && seg.size() == 1)
    return only_get("/maps") ? Maps(viewer) : not_allowed("GET, HEAD");
  if (first == "maps" && seg.size() == 2 && seg[1] == "interactive") {
    return only_get("/maps/interactive") ? Redirect(302, "/maps") : not_allowed("GET, HEAD");
  }
  if (first == "map" && seg.size() == 2 && seg[1] == "mirrors_location.txt") {
    return only_get("/map/mirrors_location.txt") ? MapFeed() : not_allowed("GET, HEAD");
  }
  if (first == "crawler" && seg.size() == 2 && absl::EndsWith(seg[1], ".log")) {
    auto id = ParseId(seg[1].substr(0, seg[1].size() - 4));  // <int:host_id>.log
    if (!id) return not_found();
    if (!only_get("/crawler/<id>.log")) return not_allowed("GET, HEAD");
    return CrawlerLog(*id, viewer);
  }
  if (first == "api" && seg.size() >= 2) {
    if (seg[1] == "hosts" && seg.size() == 4 && seg[3] == "status") {
      return only_get("/api/hosts/<id>/status") ? ApiHostStatus(seg[2]) : not_allowed("GET, HEAD");
    }
    if (seg[1] == "explain" && seg.size() == 2) {
      return only_get("/api/explain") ? ApiExplain(req) : not_allowed("GET, HEAD");
    }
    *route = "/api/other";
    return Json(404, {{"message", "Not found"}});
  }
  if (first == "xmlrpc" && seg.size() == 1) {
    *route = "/xmlrpc";
    return req.method == "POST" ? XmlRpc(req) : not_allowed("POST");
  }
  if (first == "healthz" && seg.size() == 2 && seg[1] == "live") {
    *route = "/healthz/live";
    return FromResult(common::LivenessResponse());
  }
  if (first == "healthz" && seg.size() == 2 && seg[1] == "ready") {
    *route = "/healthz/ready";
    return Ready();
  }
  if (first == "metrics" && seg.size() == 1) {
    *route = "/metrics";
    return FromResult(common::MetricsResponse(registry_));
  }
  if (first == "static" && seg.size() >= 2) {
    *route = "/static";
    std::string name = seg[1];
    for (size_t i = 2; i < seg.size(); ++i) name += "/" + seg[i];
    auto asset = Static(name);
    return asset ? std::move(*asset) : not_found();
  }
  return not_found();
}

HttpResponse WebApp::Page(const std::string& page, const std::string& title, const std::string& nav,
                          kainjow::mustache::data& data, const Viewer& viewer, int status) {
  kainjow::mustache::data layout;
  layout.set("title", title);
  layout.set("body", templates_->Render(page, data));
  layout.set("version", common::kVersion);
  layout.set("show_maps", options_.show_maps);
  layout.set("show_propagation", options_.show_propagation);
  if (!nav.empty()) layout.set("nav_" + nav, true);
  kainjow::mustache::data v;
  v.set("logged_in", viewer.logged_in);
  v.set("is_admin", viewer.is_admin);
  v.set("login_enabled", options_.login_enabled);
  v.set("next", viewer.return_to);
  layout.set("viewer", v);
  HttpResponse r;
  r.status = status;
  r.body = templates_->Render("layout", layout);
  return r;
}

HttpResponse WebApp::ErrorPage(int status, const std::string& message, const Viewer& viewer) {
  kainjow::mustache::data d;
  d.set("status", absl::StrCat(status));
  d.set("reason", Reason(status));
  d.set("message", message);
  return Page("error", Reason(status), "", d, viewer, status);
}

HttpResponse WebApp::CatalogError(const absl::Status& status, const Viewer& viewer) {
  if (absl::IsNotFound(status)) return ErrorPage(404, std::string(status.message()), viewer);
  if (absl::IsInvalidArgument(status)) return ErrorPage(400, std::string(status.message()), viewer);
  MM_LOG(ERROR) << "catalog call failed: " << status;
  return ErrorPage(503, "The mirror database is temporarily unavailable. Please try again shortly.",
                   viewer);
}

HttpResponse WebApp::Home(const Viewer& viewer) {
  auto view = snapshot_->Get();
  if (!view.ok()) return CatalogError(view.status(), viewer);
  Data d = HomePage(**view);
  return Page("home", "Home", "", d, viewer);
}

HttpResponse WebApp::Mirrors(const HttpRequest& req, const std::vector<std::string>& seg,
                             const Viewer& viewer) {
  auto view = snapshot_->Get();
  if (!view.ok()) return CatalogError(view.status(), viewer);
  MirrorListRequest m;
  if (seg.size() > 1) m.product = seg[1];
  if (seg.size() > 2) m.version = seg[2];
  if (seg.size() > 3) m.arch = seg[3];
  m.path = "/mirrors";
  for (size_t i = 1; i < seg.size(); ++i) m.path += "/" + PercentEncode(seg[i]);
  m.query = Query(req.query);
  m.default_page_size = options_.items_per_page;
  Data d = MirrorListPage(**view, m);
  return Page("mirrors", "Mirrors", "mirrors", d, viewer);
}

HttpResponse WebApp::Statistics(const std::vector<std::string>& seg, const Viewer& viewer) {
  // datetime.strptime(date, "%Y-%m-%d"), today (local) when it fails.
  std::optional<std::string> parsed = seg.size() > 1 ? ParseStrptimeDate(seg[1]) : std::nullopt;
  std::string date = parsed ? *parsed : TodayLocal();
  std::string category = seg.size() > 2 ? seg[2] : "countries";
  if (category != "countries" && category != "archs" && category != "repositories") {
    category = "countries";
  }
  pb::AccessStatsRequest q;
  q.set_date(date);
  q.set_category(category);
  auto stats = catalog_.GetAccessStats(q);
  if (!stats.ok()) return CatalogError(stats.status(), viewer);
  Data d = StatisticsPage(date, category, *stats);
  return Page("statistics", "Statistics", "statistics", d, viewer);
}

HttpResponse WebApp::Propagation(int64_t id, const Viewer& viewer) {
  if (!options_.show_propagation) {
    kainjow::mustache::data d;
    d.set("heading", "Propagation");
    d.set("disabled", true);
    return Page("propagation", "Propagation", "propagation", d, viewer);
  }
  auto data = catalog_.GetPropagation(id);
  if (!data.ok()) return CatalogError(data.status(), viewer);
  Data d = PropagationPage(*data, id);
  return Page("propagation",
              id ? "Propagation for " + data->product() + " " + data->version() : "Propagation",
              "propagation", d, viewer);
}

HttpResponse WebApp::Maps(const Viewer& viewer) {
  auto urls = catalog_.ListMapUrls();
  if (!urls.ok()) return CatalogError(urls.status(), viewer);
  Data d = MapsPage(*urls);
  return Page("maps", "Map", "maps", d, viewer);
}

HttpResponse WebApp::MapFeed() {
  auto urls = catalog_.ListMapUrls();
  if (!urls.ok()) return Text(503, "catalog unavailable\n");
  return Text(200, MapLocationsText(*urls));
}

HttpResponse WebApp::RsyncFilter(const HttpRequest& req) {
  Query q(req.query);
  // Only absent parameters are "missing"; empty ones are used as they are, as upstream.
  auto categories = q.Get("categories"), since = q.Get("since"), strip = q.Get("stripprefix");
  if (!categories || !since || !strip) {
    return Text(200, RsyncFilterText({}, "Missing categories, since, or stripprefix arguments"));
  }
  std::optional<int64_t> since_value = ParsePyInt(*since);
  if (!since_value) {
    return Text(200, RsyncFilterText({}, "value of argument since is not an integer"));
  }
  pb::RsyncFilterRequest r;
  for (absl::string_view c : absl::StrSplit(*categories, ',')) {
    if (r.categories_size() >= 64) break;
    r.add_categories(std::string(c));
  }
  r.set_since(*since_value);
  auto dirs = catalog_.ListRsyncFilterDirectories(r);
  if (!dirs.ok()) return Text(503, "# catalog unavailable\n");
  std::vector<std::string> names(dirs->directories().begin(), dirs->directories().end());
  return Text(200, RsyncFilterText(RsyncFilterDirectories(names, *strip), ""));
}

HttpResponse WebApp::CrawlerLog(int64_t id, const Viewer& viewer) {
  auto status = catalog_.GetHostStatus(id);
  if (!status.ok()) {
    return absl::IsNotFound(status.status()) ? ErrorPage(404, kUrlNotFound, viewer)
                                             : CatalogError(status.status(), viewer);
  }
  // Public hosts only; private hosts' logs need a login (later issue).
  if (status->host_private() || status->site_private()) return ErrorPage(404, kUrlNotFound, viewer);
  auto body = ReadLogTail(absl::StrCat(options_.log_dir, "/crawler/", id, ".log"),
                          options_.crawler_log_max_bytes);
  if (!body) return ErrorPage(404, kUrlNotFound, viewer);
  HttpResponse r = Text(200, std::move(*body));
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

HttpResponse WebApp::ApiMirrorAdmins(const HttpRequest& req) {
  Query q(req.query);
  pb::MirrorAdminsRequest r;
  // `if not name`: an empty name lists every admin, as no name does.
  if (auto name = q.Get("name"); name && !name->empty()) r.set_name(*name);
  auto admins = catalog_.ListMirrorAdmins(r);
  if (!admins.ok()) {
    if (absl::IsNotFound(admins.status())) {
      return Json(400, {{"message", std::string(admins.status().message())}});
    }
    return Json(503, {{"message", "catalog unavailable"}});
  }
  return Json(200, MirrorAdminsJson(*admins));
}

HttpResponse WebApp::ApiRepositories() {
  auto repos = catalog_.ListApiRepositories();
  if (!repos.ok()) return Json(503, {{"message", "catalog unavailable"}});
  return Json(200, RepositoriesJson(*repos));
}

HttpResponse WebApp::ApiMirrors(const HttpRequest& req) {
  auto view = snapshot_->Get();
  if (!view.ok()) return Json(503, {{"message", "catalog unavailable"}});
  return Json(200, MirrorsJson(**view, Query(req.query)));
}

HttpResponse WebApp::ApiHostStatus(const std::string& id_text) {
  auto id = ParseId(id_text);
  if (!id) return Json(404, {{"message", "Host not found"}});
  auto status = catalog_.GetHostStatus(*id);
  if (!status.ok()) {
    return absl::IsNotFound(status.status()) ? Json(404, {{"message", "Host not found"}})
                                             : Json(503, {{"message", "catalog unavailable"}});
  }
  if (status->host_private() || status->site_private()) {
    return Json(404, {{"message", "Host not found"}});
  }
  return Json(200, HostStatusJson(*status));
}

HttpResponse WebApp::ApiExplain(const HttpRequest& req) {
  Query q(req.query);
  auto host = q.Get("host");
  auto id = host ? ParseId(*host) : std::nullopt;
  if (!id) return Json(400, {{"message", "host must be a host id"}});
  pb::ExplainRequest r;
  r.set_host_id(*id);
  auto repo = q.Get("repo"), arch = q.Get("arch"), path = q.Get("path");
  if (repo && arch && !repo->empty() && !arch->empty()) {
    r.set_repo(*repo);
    r.set_arch(*arch);
  } else if (path && !path->empty()) {
    r.set_path(*path);
  } else {
    return Json(400, {{"message", "give repo and arch, or path"}});
  }
  auto e = catalog_.Explain(r);
  if (!e.ok()) {
    return absl::IsNotFound(e.status()) ? Json(404, {{"message", "Host not found"}})
                                        : Json(503, {{"message", "catalog unavailable"}});
  }
  return Json(200, ExplainJson(*e));
}

HttpResponse WebApp::Ready() {
  int64_t now = absl::ToUnixNanos(absl::Now());
  std::shared_ptr<const absl::Status> cached = std::atomic_load(&ready_);
  if (!cached || now - ready_checked_ns_.load() > 1'000'000'000) {
    cached = std::make_shared<const absl::Status>(catalog_.CheckHealth());
    std::atomic_store(&ready_, cached);
    ready_checked_ns_.store(now);
  }
  return FromResult(common::ReadinessResponse(*cached));
}

std::optional<HttpResponse> WebApp::Static(const std::string& name) {
  auto asset = templates_->StaticAsset(name);
  if (!asset) return std::nullopt;
  HttpResponse r = Text(200, std::string(asset->body), asset->content_type);
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return r;
}

// ---------------------------------------------------------------------------------------------
// XML-RPC

namespace {

constexpr char kCheckinHelp[] =
    "checkin(payload) -> string\n\nReport the directories a private mirror carries. The payload is "
    "the report_mirror configuration as JSON, bz2-compressed and URL-safe base64-encoded.";

// Python's SimpleXMLRPCDispatcher introspection: its docstrings (as pydoc.getdoc returns them)
// and its answers, so generic XML-RPC clients see what they saw upstream.
constexpr char kListMethodsHelp[] =
    "system.listMethods() => ['add', 'subtract', 'multiple']\n\n"
    "Returns a list of the methods supported by the server.";
constexpr char kMethodHelpHelp[] =
    "system.methodHelp('add') => \"Adds two integers together\"\n\n"
    "Returns a string containing documentation for the specified method.";
constexpr char kMethodSignatureHelp[] =
    "system.methodSignature('add') => [double, int, int]\n\n"
    "Returns a list describing the signature of the method. In the\n"
    "above example, the add method takes two integers as arguments\n"
    "and returns a double result.\n\n"
    "This server does NOT support system.methodSignature.";

// The TypeError Python raises when a function gets the wrong number of positional arguments;
// `expected` counts `self` for the dispatcher's bound methods, as Python does.
std::optional<Fault> ArityFault(const std::string& qualname, const std::string& param, size_t given,
                                size_t expected, size_t self) {
  if (given + self == expected) return std::nullopt;
  if (given + self < expected) {
    return PyFault(
        "TypeError",
        absl::StrCat(qualname, "() missing 1 required positional argument: '", param, "'"));
  }
  return PyFault("TypeError",
                 absl::StrCat(qualname, "() takes ", expected, " positional argument",
                              expected == 1 ? "" : "s", " but ", given + self, " were given"));
}

}  // namespace

HttpResponse WebApp::XmlRpc(const HttpRequest& req) {
  HttpResponse r;
  r.content_type = "text/xml";
  xmlrpc::Limits limits;
  limits.max_bytes = max_request_bytes();
  auto call = xmlrpc::ParseMethodCall(req.body, limits);
  std::variant<xmlrpc::Value, Fault> result;
  std::string label;
  if (!call.ok()) {
    result = PyFault("xml.parsers.expat.ExpatError", std::string(call.status().message()));
    label = absl::StartsWith(call.status().message(), "request body exceeds") ? "limit"
                                                                              : "decode_error";
  } else if (call->method == "checkin") {
    if (auto fault = ArityFault("checkin", "pickledata", call->params.size(), 1, 0)) {
      result = *fault;
      label = "decode_error";
    } else if (!call->params[0].is_string()) {
      result = PyFault("TypeError",
                       absl::StrCat("argument should be a bytes-like object or ASCII string, not '",
                                    call->params[0].TypeName(), "'"));
      label = "decode_error";
    } else {
      const std::string& payload = call->params[0].str();
      DecodedPayload decoded = DecodeCheckinPayload(payload, options_.checkin);
      if (decoded.error) {
        result = Fault{1, decoded.error->fault};
        label = decoded.error->kind == CodecErrorKind::kLimit ? "limit" : "decode_error";
      } else {
        std::string invalid = ValidateCheckinConfig(*decoded.config, decoded.key_order);
        if (!invalid.empty()) {
          result = xmlrpc::Value(invalid + "error checking in");
          label = "invalid";
        } else {
          auto data = ExtractCheckinData(*decoded.config, options_.checkin, decoded.key_order);
          if (auto* err = std::get_if<CodecError>(&data)) {
            result = Fault{1, err->fault};
            label = "limit";
          } else {
            const CheckinData& d = std::get<CheckinData>(data);
            pb::CheckinRequest creq;
            creq.set_site_name(d.site_name);
            creq.set_site_password(d.site_password);
            creq.set_host_name(d.host_name);
            creq.set_host_name_not_string(!d.host_name_is_string);
            if (d.user_active) creq.set_user_active(*d.user_active);
            for (const auto& c : d.categories) {
              auto* pc = creq.add_categories();
              pc->set_name(c.name);
              for (const auto& p : c.dirtree) pc->add_dirtree(p);
            }
            absl::StatusOr<pb::CheckinResponse> resp =
                d.credentials_are_strings
                    ? catalog_.Checkin(creq)
                    : absl::StatusOr<pb::CheckinResponse>([] {
                        pb::CheckinResponse x;
                        x.set_result(pb::CheckinResponse::AUTH_FAILED);
                        x.set_message("Config file site name or password incorrect.\n");
                        return x;
                      }());
            if (!resp.ok()) {
              MM_LOG(ERROR) << "check-in of host " << d.host_name << " failed: " << resp.status();
              result = PyFault("Exception", "the mirror database is unavailable; try again later");
              label = "error";
            } else {
              bool ok = resp->result() == pb::CheckinResponse::OK;
              result = xmlrpc::Value(resp->message() +
                                     (ok ? "checked in successful" : "error checking in"));
              switch (resp->result()) {
                case pb::CheckinResponse::OK:
                  label = "ok";
                  break;
                case pb::CheckinResponse::AUTH_FAILED:
                  label = "auth_failed";
                  break;
                case pb::CheckinResponse::HOST_NOT_FOUND:
                  label = "host_not_found";
                  break;
                case pb::CheckinResponse::NOT_PRIVATE:
                  label = "not_private";
                  break;
                default:
                  label = "error";
              }
              if (ok) {
                MM_LOG(INFO) << "check-in of host " << d.host_name << " (site " << d.site_name
                             << "): " << d.categories.size() << " categories, " << d.directories
                             << " directories";
              } else {
                MM_LOG(ERROR) << "check-in of host " << d.host_name << " (site " << d.site_name
                              << ") refused: " << label;
              }
            }
          }
        }
      }
    }
  } else if (call->method == "system.listMethods") {
    if (auto fault = ArityFault("SimpleXMLRPCDispatcher.system_listMethods", "",
                                call->params.size(), 1, 1)) {
      result = *fault;
    } else {
      result = xmlrpc::Value(xmlrpc::Array{"checkin", "system.listMethods", "system.methodHelp",
                                           "system.methodSignature"});
    }
  } else if (call->method == "system.methodHelp" || call->method == "system.methodSignature") {
    bool help = call->method == "system.methodHelp";
    std::string qualname = help ? "SimpleXMLRPCDispatcher.system_methodHelp"
                                : "SimpleXMLRPCDispatcher.system_methodSignature";
    if (auto fault = ArityFault(qualname, "method_name", call->params.size(), 2, 1)) {
      result = *fault;
    } else if (!help) {
      result = xmlrpc::Value("signatures not supported");
    } else {
      const xmlrpc::Value& arg = call->params[0];
      if (std::holds_alternative<xmlrpc::Array>(arg.v) ||
          std::holds_alternative<xmlrpc::Struct>(arg.v)) {
        // `method_name in self.funcs` with a list or dict.
        result = PyFault(
            "TypeError",
            absl::StrCat("unhashable type: '",
                         std::holds_alternative<xmlrpc::Array>(arg.v) ? "list" : "dict", "'"));
      } else {
        std::string name = arg.is_string() ? arg.str() : "";
        if (name == "checkin") {
          result = xmlrpc::Value(kCheckinHelp);
        } else if (name == "system.listMethods") {
          result = xmlrpc::Value(kListMethodsHelp);
        } else if (name == "system.methodHelp") {
          result = xmlrpc::Value(kMethodHelpHelp);
        } else if (name == "system.methodSignature") {
          result = xmlrpc::Value(kMethodSignatureHelp);
        } else {
          result = xmlrpc::Value("");  // unknown method: an empty string, not a fault
        }
      }
    }
  } else {
    result = PyFault("Exception", absl::StrCat("method \"", call->method, "\" is not supported"));
  }
  if (!call.ok() || call->method == "checkin") {
    metrics_->checkins.Add({{"result", label.empty() ? "error" : label}}).Increment();
  }
  if (auto* f = std::get_if<Fault>(&result)) {
    r.body = xmlrpc::WriteFault(*f);
  } else {
    r.body = xmlrpc::WriteResponse(std::get<xmlrpc::Value>(result));
  }
  return r;
}

}  // namespace mm::web
