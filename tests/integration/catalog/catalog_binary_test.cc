// The real mm2-catalog binary: migrate on an empty database, idempotence, serve with gRPC
// health and HTTP health/metrics, graceful SIGTERM/SIGINT (in-flight calls finish), a hanging
// database, malformed configuration files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "mirrormanager/catalog/v1/cache_export.grpc.pb.h"
#include "mirrormanager/catalog/v1/reference.grpc.pb.h"
#include "services/common/grpc_client.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;

std::string Catalog() { return BinaryPath("mm2-catalog"); }

ProcessOptions EnvFor(const TestDatabase& db) {
  ProcessOptions o;
  o.env = {{"MM2_CONFIG", "/dev/null"}, {"MM2_SQLALCHEMY_DATABASE_URI", db.uri()}};
  return o;
}

// Catalog logs the ports it picked when started with port 0.
bool WaitForPorts(const BackgroundProcess& proc, int* grpc_port, int* http_port) {
  std::regex ports("serving gRPC on port ([0-9]+), HTTP on port ([0-9]+)");
  return WaitFor(
      [&] {
        std::string log = proc.ReadLog();
        std::smatch m;
        if (!std::regex_search(log, m, ports)) return false;
        *grpc_port = std::stoi(m[1]);
        *http_port = std::stoi(m[2]);
        return true;
      },
      absl::Seconds(30));
}

TEST(CatalogBinaryTest, MigrateEmptyDatabaseThenIdempotent) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create(/*from_template=*/false));
  ASSERT_OK_AND_ASSIGN(auto check, RunProcess(Catalog(), {"migrate", "--check"}, EnvFor(db)));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.out, HasSubstr("mm2-catalog migrate"));

  ASSERT_OK_AND_ASSIGN(auto first, RunProcess(Catalog(), {"migrate"}, EnvFor(db)));
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("applied migration 1 (mm2_base)"));
  // The 39 tables of MirrorManager2 (alembic_version included) plus mm_schema_migrations;
  // later migrations may add mm_* tables of their own.
  EXPECT_GE(
      db.Count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), 40);
  EXPECT_EQ(db.Count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                     "AND table_name NOT LIKE 'mm\\_%' ESCAPE '\\'"),
            35);

  ASSERT_OK_AND_ASSIGN(auto second, RunProcess(Catalog(), {"migrate"}, EnvFor(db)));
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_THAT(second.err, HasSubstr("nothing to do"));
  ASSERT_OK_AND_ASSIGN(auto ok, RunProcess(Catalog(), {"migrate", "--check"}, EnvFor(db)));
  EXPECT_EQ(ok.exit_code, 0);
}

// Several processes migrating one empty database at once (the Helm pre-install hook, catalog
// replicas started with --migrate) serialise on an advisory lock: each migration runs once.
TEST(CatalogBinaryTest, ConcurrentMigrationsApplyEachMigrationOnce) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create(/*from_template=*/false));
  std::vector<ProcessResult> results(3);
  std::vector<std::thread> runs;
  for (auto& r : results) {
    runs.emplace_back([&] {
      auto run = RunProcess(Catalog(), {"migrate"}, EnvFor(db));
      if (run.ok()) r = *run;
    });
  }
  for (auto& t : runs) t.join();
  int applied_base = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.err.find("applied migration 1 (mm2_base)") != std::string::npos) ++applied_base;
  }
  EXPECT_EQ(applied_base, 1);
  EXPECT_EQ(db.Count("SELECT count(*) FROM mm_schema_migrations"),
            db.Count("SELECT count(DISTINCT version) FROM mm_schema_migrations"));
  ASSERT_OK_AND_ASSIGN(auto check, RunProcess(Catalog(), {"migrate", "--check"}, EnvFor(db)));
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

