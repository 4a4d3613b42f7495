#include "services/netblocks/bzip2_parallel.h"

#include <bzlib.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mm::netblocks {
namespace {

constexpr uint64_t kBlockMagic = 0x314159265359ull;
constexpr uint64_t kEndMagic = 0x177245385090ull;
constexpr uint64_t kMask48 = (1ull << 48) - 1;
constexpr size_t kMaxBlockOutput = 64u << 20;  // a real block expands to <= ~46 MB (RLE1)

// Appends bit strings, most significant bit first (bzip2's bit order).
class BitWriter {
 public:
  void Put(uint64_t value, int bits) {
    for (int i = bits - 1; i >= 0; --i) PutBit((value >> i) & 1);
  }
  // Bits [from, to) of `raw`.
  void PutBits(const std::string& raw, uint64_t from, uint64_t to) {
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    if (nbits_ == 0) {
      // Byte-aligned writer: shift whole bytes (the common path).
      uint64_t len = to - from;
      uint64_t fb = from / 8;
      int shift = static_cast<int>(from % 8);
      uint64_t whole = len / 8;
      size_t start = out_.size();
      out_.resize(start + whole);
      char* o = out_.data() + start;
      if (shift == 0) {
        std::memcpy(o, p + fb, whole);
      } else {
        for (uint64_t j = 0; j < whole; ++j) {
          o[j] = static_cast<char>((p[fb + j] << shift) | (p[fb + j + 1] >> (8 - shift)));
        }
      }
      for (uint64_t b = from + whole * 8; b < to; ++b) PutBit((p[b / 8] >> (7 - b % 8)) & 1);
      return;
    }
    for (uint64_t b = from; b < to; ++b) PutBit((p[b / 8] >> (7 - b % 8)) & 1);
  }
  // Pads the last byte with zero bits and returns the bytes.
  std::string Finish() {
    if (nbits_ > 0) {
      out_.push_back(static_cast<char>(acc_ << (8 - nbits_)));
      nbits_ = 0;
      acc_ = 0;
    }
    return std::move(out_);
  }
  uint64_t bit_size() const { return out_.size() * 8 + static_cast<uint64_t>(nbits_); }

 private:
  void PutBit(unsigned bit) {
    acc_ = static_cast<unsigned char>((acc_ << 1) | bit);
    if (++nbits_ == 8) {
      out_.push_back(static_cast<char>(acc_));
      nbits_ = 0;
      acc_ = 0;
    }
  }
  std::string out_;
  unsigned char acc_ = 0;
  int nbits_ = 0;
};

uint32_t ReadBits(const std::string& raw, uint64_t bit, int n) {
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  uint32_t v = 0;
  for (int i = 0; i < n; ++i, ++bit) v = (v << 1) | ((p[bit / 8] >> (7 - bit % 8)) & 1);
  return v;
}

bool IsStreamHeader(const unsigned char* h) {
  return h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9';
}

}  // namespace

