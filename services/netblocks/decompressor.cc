#include "services/netblocks/decompressor.h"

#include <bzlib.h>
#include <zlib.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mm::netblocks {
namespace {

constexpr size_t kBufferSize = 256 * 1024;
constexpr size_t kSniffBytes = 4;

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kGzip:
      return "gzip";
    case Compression::kUnknown:
      break;
  }
  return "unknown";
}

struct Decompressor::Bz2 {
  bz_stream s{};
  bool active = false;      // between BZ2_bzDecompressInit and the stream's end
  bool any_stream = false;  // at least one stream finished
  ~Bz2() {
    if (active) BZ2_bzDecompressEnd(&s);
  }
};

struct Decompressor::Gz {
  z_stream s{};
  bool active = false;
  bool in_member = false;  // inside a member (bytes consumed since the last end)
  ~Gz() {
    if (active) inflateEnd(&s);
  }
};

Decompressor::Decompressor(ByteSink& out, uint64_t max_output, int threads)
    : out_(out), max_output_(max_output), threads_(threads), buffer_(new char[kBufferSize]) {}

Decompressor::~Decompressor() = default;

absl::Status Decompressor::Emit(const char* data, size_t size) {
  if (size == 0) return absl::OkStatus();
  output_bytes_ += size;
  if (output_bytes_ > max_output_) {
    return absl::ResourceExhaustedError(absl::StrCat("decompressed data exceeds the limit of ",
                                                     max_output_, " bytes (NETBLOCKS_MAX_BYTES)"));
  }
  return out_.Write(data, size);
}

absl::Status Decompressor::Write(const char* data, size_t size) {
  if (!failed_.ok()) return failed_;
  input_bytes_ += size;
  absl::Status s;
  if (compression_ == Compression::kUnknown) {
    size_t take = std::min(size, kSniffBytes - head_.size());
    head_.append(data, take);
    data += take;
    size -= take;
    if (head_.size() < kSniffBytes) return absl::OkStatus();
    const auto* h = reinterpret_cast<const unsigned char*>(head_.data());
    if (h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9') {
      compression_ = Compression::kBzip2;
    } else if (h[0] == 0x1f && h[1] == 0x8b) {
      compression_ = Compression::kGzip;
    } else {
      compression_ = Compression::kNone;
    }
    std::string head = std::move(head_);
    head_.clear();
    s = Feed(head.data(), head.size());
    if (!s.ok()) return failed_ = s;
  }
  s = Feed(data, size);
  if (!s.ok()) failed_ = s;
  return s;
}

absl::Status Decompressor::Feed(const char* data, size_t size) {
  if (size == 0) return absl::OkStatus();
  switch (compression_) {
    case Compression::kBzip2:
      return threads_ > 1 ? FeedParallelBz2(data, size) : FeedBz2(data, size);
    case Compression::kGzip:
      return FeedGz(data, size);
    default:
      return Emit(data, size);
  }
}

absl::Status Decompressor::FeedBz2(const char* data, size_t size) {
  if (!bz2_) bz2_ = std::make_unique<Bz2>();
  Bz2& b = *bz2_;
  b.s.next_in = const_cast<char*>(data);
  b.s.avail_in = static_cast<unsigned>(size);
  while (b.s.avail_in > 0) {
    if (!b.active) {
      b.s.bzalloc = nullptr;
      b.s.bzfree = nullptr;
      b.s.opaque = nullptr;
      char* in = b.s.next_in;
      unsigned avail = b.s.avail_in;
      if (BZ2_bzDecompressInit(&b.s, 0, 0) != BZ_OK) {
        return absl::ResourceExhaustedError("cannot initialise the bzip2 decompressor");
      }
      b.s.next_in = in;
      b.s.avail_in = avail;
      b.active = true;
    }
    b.s.next_out = buffer_.get();
    b.s.avail_out = kBufferSize;
    unsigned before = b.s.avail_in;
    int rc = BZ2_bzDecompress(&b.s);
    size_t produced = kBufferSize - b.s.avail_out;
    absl::Status s = Emit(buffer_.get(), produced);
    if (!s.ok()) return s;
    if (rc == BZ_OK && produced == 0 && b.s.avail_in == before) {
      return absl::DataLossError("bzip2: the decompressor makes no progress");
    }
    if (rc == BZ_STREAM_END) {
      // Another stream may follow (pbzip2 and friends write concatenated streams).
      BZ2_bzDecompressEnd(&b.s);
      b.active = false;
      b.any_stream = true;
    } else if (rc != BZ_OK) {
      uint64_t offset = input_bytes_ - b.s.avail_in;
      const char* what = rc == BZ_DATA_ERROR_MAGIC ? "not a bzip2 stream"
                         : rc == BZ_DATA_ERROR     ? "corrupt data (CRC or structure error)"
                         : rc == BZ_MEM_ERROR      ? "out of memory"
                                                   : "decompression error";
      return absl::DataLossError(absl::StrCat("bzip2: ", what, " near compressed byte ", offset));
    }
  }
  return absl::OkStatus();
}

