#include "services/cachegen/catalog_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "mirrormanager/catalog/v1/cache_export.grpc.pb.h"
#include "services/common/grpc_client.h"
#include "services/common/grpc_status.h"

namespace mm::cachegen {

namespace pb = ::mirrormanager::catalog::v1;

CatalogSnapshotSource::CatalogSnapshotSource(std::shared_ptr<grpc::Channel> channel,
                                             absl::Duration deadline, int batch_rows)
    : channel_(std::move(channel)), deadline_(deadline), batch_rows_(batch_rows) {}

CatalogSnapshotSource::~CatalogSnapshotSource() = default;

absl::Status CatalogSnapshotSource::Stream(const ChunkHandler& on_chunk) {
  auto stub = pb::CacheExport::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline_));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return absl::CancelledError("cancelled");
    active_ = &context;
  }
  pb::MirrorlistSnapshotRequest request;
  request.set_batch_rows(batch_rows_);
  std::unique_ptr<grpc::ClientReader<pb::MirrorlistSnapshotChunk>> reader =
      stub->StreamMirrorlistSnapshot(&context, request);
  pb::MirrorlistSnapshotChunk chunk;
  absl::Status handler_status;
  bool saw_trailer = false;
  while (reader->Read(&chunk)) {  // ends with the stream (bounded by the deadline)
    saw_trailer = saw_trailer || chunk.has_trailer();
    handler_status = on_chunk(chunk);
    if (!handler_status.ok()) {
      context.TryCancel();
      break;
    }
    chunk.Clear();
  }
  if (!handler_status.ok()) {
    while (reader->Read(&chunk)) {
    }  // drain what is in flight after the cancel, then collect the status
  } else if (!saw_trailer) {
    // Read() also stops on a chunk this client cannot parse; the server is then still blocked
    // on flow control, and Finish() would wait for the whole stream deadline. A stream that
    // ended with its status already has it, so the cancel changes nothing there.
    context.TryCancel();
  }
  grpc::Status status = reader->Finish();
  bool cancelled_by_caller;
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_ = nullptr;
    cancelled_by_caller = cancelled_;
  }
  if (!saw_trailer && handler_status.ok() && !cancelled_by_caller &&
      status.error_code() == grpc::StatusCode::CANCELLED) {
    return absl::DataLossError("the snapshot stream broke off (a chunk could not be parsed?)");
  }
  if (!handler_status.ok()) return handler_status;
  return common::FromGrpcStatus(status);
}

void CatalogSnapshotSource::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (active_ != nullptr) active_->TryCancel();
}

std::unique_ptr<SnapshotSource> ConnectCatalog(const std::string& address,
                                               absl::Duration stream_deadline, int batch_rows) {
  return std::make_unique<CatalogSnapshotSource>(common::CreateChannel(address), stream_deadline,
                                                 batch_rows);
}

std::function<absl::Duration(int retry)> CatalogRetryBackoff(const common::RpcOptions& rpc) {
  return [rpc](int retry) { return common::BackoffDelay(retry, rpc); };
}

}  // namespace mm::cachegen
