// Streaming decompression, the chunk pipe, URL fetching (file:// and loopback HTTP) and the
// whole fetch -> decompress -> parse pipeline.
#include "services/netblocks/rib_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "services/netblocks/decompressor.h"
#include "services/netblocks/fetcher.h"
#include "services/netblocks/netblock_table.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/netblocks/mrt_writer.h"
#include "tests/unit/netblocks/test_http_server.h"

namespace mm::netblocks {
namespace {

using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::mm::netblocks::testing;  // NOLINT: test helpers

class StringSink final : public ByteSink {
 public:
  absl::Status Write(const char* data, size_t size) override {
    out.append(data, size);
    ++writes;
    return fail_after >= 0 && writes > fail_after ? absl::CancelledError("sink says stop")
                                                  : absl::OkStatus();
  }
  std::string out;
  int writes = 0;
  int fail_after = -1;
};

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  // Compressible but not trivially: words from a small alphabet.
  for (auto& c : s) c = static_cast<char>('a' + rng() % 7);
  return s;
}

// Decompresses `input` fed in pieces of `step` bytes.
absl::Status Decompress(const std::string& input, size_t step, std::string* out,
                        Compression* kind = nullptr, uint64_t max = 1ull << 40, int threads = 1) {
  StringSink sink;
  Decompressor d(sink, max, threads);
  for (size_t off = 0; off < input.size(); off += step) {
    absl::Status s = d.Write(input.data() + off, std::min(step, input.size() - off));
    if (!s.ok()) return s;
  }
  absl::Status s = d.Finish();
  *out = sink.out;
  if (kind) *kind = d.compression();
  return s;
}

class DecompressorTest : public ::testing::TestWithParam<int> {};
INSTANTIATE_TEST_SUITE_P(Threads, DecompressorTest, ::testing::Values(1, 3));

TEST_P(DecompressorTest, RecognisesBzip2GzipAndPlain) {
  std::string data = RandomBytes(3 << 20, 1);
  for (size_t step : {1u << 20, 4096u, 7u}) {
    if (step == 7u) data.resize(100000);
    std::string out;
    Compression kind;
    ASSERT_THAT(Decompress(Bzip2(data, 1), step, &out, &kind, 1ull << 40, GetParam()), IsOk());
    EXPECT_EQ(kind, Compression::kBzip2);
    EXPECT_EQ(out, data);
    ASSERT_THAT(Decompress(Gzip(data), step, &out, &kind), IsOk());
    EXPECT_EQ(kind, Compression::kGzip);
    EXPECT_EQ(out, data);
    ASSERT_THAT(Decompress(data, step, &out, &kind), IsOk());
    EXPECT_EQ(kind, Compression::kNone);
    EXPECT_EQ(out, data);
  }
}

TEST_P(DecompressorTest, ConcatenatedStreamsAndMembers) {
  std::string a = RandomBytes(200000, 2), b = RandomBytes(300000, 3);
  std::string out;
  ASSERT_THAT(Decompress(Bzip2(a) + Bzip2(b), 65536, &out, nullptr, 1ull << 40, GetParam()),
              IsOk());
  EXPECT_EQ(out, a + b);
  ASSERT_THAT(Decompress(Gzip(a) + Gzip(b), 65536, &out), IsOk());
  EXPECT_EQ(out, a + b);
}

TEST_P(DecompressorTest, TinyInputsPassThrough) {
  std::string out;
  ASSERT_THAT(Decompress("", 1, &out), IsOk());
  EXPECT_EQ(out, "");
  ASSERT_THAT(Decompress("BZ", 1, &out), IsOk());
  EXPECT_EQ(out, "BZ");
}

TEST_P(DecompressorTest, CorruptStreamsAreDataLoss) {
  const int t = GetParam();
  std::string data = RandomBytes(500000, 4);
  std::string bz = Bzip2(data);
  std::string out;
  std::string corrupt = bz;
  for (size_t i = 100; i < 200; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
  EXPECT_THAT(Decompress(corrupt, 4096, &out, nullptr, 1ull << 40, t),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("bzip2")));
  EXPECT_THAT(Decompress(bz.substr(0, bz.size() / 2), 4096, &out, nullptr, 1ull << 40, t),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ends early")));
  EXPECT_THAT(Decompress(bz + "garbage!", 4096, &out, nullptr, 1ull << 40, t),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a bzip2 stream")));
  std::string gz = Gzip(data);
  corrupt = gz;
  for (size_t i = 50; i < 150; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
  EXPECT_THAT(Decompress(corrupt, 4096, &out),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("gzip")));
  EXPECT_THAT(Decompress(gz.substr(0, gz.size() - 10), 4096, &out),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ends early")));
  // Header only.
  EXPECT_THAT(Decompress("BZh9", 4096, &out), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Decompress(std::string("\x1f\x8b", 2) + "xx", 4096, &out),
              StatusIs(absl::StatusCode::kDataLoss));
}

// Each way a download can be damaged, for both formats (and both bzip2 decoders): DATA_LOSS
// naming the format, never a crash or a hang.
TEST_P(DecompressorTest, EveryKindOfCorruptStreamIsDataLoss) {
  const int t = GetParam();
  std::string data = RandomBytes(300000, 11);
  std::string out;
  auto flip = [](std::string s, size_t at) {
    s[at] = static_cast<char>(~s[at]);
    return s;
  };
  const std::string bz = Bzip2(data, 1);
  ASSERT_EQ(bz.substr(0, 4), "BZh1");
  const std::vector<std::pair<std::string, std::string>> bad_bz2 = {
      {"first block's CRC (bytes 10-13)", flip(bz, 11)},
      {"combined stream CRC (end)", flip(bz, bz.size() - 2)},
      {"block data", flip(bz, bz.size() / 2)},
      {"cut after the header", bz.substr(0, 4)},
      {"cut after the block magic", bz.substr(0, 10)},
      {"cut in the middle", bz.substr(0, bz.size() / 2)},
      {"cut one byte short", bz.substr(0, bz.size() - 1)},
      {"trailing garbage", bz + "garbage!"},
      {"trailing zero byte", bz + std::string(1, '\0')},
      {"a good stream, then a corrupt one", bz + flip(Bzip2(data, 1), bz.size() / 2)},
      {"a good stream, then a truncated one", bz + Bzip2(data, 1).substr(0, 100)},
      {"no block magic after the header", "BZh9" + std::string(5000, 'x')},
  };
  for (const auto& [what, input] : bad_bz2) {
    for (size_t step : {4096u, 1u << 20}) {
      EXPECT_THAT(Decompress(input, step, &out, nullptr, 1ull << 40, t),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("bzip2")))
          << what << ", threads " << t << ", step " << step;
    }
  }
  const std::string gz = Gzip(data);
  ASSERT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  std::string bad_method = gz;
  bad_method[2] = 9;
  std::string bad_flags = gz;
  bad_flags[3] = static_cast<char>(0xE0);
  const std::vector<std::pair<std::string, std::string>> bad_gz = {
      {"deflate data", flip(gz, gz.size() / 2)},
      {"CRC-32 trailer", flip(gz, gz.size() - 6)},
      {"length trailer", flip(gz, gz.size() - 2)},
      {"compression method", bad_method},
      {"reserved header flags", bad_flags},
      {"cut after the header", gz.substr(0, 10)},
      {"cut in the middle", gz.substr(0, gz.size() / 2)},
      {"cut before the trailer", gz.substr(0, gz.size() - 8)},
      {"cut one byte short", gz.substr(0, gz.size() - 1)},
      {"trailing garbage", gz + "garbage!"},
      {"a good member, then a corrupt one", gz + flip(gz, gz.size() / 2)},
  };
  for (const auto& [what, input] : bad_gz) {
    for (size_t step : {4096u, 1u << 20}) {
      EXPECT_THAT(Decompress(input, step, &out, nullptr, 1ull << 40, t),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("gzip")))
          << what << ", step " << step;
    }
  }
}

// Random damage: the result is either the original data (a byte that does not matter, such as
// the gzip header's time stamp), the input itself (the signature was hit: not compressed), or
// DATA_LOSS.
TEST_P(DecompressorTest, RandomDamageIsDetected) {
  std::mt19937 rng(12 + GetParam());
  std::string data = RandomBytes(150000, 13);
  for (const std::string& good : {Bzip2(data, 1), Gzip(data)}) {
    for (int i = 0; i < 60; ++i) {
      std::string s = good;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) s[rng() % s.size()] = static_cast<char>(rng());
      std::string out;
      Compression kind = Compression::kUnknown;
      absl::Status st = Decompress(s, 1 + rng() % 20000, &out, &kind, 1ull << 40, GetParam());
      if (st.ok()) {
        EXPECT_TRUE(out == data || (kind == Compression::kNone && out == s)) << "round " << i;
      } else {
        EXPECT_THAT(st, StatusIs(absl::StatusCode::kDataLoss)) << "round " << i;
      }
    }
  }
}

TEST_P(DecompressorTest, OutputLimitStopsBombs) {
  std::string zeros(20 << 20, '\0');
  std::string bz = Bzip2(zeros);
  EXPECT_LT(bz.size(), 1000u);
  std::string out;
  EXPECT_THAT(Decompress(bz, 4096, &out, nullptr, 1 << 20, GetParam()),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("NETBLOCKS_MAX_BYTES")));
  EXPECT_LE(out.size(), (1u << 20) + (1u << 20));
}

