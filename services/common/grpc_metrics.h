#pragma once
// Prometheus metrics for every gRPC server call, installed as a server interceptor:
//   mm_grpc_server_handled_total{method,code}
//   mm_grpc_server_handling_seconds{method} (histogram)
// Include only where the server is built.

#include <memory>
#include <vector>

#include <grpcpp/support/server_interceptor.h>

namespace prometheus {
class Registry;
}

namespace mm::common {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeGrpcMetricsInterceptor(
    prometheus::Registry& registry);

}  // namespace mm::common