absl::Status DecodeBzip2Block(const std::string& raw, uint64_t begin_bit, uint64_t end_bit,
                              std::string* out, const std::function<bool(size_t)>& reserve) {
  if (end_bit < begin_bit + 80 || end_bit > raw.size() * 8) {
    return absl::DataLossError("bzip2: block too short");
  }
  // A one-block stream: header, the block, the end mark, and as combined CRC the block's CRC
  // (the combined CRC of a single block is the block CRC itself).
  BitWriter w;
  w.Put(0x425A6839, 32);  // "BZh9": the largest block size accepts every block
  w.PutBits(raw, begin_bit, end_bit);
  w.Put(kEndMagic, 48);
  w.Put(ReadBits(raw, begin_bit + 48, 32), 32);
  std::string stream = w.Finish();

  bz_stream s{};
  if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
    return absl::ResourceExhaustedError("cannot initialise the bzip2 decompressor");
  }
  s.next_in = stream.data();
  s.avail_in = static_cast<unsigned>(stream.size());
  out->clear();
  const size_t initial = std::min(std::max<size_t>(stream.size() * 4, 1 << 16), kMaxBlockOutput);
  if (reserve && !reserve(initial)) {
    BZ2_bzDecompressEnd(&s);
    return absl::CancelledError("bzip2: block decoding stopped");
  }
  out->resize(initial);
  size_t used = 0;
  int rc = BZ_OK;
  bool stopped = false;
  while (rc == BZ_OK) {
    if (used == out->size()) {
      if (out->size() >= kMaxBlockOutput) {
        rc = BZ_MEM_ERROR;
        break;
      }
      size_t grown = std::min(out->size() * 2, kMaxBlockOutput);
      if (reserve && !reserve(grown - out->size())) {
        stopped = true;
        break;
      }
      out->resize(grown);
    }
    s.next_out = out->data() + used;
    s.avail_out = static_cast<unsigned>(out->size() - used);
    unsigned before_in = s.avail_in;
    unsigned before_out = s.avail_out;
    rc = BZ2_bzDecompress(&s);
    used = out->size() - s.avail_out;
    if (rc == BZ_OK && s.avail_in == before_in && s.avail_out == before_out) {
      rc = BZ_DATA_ERROR;  // no progress: the stream is inconsistent
    }
  }
  BZ2_bzDecompressEnd(&s);
  out->resize(used);
  if (stopped) return absl::CancelledError("bzip2: block decoding stopped");
  if (rc != BZ_STREAM_END) {
    return absl::DataLossError(rc == BZ_MEM_ERROR ? "bzip2: block expands beyond 64 MiB"
                                                  : "bzip2: corrupt data (CRC or structure error)");
  }
  return absl::OkStatus();
}

struct ParallelBzip2Decoder::Job {
  uint64_t seq = 0;
  bool end_of_stream = false;
  uint32_t stored_crc = 0;  // end of stream: the combined CRC written in the file
  uint32_t block_crc = 0;
  std::string raw;  // bytes covering [begin_bit, end_bit)
  uint64_t begin_bit = 0;
  uint64_t end_bit = 0;
  uint64_t abs_byte = 0;  // compressed offset of raw[0], for messages
  // Results, under mu_.
  bool done = false;
  absl::Status status;
  std::string output;
  bool absorbed = false;
  uint64_t reserved = 0;  // output budget held
};

ParallelBzip2Decoder::ParallelBzip2Decoder(int threads, Emit emit, uint64_t max_inflight_bytes)
    : emit_(std::move(emit)), max_inflight_bytes_(max_inflight_bytes) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ParallelBzip2Decoder::~ParallelBzip2Decoder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  work_cv_.notify_all();
  budget_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

uint64_t ParallelBzip2Decoder::peak_inflight_bytes() {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_reserved_;
}

uint64_t ParallelBzip2Decoder::largest_block_bytes() {
  std::lock_guard<std::mutex> lock(mu_);
  return largest_job_;
}

bool ParallelBzip2Decoder::Reserve(Job& job, size_t bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  // The oldest unemitted job never waits: its completion is what frees the budget.
  budget_cv_.wait(lock, [&] {
    return stop_ || job.absorbed || job.seq == front_seq_ ||
           reserved_ + bytes <= max_inflight_bytes_;
  });
  if (stop_ || job.absorbed) return false;  // its output would be thrown away
  reserved_ += bytes;
  job.reserved += bytes;
  peak_reserved_ = std::max(peak_reserved_, reserved_);
  largest_job_ = std::max(largest_job_, job.reserved);
  return true;
}

void ParallelBzip2Decoder::PopFront() {
  std::shared_ptr<Job> job = std::move(inflight_.front());
  inflight_.pop_front();
  {
    std::lock_guard<std::mutex> lock(mu_);
    reserved_ -= job->reserved;
    job->reserved = 0;
    front_seq_ = inflight_.empty() ? next_seq_ : inflight_.front()->seq;
  }
  budget_cv_.notify_all();
}

