// mm2-grpc-health ADDRESS [SERVICE]: asks a gRPC server's grpc.health.v1 service for its
// status, prints it (SERVING, NOT_SERVING, ...) and exits 0 only when SERVING. For the demo,
// scripts and container probes.
#include <iostream>

#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/grpc_client.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "Usage: mm2-grpc-health HOST:PORT [SERVICE]\n";
    return 2;
  }
  auto stub = grpc::health::v1::Health::NewStub(mm::common::CreateChannel(argv[1]));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest req;
  if (argc == 3) req.set_service(argv[2]);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) {
    std::cout << "UNREACHABLE (" << s.error_message() << ")\n";
    return 1;
  }
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}
