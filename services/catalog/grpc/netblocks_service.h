#pragma once
// gRPC adapter: mirrormanager.catalog.v1.Netblocks over NetblockStore.

#include "mirrormanager/catalog/v1/netblocks.grpc.pb.h"

namespace mm::catalog {

class NetblockStore;

class NetblocksService final : public ::mirrormanager::catalog::v1::Netblocks::Service {
 public:
  explicit NetblocksService(NetblockStore& store) : store_(store) {}

  grpc::Status SyncHostNetblocks(::grpc::ServerContext*,
                                 const ::mirrormanager::catalog::v1::SyncHostNetblocksRequest*,
                                 ::mirrormanager::catalog::v1::SyncHostNetblocksResponse*) override;

 private:
  NetblockStore& store_;
};

}  // namespace mm::catalog
