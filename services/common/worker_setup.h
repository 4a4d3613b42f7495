#pragma once
// Start-up shared by the worker binaries (umdl, crawler, netblocks, cachegen, tools):
// log level, configuration (-c/--config, MM2_CONFIG, MM2_<KEY>), the catalog address
// (--catalog HOST:PORT overrides CATALOG_ADDRESS) and the RPC retry policy.

#include <string>

#include "absl/status/statusor.h"
#include "services/common/config.h"
#include "services/common/rpc_options.h"

namespace mm::common {

struct WorkerSetup {
  Config config;
  std::string catalog_address;
  RpcOptions rpc;
};

struct WorkerSetupOptions {
  std::string config_path;       // -c/--config; empty = MM2_CONFIG, then the default path
  bool debug = false;            // sets the log level to DEBUG
  std::string catalog_override;  // --catalog; empty = CATALOG_ADDRESS
};

// Errors carry the offending file:line; callers print them and exit 2.
absl::StatusOr<WorkerSetup> SetUpWorker(const WorkerSetupOptions& options);

}  // namespace mm::common
