// The gRPC adapter of CatalogApi: the only web-gateway file that includes *.grpc.pb.h.
#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "mirrormanager/catalog/v1/checkin.grpc.pb.h"
#include "mirrormanager/catalog/v1/public.grpc.pb.h"
#include "services/common/grpc_client.h"
#include "services/web-gateway/catalog_api.h"

namespace mm::web {
namespace {

class GrpcCatalogApi final : public CatalogApi {
 public:
  GrpcCatalogApi(const std::string& address, const common::RpcOptions& options)
      : channel_(common::CreateChannel(address)),
        options_(options),
        public_(pb::PublicData::NewStub(channel_)),
        checkin_(pb::Checkin::NewStub(channel_)),
        health_(grpc::health::v1::Health::NewStub(channel_)) {}

  template <typename Resp, typename Fn>
  absl::StatusOr<Resp> Call(Fn fn, const common::RpcOptions& options) {
    Resp resp;
    absl::Status s = common::CallWithRetry(options, [&](grpc::ClientContext* ctx) {
      resp.Clear();
      return fn(ctx, &resp);
    });
    if (!s.ok()) return s;
    return resp;
  }
  template <typename Resp, typename Fn>
  absl::StatusOr<Resp> Call(Fn fn) {
    return Call<Resp>(fn, options_);
  }

  absl::StatusOr<pb::PublicSnapshot> GetPublicSnapshot() override {
    pb::Empty req;
    return Call<pb::PublicSnapshot>(
        [&](auto* ctx, auto* resp) { return public_->GetPublicSnapshot(ctx, req, resp); });
  }
  absl::StatusOr<pb::AccessStatsResponse> GetAccessStats(const pb::AccessStatsRequest& req) override {
    return Call<pb::AccessStatsResponse>(
        [&](auto* ctx, auto* resp) { return public_->GetAccessStats(ctx, req, resp); });
  }
  absl::StatusOr<pb::PropagationResponse> GetPropagation(int64_t id) override {
    pb::PropagationRequest req;
    req.set_repository_id(id);
    return Call<pb::PropagationResponse>(
        [&](auto* ctx, auto* resp) { return public_->GetPropagation(ctx, req, resp); });
  }
  absl::StatusOr<pb::MapUrlsResponse> ListMapUrls() override {
    pb::Empty req;
    return Call<pb::MapUrlsResponse>(
        [&](auto* ctx, auto* resp) { return public_->ListMapUrls(ctx, req, resp); });
  }
  absl::StatusOr<pb::RsyncFilterResponse> ListRsyncFilterDirectories(
      const pb::RsyncFilterRequest& req) override {
    return Call<pb::RsyncFilterResponse>(
        [&](auto* ctx, auto* resp) { return public_->ListRsyncFilterDirectories(ctx, req, resp); });
  }
  absl::StatusOr<pb::MirrorAdminsResponse> ListMirrorAdmins(const pb::MirrorAdminsRequest& req) override {
    return Call<pb::MirrorAdminsResponse>(
        [&](auto* ctx, auto* resp) { return public_->ListMirrorAdmins(ctx, req, resp); });
  }
  absl::StatusOr<pb::ApiRepositoriesResponse> ListApiRepositories() override {
    pb::Empty req;
    return Call<pb::ApiRepositoriesResponse>(
        [&](auto* ctx, auto* resp) { return public_->ListApiRepositories(ctx, req, resp); });
  }
  absl::StatusOr<pb::HostStatus> GetHostStatus(int64_t host_id) override {
    pb::HostStatusRequest req;
    req.set_host_id(host_id);
    return Call<pb::HostStatus>(
        [&](auto* ctx, auto* resp) { return public_->GetHostStatus(ctx, req, resp); });
  }
  absl::StatusOr<pb::ExplainResponse> Explain(const pb::ExplainRequest& req) override {
    return Call<pb::ExplainResponse>(
        [&](auto* ctx, auto* resp) { return public_->Explain(ctx, req, resp); });
  }
  absl::StatusOr<pb::CheckinResponse> Checkin(const pb::CheckinRequest& req) override {
    common::RpcOptions once = options_;
    once.max_attempts = 1;
    return Call<pb::CheckinResponse>(
        [&](auto* ctx, auto* resp) { return checkin_->Checkin(ctx, req, resp); }, once);
  }
  absl::Status CheckHealth() override {
    common::RpcOptions quick = options_;
    quick.max_attempts = 1;
    quick.timeout = std::min(quick.timeout, absl::Seconds(2));
    grpc::health::v1::HealthCheckRequest req;
    auto resp = Call<grpc::health::v1::HealthCheckResponse>(
        [&](auto* ctx, auto* r) { return health_->Check(ctx, req, r); }, quick);
    if (!resp.ok()) {
      return absl::UnavailableError(absl::StrCat("catalog unreachable: ", resp.status().message()));
    }
    if (resp->status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::UnavailableError("catalog is not serving (database unreachable or schema behind)");
    }
    return absl::OkStatus();
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  common::RpcOptions options_;
  std::unique_ptr<pb::PublicData::Stub> public_;
  std::unique_ptr<pb::Checkin::Stub> checkin_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace

std::unique_ptr<CatalogApi> MakeGrpcCatalogApi(const std::string& address,
                                               const common::RpcOptions& options) {
  return std::make_unique<GrpcCatalogApi>(address, options);
}

}  // namespace mm::web