// A database with MirrorManager tables but no record of how they were made (neither
// alembic_version nor mm_schema_migrations) is left alone.
TEST(CatalogBinaryTest, RefusesToGuessAnUnrecordedSchema) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create(/*from_template=*/false));
  db.Exec("CREATE TABLE site (id integer PRIMARY KEY, name text)");
  ASSERT_OK_AND_ASSIGN(auto r, RunProcess(Catalog(), {"migrate"}, EnvFor(db)));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refusing to guess its schema"));
  EXPECT_EQ(db.Count("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                     "'public'"),
            1);
  ASSERT_OK_AND_ASSIGN(auto check, RunProcess(Catalog(), {"migrate", "--check"}, EnvFor(db)));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.out, HasSubstr("refusing to guess"));
}

TEST(CatalogBinaryTest, RefusesNonPostgresUri) {
  ProcessOptions o;
  o.env = {{"MM2_CONFIG", "/dev/null"},
           {"MM2_SQLALCHEMY_DATABASE_URI", "sqlite:////var/tmp/mirrormanager2_dev.sqlite"}};
  ASSERT_OK_AND_ASSIGN(auto r, RunProcess(Catalog(), {"migrate"}, o));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("needs PostgreSQL"));
}

TEST(CatalogBinaryTest, MalformedConfigGivesOneLineWithFileAndLine) {
  std::string path = ::testing::TempDir() + "/broken_mm.cfg";
  std::ofstream(path) << "ITEMS_PER_PAGE = 20\nADMIN_GROUP = ['a',\nSECRET_KEY = 'x'\n";
  ASSERT_OK_AND_ASSIGN(auto r, RunProcess(Catalog(), {"-c", path, "migrate"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ":"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  std::ofstream(path) << "CATALOG_DB_POOL_SIZE = 'eight'\n";
  ASSERT_OK_AND_ASSIGN(auto t, RunProcess(Catalog(), {"-c", path, "serve"}));
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_THAT(t.err, HasSubstr(path + ":1: CATALOG_DB_POOL_SIZE must be an int"));

  ASSERT_OK_AND_ASSIGN(auto u, RunProcess(Catalog(), {"-c", "/does/not/exist.cfg", "migrate"}));
  EXPECT_EQ(u.exit_code, 2);
  EXPECT_THAT(u.err, HasSubstr("/does/not/exist.cfg"));
}

TEST(CatalogBinaryTest, ServeAnswersHealthAndStopsGracefully) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto proc, BackgroundProcess::Start(Catalog(),
                                                           {"serve", "--listen", "127.0.0.1:0",
                                                            "--http-listen", "127.0.0.1:0"},
                                                           EnvFor(db)));
  int grpc_port = 0, http_port = 0;
  ASSERT_TRUE(WaitForPorts(*proc, &grpc_port, &http_port)) << proc->ReadLog();

  auto stub = grpc::health::v1::Health::NewStub(
      common::CreateChannel("127.0.0.1:" + std::to_string(grpc_port)));
  for (const char* service :
       {"", "mirrormanager.catalog.v1.Mirrors", "mirrormanager.catalog.v1.ReferenceData"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(stub->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
  httplib::Client http("127.0.0.1", http_port);
  EXPECT_EQ(http.Get("/healthz/live")->status, 200);
  EXPECT_EQ(http.Get("/healthz/ready")->status, 200);
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("mm_grpc_server_handled_total"));
  auto promtool =
      RunProcess("/usr/bin/promtool", {"check", "metrics"}, {.stdin_data = metrics->body});
  ASSERT_OK(promtool.status());
  EXPECT_EQ(promtool->exit_code, 0) << promtool->out << promtool->err;

  ASSERT_OK_AND_ASSIGN(int code, proc->Stop(SIGTERM, absl::Seconds(20)));
  EXPECT_EQ(code, 0);
  EXPECT_THAT(proc->ReadLog(), HasSubstr("catalog stopped"));
}

TEST(CatalogBinaryTest, NotReadyWhileSchemaIsBehind) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create(/*from_template=*/false));
  ASSERT_OK_AND_ASSIGN(auto proc, BackgroundProcess::Start(Catalog(),
                                                           {"serve", "--listen", "127.0.0.1:0",
                                                            "--http-listen", "127.0.0.1:0"},
                                                           EnvFor(db)));
  int grpc_port = 0, http_port = 0;
  ASSERT_TRUE(WaitForPorts(*proc, &grpc_port, &http_port)) << proc->ReadLog();
  httplib::Client http("127.0.0.1", http_port);
  auto ready = http.Get("/healthz/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_THAT(ready->body, HasSubstr("mm2-catalog migrate"));
  auto stub = grpc::health::v1::Health::NewStub(
      common::CreateChannel("127.0.0.1:" + std::to_string(grpc_port)));
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(stub->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);

  // Migrating makes it ready without a restart.
  ASSERT_OK_AND_ASSIGN(auto mig, RunProcess(Catalog(), {"migrate"}, EnvFor(db)));
  ASSERT_EQ(mig.exit_code, 0);
  EXPECT_TRUE(
      WaitFor([&] { return http.Get("/healthz/ready")->status == 200; }, absl::Seconds(15)));
}

// A server-streaming call in flight when SIGTERM arrives runs to its end; then the process
// exits 0. The stream is held half-way by a lock on file_detail, its last section's table.
TEST(CatalogBinaryTest, InFlightStreamCompletesAfterSigterm) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create());
  FixtureBuilder(db).Arch("x86_64");
  ASSERT_OK_AND_ASSIGN(auto proc, BackgroundProcess::Start(Catalog(),
                                                           {"serve", "--listen", "127.0.0.1:0",
                                                            "--http-listen", "127.0.0.1:0"},
                                                           EnvFor(db)));
  int grpc_port = 0, http_port = 0;
  ASSERT_TRUE(WaitForPorts(*proc, &grpc_port, &http_port)) << proc->ReadLog();

  pqxx::connection locker(db.conninfo());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE file_detail IN ACCESS EXCLUSIVE MODE");

  namespace pb = ::mirrormanager::catalog::v1;
  auto stub =
      pb::CacheExport::NewStub(common::CreateChannel("127.0.0.1:" + std::to_string(grpc_port)));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  std::atomic<int> chunks{0};
  std::atomic<bool> trailer{false};
  grpc::Status status;
  std::thread reader([&] {
    auto stream = stub->StreamMirrorlistSnapshot(&ctx, pb::MirrorlistSnapshotRequest());
    pb::MirrorlistSnapshotChunk chunk;
    while (stream->Read(&chunk)) {
      ++chunks;
      if (chunk.has_trailer()) trailer = true;
    }
    status = stream->Finish();
  });
  // The stream has started (header and arches sent) and waits for the lock.
  ASSERT_TRUE(WaitFor(
      [&] {
        return chunks >= 2 && db.Count(
                                  "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND wait_event_type = 'Lock'") > 0;
      },
      absl::Seconds(20)));

  ASSERT_EQ(::kill(proc->pid(), SIGTERM), 0);
  ASSERT_TRUE(WaitFor([&] { return proc->ReadLog().find("draining") != std::string::npos; },
                      absl::Seconds(10)));
  absl::SleepFor(absl::Seconds(1));
  EXPECT_THAT(proc->ReadLog(), ::testing::Not(HasSubstr("catalog stopped")));
  EXPECT_FALSE(trailer);

  lock.abort();  // the stream continues and finishes
  reader.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(trailer);
  ASSERT_OK_AND_ASSIGN(int code, proc->Stop(SIGTERM, absl::Seconds(20)));
  EXPECT_EQ(code, 0);
  EXPECT_THAT(proc->ReadLog(), HasSubstr("catalog stopped"));
}

