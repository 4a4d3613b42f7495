#include "services/catalog/catalog_server.h"

#include <grpcpp/grpcpp.h>

#include "prometheus/registry.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/grpc/service_registry.h"
#include "services/catalog/schema/migrator.h"
#include "services/common/admin_http.h"
#include "services/common/grpc_server.h"
#include "services/common/log.h"

namespace mm::catalog {

CatalogServer::CatalogServer(CatalogOptions options, const common::Config& config)
    : options_(std::move(options)),
      config_(config),
      metrics_(std::make_shared<prometheus::Registry>()) {}

CatalogServer::~CatalogServer() { Stop(absl::ZeroDuration()); }

absl::Status CatalogServer::Start() {
  common::RegisterBuildInfo(*metrics_, "catalog");
  PgSessionSettings session;
  session.statement_timeout = options_.statement_timeout;
  session.bulk_statement_timeout = options_.bulk_statement_timeout;
  pool_ =
      std::make_unique<PgPool>(options_.conninfo, options_.pool_size, absl::Seconds(30), session);
  context_ = std::make_unique<CatalogContext>(CatalogContext{*pool_, config_, *metrics_});
  services_ = std::make_unique<CatalogServices>(BuildCatalogServices(*context_));
  grpc_ = std::make_unique<common::GrpcServer>();
  grpc_->EnableMetrics(metrics_.get());
  for (size_t i = 0; i < services_->services.size(); ++i) {
    grpc_->AddService(services_->services[i].get(), services_->health_names[i]);
  }
  if (absl::Status s = grpc_->Start(options_.grpc_listen); !s.ok()) return s;
  http_ = std::make_unique<common::AdminHttpServer>(metrics_, [this] { return Readiness(); });
  if (absl::Status s = http_->Start(options_.http_listen); !s.ok()) return s;
  // Report NOT_SERVING until the first readiness check passes.
  absl::Status first = CheckReadinessNow();
  grpc_->SetServing(first.ok());
  if (!first.ok()) MM_LOG(WARNING) << "catalog not ready: " << first.message();
  readiness_thread_ = std::thread([this] { ReadinessLoop(); });
  MM_LOG(INFO) << "catalog serving gRPC on port " << grpc_->port() << ", HTTP on port "
               << http_->port();
  return absl::OkStatus();
}

void CatalogServer::Stop(absl::Duration grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  // Drain first and join the readiness thread afterwards: a readiness check that is still
  // connecting (bounded by connect_timeout) then overlaps with the drain instead of delaying it.
  if (grpc_) grpc_->Shutdown(grace);
  if (http_) http_->Stop();
  if (readiness_thread_.joinable()) readiness_thread_.join();
  grpc_.reset();
  http_.reset();
  services_.reset();
}

int CatalogServer::grpc_port() const { return grpc_ ? grpc_->port() : 0; }
int CatalogServer::http_port() const { return http_ ? http_->port() : 0; }

absl::Status CatalogServer::CheckReadinessNow() {
  absl::Status s = pool_->Ping();
  if (!s.ok()) {
    s = absl::UnavailableError(absl::StrCat("Can't connect to the database: ", s.message()));
  } else {
    Migrator migrator(*pool_);
    s = migrator.CheckCurrent();
  }
  std::lock_guard<std::mutex> lock(mu_);
  ready_ = s;
  ready_checked_ = absl::Now();
  return s;
}

absl::Status CatalogServer::Readiness() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (absl::Now() - ready_checked_ < absl::Seconds(1)) return ready_;
  }
  return CheckReadinessNow();
}

void CatalogServer::ReadinessLoop() {
  bool was_ready = true;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.readiness_interval),
                       [this] { return stopping_; })) {
        return;
      }
    }
    absl::Status s = CheckReadinessNow();
    {
      // Stop() shuts the gRPC server down once stopping_ is set; never touch it after that.
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      grpc_->SetServing(s.ok());
    }
    if (s.ok() != was_ready) {
      if (s.ok()) {
        MM_LOG(INFO) << "catalog ready";
      } else {
        MM_LOG(WARNING) << "catalog not ready: " << s.message();
      }
      was_ready = s.ok();
    }
  }
}

}  // namespace mm::catalog
