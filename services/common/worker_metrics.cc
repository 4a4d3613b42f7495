#include "services/common/worker_metrics.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "prometheus/gateway.h"
#include "prometheus/registry.h"
#include "services/common/config.h"
#include "services/common/log.h"

namespace mm::common {

WorkerMetrics::WorkerMetrics(std::string job, std::shared_ptr<prometheus::Registry> registry)
    : job_(std::move(job)), registry_(std::move(registry)) {
  RegisterBuildInfo(*registry_, job_);
}

WorkerMetrics::~WorkerMetrics() = default;

absl::Status WorkerMetrics::Start(const Config& config) {
  auto listen = config.GetOptionalString("METRICS_LISTEN");
  if (!listen.ok()) return listen.status();
  auto push = config.GetOptionalString("PUSHGATEWAY_URL");
  if (!push.ok()) return push.status();
  pushgateway_ = *push;
  if (listen->has_value()) {
    server_ = std::make_unique<AdminHttpServer>(registry_, nullptr);
    if (absl::Status s = server_->Start(**listen); !s.ok()) return s;
    MM_LOG(DEBUG) << "serving metrics on port " << server_->port();
  }
  return absl::OkStatus();
}

absl::Status WorkerMetrics::Push() {
  if (!pushgateway_ || pushgateway_->empty()) return absl::OkStatus();
  // prometheus::Gateway wants "scheme://host" and the port separately.
  std::string url = *pushgateway_;
  while (!url.empty() && url.back() == '/') url.pop_back();
  size_t scheme = url.find("://");
  size_t colon = url.rfind(':');
  std::string host = url, port = "9091";
  if (colon != std::string::npos && (scheme == std::string::npos || colon > scheme + 2)) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  char hostname[256] = {0};
  gethostname(hostname, sizeof hostname - 1);
  prometheus::Gateway gateway(host, port, job_, {{"instance", hostname}});
  gateway.RegisterCollectable(registry_);
  int code = gateway.Push();
  if (code < 200 || code >= 300) {
    return absl::UnavailableError(absl::StrCat("Pushgateway ", *pushgateway_, " answered ", code));
  }
  return absl::OkStatus();
}

}  // namespace mm::common
