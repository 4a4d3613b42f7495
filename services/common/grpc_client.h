#pragma once
// Client-side gRPC bootstrap for calls to catalog: channel creation and the retry policy of
// DESIGN.md §3 (every call has a deadline; UNAVAILABLE and DEADLINE_EXCEEDED are retried with
// capped exponential back-off and full jitter). Include only in adapter translation units.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/grpc_status.h"
#include "services/common/rpc_options.h"

namespace mm::common {

std::shared_ptr<grpc::Channel> CreateChannel(const std::string& address);

bool IsRetryable(grpc::StatusCode code);
// Full jitter: uniform in [0, min(max_backoff, initial_backoff * 2^attempt)].
absl::Duration BackoffDelay(int attempt, const RpcOptions& options);

// Runs `call(grpc::ClientContext*) -> grpc::Status` with a fresh context and deadline per
// attempt, retrying retryable failures. Writes must be idempotent (they are, by design).
template <typename Call>
absl::Status CallWithRetry(const RpcOptions& options, Call&& call) {
  grpc::Status status;
  for (int attempt = 0; attempt < std::max(1, options.max_attempts); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(absl::ToChronoNanoseconds(BackoffDelay(attempt - 1, options)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(options.timeout));
    status = call(&context);
    if (status.ok() || !IsRetryable(status.error_code())) break;
  }
  return FromGrpcStatus(status);
}

}  // namespace mm::common
