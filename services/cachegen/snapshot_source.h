#pragma once
// Where the generator's input comes from: one consistent snapshot of the catalog, delivered as
// the chunk stream of mirrormanager.catalog.v1.CacheExport (see cache_export.proto for the
// section order and row orders). The gRPC implementation is catalog_client.h; tests feed
// chunks directly.

#include <functional>

#include "absl/status/status.h"

namespace mirrormanager::catalog::v1 {
class MirrorlistSnapshotChunk;
}

namespace mm::cachegen {

using SnapshotChunk = ::mirrormanager::catalog::v1::MirrorlistSnapshotChunk;

class SnapshotSource {
 public:
  using ChunkHandler = std::function<absl::Status(const SnapshotChunk&)>;
  virtual ~SnapshotSource() = default;
  // Streams one whole snapshot, calling `on_chunk` for every chunk in order; stops at the first
  // error (its own or the handler's) and returns it. Each call is a new snapshot.
  virtual absl::Status Stream(const ChunkHandler& on_chunk) = 0;
  // Asks a running Stream() to stop soon with CANCELLED. Callable from any thread.
  virtual void Cancel() {}
};

}  // namespace mm::cachegen
