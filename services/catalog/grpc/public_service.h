#pragma once
// gRPC adapters: mirrormanager.catalog.v1.PublicData over PublicStore and
// mirrormanager.catalog.v1.Checkin over CheckinStore.

#include "mirrormanager/catalog/v1/checkin.grpc.pb.h"
#include "mirrormanager/catalog/v1/public.grpc.pb.h"

namespace mm::catalog {

class PublicStore;
class CheckinStore;

class PublicDataService final : public ::mirrormanager::catalog::v1::PublicData::Service {
 public:
  explicit PublicDataService(PublicStore& store) : store_(store) {}

  using Ctx = ::grpc::ServerContext;
#define MM_RPC(Name, Req, Resp) \
  grpc::Status Name(Ctx*, const ::mirrormanager::catalog::v1::Req*, ::mirrormanager::catalog::v1::Resp*) override
  MM_RPC(GetPublicSnapshot, Empty, PublicSnapshot);
  MM_RPC(GetAccessStats, AccessStatsRequest, AccessStatsResponse);
  MM_RPC(GetPropagation, PropagationRequest, PropagationResponse);
  MM_RPC(ListMapUrls, Empty, MapUrlsResponse);
  MM_RPC(ListRsyncFilterDirectories, RsyncFilterRequest, RsyncFilterResponse);
  MM_RPC(ListMirrorAdmins, MirrorAdminsRequest, MirrorAdminsResponse);
  MM_RPC(ListApiRepositories, Empty, ApiRepositoriesResponse);
  MM_RPC(GetHostStatus, HostStatusRequest, HostStatus);
  MM_RPC(Explain, ExplainRequest, ExplainResponse);
#undef MM_RPC

 private:
  PublicStore& store_;
};

class CheckinService final : public ::mirrormanager::catalog::v1::Checkin::Service {
 public:
  explicit CheckinService(CheckinStore& store) : store_(store) {}
  grpc::Status Checkin(::grpc::ServerContext*, const ::mirrormanager::catalog::v1::CheckinRequest*,
                       ::mirrormanager::catalog::v1::CheckinResponse*) override;

 private:
  CheckinStore& store_;
};

}  // namespace mm::catalog
