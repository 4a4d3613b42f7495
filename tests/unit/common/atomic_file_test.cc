#include "services/common/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
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

// Sets the modification time `age` into the past.
void Age(const std::string& path, int seconds) {
  struct timespec times[2];
  clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= seconds;
  times[1] = times[0];
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
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

TEST(AtomicFileTest, WritesThroughSymbolicLinks) {
  std::string dir = Dir("symlink");
  std::string real_dir = Dir("symlink_real");
  std::string real = real_dir + "/cache.proto";
  std::ofstream(real) << "old";
  ASSERT_EQ(chmod(real.c_str(), 0640), 0);
  // served path -> hop (relative) -> real file on another directory (absolute)
  std::string hop = dir + "/hop.proto";
  std::string path = dir + "/cache.proto";
  ASSERT_EQ(symlink(real.c_str(), hop.c_str()), 0);
  ASSERT_EQ(symlink("hop.proto", path.c_str()), 0);

  ASSERT_OK_AND_ASSIGN(AtomicFile f, AtomicFile::Create(path));
  EXPECT_EQ(f.target(), real);
  EXPECT_EQ(f.temp_path().rfind(real + ".tmp.", 0), 0u);  // same file system as the target
  ASSERT_EQ(write(f.fd(), "new", 3), 3);
  ASSERT_THAT(f.Commit(), IsOk());

  struct stat st;
  ASSERT_EQ(lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));  // the links stay links
  ASSERT_EQ(lstat(hop.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(Read(real), "new");
  EXPECT_EQ(Read(path), "new");
  ASSERT_EQ(stat(real.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);  // the mode of the file behind the links
  EXPECT_EQ(Entries(dir), 2);
  EXPECT_EQ(Entries(real_dir), 1);

  // A dangling link: the file it names is created.
  std::string dangling = dir + "/dangling.proto";
  ASSERT_EQ(symlink("created.proto", dangling.c_str()), 0);
  ASSERT_THAT(WriteFileAtomically(dangling, "x"), IsOk());
  EXPECT_EQ(Read(dir + "/created.proto"), "x");
  ASSERT_EQ(lstat(dangling.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));

  // A loop is an error, not a hang.
  std::string loop = dir + "/loop.proto";
  ASSERT_EQ(symlink("loop.proto", loop.c_str()), 0);
  EXPECT_FALSE(AtomicFile::Create(loop).ok());
}

TEST(AtomicFileTest, RemovesOnlyStaleTemporaryFilesOfTheTarget) {
  std::string dir = Dir("stale");
  std::string path = dir + "/cache.proto";
  std::ofstream(path) << "served";
  auto temp = [&](const std::string& name, const std::string& content, int age) {
    std::string p = dir + "/" + name;
    std::ofstream(p) << content;
    Age(p, age);
    return p;
  };
  std::string dead = temp("cache.proto.tmp.Ab3dE9", "partial!", 7200);  // a killed writer's
  std::string dead2 = temp("cache.proto.tmp.zzzzzz", "x", 120);
  std::string fresh = temp("cache.proto.tmp.q1w2e3", "x", 0);         // just created: maybe mkstemp
  std::string other = temp("other.proto.tmp.Ab3dE9", "x", 7200);      // another target's
  std::string not_ours = temp("cache.proto.tmp.Ab3dE9x", "x", 7200);  // not mkstemp's pattern
  std::string prefix = temp("xcache.proto.tmp.Ab3dE9", "x", 7200);
  // A live writer (an old file, still locked by its writer: e.g. waiting for catalog).
  ASSERT_OK_AND_ASSIGN(AtomicFile live, AtomicFile::Create(path));
  Age(live.temp_path(), 7200);
  // A directory with a matching name is not a file to remove.
  std::string subdir = dir + "/cache.proto.tmp.dir123";
  ASSERT_EQ(mkdir(subdir.c_str(), 0755), 0);

  ASSERT_OK_AND_ASSIGN(StaleTemporaryFiles r, RemoveStaleTemporaryFiles(path));
  EXPECT_EQ(r.removed, 2);
  EXPECT_EQ(r.bytes, 9);
  EXPECT_FALSE(Exists(dead));
  EXPECT_FALSE(Exists(dead2));
  for (const auto& kept : {fresh, other, not_ours, prefix, live.temp_path(), subdir, path}) {
    EXPECT_TRUE(Exists(kept)) << kept;
  }
  EXPECT_EQ(Read(path), "served");

  // The live writer is unaffected and commits as usual; afterwards its name is gone.
  ASSERT_EQ(write(live.fd(), "new", 3), 3);
  ASSERT_THAT(live.Commit(), IsOk());
  EXPECT_EQ(Read(path), "new");

  // Through a symbolic link the files next to the real target are the ones examined.
  std::string link = Dir("stale_link") + "/cache.proto";
  ASSERT_EQ(symlink(path.c_str(), link.c_str()), 0);
  std::string behind = temp("cache.proto.tmp.L1nk00", "x", 7200);
  ASSERT_OK_AND_ASSIGN(StaleTemporaryFiles via_link, RemoveStaleTemporaryFiles(link));
  EXPECT_EQ(via_link.removed, 1);
  EXPECT_FALSE(Exists(behind));

  // min_age 0: the unlocked fresh file goes too; a missing directory is an error.
  ASSERT_OK_AND_ASSIGN(StaleTemporaryFiles all,
                       RemoveStaleTemporaryFiles(path, absl::ZeroDuration()));
  EXPECT_EQ(all.removed, 1);
  EXPECT_FALSE(Exists(fresh));
  EXPECT_THAT(RemoveStaleTemporaryFiles("/nonexistent-dir/cache.proto").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace mm::common
