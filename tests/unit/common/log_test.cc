#include "services/common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

namespace mm::common {
namespace {

class CaptureSink : public LogSink {
 public:
  void Write(const LogRecord& r) override {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(FormatLogLine(r));
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

TEST(LogTest, LevelsContextAndSinks) {
  auto sink = std::make_shared<CaptureSink>();
  AddLogSink(sink);
  SetStderrLogging(false);
  SetLogLevel(LogLevel::kInfo);
  int evaluated = 0;
  MM_LOG(DEBUG) << "hidden " << ++evaluated;
  MM_LOG(INFO) << "Starting umdl";
  {
    ScopedLogContext ctx("mirror.example.org (7): ");
    MM_LOG(WARNING) << "slow";
  }
  MM_LOG(ERROR) << "after";
  SetStderrLogging(true);
  RemoveLogSink(sink.get());
  EXPECT_EQ(evaluated, 0);
  ASSERT_EQ(sink->lines.size(), 3u);
  EXPECT_THAT(sink->lines[0], ::testing::MatchesRegex(
                                  "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8},[0-9]{3} INFO Starting umdl"));
  EXPECT_THAT(sink->lines[1], ::testing::EndsWith("WARNING mirror.example.org (7): slow"));
  EXPECT_THAT(sink->lines[2], ::testing::EndsWith("ERROR after"));
  LogLevel l;
  EXPECT_TRUE(ParseLogLevel("Debug", &l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

}  // namespace
}  // namespace mm::common