absl::Status Decompressor::FeedParallelBz2(const char* data, size_t size) {
  if (!parallel_) {
    parallel_ = std::make_unique<ParallelBzip2Decoder>(
        threads_, [this](const char* d, size_t n) { return Emit(d, n); });
  }
  return parallel_->Write(data, size);
}

absl::Status Decompressor::FeedGz(const char* data, size_t size) {
  if (!gz_) gz_ = std::make_unique<Gz>();
  Gz& g = *gz_;
  g.s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  g.s.avail_in = static_cast<uInt>(size);
  while (g.s.avail_in > 0) {
    if (!g.active) {
      g.s.zalloc = Z_NULL;
      g.s.zfree = Z_NULL;
      g.s.opaque = Z_NULL;
      Bytef* in = g.s.next_in;
      uInt avail = g.s.avail_in;
      if (inflateInit2(&g.s, 15 + 16) != Z_OK) {  // gzip wrapper only
        return absl::ResourceExhaustedError("cannot initialise the gzip decompressor");
      }
      g.s.next_in = in;
      g.s.avail_in = avail;
      g.active = true;
    }
    g.in_member = true;
    g.s.next_out = reinterpret_cast<Bytef*>(buffer_.get());
    g.s.avail_out = kBufferSize;
    uInt before = g.s.avail_in;
    int rc = inflate(&g.s, Z_NO_FLUSH);
    size_t produced = kBufferSize - g.s.avail_out;
    absl::Status s = Emit(buffer_.get(), produced);
    if (!s.ok()) return s;
    if ((rc == Z_OK || rc == Z_BUF_ERROR) && produced == 0 && g.s.avail_in == before) {
      return absl::DataLossError("gzip: the decompressor makes no progress");
    }
    if (rc == Z_STREAM_END) {
      inflateReset(&g.s);  // another member may follow
      g.in_member = false;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      uint64_t offset = input_bytes_ - g.s.avail_in;
      return absl::DataLossError(absl::StrCat("gzip: ", g.s.msg ? g.s.msg : "corrupt data",
                                              " near compressed byte ", offset));
    }
  }
  return absl::OkStatus();
}

absl::Status Decompressor::Idle() {
  if (!failed_.ok()) return failed_;
  if (!parallel_) return absl::OkStatus();
  absl::Status s = parallel_->Poll();
  if (!s.ok()) failed_ = s;
  return s;
}

absl::Status Decompressor::Finish() {
  if (!failed_.ok()) return failed_;
  if (compression_ == Compression::kUnknown) {
    // Fewer bytes than the signature: pass them through as they are.
    compression_ = Compression::kNone;
    std::string head = std::move(head_);
    head_.clear();
    if (absl::Status s = Emit(head.data(), head.size()); !s.ok()) return failed_ = s;
  }
  if (compression_ == Compression::kBzip2 && parallel_) {
    absl::Status s = parallel_->Finish();
    if (!s.ok()) failed_ = s;
    return s;
  }
  if (compression_ == Compression::kBzip2 && (!bz2_ || bz2_->active || !bz2_->any_stream)) {
    return failed_ =
               absl::DataLossError(absl::StrCat("bzip2: the compressed stream ends early after ",
                                                input_bytes_, " bytes (truncated download?)"));
  }
  if (compression_ == Compression::kGzip && (!gz_ || gz_->in_member)) {
    return failed_ =
               absl::DataLossError(absl::StrCat("gzip: the compressed stream ends early after ",
                                                input_bytes_, " bytes (truncated download?)"));
  }
  return absl::OkStatus();
}

}  // namespace mm::netblocks