void ParallelBzip2Decoder::WorkerLoop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::string out;
    absl::Status s = DecodeBzip2Block(job->raw, job->begin_bit, job->end_bit, &out,
                                      [&](size_t n) { return Reserve(*job, n); });
    {
      std::lock_guard<std::mutex> lock(mu_);
      job->output = std::move(out);
      job->status = std::move(s);
      job->done = true;
    }
    done_cv_.notify_all();
  }
}

absl::Status ParallelBzip2Decoder::Fail(absl::Status s) {
  if (failed_.ok()) failed_ = std::move(s);
  return failed_;
}

uint32_t ParallelBzip2Decoder::BitsAt(uint64_t bit, int n) const {
  return ReadBits(buf_, bit - buf_base_ * 8, n);
}

void ParallelBzip2Decoder::Dispatch(std::shared_ptr<Job> job) {
  job->seq = next_seq_++;
  inflight_.push_back(job);
  if (job->end_of_stream) {
    job->done = true;
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(job));
  }
  work_cv_.notify_one();
}

void ParallelBzip2Decoder::Cut(uint64_t end_bit) {
  scan_crc_ = ((scan_crc_ << 1) | (scan_crc_ >> 31)) ^ BitsAt(pos_ + 48, 32);
  auto make = [&](uint64_t from, uint64_t to) {
    auto job = std::make_shared<Job>();
    uint64_t first = from / 8;
    uint64_t last = (to + 7) / 8;
    job->raw = buf_.substr(first - buf_base_, last - first);
    job->begin_bit = from - first * 8;
    job->end_bit = to - first * 8;
    job->abs_byte = first;
    job->block_crc = BitsAt(from + 48, 32);
    return job;
  };
  if (split_for_test_ && end_bit - pos_ > 400) {
    uint64_t mid = pos_ + 80 + (end_bit - pos_ - 80) / 2;
    auto a = make(pos_, mid);
    auto b = make(mid, end_bit);
    b->block_crc = 0;  // not a block: its "CRC" is data
    Dispatch(a);
    Dispatch(b);
    return;
  }
  Dispatch(make(pos_, end_bit));
}

