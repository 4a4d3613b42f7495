#pragma once
// Streaming decompression of downloaded RIB dumps: bzip2 (routeviews, Internet2), gzip (RIPE RIS)
// or plain MRT, recognised by the first bytes ("BZh1".."BZh9", 1f 8b; anything else is passed
// through). Concatenated bzip2 streams and multi-member gzip files are read to the end.
//
// Errors: a corrupt stream is DATA_LOSS naming the format and byte offset; input that ends
// before the compressed stream does (a truncated download) is DATA_LOSS from Finish(); more than
// `max_output` decompressed bytes is RESOURCE_EXHAUSTED (decompression bombs, DESIGN.md §9).
//
// bzip2 is decoded on `threads` worker threads when threads > 1 (ParallelBzip2Decoder: blocks
// are independent), otherwise by libbz2's streaming decoder on the calling thread.
//
// Thread-safety: none; one instance per stream.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "services/netblocks/byte_sink.h"
#include "services/netblocks/bzip2_parallel.h"

namespace mm::netblocks {

enum class Compression { kUnknown, kNone, kBzip2, kGzip };
const char* CompressionName(Compression c);

class Decompressor final : public ByteSink {
 public:
  // `out` must outlive the decompressor.
  Decompressor(ByteSink& out, uint64_t max_output, int threads = 1);
  ~Decompressor() override;
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Compressed input.
  absl::Status Write(const char* data, size_t size) override;
  // Hands on blocks the parallel bzip2 decoder has finished (see ByteSink::Idle).
  absl::Status Idle() override;
  // End of input; fails when the compressed stream is incomplete.
  absl::Status Finish();

  Compression compression() const { return compression_; }
  uint64_t input_bytes() const { return input_bytes_; }
  uint64_t output_bytes() const { return output_bytes_; }

 private:
  struct Bz2;
  struct Gz;
  absl::Status FeedParallelBz2(const char* data, size_t size);
  absl::Status Feed(const char* data, size_t size);
  absl::Status FeedBz2(const char* data, size_t size);
  absl::Status FeedGz(const char* data, size_t size);
  absl::Status Emit(const char* data, size_t size);

  ByteSink& out_;
  uint64_t max_output_;
  int threads_;
  Compression compression_ = Compression::kUnknown;
  std::string head_;  // first bytes, until the format is known
  uint64_t input_bytes_ = 0;
  uint64_t output_bytes_ = 0;
  std::unique_ptr<Bz2> bz2_;
  std::unique_ptr<Gz> gz_;
  std::unique_ptr<ParallelBzip2Decoder> parallel_;
  std::unique_ptr<char[]> buffer_;
  absl::Status failed_;
};

}  // namespace mm::netblocks
