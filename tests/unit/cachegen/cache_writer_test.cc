// CacheWriter limits (cache-wire-format.md §4): a protobuf message must stay under 2 GiB, or
// every reader, mirrorlist-server's included, refuses the file.
#include "services/cachegen/cache_writer.h"

#include <google/protobuf/io/zero_copy_stream.h>
#include <gtest/gtest.h>

#include <string>

#include "mirrormanager/cache/mirrormanager.pb.h"
#include "tests/testing/status_matchers.h"

namespace mm::cachegen {
namespace {

using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;

// Counts the bytes written and keeps none of them.
class DiscardingStream final : public google::protobuf::io::ZeroCopyOutputStream {
 public:
  bool Next(void** data, int* size) override {
    *data = buffer_;
    *size = sizeof buffer_;
    count_ += sizeof buffer_;
    return true;
  }
  void BackUp(int count) override { count_ -= count; }
  int64_t ByteCount() const override { return count_; }

 private:
  char buffer_[1 << 16];
  int64_t count_ = 0;
};

TEST(CacheWriterTest, RefusesACacheOfTwoGibibytes) {
  DiscardingStream out;
  CacheWriter writer(&out);
  writer.WriteTime(1);
  ::mirrormanager::StringStringMap entry;
  entry.set_key("k");
  entry.set_value(std::string(64 << 20, 'x'));
  for (int i = 0; i < 31; ++i) writer.WriteEntry(kRepositoryRedirectCache, entry);
  EXPECT_THAT(writer.Finish(), IsOk());  // just under 2 GiB
  EXPECT_EQ(writer.bytes_written(), out.ByteCount());
  writer.WriteEntry(kRepositoryRedirectCache, entry);
  EXPECT_THAT(writer.Finish(), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(writer.bytes_written(), out.ByteCount());  // no int wrap-around past 2 GiB
  EXPECT_GT(writer.bytes_written(), int64_t{1} << 31);
}

}  // namespace
}  // namespace mm::cachegen
