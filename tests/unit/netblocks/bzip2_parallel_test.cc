// The parallel bzip2 decoder: block cutting at arbitrary bit offsets, in-order output, streams,
// the recovery from chance magics, CRC checks and errors — against libbz2's own encoder.
#include "services/netblocks/bzip2_parallel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "tests/testing/status_matchers.h"
#include "tests/unit/netblocks/mrt_writer.h"

namespace mm::netblocks {
namespace {

using ::mm::netblocks::testing::Bzip2;
using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;
using ::testing::HasSubstr;

std::string Data(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    // Runs (RLE1), text-like and random stretches, so blocks differ in size and shape.
    int mode = static_cast<int>((i / 4096) % 3);
    s[i] = mode == 0   ? '\0'
           : mode == 1 ? static_cast<char>('a' + rng() % 5)
                       : static_cast<char>(rng());
  }
  return s;
}

struct Result {
  absl::Status status;
  std::string out;
  uint64_t blocks = 0;
  uint64_t merges = 0;
};

Result Decode(const std::string& bz, int threads, size_t step, bool split = false) {
  Result r;
  ParallelBzip2Decoder d(threads, [&](const char* p, size_t n) {
    r.out.append(p, n);
    return absl::OkStatus();
  });
  if (split) d.SplitBlocksForTest();
  for (size_t off = 0; off < bz.size() && r.status.ok(); off += step) {
    r.status = d.Write(bz.data() + off, std::min(step, bz.size() - off));
  }
  if (r.status.ok()) r.status = d.Finish();
  r.blocks = d.blocks();
  r.merges = d.merges();
  return r;
}

TEST(ParallelBzip2Test, ManyBlocksAnyChunkingAnyThreads) {
  std::string data = Data(2 << 20, 1);
  std::string bz = Bzip2(data, 1);  // 100 kB blocks (before RLE): 15 of them
  for (int threads : {1, 2, 4}) {
    for (size_t step : {size_t{1} << 20, size_t{4096}, size_t{333}, size_t{1}}) {
      if (step == 1 && threads != 2) continue;  // slow; once is enough
      Result r = Decode(bz, threads, step);
      ASSERT_THAT(r.status, IsOk()) << threads << " threads, step " << step;
      EXPECT_EQ(r.out, data) << threads << " threads, step " << step;
      EXPECT_GE(r.blocks, 10u);
      EXPECT_EQ(r.merges, 0u);
    }
  }
}

TEST(ParallelBzip2Test, ConcatenatedAndEmptyStreams) {
  std::string a = Data(300000, 2), b = Data(700000, 3);
  Result r = Decode(Bzip2(a, 1) + Bzip2("", 9) + Bzip2(b, 2), 3, 10000);
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.out, a + b);
  r = Decode(Bzip2("", 9), 2, 3);
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.out, "");
}

TEST(ParallelBzip2Test, ChanceMagicsInsideBlocksAreMergedBack) {
  std::string data = Data(1 << 20, 4);
  Result r = Decode(Bzip2(data, 1), 2, 65536, /*split=*/true);
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.out, data);
  EXPECT_GE(r.merges, 5u);
}

