// The generator's configuration defaults that upstream fixes (mm2-backend.md §7.1).
#include <gtest/gtest.h>

#include "services/common/config.h"

namespace mm::cachegen {
namespace {

TEST(CachegenDefaultsTest, OutfileIsUpstreamsPath) {
  auto outfile = common::Config::WithDefaults().GetString("CACHEGEN_OUTFILE");
  ASSERT_TRUE(outfile.ok()) << outfile.status();
  EXPECT_EQ(*outfile, "/var/lib/mirrormanager/mirrorlist_cache.proto");
}

}  // namespace
}  // namespace mm::cachegen