// CATALOG_DB_POOL_SIZE bounds catalog's database connections: with 2, six concurrent calls that
// block on a table lock hold two backends while the other four wait for a pooled connection;
// once the lock goes, all six answer.
TEST(CatalogBinaryTest, PoolSizeFromConfigBoundsDatabaseConnections) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create());
  FixtureBuilder(db).Product("Fedora");
  ProcessOptions o = EnvFor(db);
  o.env["MM2_CATALOG_DB_POOL_SIZE"] = "2";
  ASSERT_OK_AND_ASSIGN(
      auto proc,
      BackgroundProcess::Start(
          Catalog(), {"serve", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"}, o));
  int grpc_port = 0, http_port = 0;
  ASSERT_TRUE(WaitForPorts(*proc, &grpc_port, &http_port)) << proc->ReadLog();

  pqxx::connection locker(db.conninfo());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE product IN ACCESS EXCLUSIVE MODE");
  namespace pb = ::mirrormanager::catalog::v1;
  auto stub =
      pb::ReferenceData::NewStub(common::CreateChannel("127.0.0.1:" + std::to_string(grpc_port)));
  std::vector<std::thread> calls;
  std::atomic<int> answered{0};
  for (int i = 0; i < 6; ++i) {
    calls.emplace_back([&] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      pb::ListProductsResponse resp;
      if (stub->ListProducts(&ctx, pb::ListProductsRequest(), &resp).ok() &&
          resp.products_size() == 1) {
        ++answered;
      }
    });
  }
  auto waiting = [&] {
    return db.Count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
        "wait_event_type = 'Lock'");
  };
  EXPECT_TRUE(WaitFor([&] { return waiting() == 2; }, absl::Seconds(20)));
  absl::SleepFor(absl::Seconds(1));  // the other four calls had time to open more, and did not
  EXPECT_EQ(waiting(), 2);
  EXPECT_EQ(answered, 0);
  lock.abort();
  for (auto& t : calls) t.join();
  EXPECT_EQ(answered, 6);
  ASSERT_OK_AND_ASSIGN(int code, proc->Stop(SIGTERM, absl::Seconds(20)));
  EXPECT_EQ(code, 0);
}

