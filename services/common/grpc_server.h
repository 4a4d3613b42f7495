#pragma once
// gRPC server bootstrap shared by services: registers services, the standard
// grpc.health.v1.Health service and server reflection, listens (port 0 allowed), and shuts down
// gracefully (stop accepting, let in-flight calls finish until the grace period ends).
// gRPC headers stay out of this header; include it freely.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc
namespace prometheus {
class Registry;
}

namespace mm::common {

class GrpcServer {
 public:
  GrpcServer();
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // `service` is not owned and must outlive the server. `health_name` is the fully qualified
  // service name reported through grpc.health.v1 (empty = only the overall status).
  void AddService(grpc::Service* service, std::string health_name = "");
  // Records per-call metrics (see grpc_metrics.h) into `registry`, which must outlive the server.
  void EnableMetrics(prometheus::Registry* registry) { metrics_ = registry; }
  // `listen` is "host:port"; port 0 picks a free port.
  absl::Status Start(const std::string& listen);
  int port() const { return port_; }
  // grpc.health.v1 status of "" and of every named service.
  void SetServing(bool serving);
  void Shutdown(absl::Duration grace);

 private:
  std::vector<grpc::Service*> services_;
  std::vector<std::string> health_names_;
  prometheus::Registry* metrics_ = nullptr;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Largest message either side accepts; cache and bulk batches stay well below it.
inline constexpr int kMaxGrpcMessageBytes = 64 << 20;

}  // namespace mm::common
