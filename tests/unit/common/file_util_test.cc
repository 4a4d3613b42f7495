#include "services/common/file_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/testing/status_matchers.h"

namespace mm::common {
namespace {

using ::mm::testing::StatusIs;
using ::testing::HasSubstr;

TEST(FileUtilTest, ReadsAWholeFile) {
  std::string path = ::testing::TempDir() + "/mm_file_util.txt";
  std::string content(200000, 'x');  // several read() calls
  content += std::string("\0tail", 5);
  std::ofstream(path, std::ios::binary) << content;
  ASSERT_OK_AND_ASSIGN(std::string read, ReadFileToString(path, content.size()));
  EXPECT_EQ(read, content);
}

TEST(FileUtilTest, ErrorsNameThePathAndWhatItIs) {
  EXPECT_THAT(ReadFileToString("/nonexistent/x.cfg", 10, "configuration file"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("/nonexistent/x.cfg: cannot open configuration file")));
  std::string dir = ::testing::TempDir() + "/mm_file_util_dir";
  std::filesystem::create_directories(dir);
  EXPECT_THAT(ReadFileToString(dir, 10, "seed file"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       dir + ": cannot read seed file: it is a directory"));
  std::string path = ::testing::TempDir() + "/mm_file_util_big.txt";
  std::ofstream(path) << "0123456789!";
  EXPECT_THAT(ReadFileToString(path, 10), StatusIs(absl::StatusCode::kResourceExhausted,
                                                   path + ": file is larger than 10 bytes"));
}

// A device that never ends is cut off at the limit instead of filling memory.
TEST(FileUtilTest, EndlessDeviceStopsAtTheLimit) {
  EXPECT_THAT(ReadFileToString("/dev/zero", 1 << 20),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("/dev/zero")));
}

}  // namespace
}  // namespace mm::common
