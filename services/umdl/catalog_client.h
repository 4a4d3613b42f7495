#pragma once
// MasterTreeCatalog over catalog's gRPC API (ReferenceData for categories, arches and versions;
// MasterTree for directory state, the atomic per-category apply, and file_detail ageing). The
// only UMDL translation unit that includes generated gRPC headers.
//
// Calls have deadlines and are retried on UNAVAILABLE / DEADLINE_EXCEEDED (grpc_client.h). The
// apply streams the plan in bounded chunks; a failed attempt is rolled back by catalog and the
// whole category is streamed again (every operation is idempotent).

#include <memory>
#include <string>

#include "services/common/rpc_options.h"
#include "services/umdl/master_tree.h"

namespace grpc {
class Channel;
}

namespace mm::umdl {

struct ApplyChunking {
  size_t max_directories = 2000;
  size_t max_bytes = 4 << 20;  // estimated payload per chunk
  size_t max_rows = 5000;      // versions, repositories, file details, deletions per chunk
};

class GrpcMasterTreeCatalog final : public MasterTreeCatalog {
 public:
  GrpcMasterTreeCatalog(std::shared_ptr<grpc::Channel> channel, common::RpcOptions rpc,
                        absl::Duration apply_timeout, ApplyChunking chunking = ApplyChunking());
  ~GrpcMasterTreeCatalog() override;

  absl::StatusOr<std::vector<CategoryInfo>> ListCategories() override;
  absl::StatusOr<std::vector<std::string>> ListArchNames() override;
  absl::StatusOr<std::vector<std::string>> ListVersionNames(const std::string& product) override;
  absl::StatusOr<std::vector<DirectoryState>> ListCategoryDirectories(
      const std::string& category) override;
  absl::StatusOr<ApplyResult> ApplyCategory(const CategoryPlan& plan) override;
  absl::StatusOr<int> AgeFileDetails(int max_stale_days, int64_t now_unix) override;

 private:
  struct Stubs;
  std::unique_ptr<Stubs> stubs_;
  common::RpcOptions rpc_;
  common::RpcOptions apply_rpc_;
  ApplyChunking chunking_;
};

}  // namespace mm::umdl