TEST(ParallelBzip2Test, ErrorsAreDataLoss) {
  std::string data = Data(1 << 20, 5);
  std::string bz = Bzip2(data, 1);
  // Damage inside the 5th block or so.
  std::string corrupt = bz;
  for (size_t i = bz.size() / 4; i < bz.size() / 4 + 64; ++i)
    corrupt[i] = static_cast<char>(~corrupt[i]);
  Result r = Decode(corrupt, 2, 8192);
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("bzip2")));
  EXPECT_LT(r.out.size(), data.size());
  // Truncated.
  EXPECT_THAT(Decode(bz.substr(0, bz.size() - 20), 2, 8192).status,
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ends early")));
  EXPECT_THAT(Decode(bz.substr(0, 3), 2, 8192).status,
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ends early")));
  // Trailing data that is no stream.
  EXPECT_THAT(Decode(bz + "garbage!", 2, 8192).status,
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a bzip2 stream")));
  // Not bzip2 at all.
  EXPECT_THAT(Decode("BZh0 nope nope nope", 2, 8192).status,
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a bzip2 stream")));
  // The combined CRC at the end (the last 4 bytes before the padding) is wrong.
  std::string bad_crc = bz;
  bad_crc[bad_crc.size() - 2] = static_cast<char>(~bad_crc[bad_crc.size() - 2]);
  EXPECT_THAT(Decode(bad_crc, 2, 8192).status, StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ParallelBzip2Test, PollHandsOnFinishedBlocksWhileTheInputPauses) {
  // Half the input, then nothing more for a while: the blocks decoded meanwhile come out on
  // Poll() (a download waiting on the network calls it), not only with the next Write().
  std::string data = Data(1 << 20, 14);
  std::string bz = Bzip2(data, 1);
  std::string out;
  ParallelBzip2Decoder d(2, [&](const char* p, size_t n) {
    out.append(p, n);
    return absl::OkStatus();
  });
  ASSERT_THAT(d.Write(bz.data(), bz.size() / 2), IsOk());
  for (int i = 0; i < 1000 && out.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_THAT(d.Poll(), IsOk());
  }
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out, data.substr(0, out.size()));
  ASSERT_THAT(d.Write(bz.data() + bz.size() / 2, bz.size() - bz.size() / 2), IsOk());
  ASSERT_THAT(d.Finish(), IsOk());
  EXPECT_EQ(out, data);
}

TEST(ParallelBzip2Test, EmitErrorStops) {
  std::string bz = Bzip2(Data(1 << 20, 6), 1);
  int calls = 0;
  ParallelBzip2Decoder d(2, [&](const char*, size_t) {
    return ++calls > 2 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  absl::Status s = d.Write(bz.data(), bz.size());
  if (s.ok()) s = d.Finish();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(d.Write("x", 1), StatusIs(absl::StatusCode::kCancelled));
}

TEST(ParallelBzip2Test, GarbageNeverCrashesOrHangs) {
  std::mt19937 rng(9);
  std::string bz = Bzip2(Data(300000, 7), 1);
  for (int i = 0; i < 200; ++i) {
    std::string s = bz;
    int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) s[rng() % s.size()] = static_cast<char>(rng());
    if (rng() % 3 == 0) s.resize(rng() % s.size());
    Result r = Decode(s, 2, 1 + rng() % 70000);
    if (r.status.ok()) EXPECT_LE(r.out.size(), 300000u);
  }
}

TEST(ParallelBzip2Test, DataWithoutBlockBoundariesFailsEarly) {
  // A valid header and block magic, then data in which no magic ever appears: a decoder that
  // waits for the next boundary would buffer the whole (endless) download.
  std::string head = Bzip2(Data(200000, 10), 9).substr(0, 10);  // "BZh9" + magic
  ASSERT_EQ(head.substr(0, 4), "BZh9");
  std::string filler(64 << 10, '\0');
  for (int threads : {2, 4}) {
    ParallelBzip2Decoder d(threads, [](const char*, size_t) { return absl::OkStatus(); });
    absl::Status s = d.Write(head.data(), head.size());
    uint64_t fed = head.size();
    while (s.ok() && fed < (64u << 20)) {
      s = d.Write(filler.data(), filler.size());
      fed += filler.size();
    }
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss,
                            HasSubstr("no block boundary within 4194304 bytes after compressed "
                                      "byte 4")));
    // Stopped right after the bound, not at the end of the input.
    EXPECT_LE(fed, ParallelBzip2Decoder::kMaxBlockBytes + 2 * filler.size());
    EXPECT_THAT(d.Finish(), StatusIs(absl::StatusCode::kDataLoss));
  }
  // The same with the whole input in one Write.
  std::string big = head + std::string(6 << 20, '\x55');
  Result r = Decode(big, 3, big.size());
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("no block boundary")));
}

