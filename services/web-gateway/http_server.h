#pragma once
// Serves a WebApp over HTTP with Pistache. The only web-gateway file that includes Pistache.
//
// Lifecycle: construct, Start(), ..., Stop() (also from the destructor). Not copyable.

#include <memory>
#include <string>

#include "absl/status/status.h"

namespace mm::web {

class WebApp;

class HttpServer {
 public:
  // `app` must outlive the server.
  HttpServer(WebApp& app, int threads);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `listen` is HOST:PORT; port 0 picks a free port (see port()).
  absl::Status Start(const std::string& listen);
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  WebApp& app_;
  int threads_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace mm::web
