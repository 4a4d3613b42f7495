#pragma once
// gRPC adapter: mirrormanager.catalog.v1.MasterTree over MasterTreeStore.

#include "mirrormanager/catalog/v1/master_tree.grpc.pb.h"

namespace mm::catalog {

class MasterTreeStore;

class MasterTreeService final : public ::mirrormanager::catalog::v1::MasterTree::Service {
 public:
  explicit MasterTreeService(MasterTreeStore& store) : store_(store) {}

  using Ctx = ::grpc::ServerContext;

  grpc::Status ListCategoryDirectories(
      Ctx*, const ::mirrormanager::catalog::v1::ListCategoryDirectoriesRequest*,
      ::grpc::ServerWriter<::mirrormanager::catalog::v1::CategoryDirectoryPage>*) override;
  grpc::Status ApplyCategoryScan(
      Ctx*, ::grpc::ServerReader<::mirrormanager::catalog::v1::CategoryScanChunk>*,
      ::mirrormanager::catalog::v1::ApplyCategoryScanResponse*) override;
  grpc::Status AgeFileDetails(Ctx*, const ::mirrormanager::catalog::v1::AgeFileDetailsRequest*,
                              ::mirrormanager::catalog::v1::AgeFileDetailsResponse*) override;

 private:
  MasterTreeStore& store_;
};

}  // namespace mm::catalog
