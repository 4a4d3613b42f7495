#pragma once
// Conversions between absl::Status (used inside every component) and grpc::Status (on the
// wire). Include only in gRPC adapter translation units.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace mm::common {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace mm::common
