#include "services/common/password_hash.h"

#include <gtest/gtest.h>

namespace mm::common {
namespace {

TEST(PasswordHashTest, HashVerifiesAndIsSalted) {
  auto a = HashPassword("s3cret");
  auto b = HashPassword("s3cret");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(IsPasswordHash(*a));
  EXPECT_EQ(a->rfind("$argon2id$", 0), 0u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*a, "s3cret"));
  EXPECT_FALSE(VerifyPassword(*a, "s3cret "));
  EXPECT_FALSE(VerifyPassword(*a, ""));
}

TEST(PasswordHashTest, PlainTextIsNotAHash) {
  EXPECT_FALSE(IsPasswordHash("plain-password"));
  EXPECT_FALSE(VerifyPassword("plain-password", "plain-password"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "x"));
}

}  // namespace
}  // namespace mm::common