TEST(CatalogBinaryTest, SigintStopsGracefullyToo) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto proc, BackgroundProcess::Start(Catalog(),
                                                           {"serve", "--listen", "127.0.0.1:0",
                                                            "--http-listen", "127.0.0.1:0"},
                                                           EnvFor(db)));
  int grpc_port = 0, http_port = 0;
  ASSERT_TRUE(WaitForPorts(*proc, &grpc_port, &http_port)) << proc->ReadLog();
  ASSERT_OK_AND_ASSIGN(int code, proc->Stop(SIGINT, absl::Seconds(20)));
  EXPECT_EQ(code, 0);
  EXPECT_THAT(proc->ReadLog(), HasSubstr("signal 2 received; draining"));
  EXPECT_THAT(proc->ReadLog(), HasSubstr("catalog stopped"));
}

// A database that accepts TCP connections and never answers: readiness reports the timeout,
// and SIGTERM still stops catalog within about one connect timeout.
TEST(CatalogBinaryTest, HangingDatabaseTimesOutAndDoesNotDelayShutdown) {
  SilentTcpServer silent;
  ProcessOptions o;
  o.env = {{"MM2_CONFIG", "/dev/null"},
           {"MM2_SQLALCHEMY_DATABASE_URI",
            "postgresql://mm@127.0.0.1:" + std::to_string(silent.port()) + "/mm"},
           {"MM2_CATALOG_DB_CONNECT_TIMEOUT", "2"}};
  ASSERT_OK_AND_ASSIGN(
      auto proc,
      BackgroundProcess::Start(
          Catalog(), {"serve", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"}, o));
  int grpc_port = 0, http_port = 0;
  ASSERT_TRUE(WaitForPorts(*proc, &grpc_port, &http_port)) << proc->ReadLog();
  EXPECT_THAT(proc->ReadLog(), HasSubstr("timeout expired"));
  httplib::Client http("127.0.0.1", http_port);
  http.set_read_timeout(10, 0);
  auto ready = http.Get("/healthz/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_THAT(ready->body, HasSubstr("timeout expired"));

  // SIGTERM while the background readiness check is connecting (its connection has just been
  // accepted, ~5 s after the start): without connect_timeout it would never return.
  int before = silent.accepted();
  ASSERT_TRUE(WaitFor([&] { return silent.accepted() > before; }, absl::Seconds(20)));
  absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(int code, proc->Stop(SIGTERM, absl::Seconds(30)));
  EXPECT_EQ(code, 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(6)) << proc->ReadLog();
}

}  // namespace
}  // namespace mm::testing
