#include "services/netblocks/rib_stream.h"

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace mm::netblocks {

ChunkPipe::ChunkPipe(size_t chunk_size, size_t max_queued)
    : chunk_size_(chunk_size), max_queued_(max_queued < 1 ? 1 : max_queued) {
  current_.reserve(chunk_size_);
}

bool ChunkPipe::PushLocked(std::unique_lock<std::mutex>& lock) {
  cv_.wait(lock, [&] { return cancelled_ || queued_.size() < max_queued_; });
  if (cancelled_) return false;
  queued_.push_back(std::move(current_));
  if (!free_.empty()) {
    current_ = std::move(free_.back());
    free_.pop_back();
  } else {
    current_ = std::string();
    current_.reserve(chunk_size_);
  }
  current_.clear();
  cv_.notify_all();
  return true;
}

absl::Status ChunkPipe::Write(const char* data, size_t size) {
  while (size > 0) {
    size_t room = chunk_size_ - current_.size();
    size_t take = size < room ? size : room;
    current_.append(data, take);
    data += take;
    size -= take;
    if (current_.size() == chunk_size_) {
      std::unique_lock<std::mutex> lock(mu_);
      if (!PushLocked(lock)) return cancel_status_;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_ ? cancel_status_ : absl::OkStatus();
}

void ChunkPipe::CloseWrite(absl::Status status) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!current_.empty() && status.ok()) PushLocked(lock);
  closed_ = true;
  producer_status_ = std::move(status);
  cv_.notify_all();
}

bool ChunkPipe::Pop(std::string* chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return cancelled_ || closed_ || !queued_.empty(); });
  if (cancelled_ || queued_.empty()) return false;
  *chunk = std::move(queued_.front());
  queued_.pop_front();
  cv_.notify_all();
  return true;
}

void ChunkPipe::Recycle(std::string chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.size() < max_queued_ + 1) {
    chunk.clear();
    free_.push_back(std::move(chunk));
  }
}

void ChunkPipe::Cancel(absl::Status why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!cancelled_) {
    cancelled_ = true;
    cancel_status_ = std::move(why);
  }
  cv_.notify_all();
}

absl::Status ChunkPipe::producer_status() {
  std::lock_guard<std::mutex> lock(mu_);
  return producer_status_;
}

namespace {

absl::Status WithUrl(const absl::Status& s, const std::string& url) {
  if (absl::StrContains(s.message(), url)) return s;
  return absl::Status(s.code(), absl::StrCat(url, ": ", s.message()));
}

// Counts the downloaded (compressed) bytes for progress reports from the other thread.
class CountingSink final : public ByteSink {
 public:
  CountingSink(ByteSink& next, std::atomic<uint64_t>& count) : next_(next), count_(count) {}
  absl::Status Write(const char* data, size_t size) override {
    count_.fetch_add(size, std::memory_order_relaxed);
    return next_.Write(data, size);
  }
  absl::Status Idle() override { return next_.Idle(); }

 private:
  ByteSink& next_;
  std::atomic<uint64_t>& count_;
};

}  // namespace

absl::Status ReadRib(Fetcher& fetcher, const std::string& url, RouteSink& sink,
                     const RibReadOptions& options, RibReadStats* stats) {
  absl::Time start = absl::Now();
  ChunkPipe pipe(options.chunk_size, options.queue_chunks);
  RibReadStats local;
  RibReadStats& st = stats ? *stats : local;
  st = RibReadStats{};

  std::atomic<uint64_t> downloaded{0};
  RibReadStats produced;  // written by the producer, read after join()
  std::thread producer([&] {
    Decompressor decompressor(pipe, options.max_decompressed_bytes, options.decompress_threads);
    CountingSink counting(decompressor, downloaded);
    absl::Status s = fetcher.Stream(url, counting);
    if (s.ok()) s = decompressor.Finish();
    produced.compression = decompressor.compression();
    produced.compressed_bytes = decompressor.input_bytes();
    produced.decompressed_bytes = decompressor.output_bytes();
    pipe.CloseWrite(std::move(s));
  });

  MrtReader reader(sink);
  absl::Status parse_status;
  std::string chunk;
  while (pipe.Pop(&chunk)) {
    if (options.cancel != nullptr && options.cancel->load()) {
      parse_status = absl::CancelledError("stopped by a signal");
      pipe.Cancel(parse_status);
      break;
    }
    parse_status = reader.Consume(chunk);
    st.decompressed_bytes += chunk.size();
    pipe.Recycle(std::move(chunk));
    if (!parse_status.ok()) {
      pipe.Cancel(parse_status);
      break;
    }
    if (options.progress) {
      st.compressed_bytes = downloaded.load(std::memory_order_relaxed);
      st.mrt = reader.stats();
      options.progress(st);
    }
  }
  producer.join();
  absl::Status producer_status = pipe.producer_status();
  st.compression = produced.compression;
  st.compressed_bytes = produced.compressed_bytes;
  st.decompressed_bytes = produced.decompressed_bytes;

  absl::Status result;
  if (!parse_status.ok()) {
    result = parse_status;
  } else if (!producer_status.ok()) {
    result = producer_status;
  } else {
    result = reader.Finish();
  }
  st.mrt = reader.stats();
  st.mrt_warning = reader.warning();
  st.elapsed = absl::Now() - start;
  if (!result.ok()) return WithUrl(result, url);
  return absl::OkStatus();
}

}  // namespace mm::netblocks
