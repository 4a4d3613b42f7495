#pragma once
// gRPC adapter: mirrormanager.catalog.v1.CacheExport over CacheExportStore. The stream is
// written as the store reads (gRPC flow control blocks the writer when the client is slow), so
// catalog holds one batch at a time.

#include "mirrormanager/catalog/v1/cache_export.grpc.pb.h"

namespace mm::catalog {

class CacheExportStore;

class CacheExportService final : public ::mirrormanager::catalog::v1::CacheExport::Service {
 public:
  explicit CacheExportService(CacheExportStore& store) : store_(store) {}

  grpc::Status StreamMirrorlistSnapshot(
      ::grpc::ServerContext* context,
      const ::mirrormanager::catalog::v1::MirrorlistSnapshotRequest* request,
      ::grpc::ServerWriter<::mirrormanager::catalog::v1::MirrorlistSnapshotChunk>* writer) override;

 private:
  CacheExportStore& store_;
};

}  // namespace mm::catalog
