#include "services/catalog/store/directory_files.h"

#include <gtest/gtest.h>

namespace mm::catalog {
namespace {

TEST(DirectoryFilesTest, EncodesLikePythonJsonDumps) {
  std::vector<DirectoryFile> files = {{"zeta.rpm", 10, 2},
                                      {"index.html", 6, 1},
                                      {"caf\xC3\xA9 \"q\".txt", 1, 3},
                                      {"\xF0\x9F\x98\x80", 0, 0}};
  EXPECT_EQ(EncodeDirectoryFiles(files),
            R"([{"name": "caf\u00e9 \"q\".txt", "size": 1, "timestamp": 3}, )"
            R"({"name": "index.html", "size": 6, "timestamp": 1}, )"
            R"({"name": "zeta.rpm", "size": 10, "timestamp": 2}, )"
            R"({"name": "\ud83d\ude00", "size": 0, "timestamp": 0}])");
  EXPECT_EQ(EncodeDirectoryFiles({}), "[]");
}

TEST(DirectoryFilesTest, DecodesJsonAndRejectsPickleAndGarbage) {
  bool ok = false;
  auto files = DecodeDirectoryFiles(
      R"([{"name": "b", "size": 2, "timestamp": 20}, {"name": "a", "size": "1", "timestamp": 1.0}])",
      &ok);
  ASSERT_TRUE(ok);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "a");
  EXPECT_EQ(files[0].size, 1);
  EXPECT_EQ(files[1].timestamp, 20);
  // A legacy pickle is never unpickled: it reads as an empty sample.
  EXPECT_TRUE(DecodeDirectoryFiles(std::string("\x80\x03}q\x00.", 6), &ok).empty());
  EXPECT_FALSE(ok);
  EXPECT_TRUE(DecodeDirectoryFiles("{\"name\": 1}", &ok).empty());
  EXPECT_TRUE(DecodeDirectoryFiles(R"([{"size": 1}])", &ok).empty());
  EXPECT_TRUE(DecodeDirectoryFiles(R"([{"name": "x", "size": "1x"}])", &ok).empty());
  EXPECT_TRUE(DecodeDirectoryFiles(R"([{"name": "x", "size": 1e300}])", &ok).empty());
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace mm::catalog
