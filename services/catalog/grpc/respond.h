#pragma once
// Helpers that keep gRPC handlers to one line: run the store call, convert the result.

#include <grpcpp/support/status.h>

#include "services/common/grpc_status.h"

namespace mm::catalog {

template <typename T, typename Out>
grpc::Status Respond(const absl::StatusOr<T>& result, Out* out) {
  if (!result.ok()) return common::ToGrpcStatus(result.status());
  ToProto(*result, out);
  return grpc::Status::OK;
}

template <typename T, typename Adder>
grpc::Status RespondList(const absl::StatusOr<std::vector<T>>& result, Adder add) {
  if (!result.ok()) return common::ToGrpcStatus(result.status());
  for (const auto& item : *result) ToProto(item, add());
  return grpc::Status::OK;
}

inline grpc::Status Respond(const absl::Status& status) { return common::ToGrpcStatus(status); }

}  // namespace mm::catalog