absl::Status ParallelBzip2Decoder::Scan(bool at_end) {
  const uint64_t avail_bytes = buf_base_ + buf_.size();
  const uint64_t avail_bits = avail_bytes * 8;
  for (;;) {
    switch (state_) {
      case State::kHeader: {
        uint64_t hb = pos_ / 8;
        if (avail_bytes < hb + 4) {
          if (!at_end) return absl::OkStatus();
          if (avail_bytes == hb && any_stream_) return absl::OkStatus();
          if (!any_stream_ || avail_bytes > hb) {
            return absl::DataLossError(absl::StrCat(
                any_stream_ ? "bzip2: not a bzip2 stream near compressed byte "
                            : "bzip2: the compressed stream ends early after ",
                any_stream_ ? hb : avail_bytes, any_stream_ ? "" : " bytes (truncated download?)"));
          }
          return absl::OkStatus();
        }
        const auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + (hb - buf_base_));
        if (!IsStreamHeader(h)) {
          return absl::DataLossError(
              absl::StrCat("bzip2: not a bzip2 stream near compressed byte ", hb));
        }
        uint64_t first = (hb + 4) * 8;
        if (avail_bits < first + 48) {
          if (!at_end) return absl::OkStatus();
          return absl::DataLossError(absl::StrCat("bzip2: the compressed stream ends early after ",
                                                  avail_bytes, " bytes (truncated download?)"));
        }
        uint64_t magic = (uint64_t{BitsAt(first, 24)} << 24) | BitsAt(first + 24, 24);
        if (magic == kBlockMagic) {
          state_ = State::kBlocks;
          pos_ = first;
          search_from_ = first + 48;
        } else if (magic == kEndMagic) {
          // An empty stream.
          state_ = State::kEndCandidate;
          pos_ = first;
          search_from_ = first;
        } else {
          return absl::DataLossError(
              absl::StrCat("bzip2: not a bzip2 stream near compressed byte ", hb));
        }
        break;
      }
      case State::kBlocks: {
        // Next block or end magic at or after search_from_.
        uint64_t found = 0;
        bool is_end = false;
        bool hit = false;
        if (avail_bits >= search_from_ + 48) {
          uint64_t i = (search_from_ + 48) / 8;
          if (i > 0) --i;
          uint64_t reg = 0;
          uint64_t pre = i >= buf_base_ + 7 ? i - 7 : buf_base_;
          const auto* p = reinterpret_cast<const unsigned char*>(buf_.data()) - buf_base_;
          for (uint64_t j = pre; j < i; ++j) reg = (reg << 8) | p[j];
          for (; i < avail_bytes && !hit; ++i) {
            reg = (reg << 8) | p[i];
            for (int k = 7; k >= 0; --k) {
              uint64_t w = (reg >> k) & kMask48;
              if (w != kBlockMagic && w != kEndMagic) continue;
              uint64_t start = (i + 1) * 8 - static_cast<uint64_t>(k) - 48;
              if (start < search_from_) continue;
              found = start;
              is_end = w == kEndMagic;
              hit = true;
              break;
            }
          }
        }
        if ((hit ? found : avail_bits) - pos_ > kMaxBlockBytes * 8) {
          // No real block is this long: the data is corrupt (or never was bzip2), and
          // buffering on would hold the whole download.
          return absl::DataLossError(absl::StrCat("bzip2: no block boundary within ",
                                                  kMaxBlockBytes, " bytes after compressed byte ",
                                                  pos_ / 8, " (corrupt data)"));
        }
        if (!hit) {
          if (avail_bits >= 47) search_from_ = std::max(search_from_, avail_bits - 47);
          if (at_end) {
            return absl::DataLossError(
                absl::StrCat("bzip2: the compressed stream ends early after ", avail_bytes,
                             " bytes (truncated download?)"));
          }
          return absl::OkStatus();
        }
        if (is_end) {
          state_ = State::kEndCandidate;
          search_from_ = found;  // the end magic's position
        } else {
          Cut(found);
          pos_ = found;
          search_from_ = found + 48;
        }
        break;
      }
      case State::kEndCandidate: {
        const uint64_t end = search_from_;
        const bool has_block = end != pos_;
        const uint64_t next_byte = (end + 80 + 7) / 8;
        bool real;
        if (avail_bits >= end + 80 && has_block &&
            BitsAt(end + 48, 32) ==
                (((scan_crc_ << 1) | (scan_crc_ >> 31)) ^ BitsAt(pos_ + 48, 32))) {
          real = true;  // the combined CRC of the stream so far, this block included
        } else if (avail_bytes >= next_byte + 4) {
          real = IsStreamHeader(
              reinterpret_cast<const unsigned char*>(buf_.data() + (next_byte - buf_base_)));
        } else if (at_end) {
          if (avail_bits < end + 80) {
            return absl::DataLossError(
                absl::StrCat("bzip2: the compressed stream ends early after ", avail_bytes,
                             " bytes (truncated download?)"));
          }
          real = true;  // end of input; trailing bytes, if any, are reported by kHeader
        } else {
          return absl::OkStatus();
        }
        if (!real) {
          // A chance occurrence of the end magic inside a block.
          state_ = has_block ? State::kBlocks : State::kHeader;
          if (!has_block) {
            return absl::DataLossError(
                absl::StrCat("bzip2: corrupt stream near compressed byte ", end / 8));
          }
          search_from_ = end + 1;
          break;
        }
        if (has_block) Cut(end);
        auto marker = std::make_shared<Job>();
        marker->end_of_stream = true;
        marker->stored_crc = BitsAt(end + 48, 32);
        marker->abs_byte = end / 8;
        Dispatch(marker);
        any_stream_ = true;
        scan_crc_ = 0;
        state_ = State::kHeader;
        pos_ = next_byte * 8;
        search_from_ = pos_;
        break;
      }
    }
    // Keep only what the current state still needs.
    uint64_t keep = std::min<uint64_t>(pos_ / 8, avail_bytes);
    if (keep > buf_base_ + (1u << 20)) {
      buf_.erase(0, keep - buf_base_);
      buf_base_ = keep;
    }
  }
}

