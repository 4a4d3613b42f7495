#pragma once
// NetblocksCatalog over catalog's gRPC API (Mirrors.ListSites/ListHosts,
// Netblocks.SyncHostNetblocks), with the retry policy of common::CallWithRetry. The only
// netblocks file that includes generated gRPC headers.

#include <memory>
#include <string>

#include "services/common/rpc_options.h"
#include "services/netblocks/ec2_netblocks.h"

namespace mm::netblocks {

class CatalogClient final : public NetblocksCatalog {
 public:
  CatalogClient(const std::string& address, common::RpcOptions rpc);
  ~CatalogClient() override;

  absl::StatusOr<int64_t> FindSite(const std::string& name) override;
  absl::StatusOr<std::vector<Host>> ListHosts(int64_t site_id) override;
  absl::StatusOr<SyncResult> SyncHostNetblocks(const std::vector<Target>& targets, bool dry_run,
                                               const std::vector<Change>* expected) override;

 private:
  struct Stubs;
  std::unique_ptr<Stubs> stubs_;
  common::RpcOptions rpc_;
};

}  // namespace mm::netblocks
