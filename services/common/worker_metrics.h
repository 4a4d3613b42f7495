#pragma once
// Metrics for batch workers (umdl, crawler, netblocks, cachegen): served on METRICS_LISTEN while
// the worker runs, and pushed to PUSHGATEWAY_URL (job = worker name) when the run ends.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "services/common/admin_http.h"

namespace prometheus {
class Registry;
}

namespace mm::common {

class Config;

class WorkerMetrics {
 public:
  WorkerMetrics(std::string job, std::shared_ptr<prometheus::Registry> registry);
  ~WorkerMetrics();

  // Reads METRICS_LISTEN and PUSHGATEWAY_URL; starts serving when METRICS_LISTEN is set.
  absl::Status Start(const Config& config);
  // Pushes the registry when PUSHGATEWAY_URL is set (no-op otherwise).
  absl::Status Push();
  int port() const { return server_ ? server_->port() : 0; }
  prometheus::Registry& registry() { return *registry_; }

 private:
  std::string job_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<AdminHttpServer> server_;
  std::optional<std::string> pushgateway_;
};

}  // namespace mm::common
