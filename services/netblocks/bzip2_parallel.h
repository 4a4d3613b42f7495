#pragma once
// Multi-threaded bzip2 decompression of a stream that arrives in pieces (a download).
//
// bzip2 compresses independent blocks (<= 900 kB of input each), each starting with the 48-bit
// magic 0x314159265359 at an arbitrary BIT offset and carrying its own CRC; a stream ends with
// the magic 0x177245385090 and the combined CRC. The decoder scans the compressed bits for the
// block magics, cuts each block out into a tiny standalone stream ("BZh9" + block + end-of-stream
// mark + the block CRC as combined CRC) that libbz2 decodes on a worker thread, and emits the
// outputs in order. libbz2 checks every block CRC; the decoder checks each stream's combined CRC.
//
// The magics can also occur by chance inside compressed data (probability 2^-48 per bit):
//  * a false block magic splits a block in two; the first half then fails to decode, and the
//    decoder retries with the next piece(s) merged back (up to kMaxMerges);
//  * a false end-of-stream magic is only taken as the end when the combined CRC after it matches
//    the block CRCs seen, or a "BZh1".."BZh9" header or the end of input follows at the next
//    byte boundary.
// Concatenated streams (pbzip2 and friends) are handled. Errors (DATA_LOSS) match the sequential
// decoder's: corrupt data, a stream that ends early, trailing data that is not a bzip2 stream,
// and more than kMaxBlockBytes of compressed data without a block boundary (a real block holds
// at most 900 kB of input, so it compresses to less than ~1 MB).
//
// Memory is bounded:
//  * compressed: at most 2 * threads + 2 blocks in flight, each < kMaxBlockBytes, plus the
//    unscanned tail of the input (< kMaxBlockBytes + one Write);
//  * decompressed: the output buffers of jobs not yet emitted draw on a budget of
//    `max_inflight_bytes`. A worker whose block needs more waits until earlier blocks are
//    emitted — except the oldest unemitted block, which may always grow (up to 64 MiB, the
//    largest output of a legal block is ~46 MB) so that decoding always progresses.
//
// Thread-safety: Write/Finish from one thread (the download thread); `threads` workers are owned.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"

namespace mm::netblocks {

class ParallelBzip2Decoder {
 public:
  static constexpr int kMaxMerges = 3;
  static constexpr uint64_t kMaxBlockBytes = 4u << 20;
  static constexpr uint64_t kDefaultMaxInflightBytes = 256u << 20;
  // Receives decompressed bytes in order; a non-OK status stops decoding and is returned.
  using Emit = std::function<absl::Status(const char* data, size_t size)>;

  ParallelBzip2Decoder(int threads, Emit emit,
                       uint64_t max_inflight_bytes = kDefaultMaxInflightBytes);
  ~ParallelBzip2Decoder();
  ParallelBzip2Decoder(const ParallelBzip2Decoder&) = delete;
  ParallelBzip2Decoder& operator=(const ParallelBzip2Decoder&) = delete;

  // Compressed input (starting with the "BZh" header).
  absl::Status Write(const char* data, size_t size);
  // Emits the blocks decoded so far (in order, without waiting for the others): for a download
  // that pauses, so that finished output does not wait for the next Write.
  absl::Status Poll();
  // End of input: waits for the workers, emits the rest, checks that the last stream ended.
  absl::Status Finish();

  // Test hook: also cut every block in the middle, as a false magic would.
  void SplitBlocksForTest() { split_for_test_ = true; }
  uint64_t blocks() const { return blocks_; }
  uint64_t merges() const { return merges_; }
  // Largest total of output buffers held at once, and the largest held by one block (tests).
  uint64_t peak_inflight_bytes();
  uint64_t largest_block_bytes();

 private:
  struct Job;
  absl::Status Fail(absl::Status s);
  absl::Status Scan(bool at_end);
  void Cut(uint64_t end_bit);
  void Dispatch(std::shared_ptr<Job> job);
  absl::Status Drain(bool all, bool at_end);
  absl::Status Complete(std::shared_ptr<Job> job, bool at_end, bool* wait_for_more);
  uint32_t BitsAt(uint64_t bit, int n) const;  // n <= 32 bits from absolute bit offset
  void PopFront();
  bool Reserve(Job& job, size_t bytes);  // worker side of the output budget
  void WorkerLoop();

  Emit emit_;
  absl::Status failed_;
  bool split_for_test_ = false;

  // Scanner state. `buf_` holds compressed bytes from absolute byte `buf_base_` on.
  std::string buf_;
  uint64_t buf_base_ = 0;
  enum class State { kHeader, kBlocks, kEndCandidate } state_ = State::kHeader;
  uint64_t pos_ = 0;          // absolute bit: header start / current block start / end magic
  uint64_t search_from_ = 0;  // absolute bit where the next magic search starts
  bool any_stream_ = false;   // a complete stream was seen
  uint64_t next_seq_ = 0;
  uint32_t scan_crc_ = 0;  // combined CRC of the blocks cut from the current stream

  // Jobs in stream order, oldest first (owned by the download thread; workers only touch a
  // job's result fields under mu_).
  std::deque<std::shared_ptr<Job>> inflight_;
  uint32_t combined_crc_ = 0;
  uint64_t blocks_ = 0;
  uint64_t merges_ = 0;

  const uint64_t max_inflight_bytes_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::condition_variable budget_cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stop_ = false;
  uint64_t reserved_ = 0;   // output buffer bytes held by jobs not yet emitted
  uint64_t front_seq_ = 0;  // the oldest job not yet emitted: exempt from the budget
  uint64_t peak_reserved_ = 0;
  uint64_t largest_job_ = 0;
  std::vector<std::thread> workers_;
};

// Decodes one standalone block (bit range [begin_bit, end_bit) of `raw`, starting at a block
// magic) into `out`. `reserve`, when set, is asked before the output buffer grows by n bytes;
// false stops decoding (CANCELLED). Exposed for tests.
absl::Status DecodeBzip2Block(const std::string& raw, uint64_t begin_bit, uint64_t end_bit,
                              std::string* out,
                              const std::function<bool(size_t)>& reserve = nullptr);

}  // namespace mm::netblocks
