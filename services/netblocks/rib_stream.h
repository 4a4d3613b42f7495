#pragma once
// Reads one RIB dump end to end with two threads: a producer thread downloads (Fetcher) and
// decompresses (Decompressor) into a bounded queue of chunks; the calling thread parses the
// chunks (MrtReader) into a RouteSink. Memory stays bounded by chunk_size * queue_chunks no
// matter how large the dump is.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/netblocks/byte_sink.h"
#include "services/netblocks/decompressor.h"
#include "services/netblocks/fetcher.h"
#include "services/netblocks/mrt_reader.h"

namespace mm::netblocks {

// A bounded single-producer/single-consumer queue of byte chunks.
//
// Thread-safety: Write/CloseWrite on the producer thread, Pop/Recycle on the consumer thread,
// Cancel from anywhere.
class ChunkPipe final : public ByteSink {
 public:
  ChunkPipe(size_t chunk_size, size_t max_queued);

  // Producer: copies bytes into chunks; blocks while `max_queued` chunks wait. Returns the
  // cancellation status once the consumer cancelled.
  absl::Status Write(const char* data, size_t size) override;
  // Producer: end of data; `status` is how the producer ended.
  void CloseWrite(absl::Status status);

  // Consumer: the next chunk; false at the end (or after Cancel).
  bool Pop(std::string* chunk);
  // Consumer: hands a chunk's buffer back for reuse.
  void Recycle(std::string chunk);
  // Stops the producer (its Write returns `why`) and ends Pop().
  void Cancel(absl::Status why);
  absl::Status producer_status();

 private:
  bool PushLocked(std::unique_lock<std::mutex>& lock);

  const size_t chunk_size_;
  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queued_;
  std::vector<std::string> free_;
  std::string current_;  // producer-owned chunk being filled
  bool closed_ = false;
  bool cancelled_ = false;
  absl::Status cancel_status_;
  absl::Status producer_status_;
};

struct RibReadStats;

struct RibReadOptions {
  uint64_t max_decompressed_bytes = uint64_t{64} << 30;
  size_t chunk_size = 1 << 20;
  size_t queue_chunks = 8;
  int decompress_threads = 1;                 // > 1: bzip2 blocks are decoded in parallel
  const std::atomic<bool>* cancel = nullptr;  // set from a signal watcher to stop early
  // Called on the calling thread after each chunk is parsed (about once per MiB of MRT) with
  // the counts so far (compression and elapsed are filled in at the end only).
  std::function<void(const RibReadStats&)> progress;
};

struct RibReadStats {
  Compression compression = Compression::kUnknown;
  uint64_t compressed_bytes = 0;
  uint64_t decompressed_bytes = 0;
  MrtStats mrt;
  std::string mrt_warning;  // MrtReader::warning()
  absl::Duration elapsed;
};

// Downloads, decompresses and parses `url` into `sink`. Errors name the URL. A cancelled run
// returns CANCELLED.
absl::Status ReadRib(Fetcher& fetcher, const std::string& url, RouteSink& sink,
                     const RibReadOptions& options, RibReadStats* stats);

}  // namespace mm::netblocks
