#pragma once
// The client-side policy for catalog calls (see grpc_client.h for the retry loop itself).

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mm::common {

class Config;

struct RpcOptions {
  absl::Duration timeout = absl::Seconds(60);  // per attempt
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(10);
};

// CATALOG_RPC_TIMEOUT (seconds, per attempt) and CATALOG_RPC_ATTEMPTS.
absl::StatusOr<RpcOptions> RpcOptionsFromConfig(const Config& config);

}  // namespace mm::common
