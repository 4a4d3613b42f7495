#include "services/common/atomic_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/testing/status_matchers.h"

namespace mm::common {
namespace {

using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;

std::string Dir(const std::string& name) {
  std::string d = ::testing::TempDir() + "/atomic_" + name + "_" + std::to_string(getpid());
  mkdir(d.c_str(), 0755);
  return d;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Entries(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST(AtomicFileTest, CommitReplacesTheTarget) {
  std::string dir = Dir("commit");
  std::string path = dir + "/cache.proto";
  std::ofstream(path) << "old";
  ASSERT_OK_AND_ASSIGN(AtomicFile f, AtomicFile::Create(path));
  EXPECT_EQ(f.temp_path().rfind(path + ".tmp.", 0), 0u);
  ASSERT_EQ(write(f.fd(), "new", 3), 3);
  EXPECT_EQ(Read(path), "old");  // untouched until the commit
  ASSERT_THAT(f.Commit(), IsOk());
  EXPECT_EQ(Read(path), "new");
  EXPECT_EQ(Entries(dir), 1);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  mode_t mask = umask(0);
  umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);  // readable by the mirrorlist server's user
}

TEST(AtomicFileTest, AbandonedWriteLeavesTheTargetAndNoTemporaryFile) {
  std::string dir = Dir("abandon");
  std::string path = dir + "/cache.proto";
  std::ofstream(path) << "old";
  {
    ASSERT_OK_AND_ASSIGN(AtomicFile f, AtomicFile::Create(path));
    ASSERT_EQ(write(f.fd(), "partial", 7), 7);
  }
  EXPECT_EQ(Read(path), "old");
  EXPECT_EQ(Entries(dir), 1);
}

TEST(AtomicFileTest, MissingDirectoryIsAnError) {
  EXPECT_THAT(AtomicFile::Create("/nonexistent-dir/cache.proto").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(AtomicFile::Create("").ok());
}

TEST(AtomicFileTest, ReplacesKeepingTheMode) {
  char tmpl[] = "/tmp/atomic_file_test.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/f.txt";
  ASSERT_THAT(WriteFileAtomically(path, "one\n"), IsOk());
  EXPECT_EQ(Read(path), "one\n");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  ASSERT_THAT(WriteFileAtomically(path, "two\n"), IsOk());
  EXPECT_EQ(Read(path), "two\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_THAT(WriteFileAtomically(dir + "/missing/f.txt", "x"),
              StatusIs(absl::StatusCode::kNotFound));
  unlink(path.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace mm::common
