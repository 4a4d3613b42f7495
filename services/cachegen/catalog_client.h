#pragma once
// SnapshotSource over catalog's gRPC API (mirrormanager.catalog.v1.CacheExport). The only
// place in cachegen that includes generated gRPC code.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "services/cachegen/snapshot_source.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace mm::common {
struct RpcOptions;
}

namespace mm::cachegen {

class CatalogSnapshotSource final : public SnapshotSource {
 public:
  // `deadline` bounds one whole stream (the snapshot of a large catalog takes a while);
  // `batch_rows` = 0 lets catalog choose.
  CatalogSnapshotSource(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline,
                        int batch_rows = 0);
  ~CatalogSnapshotSource() override;

  absl::Status Stream(const ChunkHandler& on_chunk) override;
  void Cancel() override;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration deadline_;
  int batch_rows_;
  std::mutex mu_;
  grpc::ClientContext* active_ = nullptr;  // guarded by mu_
  bool cancelled_ = false;                 // guarded by mu_
};

// A source over a new channel to `address` ("host:port").
std::unique_ptr<SnapshotSource> ConnectCatalog(const std::string& address,
                                               absl::Duration stream_deadline, int batch_rows);

// The shared client back-off policy (capped exponential, full jitter) for whole-stream retries.
std::function<absl::Duration(int retry)> CatalogRetryBackoff(const common::RpcOptions& rpc);

}  // namespace mm::cachegen
