#pragma once
// The operational HTTP endpoints every service mounts: /healthz/live, /healthz/ready and
// /metrics (Prometheus text format 0.0.4). The response builders are shared with the web
// gateway, which serves the same paths from its own Pistache router; AdminHttpServer serves them
// on a separate port (catalog, batch workers) using cpp-httplib.
//
// Thread-safety: AdminHttpServer handlers run on cpp-httplib's worker threads; the readiness
// check must be thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace httplib {
class Server;
}
namespace prometheus {
class Registry;
}

namespace mm::common {

struct HttpResult {
  int status = 200;
  std::string content_type;
  std::string body;
};

// Same bodies as flask-healthz: {"status": 200, "title": "OK"} or, when not ready,
// 503 {"status": 503, "title": "Service Unavailable", "message": "<reason>"}.
HttpResult LivenessResponse();
HttpResult ReadinessResponse(const absl::Status& ready);
// The registry's families followed by process_* metrics (CPU seconds, resident memory, start
// time, open fds) read from /proc.
HttpResult MetricsResponse(const prometheus::Registry& registry);

// Adds mm_build_info{component,version} 1 to `registry`.
void RegisterBuildInfo(prometheus::Registry& registry, const std::string& component);

using ReadinessCheck = std::function<absl::Status()>;

class AdminHttpServer {
 public:
  // `registry` must outlive the server. A null readiness check means "always ready".
  AdminHttpServer(std::shared_ptr<prometheus::Registry> registry, ReadinessCheck readiness);
  ~AdminHttpServer();
  AdminHttpServer(const AdminHttpServer&) = delete;
  AdminHttpServer& operator=(const AdminHttpServer&) = delete;

  // `listen` is "host:port"; port 0 picks a free port (see port()).
  absl::Status Start(const std::string& listen);
  int port() const { return port_; }
  void Stop();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  ReadinessCheck readiness_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Splits "host:port", "[v6]:port" or ":port" (host defaults to 0.0.0.0).
absl::Status SplitHostPort(const std::string& address, std::string* host, int* port);

}  // namespace mm::common
