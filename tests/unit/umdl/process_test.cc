// The rsync process runner (time-bounded) and the terminal progress line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/umdl/progress.h"
#include "services/umdl/rsync_listing.h"
#include "tests/testing/status_matchers.h"

namespace mm::umdl {
namespace {

using ::testing::HasSubstr;

std::string Script(const std::string& name, const std::string& body) {
  std::string path = absl::StrCat(::testing::TempDir(), "umdl_", getpid(), "_", name);
  std::ofstream(path) << "#!/bin/sh\n" << body;
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(ProcessRsyncRunnerTest, PassesUpstreamArgumentsAndCapturesTheListing) {
  std::string fake =
      Script("fake_rsync_args", "for a in \"$@\"; do echo \"$a\"; done\necho oops >&2\nexit 23\n");
  ProcessRsyncRunner runner(fake);
  std::string out = absl::StrCat(::testing::TempDir(), "umdl_rsync_out_", getpid());
  ASSERT_OK_AND_ASSIGN(
      RsyncRunResult r,
      runner.List("rsync://h/m/", {"--no-motd", "--exclude", "a b"}, out, absl::Seconds(10)));
  EXPECT_EQ(r.exit_code, 23);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stderr_tail, "oops");
  std::ifstream in(out);
  std::string listing((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(listing,
            "--temp-dir=/tmp\n-r\n--exclude=.snapshot\n--exclude=*.~tmp~\n--no-motd\n--exclude\na "
            "b\nrsync://h/m/\n");
  std::remove(out.c_str());
}

TEST(ProcessRsyncRunnerTest, KilledAfterTheTimeout) {
  std::string slow = Script("slow_rsync", "echo started\nsleep 30\n");
  ProcessRsyncRunner runner(slow);
  std::string out = absl::StrCat(::testing::TempDir(), "umdl_rsync_slow_", getpid());
  absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(RsyncRunResult r,
                       runner.List("rsync://h/m/", {}, out, absl::Milliseconds(300)));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -9);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  std::remove(out.c_str());
}

TEST(ProcessRsyncRunnerTest, MissingBinaryIsAnError) {
  ProcessRsyncRunner runner("/nonexistent/rsync");
  std::string out = absl::StrCat(::testing::TempDir(), "umdl_rsync_none_", getpid());
  EXPECT_THAT(runner.List("rsync://h/m/", {}, out, absl::Seconds(5)),
              mm::testing::StatusIs(absl::StatusCode::kFailedPrecondition));
  std::remove(out.c_str());
}

TEST(TerminalProgressTest, DrawsPercentagesAndEndsTheLine) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    TerminalProgress p(f);
    p.Begin("Syncing directories of Fedora Linux", 4);
    p.Advance(1);
    p.End();
    p.Begin("Reading the master tree of X", 0);
    p.End();
  }
  std::rewind(f);
  char buf[512] = {0};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string text(buf, n);
  EXPECT_THAT(text, HasSubstr("Syncing directories of Fedora Linux ... 0%"));
  EXPECT_THAT(text, HasSubstr("Syncing directories of Fedora Linux ... 100%\n"));
  EXPECT_THAT(text, HasSubstr("Reading the master tree of X ...\n"));
}

}  // namespace
}  // namespace mm::umdl
