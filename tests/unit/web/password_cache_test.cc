#include "services/catalog/store/password_cache.h"

#include <gtest/gtest.h>

namespace mm::catalog {
namespace {

TEST(PasswordVerifyCacheTest, HitsOnlyForSameHashPasswordAndTime) {
  PasswordVerifyCache cache(absl::Seconds(60), 2);
  absl::Time t = absl::FromUnixSeconds(1000);
  EXPECT_FALSE(cache.Hit(1, "$h1", "pw", t));
  cache.Remember(1, "$h1", "pw", t);
  EXPECT_TRUE(cache.Hit(1, "$h1", "pw", t + absl::Seconds(10)));
  EXPECT_FALSE(cache.Hit(1, "$h1", "other", t));
  EXPECT_FALSE(cache.Hit(2, "$h1", "pw", t));
  EXPECT_FALSE(cache.Hit(1, "$h2", "pw", t)) << "a new hash invalidates the entry";
  EXPECT_FALSE(cache.Hit(1, "$h1", "pw", t)) << "and removes it";
  cache.Remember(1, "$h1", "pw", t);
  EXPECT_FALSE(cache.Hit(1, "$h1", "pw", t + absl::Seconds(61))) << "expired";
  cache.Remember(1, "$h", "a", t);
  cache.Remember(2, "$h", "b", t);
  cache.Remember(3, "$h", "c", t);
  EXPECT_LE(cache.size(), 2u) << "bounded";
  PasswordVerifyCache off(absl::ZeroDuration());
  off.Remember(1, "$h", "a", t);
  EXPECT_FALSE(off.Hit(1, "$h", "a", t));
}

}  // namespace
}  // namespace mm::catalog
