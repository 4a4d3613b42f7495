#include "services/web-gateway/http_server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/net.h>

#include "absl/strings/str_cat.h"
#include "services/common/admin_http.h"
#include "services/common/log.h"
#include "services/web-gateway/web_app.h"

namespace mm::web {
namespace {

using namespace Pistache;  // NOLINT: Pistache's own examples; confined to this file

class Handler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(Handler)
  explicit Handler(WebApp* app) : app_(app) {}

  void onRequest(const Http::Request& req, Http::ResponseWriter writer) override {
    HttpRequest r;
    r.method = Http::methodString(req.method());
    r.target = req.resource();
    std::string q = req.query().as_str();
    r.query = !q.empty() && q.front() == '?' ? q.substr(1) : q;
    r.body = req.body();
    r.remote = req.address().host();
    if (auto ua = req.headers().tryGet<Http::Header::UserAgent>()) r.user_agent = ua->agent();
    HttpResponse resp = app_->Handle(r);
    for (const auto& [k, v] : resp.headers) writer.headers().addRaw(Http::Header::Raw(k, v));
    if (r.method == "HEAD") resp.body.clear();
    writer.send(static_cast<Http::Code>(resp.status), resp.body,
                Http::Mime::MediaType::fromString(resp.content_type));
  }

 private:
  WebApp* app_;
};

}  // namespace

struct HttpServer::Impl {
  std::unique_ptr<Http::Endpoint> endpoint;
};

HttpServer::HttpServer(WebApp& app, int threads) : app_(app), threads_(threads) {}
HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const std::string& listen) {
  std::string host;
  int port = 0;
  if (absl::Status s = common::SplitHostPort(listen, &host, &port); !s.ok()) return s;
  try {
    impl_ = std::make_unique<Impl>();
    Address addr(host, Port(static_cast<uint16_t>(port)));
    impl_->endpoint = std::make_unique<Http::Endpoint>(addr);
    impl_->endpoint->init(Http::Endpoint::options()
                              .threads(std::max(1, threads_))
                              .flags(Tcp::Options::ReuseAddr)
                              .maxRequestSize(app_.max_request_bytes())
                              .maxResponseSize(128u << 20));
    impl_->endpoint->setHandler(Http::make_handler<Handler>(&app_));
    impl_->endpoint->serveThreaded();
    port_ = impl_->endpoint->getPort();
  } catch (const std::exception& e) {
    impl_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, ": ", e.what()));
  }
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (impl_ && impl_->endpoint) impl_->endpoint->shutdown();
  impl_.reset();
}

}  // namespace mm::web
