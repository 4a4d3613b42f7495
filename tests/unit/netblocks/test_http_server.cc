#include "tests/unit/netblocks/test_http_server.h"

#include <httplib.h>

#include <chrono>

namespace mm::netblocks::testing {

TestHttpServer::TestHttpServer() : server_(std::make_unique<httplib::Server>()) { Start(); }

TestHttpServer::TestHttpServer(const std::string& cert, const std::string& key)
    : server_(std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str())), tls_(true) {
  if (server_->is_valid()) Start();
}

void TestHttpServer::Start() {
  server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::shared_ptr<Route> route;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const std::string& target = req.target;
      requests_.push_back(target);
      auto it = routes_.find(req.path);
      if (it != routes_.end()) route = it->second;
    }
    if (!route) {
      res.status = 404;
      res.set_content("<html><body>Not Found</body></html>", "text/html");
      return;
    }
    res.status = route->status;
    if (route->chunk == 0) {
      res.set_content(route->body, "application/octet-stream");
      return;
    }
    res.set_content_provider(route->body.size(), "application/octet-stream",
                             [route](size_t offset, size_t length, httplib::DataSink& sink) {
                               size_t piece = std::min(route->chunk, length);
                               if (route->before_chunk) route->before_chunk(offset / route->chunk);
                               sink.write(route->body.data() + offset, piece);
                               return true;
                             });
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ > 0) {
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 500 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

TestHttpServer::~TestHttpServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string TestHttpServer::Url(const std::string& path) const {
  return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

void TestHttpServer::Serve(const std::string& path, std::string body, int status) {
  auto r = std::make_shared<Route>();
  r->status = status;
  r->body = std::move(body);
  std::lock_guard<std::mutex> lock(mu_);
  routes_[path] = r;
}

void TestHttpServer::ServeIndex(const std::string& dir, const std::vector<std::string>& names) {
  std::string html = "<html><head><title>Index of " + dir + "</title></head><body><pre>\n" +
                     "<a href=\"?C=N;O=D\">Name</a> <a href=\"../\">Parent Directory</a>\n";
  for (const auto& n : names) {
    html += "<a href=\"" + n + "\">" + n + "</a>   2024-01-01 00:00  90M\n";
  }
  html += "</pre></body></html>\n";
  Serve(dir, html);
}

void TestHttpServer::ServeStreaming(const std::string& path, std::string body, size_t chunk,
                                    std::function<void(size_t)> before_chunk) {
  auto r = std::make_shared<Route>();
  r->body = std::move(body);
  r->chunk = chunk;
  r->before_chunk = std::move(before_chunk);
  std::lock_guard<std::mutex> lock(mu_);
  routes_[path] = r;
}

std::vector<std::string> TestHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

}  // namespace mm::netblocks::testing