TEST_P(DecompressorTest, SinkErrorStopsDecompression) {
  StringSink sink;
  sink.fail_after = 1;
  Decompressor d(sink, 1ull << 40, GetParam());
  std::string bz = Bzip2(RandomBytes(4 << 20, 5), 1);
  absl::Status s = d.Write(bz.data(), bz.size());
  if (s.ok()) s = d.Finish();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(d.Write("x", 1), StatusIs(absl::StatusCode::kCancelled));
}

TEST(ChunkPipeTest, BoundedAndOrdered) {
  ChunkPipe pipe(1000, 2);
  std::string data = RandomBytes(100000, 6);
  std::atomic<size_t> max_ahead{0};
  std::atomic<size_t> consumed{0};
  std::thread producer([&] {
    for (size_t off = 0; off < data.size(); off += 333) {
      ASSERT_THAT(pipe.Write(data.data() + off, std::min<size_t>(333, data.size() - off)), IsOk());
      size_t ahead = off - std::min(off, consumed.load());
      if (ahead > max_ahead) max_ahead = ahead;
    }
    pipe.CloseWrite(absl::OkStatus());
  });
  std::string got, chunk;
  while (pipe.Pop(&chunk)) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    got += chunk;
    consumed = got.size();
    pipe.Recycle(std::move(chunk));
  }
  producer.join();
  EXPECT_EQ(got, data);
  EXPECT_THAT(pipe.producer_status(), IsOk());
  // At most the queued chunks, the one being filled and the one being consumed are ahead.
  EXPECT_LE(max_ahead.load(), 4 * 1000u + 333u);
}

