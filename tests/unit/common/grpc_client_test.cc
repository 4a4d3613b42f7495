#include "services/common/grpc_client.h"

#include <gtest/gtest.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/grpc_server.h"
#include "tests/testing/status_matchers.h"

namespace mm::common {
namespace {

TEST(GrpcClientTest, BackoffIsCappedAndJittered) {
  RpcOptions o;
  o.initial_backoff = absl::Milliseconds(100);
  o.max_backoff = absl::Seconds(1);
  absl::Duration max_seen;
  for (int i = 0; i < 200; ++i) {
    absl::Duration d = BackoffDelay(10, o);
    EXPECT_LE(d, absl::Seconds(1));
    EXPECT_GE(d, absl::ZeroDuration());
    max_seen = std::max(max_seen, d);
  }
  EXPECT_GT(max_seen, absl::Milliseconds(500));  // jitter spans the window
  for (int i = 0; i < 50; ++i) EXPECT_LE(BackoffDelay(0, o), absl::Milliseconds(100));
}

TEST(GrpcClientTest, RetriesUnavailableThenGivesUp) {
  RpcOptions o;
  o.timeout = absl::Milliseconds(200);
  o.max_attempts = 3;
  o.initial_backoff = absl::Milliseconds(10);
  // Nothing listens on port 1 of loopback: every attempt is UNAVAILABLE.
  auto stub = grpc::health::v1::Health::NewStub(CreateChannel("127.0.0.1:1"));
  int attempts = 0;
  absl::Status s = CallWithRetry(o, [&](grpc::ClientContext* ctx) {
    ++attempts;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    return stub->Check(ctx, req, &resp);
  });
  EXPECT_EQ(attempts, 3);
  EXPECT_TRUE(absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) << s;
}

// UNAVAILABLE and DEADLINE_EXCEEDED are retried, each attempt with a fresh context whose
// deadline is the per-attempt timeout; the first success ends the loop.
TEST(GrpcClientTest, RetriesTransientErrorsUntilSuccessWithAFreshDeadlineEachTime) {
  RpcOptions o;
  o.timeout = absl::Seconds(7);
  o.max_attempts = 5;
  o.initial_backoff = absl::Milliseconds(1);
  int attempts = 0;
  absl::Status s = CallWithRetry(o, [&](grpc::ClientContext* ctx) {
    auto left = ctx->deadline() - std::chrono::system_clock::now();
    EXPECT_GT(left, std::chrono::seconds(6));
    EXPECT_LE(left, std::chrono::seconds(7));
    switch (++attempts) {
      case 1:
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused");
      case 2:
        return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "too slow");
      default:
        return grpc::Status::OK;
    }
  });
  EXPECT_OK(s);
  EXPECT_EQ(attempts, 3);
}

TEST(GrpcClientTest, DoesNotRetryOtherErrors) {
  int attempts = 0;
  absl::Status s = CallWithRetry(RpcOptions{}, [&](grpc::ClientContext*) {
    ++attempts;
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "Host not found");
  });
  EXPECT_EQ(attempts, 1);
  EXPECT_THAT(s, mm::testing::StatusIs(absl::StatusCode::kNotFound, "Host not found"));
}

TEST(GrpcClientTest, HealthServiceReportsServingState) {
  GrpcServer server;
  ASSERT_OK(server.Start("127.0.0.1:0"));
  auto stub = grpc::health::v1::Health::NewStub(
      CreateChannel("127.0.0.1:" + std::to_string(server.port())));
  auto check = [&] {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    EXPECT_TRUE(stub->Check(&ctx, req, &resp).ok());
    return resp.status();
  };
  EXPECT_EQ(check(), grpc::health::v1::HealthCheckResponse::SERVING);
  server.SetServing(false);
  EXPECT_EQ(check(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  server.Shutdown(absl::Milliseconds(100));
}

TEST(GrpcClientTest, RpcOptionsFromConfig) {
  Config c = Config::WithDefaults();
  auto o = RpcOptionsFromConfig(c);
  ASSERT_OK(o.status());
  EXPECT_EQ(o->max_attempts, 5);
  c.Set("CATALOG_RPC_ATTEMPTS", PyValue::Int(0));
  EXPECT_FALSE(RpcOptionsFromConfig(c).ok());
}

}  // namespace
}  // namespace mm::common

namespace mm::common {
namespace {

TEST(GrpcServerTest, ABusyPortIsAnErrorNotAShare) {
  GrpcServer first;
  ASSERT_OK(first.Start("127.0.0.1:0"));
  GrpcServer second;
  EXPECT_FALSE(second.Start("127.0.0.1:" + std::to_string(first.port())).ok());
  first.Shutdown(absl::Milliseconds(100));
}

}  // namespace
}  // namespace mm::common
