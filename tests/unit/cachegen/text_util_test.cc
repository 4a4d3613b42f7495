#include "services/cachegen/text_util.h"

#include <gtest/gtest.h>

namespace mm::cachegen {
namespace {

TEST(TextUtilTest, Utf8AcceptsValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("pub/fedora/linux"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));           // é
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));          // €
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));      // U+1F600
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));  // NUL is valid UTF-8
}

TEST(TextUtilTest, Utf8RejectsWhatRustRejects) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("caf\xe9"));           // Latin-1
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation byte
}

TEST(TextUtilTest, AsciiUpperLeavesOtherBytes) {
  EXPECT_EQ(AsciiUpper("uQ"), "UQ");
  EXPECT_EQ(AsciiUpper("de-at"), "DE-AT");
  EXPECT_EQ(AsciiUpper("caf\xc3\xa9"), "CAF\xc3\xa9");
}

}  // namespace
}  // namespace mm::cachegen