TEST(ChunkPipeTest, CancelUnblocksTheProducer) {
  ChunkPipe pipe(10, 1);
  std::thread producer([&] {
    std::string big(10000, 'x');
    EXPECT_THAT(pipe.Write(big.data(), big.size()), StatusIs(absl::StatusCode::kAborted));
    pipe.CloseWrite(absl::AbortedError("x"));
  });
  std::string chunk;
  ASSERT_TRUE(pipe.Pop(&chunk));
  pipe.Cancel(absl::AbortedError("consumer gave up"));
  producer.join();
  EXPECT_FALSE(pipe.Pop(&chunk));
}

class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fetcher_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    ASSERT_TRUE(http_.ok());
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
  TestHttpServer http_;
  UrlFetcher fetcher_;
};

TEST_F(FetcherTest, LocalFilesByUrlAndPath) {
  std::string data = RandomBytes(3 << 20, 7);
  ASSERT_TRUE(WriteFile(dir_ + "/f.bin", data));
  EXPECT_EQ(*fetcher_.Get("file://" + dir_ + "/f.bin", 10 << 20), data);
  EXPECT_EQ(*fetcher_.Get(dir_ + "/f.bin", 10 << 20), data);
  EXPECT_EQ(*fetcher_.Get("file://localhost" + dir_ + "/f.bin", 10 << 20), data);
  EXPECT_THAT(fetcher_.Get("file://" + dir_ + "/missing", 100),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  EXPECT_THAT(fetcher_.Get("file://" + dir_ + "/f.bin", 100),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(fetcher_.Get("file://" + dir_, 100), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(fetcher_.Get("ftp://example.org/x", 100),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unsupported URL")));
  EXPECT_THAT(fetcher_.Get("relative/path", 100), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(FetcherTest, HttpBodiesAndErrors) {
  std::string data = RandomBytes(2 << 20, 8);
  http_.Serve("/rib.bz2", data);
  http_.Serve("/gone", "x", 410);
  http_.Serve("/broken", "x", 503);
  EXPECT_EQ(*fetcher_.Get(http_.Url("/rib.bz2"), 10 << 20), data);
  EXPECT_THAT(fetcher_.Get(http_.Url("/nothing"), 100),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("404")));
  EXPECT_THAT(fetcher_.Get(http_.Url("/gone"), 100), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(fetcher_.Get(http_.Url("/broken"), 100),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("503")));
  EXPECT_THAT(fetcher_.Get(http_.Url("/rib.bz2"), 1000),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Nothing listens on port 1.
  EXPECT_THAT(fetcher_.Get("http://127.0.0.1:1/x", 100), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(FetcherTest, DirectoryListings) {
  http_.ServeIndex("/RIBS/", {"rib.20240101.0000.bz2", "older.txt"});
  auto links = fetcher_.ListDirectory(http_.Url("/RIBS/"));
  ASSERT_THAT(links, IsOk());
  EXPECT_THAT(*links,
              ::testing::ElementsAre("?C=N;O=D", "../", "rib.20240101.0000.bz2", "older.txt"));
  EXPECT_THAT(http_.requests(), ::testing::Contains("/RIBS/?C=M;O=D"));
  // file://: newest first.
  ASSERT_TRUE(WriteFile(dir_ + "/a", "1"));
  ASSERT_TRUE(WriteFile(dir_ + "/b", "2"));
  ASSERT_EQ(std::system(("touch -d '2020-01-01' " + dir_ + "/b").c_str()), 0);
  auto files = fetcher_.ListDirectory("file://" + dir_ + "/");
  ASSERT_THAT(files, IsOk());
  EXPECT_THAT(*files, ::testing::ElementsAre("a", "b"));
  EXPECT_THAT(fetcher_.ListDirectory("file://" + dir_ + "/nope/"),
              StatusIs(absl::StatusCode::kNotFound));
}

std::string SmallTable(int n, uint32_t first_as) {
  MrtWriter w;
  w.PeerIndexTable(1, "", {Peer{1, false, V4("192.0.2.1"), 3356, true}});
  for (int i = 0; i < n; ++i) {
    RibEntry e;
    e.attrs.as_path = {Segment{kAsSequence, {3356, first_as + static_cast<uint32_t>(i)}}};
    std::string p = V4("20.0.0.0");
    p[1] = static_cast<char>(i >> 8);
    p[2] = static_cast<char>(i);
    w.RibUnicast(false, static_cast<uint32_t>(i), p, 24, {e});
  }
  return w.Take();
}

TEST_F(FetcherTest, ReadRibThroughHttpAndFile) {
  std::string mrt = SmallTable(5000, 100000);
  http_.Serve("/rib.bz2", Bzip2(mrt));
  ASSERT_TRUE(WriteFile(dir_ + "/rib.gz", Gzip(mrt)));
  for (const std::string& url : {http_.Url("/rib.bz2"), "file://" + dir_ + "/rib.gz"}) {
    NetblockTable table;
    RibReadStats st;
    RibReadOptions opt;
    opt.chunk_size = 4096;
    opt.queue_chunks = 2;
    ASSERT_THAT(ReadRib(fetcher_, url, table, opt, &st), IsOk());
    EXPECT_EQ(table.ipv4_count(), 5000u);
    EXPECT_EQ(st.mrt.rib_ipv4, 5000u);
    EXPECT_EQ(st.decompressed_bytes, mrt.size());
    EXPECT_GT(st.compressed_bytes, 0u);
  }
}

TEST_F(FetcherTest, HttpsWithAConfiguredCaFile) {
  std::string cert, key;
  ASSERT_TRUE(mm::testing::MakeSelfSignedCertificate(dir_, &cert, &key));
  TestHttpServer https(cert, key);
  ASSERT_TRUE(https.ok());
  std::string mrt = SmallTable(3000, 200000);
  https.ServeIndex("/RIBS/", {"rib.20240101.0000.bz2"});
  https.Serve("/RIBS/rib.20240101.0000.bz2", Bzip2(mrt));
  ASSERT_EQ(https.Url("/").substr(0, 8), "https://");

  UrlFetcherOptions trusted;
  trusted.ca_bundle = cert;
  UrlFetcher fetcher(trusted);
  auto listing = fetcher.ListDirectory(https.Url("/RIBS/"));
  ASSERT_THAT(listing, IsOk());
  EXPECT_THAT(*listing, ::testing::Contains("rib.20240101.0000.bz2"));
  NetblockTable table;
  RibReadStats st;
  ASSERT_THAT(ReadRib(fetcher, https.Url("/RIBS/rib.20240101.0000.bz2"), table, {}, &st), IsOk());
  EXPECT_EQ(table.ipv4_count(), 3000u);
  EXPECT_EQ(st.decompressed_bytes, mrt.size());

  // The certificate is verified: without the CA file (system store only) it is refused.
  NetblockTable untouched;
  EXPECT_THAT(ReadRib(fetcher_, https.Url("/RIBS/rib.20240101.0000.bz2"), untouched, {}, nullptr),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("certificate")));
  EXPECT_EQ(untouched.size(), 0u);
  // A CA file that does not name this server's issuer is refused as well.
  std::string other_cert, other_key;
  ASSERT_EQ(mkdir((dir_ + "/other").c_str(), 0700), 0);
  ASSERT_TRUE(mm::testing::MakeSelfSignedCertificate(dir_ + "/other", &other_cert, &other_key));
  UrlFetcherOptions wrong;
  wrong.ca_bundle = other_cert;
  UrlFetcher wrong_fetcher(wrong);
  EXPECT_THAT(wrong_fetcher.Get(https.Url("/RIBS/"), 1 << 20),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(FetcherTest, ReadRibReportsTheFailingStage) {
  std::string mrt = SmallTable(2000, 1);
  std::string bz = Bzip2(mrt);
  http_.Serve("/truncated.bz2", bz.substr(0, bz.size() - 100));
  std::string corrupt = bz;
  for (size_t i = 200; i < 260; ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
  http_.Serve("/corrupt.bz2", corrupt);
  std::string gz = Gzip(mrt);
  http_.Serve("/truncated.gz", gz.substr(0, gz.size() - 4));
  std::string corrupt_gz = gz;
  for (size_t i = 20; i < 40; ++i) corrupt_gz[i] = static_cast<char>(~corrupt_gz[i]);
  http_.Serve("/corrupt.gz", corrupt_gz);
  MrtWriter w;
  w.Raw(13, 2, "x", 0x40000000);
  http_.Serve("/framing.mrt", w.data());
  NetblockTable table;
  EXPECT_THAT(ReadRib(fetcher_, http_.Url("/truncated.gz"), table, {}, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated.gz: gzip")));
  EXPECT_THAT(ReadRib(fetcher_, http_.Url("/corrupt.gz"), table, {}, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt.gz: gzip")));
  EXPECT_THAT(ReadRib(fetcher_, http_.Url("/truncated.bz2"), table, {}, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated.bz2: bzip2")));
  EXPECT_THAT(ReadRib(fetcher_, http_.Url("/corrupt.bz2"), table, {}, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt.bz2: bzip2")));
  EXPECT_THAT(ReadRib(fetcher_, http_.Url("/framing.mrt"), table, {}, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("announces 1073741824 bytes")));
  EXPECT_THAT(ReadRib(fetcher_, http_.Url("/missing.bz2"), table, {}, nullptr),
              StatusIs(absl::StatusCode::kNotFound));
}

// Holds streamed responses until opened (at the latest when the test ends, so that the server's
// handler threads can finish).
class Gate {
 public:
  ~Gate() { Open(); }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// A loopback TCP listener that never accepts: connections complete in the kernel's backlog and
// then nothing is ever answered. With `fill_backlog`, its backlog is filled first, so that a
// further connection attempt is never even completed (the SYN is dropped).
class SilentListener {
 public:
  explicit SilentListener(bool fill_backlog) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 0) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      return;
    }
    port_ = ntohs(a.sin_port);
    for (int i = 0; fill_backlog && i < 3; ++i) {
      int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      (void)connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
      fillers_.push_back(c);
    }
    if (fill_backlog) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ~SilentListener() {
    for (int c : fillers_) close(c);
    close(fd_);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// The time limits of a download (UrlFetcherOptions: connect_timeout 30 s, stall_timeout 120 s
// below 1 KiB/s, total_timeout 2 h), scaled down to seconds: a source that stalls, never
// answers, never completes the connection or trickles on forever ends with DEADLINE_EXCEEDED.
UrlFetcherOptions ShortLimits() {
  UrlFetcherOptions o;
  o.connect_timeout = absl::Seconds(1);
  o.stall_timeout = absl::Seconds(1);
  o.total_timeout = absl::Seconds(30);
  return o;
}

TEST_F(FetcherTest, ASourceThatStallsMidBodyTimesOut) {
  std::string bz = Bzip2(SmallTable(20000, 1), 1);
  ASSERT_GT(bz.size(), 4u << 10);
  Gate gate;
  // 512 bytes, then nothing (libcurl averages the speed over the last ~5 s, so a larger first
  // piece would only postpone the verdict by a few seconds).
  http_.ServeStreaming("/stalls.bz2", bz, 512, [&](size_t chunk) {
    if (chunk >= 1) gate.Wait();
  });
  UrlFetcher fetcher(ShortLimits());
  absl::Time start = absl::Now();
  EXPECT_THAT(fetcher.Get(http_.Url("/stalls.bz2"), 10 << 20),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("stalls.bz2")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  // The whole pipeline ends too: the parser gets the download's error, the producer finishes.
  NetblockTable table;
  RibReadStats st;
  start = absl::Now();
  EXPECT_THAT(ReadRib(fetcher, http_.Url("/stalls.bz2"), table, {}, &st),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_GT(st.compressed_bytes, 0u);
}

TEST_F(FetcherTest, ASourceThatNeverAnswersTimesOut) {
  SilentListener silent(/*fill_backlog=*/false);
  ASSERT_GT(silent.port(), 0);
  UrlFetcher fetcher(ShortLimits());
  absl::Time start = absl::Now();
  EXPECT_THAT(fetcher.Get(silent.Url("/rib.bz2"), 1 << 20),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  // Directory listings go through the same limits.
  EXPECT_THAT(fetcher.ListDirectory(silent.Url("/RIBS/")),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

TEST_F(FetcherTest, AConnectionThatNeverCompletesTimesOut) {
  SilentListener full(/*fill_backlog=*/true);
  ASSERT_GT(full.port(), 0);
  UrlFetcherOptions o = ShortLimits();
  o.stall_timeout = absl::Seconds(60);  // only the connect limit can end this one
  UrlFetcher fetcher(o);
  absl::Time start = absl::Now();
  EXPECT_THAT(fetcher.Get(full.Url("/rib.bz2"), 1 << 20),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
}

TEST_F(FetcherTest, ASourceThatTricklesOnIsCutAtTheTotalLimit) {
  // About 80 KiB/s: above the stall limit, but 4 MiB would take ~50 s.
  std::string body = RandomBytes(4 << 20, 10);
  http_.ServeStreaming("/trickle.bin", body, 8 << 10, [](size_t chunk) {
    if (chunk > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  });
  UrlFetcherOptions o = ShortLimits();
  o.total_timeout = absl::Seconds(2);
  UrlFetcher fetcher(o);
  absl::Time start = absl::Now();
  EXPECT_THAT(fetcher.Get(http_.Url("/trickle.bin"), 10 << 20),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(FetcherTest, OnlyRegularFilesAreRead) {
  // A FIFO without a writer would block open() and read(); a device may never end.
  std::string fifo = dir_ + "/rib.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  absl::Time start = absl::Now();
  EXPECT_THAT(fetcher_.Get("file://" + fifo, 100),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_THAT(fetcher_.Get("/dev/zero", 1 << 20),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
}

// Records routes and lets the test wait until the first one arrived.
class SignallingTable final : public RouteSink {
 public:
  absl::Status OnRoute(const Prefix& p, std::optional<uint32_t> origin) override {
    absl::Status s = table.OnRoute(p, origin);
    std::lock_guard<std::mutex> lock(mu);
    ++routes;
    cv.notify_all();
    return s;
  }
  bool WaitForRoutes(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return routes > 0; });
  }
  NetblockTable table;
  std::mutex mu;
  std::condition_variable cv;
  int routes = 0;
};

TEST_F(FetcherTest, DownloadIsParsedWhileItStreams) {
  // The server sends the second half only after the parser has produced a route from the first
  // half: a reader that buffered the whole body first would never see it (and time out). For
  // gzip, and for bzip2 (several 100 kB blocks) with the sequential and the parallel decoder.
  std::string mrt = SmallTable(20000, 1);
  struct Case {
    std::string name;
    std::string body;
    int threads;
  };
  for (const Case& c : {Case{"slow.gz", Gzip(mrt), 1}, Case{"slow.bz2", Bzip2(mrt, 1), 1},
                        Case{"slow3.bz2", Bzip2(mrt, 1), 3}}) {
    SignallingTable sink;
    std::atomic<bool> saw_route_before_end{false};
    size_t half = c.body.size() / 2 + 1;
    http_.ServeStreaming("/" + c.name, c.body, half, [&](size_t chunk) {
      if (chunk == 1) saw_route_before_end = sink.WaitForRoutes(std::chrono::seconds(20));
    });
    RibReadOptions opt;
    opt.chunk_size = 1024;
    opt.decompress_threads = c.threads;
    ASSERT_THAT(ReadRib(fetcher_, http_.Url("/" + c.name), sink, opt, nullptr), IsOk()) << c.name;
    EXPECT_TRUE(saw_route_before_end.load()) << c.name;
    EXPECT_EQ(sink.table.ipv4_count(), 20000u) << c.name;
  }
}

TEST_F(FetcherTest, CancelFlagStopsAReadEarly) {
  std::string mrt = SmallTable(20000, 1);
  ASSERT_TRUE(WriteFile(dir_ + "/rib.mrt", mrt));
  std::atomic<bool> cancel{true};
  RibReadOptions opt;
  opt.chunk_size = 1024;
  opt.cancel = &cancel;
  NetblockTable table;
  EXPECT_THAT(ReadRib(fetcher_, dir_ + "/rib.mrt", table, opt, nullptr),
              StatusIs(absl::StatusCode::kCancelled));
}

}  // namespace
}  // namespace mm::netblocks
