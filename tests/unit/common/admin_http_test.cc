#include "services/common/admin_http.h"

#include <cstdlib>
#include <fstream>

#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace mm::common {
namespace {

using ::testing::HasSubstr;

TEST(AdminHttpTest, HealthAndMetricsEndpoints) {
  auto registry = std::make_shared<prometheus::Registry>();
  RegisterBuildInfo(*registry, "test");
  prometheus::BuildCounter().Name("mm_test_events_total").Help("Events.").Register(*registry)
      .Add({{"kind", "a"}}).Increment(3);
  absl::Status ready = absl::UnavailableError("The database schema needs to be updated");
  AdminHttpServer server(registry, [&] { return ready; });
  ASSERT_OK(server.Start("127.0.0.1:0"));
  ASSERT_GT(server.port(), 0);
  httplib::Client client("127.0.0.1", server.port());

  auto live = client.Get("/healthz/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(live->body, R"({"status": 200, "title": "OK"})");

  auto not_ready = client.Get("/healthz/ready");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_THAT(not_ready->body, HasSubstr("The database schema needs to be updated"));
  ready = absl::OkStatus();
  EXPECT_EQ(client.Get("/healthz/ready")->status, 200);

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body, HasSubstr("mm_test_events_total{kind=\"a\"} 3"));
  EXPECT_THAT(metrics->body, HasSubstr("mm_build_info{component=\"test\""));
  EXPECT_THAT(metrics->body, HasSubstr("process_resident_memory_bytes"));

  // The exposition must satisfy Prometheus' own linter.
  auto promtool = mm::testing::RunProcess("/usr/bin/promtool", {"check", "metrics"},
                                          {.stdin_data = metrics->body});
  ASSERT_OK(promtool.status());
  EXPECT_EQ(promtool->exit_code, 0) << promtool->out << promtool->err;

  EXPECT_EQ(client.Get("/nope")->status, 404);
  server.Stop();
}

TEST(AdminHttpTest, ABusyPortIsAnErrorNotAShare) {
  auto registry = std::make_shared<prometheus::Registry>();
  AdminHttpServer first(registry, nullptr);
  ASSERT_OK(first.Start("127.0.0.1:0"));
  AdminHttpServer second(registry, nullptr);
  EXPECT_FALSE(second.Start("127.0.0.1:" + std::to_string(first.port())).ok());
}

TEST(AdminHttpTest, SplitHostPort) {
  std::string host;
  int port = 0;
  ASSERT_OK(SplitHostPort("127.0.0.1:8080", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_OK(SplitHostPort("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  ASSERT_OK(SplitHostPort(":9", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(SplitHostPort("nohost", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("h:99999", &host, &port).ok());
}

}  // namespace
}  // namespace mm::common
