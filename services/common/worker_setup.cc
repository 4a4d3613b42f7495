#include "services/common/worker_setup.h"

#include "absl/strings/str_cat.h"
#include "services/common/log.h"

namespace mm::common {

absl::StatusOr<RpcOptions> RpcOptionsFromConfig(const Config& config) {
  RpcOptions options;
  auto timeout = config.GetFloat("CATALOG_RPC_TIMEOUT");
  if (!timeout.ok()) return timeout.status();
  auto attempts = config.GetInt("CATALOG_RPC_ATTEMPTS");
  if (!attempts.ok()) return attempts.status();
  if (*timeout <= 0 || *attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.Origin("CATALOG_RPC_TIMEOUT"),
                     ": CATALOG_RPC_TIMEOUT and CATALOG_RPC_ATTEMPTS must be positive"));
  }
  options.timeout = absl::Seconds(*timeout);
  options.max_attempts = static_cast<int>(*attempts);
  return options;
}

absl::StatusOr<WorkerSetup> SetUpWorker(const WorkerSetupOptions& options) {
  if (options.debug) SetLogLevel(LogLevel::kDebug);
  auto config = LoadConfig({options.config_path});
  if (!config.ok()) return config.status();
  auto address = config->GetString("CATALOG_ADDRESS");
  if (!address.ok()) return address.status();
  auto rpc = RpcOptionsFromConfig(*config);
  if (!rpc.ok()) return rpc.status();
  return WorkerSetup{std::move(*config),
                     options.catalog_override.empty() ? *address : options.catalog_override, *rpc};
}

}  // namespace mm::common
