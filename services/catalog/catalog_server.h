#pragma once
// The catalog process: a PostgreSQL pool, the stores, the gRPC services (plus
// grpc.health.v1 and reflection) and the HTTP endpoints /healthz/live, /healthz/ready and
// /metrics. Readiness means "database reachable and schema current"; it is re-checked in the
// background and mirrored into the gRPC health status.
//
// Lifecycle: construct, Start(), ..., Stop(). Not copyable. Start/Stop from one thread.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace grpc {
class Service;
}
namespace prometheus {
class Registry;
}

namespace mm::common {
class AdminHttpServer;
class Config;
class GrpcServer;
}  // namespace mm::common

namespace mm::catalog {

class PgPool;

struct CatalogOptions {
  std::string conninfo;  // libpq connection string
  int pool_size = 8;     // CATALOG_DB_POOL_SIZE
  // CATALOG_DB_STATEMENT_TIMEOUT, CATALOG_DB_BULK_STATEMENT_TIMEOUT (zero = no limit).
  absl::Duration statement_timeout = absl::Seconds(60);
  absl::Duration bulk_statement_timeout = absl::Seconds(1800);
  std::string grpc_listen;  // CATALOG_LISTEN or --listen
  std::string http_listen;  // CATALOG_HTTP_LISTEN or --http-listen
  absl::Duration readiness_interval = absl::Seconds(5);
};

// What domain services get: the database and the configuration. Everything is owned by
// CatalogServer and outlives the services.
struct CatalogContext {
  PgPool& pool;
  const common::Config& config;
  prometheus::Registry& metrics;
};

struct CatalogServices;  // grpc/service_registry.h

class CatalogServer {
 public:
  CatalogServer(CatalogOptions options, const common::Config& config);
  ~CatalogServer();
  CatalogServer(const CatalogServer&) = delete;
  CatalogServer& operator=(const CatalogServer&) = delete;

  absl::Status Start();
  void Stop(absl::Duration grace);

  int grpc_port() const;
  int http_port() const;
  // Database reachable and schema current (cached for up to one readiness interval).
  absl::Status Readiness();
  PgPool& pool() { return *pool_; }

 private:
  absl::Status CheckReadinessNow();
  void ReadinessLoop();

  CatalogOptions options_;
  const common::Config& config_;
  std::shared_ptr<prometheus::Registry> metrics_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<CatalogContext> context_;
  std::unique_ptr<CatalogServices> services_;
  std::unique_ptr<common::GrpcServer> grpc_;
  std::unique_ptr<common::AdminHttpServer> http_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  absl::Status ready_ = absl::UnavailableError("not checked yet");
  absl::Time ready_checked_ = absl::InfinitePast();
  std::thread readiness_thread_;
};

}  // namespace mm::catalog
