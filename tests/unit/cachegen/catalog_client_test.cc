// CatalogSnapshotSource against a gRPC server that answers StreamMirrorlistSnapshot with bytes
// the client cannot parse and then stalls, as a catalog blocked on flow control would.

#include "services/cachegen/catalog_client.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace mm::cachegen {
namespace {

// Replies to any call with one message that is not a MirrorlistSnapshotChunk (a length-delimited
// field 1 whose length runs past the end) and keeps the stream open until the client cancels.
class UnparsableStreamReactor final : public grpc::ServerGenericBidiReactor {
 public:
  explicit UnparsableStreamReactor(std::atomic<bool>* cancelled) : cancelled_(cancelled) {
    static const char kGarbage[] = "\x0a\xff\xff\xff\x0f\x01";
    grpc::Slice slice(kGarbage, sizeof(kGarbage) - 1);
    reply_ = grpc::ByteBuffer(&slice, 1);
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (ok) StartWrite(&reply_);
  }
  void OnWriteDone(bool) override {}  // stall: never finish on our own
  void OnCancel() override {
    cancelled_->store(true);
    Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

 private:
  std::atomic<bool>* cancelled_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer reply_;
};

class UnparsableService final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    return new UnparsableStreamReactor(&cancelled);
  }
  std::atomic<bool> cancelled{false};
};

TEST(CatalogSnapshotSourceTest, AnUnparsableChunkFailsAtOnceInsteadOfWaitingForTheDeadline) {
  UnparsableService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ASSERT_GT(port, 0);

  CatalogSnapshotSource source(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()),
      absl::Seconds(60));
  int chunks = 0;
  auto start = std::chrono::steady_clock::now();
  absl::Status status = source.Stream([&](const auto&) {
    ++chunks;
    return absl::OkStatus();
  });
  auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(chunks, 0);
  EXPECT_LT(elapsed, std::chrono::seconds(20));
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  EXPECT_TRUE(service.cancelled.load());
}

}  // namespace
}  // namespace mm::cachegen
