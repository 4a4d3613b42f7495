#pragma once
// What the web gateway needs from catalog, as a small interface (STYLE.md rule 6): the gRPC
// adapter (catalog_client.cc) implements it; tests may fake it. Each method is one RPC.
// Messages are the generated protobuf types (no gRPC headers here).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "mirrormanager/catalog/v1/checkin.pb.h"
#include "mirrormanager/catalog/v1/public.pb.h"

namespace mm::common {
struct RpcOptions;
}

namespace mm::web {

namespace pb = ::mirrormanager::catalog::v1;

class CatalogApi {
 public:
  virtual ~CatalogApi() = default;
  virtual absl::StatusOr<pb::PublicSnapshot> GetPublicSnapshot() = 0;
  virtual absl::StatusOr<pb::AccessStatsResponse> GetAccessStats(const pb::AccessStatsRequest&) = 0;
  virtual absl::StatusOr<pb::PropagationResponse> GetPropagation(int64_t repository_id) = 0;
  virtual absl::StatusOr<pb::MapUrlsResponse> ListMapUrls() = 0;
  virtual absl::StatusOr<pb::RsyncFilterResponse> ListRsyncFilterDirectories(
      const pb::RsyncFilterRequest&) = 0;
  virtual absl::StatusOr<pb::MirrorAdminsResponse> ListMirrorAdmins(const pb::MirrorAdminsRequest&) = 0;
  virtual absl::StatusOr<pb::ApiRepositoriesResponse> ListApiRepositories() = 0;
  virtual absl::StatusOr<pb::HostStatus> GetHostStatus(int64_t host_id) = 0;
  virtual absl::StatusOr<pb::ExplainResponse> Explain(const pb::ExplainRequest&) = 0;
  virtual absl::StatusOr<pb::CheckinResponse> Checkin(const pb::CheckinRequest&) = 0;
  // grpc.health.v1 Check of the whole catalog: OK only when it answers SERVING.
  virtual absl::Status CheckHealth() = 0;
};

// The gRPC implementation: every call has a deadline and retries UNAVAILABLE with back-off
// (common::CallWithRetry). Check-ins are not retried after the request was sent (they are
// idempotent in effect, but a retry would pay argon2id again).
std::unique_ptr<CatalogApi> MakeGrpcCatalogApi(const std::string& address,
                                               const common::RpcOptions& options);

}  // namespace mm::web