TEST(ParallelBzip2Test, DecodedBytesInFlightStayWithinTheBudget) {
  // Long runs of one byte: level 1 blocks (100 kB after the first run-length stage) expand to
  // about 5 MB each, so a few blocks in flight would hold far more than the budget.
  std::string data(40 << 20, '\0');
  for (size_t i = 0; i < data.size(); i += 1 << 20) data[i] = static_cast<char>(i >> 20);
  std::string bz = Bzip2(data, 1);
  const uint64_t budget = 8 << 20;
  std::string out;
  ParallelBzip2Decoder d(
      4,
      [&](const char* p, size_t n) {
        // A slow consumer: the workers get ahead unless the budget holds them back.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        out.append(p, n);
        return absl::OkStatus();
      },
      budget);
  ASSERT_THAT(d.Write(bz.data(), bz.size()), IsOk());
  ASSERT_THAT(d.Finish(), IsOk());
  EXPECT_TRUE(out == data);
  EXPECT_GE(d.blocks(), 7u);
  EXPECT_GE(d.largest_block_bytes(), 4u << 20);
  // Over the budget only by the oldest block's buffer, which must always be able to grow.
  EXPECT_LE(d.peak_inflight_bytes(), budget + d.largest_block_bytes());

  // Without a budget the same decode holds several blocks at once (what the test guards).
  ParallelBzip2Decoder unbounded(
      4,
      [&](const char*, size_t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return absl::OkStatus();
      },
      uint64_t{1} << 40);
  ASSERT_THAT(unbounded.Write(bz.data(), bz.size()), IsOk());
  ASSERT_THAT(unbounded.Finish(), IsOk());
  EXPECT_GT(unbounded.peak_inflight_bytes(), budget + unbounded.largest_block_bytes());
}

TEST(ParallelBzip2Test, TinyBudgetStillDecodesEverything) {
  std::string data = Data(3 << 20, 11);
  std::string bz = Bzip2(data, 1);
  for (int threads : {2, 5}) {
    std::string out;
    ParallelBzip2Decoder d(
        threads,
        [&](const char* p, size_t n) {
          out.append(p, n);
          return absl::OkStatus();
        },
        /*max_inflight_bytes=*/1);
    for (size_t off = 0; off < bz.size(); off += 50000) {
      ASSERT_THAT(d.Write(bz.data() + off, std::min<size_t>(50000, bz.size() - off)), IsOk());
    }
    ASSERT_THAT(d.Finish(), IsOk());
    EXPECT_TRUE(out == data) << threads;
    // Only the oldest block ever holds memory.
    EXPECT_LE(d.peak_inflight_bytes(), d.largest_block_bytes() + 1);
  }
}

TEST(ParallelBzip2Test, SingleBlockDecoder) {
  std::string data = Data(50000, 8);
  std::string bz = Bzip2(data, 9);
  std::string out;
  // The only block starts right after "BZh9"; it ends 80 bits + padding before the end.
  ASSERT_GT(bz.size(), 20u);
  // Find the end magic by brute force.
  uint64_t end = 0;
  for (uint64_t bit = 32 + 48; bit + 48 <= bz.size() * 8; ++bit) {
    uint64_t v = 0;
    for (int k = 0; k < 48; ++k) {
      uint64_t b = bit + static_cast<uint64_t>(k);
      v = (v << 1) | ((static_cast<unsigned char>(bz[b / 8]) >> (7 - b % 8)) & 1);
    }
    if (v == 0x177245385090ull) {
      end = bit;
      break;
    }
  }
  ASSERT_GT(end, 0u);
  ASSERT_THAT(DecodeBzip2Block(bz, 32, end, &out), IsOk());
  EXPECT_EQ(out, data);
  EXPECT_THAT(DecodeBzip2Block(bz, 32, end - 9, &out), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeBzip2Block(bz, 32, 60, &out), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mm::netblocks
