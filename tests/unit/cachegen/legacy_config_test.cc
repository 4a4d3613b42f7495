#include "services/cachegen/legacy_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mm::cachegen {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(LegacyConfigTest, RecognisesUpstreamDotenvFile) {
  EXPECT_TRUE(LooksLikeDotenv("DB_URL=postgres://mirror@db/mirrormanager\n"));
  EXPECT_TRUE(
      LooksLikeDotenv("# generated\n\nexport DB_URL='postgres://x'\nCATALOG_ADDRESS=a:1\n"));
  EXPECT_FALSE(LooksLikeDotenv(""));
  EXPECT_FALSE(LooksLikeDotenv("# only a comment\n"));
  EXPECT_FALSE(LooksLikeDotenv("CATALOG_ADDRESS = 'a:1'\n"));  // Python syntax
  EXPECT_FALSE(LooksLikeDotenv("DB_URL=x\nITEMS = [\n 1]\n"));
}

TEST(LegacyConfigTest, ParsesValuesAndQuotes) {
  EXPECT_THAT(ParseDotenv("DB_URL=\"postgres://x\"\nexport A='b c'\nA=d\nB=\n"),
              ElementsAre(Pair("A", "d"), Pair("B", ""), Pair("DB_URL", "postgres://x")));
}

}  // namespace
}  // namespace mm::cachegen