absl::Status ParallelBzip2Decoder::Complete(std::shared_ptr<Job> job, bool at_end,
                                            bool* wait_for_more) {
  *wait_for_more = false;
  if (job->status.ok()) return absl::OkStatus();
  // Maybe a chance block magic split this block: merge the following pieces back in.
  for (int m = 1; m <= kMaxMerges; ++m) {
    if (inflight_.size() <= static_cast<size_t>(m) || inflight_[m]->end_of_stream) {
      if (!at_end && inflight_.size() <= static_cast<size_t>(m)) {
        *wait_for_more = true;
        return absl::OkStatus();
      }
      break;
    }
    BitWriter w;
    for (int k = 0; k <= m; ++k) {
      const Job& part = *inflight_[k];
      w.PutBits(part.raw, part.begin_bit, part.end_bit);
    }
    uint64_t bits = w.bit_size();
    std::string merged = w.Finish();
    std::string out;
    if (DecodeBzip2Block(merged, 0, bits, &out).ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      job->output = std::move(out);
      job->status = absl::OkStatus();
      for (int k = 1; k <= m; ++k) inflight_[k]->absorbed = true;
      merges_ += static_cast<uint64_t>(m);
      return absl::OkStatus();
    }
  }
  return absl::DataLossError(
      absl::StrCat(job->status.message(), " near compressed byte ", job->abs_byte));
}

absl::Status ParallelBzip2Decoder::Drain(bool all, bool at_end) {
  const size_t max_inflight = 2 * workers_.size() + 2;
  while (!inflight_.empty()) {
    std::shared_ptr<Job> job = inflight_.front();
    bool absorbed;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!job->done && !job->absorbed) {
        if (!all && inflight_.size() <= max_inflight) return absl::OkStatus();
        done_cv_.wait(lock, [&] { return job->done || job->absorbed; });
      }
      absorbed = job->absorbed;
    }
    if (absorbed) {
      PopFront();
      continue;
    }
    if (job->end_of_stream) {
      if (combined_crc_ != job->stored_crc) {
        return absl::DataLossError(
            absl::StrCat("bzip2: stream CRC mismatch near compressed byte ", job->abs_byte));
      }
      combined_crc_ = 0;
      PopFront();
      continue;
    }
    bool wait_for_more = false;
    absl::Status s = Complete(job, at_end, &wait_for_more);
    if (!s.ok()) return s;
    if (wait_for_more) return absl::OkStatus();
    combined_crc_ = ((combined_crc_ << 1) | (combined_crc_ >> 31)) ^ job->block_crc;
    ++blocks_;
    // The output stays counted against the budget until it has been handed on.
    absl::Status e = emit_(job->output.data(), job->output.size());
    std::string().swap(job->output);
    PopFront();
    if (!e.ok()) return e;
  }
  return absl::OkStatus();
}

absl::Status ParallelBzip2Decoder::Write(const char* data, size_t size) {
  if (!failed_.ok()) return failed_;
  buf_.append(data, size);
  if (absl::Status s = Scan(false); !s.ok()) return Fail(s);
  if (absl::Status s = Drain(false, false); !s.ok()) return Fail(s);
  return absl::OkStatus();
}

absl::Status ParallelBzip2Decoder::Poll() {
  if (!failed_.ok()) return failed_;
  if (absl::Status s = Drain(false, false); !s.ok()) return Fail(s);
  return absl::OkStatus();
}

absl::Status ParallelBzip2Decoder::Finish() {
  if (!failed_.ok()) return failed_;
  if (absl::Status s = Scan(true); !s.ok()) return Fail(s);
  if (absl::Status s = Drain(true, true); !s.ok()) return Fail(s);
  if (!any_stream_) {
    return Fail(
        absl::DataLossError("bzip2: the compressed stream ends early (truncated download?)"));
  }
  return absl::OkStatus();
}

}  // namespace mm::netblocks
