#include "services/cachegen/cache_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "mirrormanager/cache/mirrormanager.pb.h"
#include "services/cachegen/cache_writer.h"
#include "tests/testing/status_matchers.h"

namespace mm::cachegen {
namespace {

namespace mc = ::mirrormanager;
using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

class Recorder final : public CacheVisitor {
 public:
  void Time(uint64_t t) override { time = t; }
  void StringString(int field, const mc::StringStringMap& e) override {
    pairs.push_back(absl::StrCat(field, ":", e.key(), "=", e.value()));
  }
  void MirrorList(const mc::MirrorListCacheType& e) override { mlc.push_back(e); }
  uint64_t time = 0;
  std::vector<std::string> pairs;
  std::vector<mc::MirrorListCacheType> mlc;
};

TEST(CacheReaderTest, ReadsTheSpecByteExamples) {
  Recorder r;
  // Time = 1700000000; CountryContinentRedirectCache {IL: EU}; MirrorListCache with directory
  // "d", ByHostId {42: [421]} and an unpacked Global element -1.
  std::string mlc_body = Bytes({0x0a, 0x01, 'd',  0x32, 0x05, 0x08, 0x2a, 0x10, 0xa5, 0x03, 0x10,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  std::string file = Bytes({0x08, 0x80, 0xe2, 0xcf, 0xaa, 0x06}) +
                     Bytes({0x3a, 0x08, 0x0a, 0x02, 'I', 'L', 0x12, 0x02, 'E', 'U'}) +
                     Bytes({0x82, 0x01, static_cast<int>(mlc_body.size())}) + mlc_body;
  ASSERT_THAT(ReadCacheBytes(file, r), IsOk());
  EXPECT_EQ(r.time, 1700000000u);
  EXPECT_THAT(r.pairs, ElementsAre("7:IL=EU"));
  ASSERT_EQ(r.mlc.size(), 1u);
  EXPECT_EQ(r.mlc[0].directory(), "d");
  EXPECT_EQ(r.mlc[0].byhostid(0).key(), 42);
  EXPECT_THAT(r.mlc[0].byhostid(0).value(), ElementsAre(421));
  EXPECT_THAT(r.mlc[0].global(), ElementsAre(-1));
}

TEST(CacheReaderTest, SmallestValidFileAndEmptyFile) {
  Recorder r;
  EXPECT_THAT(ReadCacheBytes(std::string("\x08\x00", 2), r), IsOk());
  EXPECT_THAT(ReadCacheBytes("", r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("MirrorList.Time")));
}

TEST(CacheReaderTest, AcceptsPackedRepeatedInts) {
  mc::MirrorListCacheType m;
  m.set_directory("d");
  // Global (field 2) packed: tag 0x12, length 2, values 1 and 2.
  std::string body = Bytes({0x0a, 0x01, 'd', 0x12, 0x02, 0x01, 0x02});
  std::string file = Bytes({0x08, 0x00, 0x82, 0x01, static_cast<int>(body.size())}) + body;
  Recorder r;
  ASSERT_THAT(ReadCacheBytes(file, r), IsOk());
  EXPECT_THAT(r.mlc[0].global(), ElementsAre(1, 2));
}

TEST(CacheReaderTest, RejectsWhatTheServerRejects) {
  Recorder r;
  // StringStringMap without its required value.
  EXPECT_THAT(ReadCacheBytes(Bytes({0x08, 0x00, 0x3a, 0x04, 0x0a, 0x02, 'I', 'L'}), r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
  // Invalid UTF-8 in a key.
  EXPECT_THAT(ReadCacheBytes(
                  Bytes({0x08, 0x00, 0x3a, 0x08, 0x0a, 0x02, 0xff, 'L', 0x12, 0x02, 'E', 'U'}), r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  // MirrorListCacheType without its directory.
  EXPECT_THAT(ReadCacheBytes(Bytes({0x08, 0x00, 0x82, 0x01, 0x02, 0x10, 0x01}), r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("MirrorListCache")));
  // Known field with the wrong wire type.
  EXPECT_THAT(ReadCacheBytes(Bytes({0x08, 0x00, 0x38, 0x01}), r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("wire type")));
  // Truncated entry.
  EXPECT_FALSE(ReadCacheBytes(Bytes({0x08, 0x00, 0x3a, 0x08, 0x0a, 0x02}), r).ok());
  // Tag 0.
  EXPECT_FALSE(ReadCacheBytes(Bytes({0x08, 0x00, 0x00}), r).ok());
}

TEST(CacheReaderTest, SkipsUnknownFields) {
  Recorder r;
  // Field 99 (varint) and field 100 (length-delimited) around Time.
  std::string file = Bytes({0x98, 0x06, 0x05, 0x08, 0x07, 0xa2, 0x06, 0x01, 'x'});
  ASSERT_THAT(ReadCacheBytes(file, r), IsOk());
  EXPECT_EQ(r.time, 7u);
}

TEST(CacheReaderTest, EnforcesTheSizeLimit) {
  Recorder r;
  ReadLimits limits;
  limits.max_bytes = 4;
  EXPECT_THAT(ReadCacheBytes(Bytes({0x08, 0x80, 0xe2, 0xcf, 0xaa, 0x06}), r, limits),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(CacheReaderTest, MissingFileIsNotFound) {
  Recorder r;
  EXPECT_THAT(ReadCacheFile("/nonexistent/cache.proto", r), StatusIs(absl::StatusCode::kNotFound));
}

TEST(CacheReaderTest, RoundTripsWhatTheGeneratedCodeWrites) {
  mc::MirrorList m;
  m.set_time(42);
  auto* fd = m.add_filedetailscache();
  fd->set_directory("d/repodata");
  auto* f = fd->add_filedetailscachefiles();
  f->set_filename("repomd.xml");
  auto* d = f->add_filedetails();
  d->set_timestamp(1);
  d->set_size(2);
  auto* e = m.add_mirrorlistcache();
  e->set_directory("d/repodata");
  e->set_subpath("repodata");
  e->add_global(5);
  class Count final : public CacheVisitor {
   public:
    void FileDetails(const mc::FileDetailsCacheDirectoryType& e) override { ++fd; }
    void MirrorList(const mc::MirrorListCacheType& e) override { ++mlc; }
    int fd = 0, mlc = 0;
  } count;
  ASSERT_THAT(ReadCacheBytes(m.SerializeAsString(), count), IsOk());
  EXPECT_EQ(count.fd, 1);
  EXPECT_EQ(count.mlc, 1);
  EXPECT_STREQ(CacheFieldName(kMirrorListCache), "MirrorListCache");
}

}  // namespace
}  // namespace mm::cachegen
