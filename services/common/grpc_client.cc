#include "services/common/grpc_client.h"

#include <random>

#include "services/common/grpc_server.h"

namespace mm::common {

std::shared_ptr<grpc::Channel> CreateChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxGrpcMessageBytes);
  args.SetMaxSendMessageSize(kMaxGrpcMessageBytes);
  // Keep long-lived worker connections alive through idle NAT/conntrack timeouts.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool IsRetryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

absl::Duration BackoffDelay(int attempt, const RpcOptions& options) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  absl::Duration cap = options.initial_backoff;
  for (int i = 0; i < attempt && cap < options.max_backoff; ++i) cap *= 2;
  cap = std::min(cap, options.max_backoff);
  std::uniform_int_distribution<int64_t> dist(0, absl::ToInt64Microseconds(cap));
  return absl::Microseconds(dist(rng));
}

}  // namespace mm::common
