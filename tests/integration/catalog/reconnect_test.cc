// catalog reconnects by itself after PostgreSQL restarts. Uses a private cluster (the shared
// test cluster must not be restarted under other tests).
#include <cstdlib>
#include <fstream>

#include <httplib.h>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "mirrormanager/catalog/v1/reference.grpc.pb.h"
#include "services/catalog/catalog_server.h"
#include "services/common/config.h"
#include "services/common/grpc_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

namespace pb = ::mirrormanager::catalog::v1;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

TEST(ReconnectTest, SurvivesDatabaseRestart) {
  std::string state = ::testing::TempDir() + "/reconnect_pg_" + std::to_string(getpid());
  std::string script = SourceDir() + "/tests/testing/pg_tmp.sh";
  ASSERT_OK_AND_ASSIGN(auto start, RunProcess("/bin/bash", {script, "start", state}));
  ASSERT_EQ(start.exit_code, 0) << start.err;
  std::string uri = Read(state + "/uri");
  ProcessOptions env;
  env.env = {{"MM2_CONFIG", "/dev/null"}, {"MM2_SQLALCHEMY_DATABASE_URI", uri}};
  ASSERT_OK_AND_ASSIGN(auto mig, RunProcess(BinaryPath("mm2-catalog"), {"migrate"}, env));
  ASSERT_EQ(mig.exit_code, 0) << mig.err;

  common::Config config = common::Config::WithDefaults();
  catalog::CatalogOptions options;
  options.conninfo = Read(state + "/conninfo");
  options.pool_size = 2;
  options.grpc_listen = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.readiness_interval = absl::Milliseconds(200);
  catalog::CatalogServer server(options, config);
  ASSERT_OK(server.Start());
  auto stub = pb::ReferenceData::NewStub(common::CreateChannel(absl::StrCat("127.0.0.1:", server.grpc_port())));
  common::RpcOptions rpc;
  rpc.timeout = absl::Seconds(5);
  rpc.max_attempts = 8;
  auto upsert = [&](const std::string& name) {
    pb::Product p;
    p.set_name(name);
    pb::Product out;
    return common::CallWithRetry(rpc, [&](grpc::ClientContext* ctx) { return stub->UpsertProduct(ctx, p, &out); });
  };
  ASSERT_OK(upsert("Fedora"));

  ASSERT_OK_AND_ASSIGN(auto restart, RunProcess("/bin/bash", {script, "restart", state}));
  ASSERT_EQ(restart.exit_code, 0) << restart.err;

  // Pooled connections are dead now; the call still succeeds (reconnect + retry).
  ASSERT_OK(upsert("EPEL"));
  pb::ListProductsResponse list;
  ASSERT_OK(common::CallWithRetry(rpc, [&](grpc::ClientContext* ctx) {
    return stub->ListProducts(ctx, pb::ListProductsRequest(), &list);
  }));
  EXPECT_EQ(list.products_size(), 2);
  httplib::Client http("127.0.0.1", server.http_port());
  EXPECT_TRUE(WaitFor([&] { return http.Get("/healthz/ready")->status == 200; }, absl::Seconds(10)));
  server.Stop(absl::Seconds(1));
  RunProcess("/bin/bash", {script, "stop", state}).IgnoreError();
}

}  // namespace
}  // namespace mm::testing
