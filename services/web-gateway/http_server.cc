#include "services/web-gateway/http_server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/net.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/admin_http.h"
#include "services/common/log.h"
#include "services/web-gateway/web_app.h"

namespace mm::web {
namespace {

using namespace Pistache;  // NOLINT: Pistache's own examples; confined to this file

// A response header with a name chosen at run time (Pistache 0.0.5 does not send Raw headers).
class NamedHeader final : public Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }
#endif
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string name_, value_;
};

class Handler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(Handler)
  explicit Handler(WebApp* app) : app_(app) {}

  void onRequest(const Http::Request& req, Http::ResponseWriter writer) override {
    HttpRequest r;
    r.method = Http::methodString(req.method());
    r.target = req.resource();
    // Pistache keeps the query in an unordered map (one value per name, order lost): rebuild it
    // sorted by name, so links made from it (the pager's) are the same on every request.
    std::vector<std::pair<std::string, std::string>> params(req.query().parameters_begin(),
                                                            req.query().parameters_end());
    std::sort(params.begin(), params.end());
    for (const auto& [k, v] : params)
      absl::StrAppend(&r.query, r.query.empty() ? "" : "&", k, "=", v);
    r.body = req.body();
    r.remote = req.address().host();
    if (auto ua = req.headers().tryGet<Http::Header::UserAgent>()) r.user_agent = ua->agent();
    HttpResponse resp = app_->Handle(r);
    for (const auto& [k, v] : resp.headers)
      writer.headers().add(std::make_shared<NamedHeader>(k, v));
    // HTTP/1.1 connections stay open unless the client asks otherwise (Pistache closes them
    // unless told to keep them).
    auto connection = req.headers().tryGet<Http::Header::Connection>();
    bool close = connection ? connection->control() == Http::ConnectionControl::Close
                            : req.version() != Http::Version::Http11;
    writer.headers().remove<Http::Header::Connection>();  // Pistache's default is Close
    writer.headers().add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                         : Http::ConnectionControl::KeepAlive);
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
