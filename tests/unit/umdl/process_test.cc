// The rsync process runner (time-bounded, stoppable) and the terminal progress line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/umdl/progress.h"
#include "services/umdl/rsync_listing.h"
#include "tests/integration/umdl/umdl_test_support.h"
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

TEST(ProcessRsyncRunnerTest, StopFlagKillsRsyncPromptly) {
  // A "rsync" that ignores SIGTERM and sleeps: only SIGKILL of its group ends it.
  std::string stubborn = Script("stubborn_rsync", "trap '' TERM\necho started\nsleep 30\n");
  ProcessRsyncRunner runner(stubborn);
  std::string out = absl::StrCat(::testing::TempDir(), "umdl_rsync_stop_", getpid());
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  absl::Time start = absl::Now();
  EXPECT_THAT(runner.List("rsync://h/m/", {}, out, absl::Hours(1), &stop),
              mm::testing::StatusIs(absl::StatusCode::kCancelled));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  stopper.join();
  std::remove(out.c_str());
}

std::string ReadAll(FILE* f) {
  std::rewind(f);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  return text;
}

TEST(TerminalProgressTest, OneLineForTheWholeRunEndingAtOneHundredPercent) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    TerminalProgress p(f);
    p.Begin("Processing", 0);
    p.Begin("Syncing directories of Fedora EPEL", 4);
    p.Advance(1);
    p.Begin("Syncing repositories of Fedora EPEL", 4);
    p.Advance(4);
    p.Complete();
    p.Begin("Syncing directories of Fedora Linux", 2);
    p.Advance(1);
    p.Begin("Syncing repositories of Fedora Linux", 2);
    p.Complete();
    p.End();
    p.End();  // a second End draws nothing
  }
  std::string text = ReadAll(f);
  std::fclose(f);
  EXPECT_THAT(text, HasSubstr("Syncing directories of Fedora EPEL ... 0%"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_THAT(mm::testing::ScreenLines(text),
              ::testing::ElementsAre("Syncing repositories of Fedora Linux ... 100%"));
}

TEST(TerminalProgressTest, LogLinesGoAboveTheProgressLine) {
  FILE* out = std::tmpfile();
  FILE* err = out;  // one terminal for both
  ASSERT_NE(out, nullptr);
  {
    TerminalProgress p(out);
    auto sink = p.MakeLogSink(err);
    p.Begin("Syncing directories of X", 2);
    sink->Write(common::LogRecord{common::LogLevel::kInfo, "hello", "", {}, 0});
    p.Complete();
    p.End();
  }
  std::string text = ReadAll(out);
  std::fclose(out);
  auto screen = mm::testing::ScreenLines(text);
  ASSERT_EQ(screen.size(), 2u);
  EXPECT_THAT(screen[0], ::testing::EndsWith("INFO hello"));
  EXPECT_EQ(screen[1], "Syncing directories of X ... 100%");
}

}  // namespace
}  // namespace mm::umdl
