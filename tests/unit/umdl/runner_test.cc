// The run as a whole with a fake catalog: entry selection, failure isolation, metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/common/clock.h"
#include "services/common/log.h"
#include "services/umdl/file_system.h"
#include "services/umdl/rsync_listing.h"
#include "services/umdl/umdl_metrics.h"
#include "services/umdl/umdl_runner.h"
#include "tests/testing/status_matchers.h"

namespace mm::umdl {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FakeCatalog final : public MasterTreeCatalog {
 public:
  std::vector<CategoryInfo> categories;
  std::vector<std::string> fail_apply_for;
  std::vector<CategoryPlan> applied;
  int aged_calls = 0;
  int64_t aged_now = 0;
  int aged_max_stale_days = 0;

  absl::StatusOr<std::vector<CategoryInfo>> ListCategories() override { return categories; }
  absl::StatusOr<std::vector<std::string>> ListArchNames() override {
    return std::vector<std::string>{"source", "x86_64"};
  }
  absl::StatusOr<std::vector<std::string>> ListVersionNames(const std::string&) override {
    return std::vector<std::string>{};
  }
  absl::StatusOr<std::vector<DirectoryState>> ListCategoryDirectories(const std::string&) override {
    return std::vector<DirectoryState>{};
  }
  absl::StatusOr<ApplyResult> ApplyCategory(const CategoryPlan& plan) override {
    for (const auto& f : fail_apply_for) {
      if (f == plan.category_name) return absl::UnavailableError("catalog down");
    }
    applied.push_back(plan);
    ApplyResult r;
    r.directories_created = static_cast<int>(plan.directories.size());
    r.file_details_created = static_cast<int>(plan.file_details.size());
    return r;
  }
  absl::StatusOr<int> AgeFileDetails(int max_stale_days, int64_t now) override {
    ++aged_calls;
    aged_now = now;
    aged_max_stale_days = max_stale_days;
    return 3;
  }
};

class CapturingSink final : public common::LogSink {
 public:
  std::vector<std::string> messages;
  void Write(const common::LogRecord& r) override { messages.push_back(r.context + r.message); }
};

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = absl::StrCat(::testing::TempDir(), "umdl_runner_", getpid());
    fs::remove_all(root_);
    fs::create_directories(root_ + "/a/x");
    fs::create_directories(root_ + "/b/y");
    sink_ = std::make_shared<CapturingSink>();
    common::AddLogSink(sink_);
    common::SetStderrLogging(false);
    catalog_.categories = {{1, "A", "Fedora", "pub/a"},
                           {2, "B", "Fedora", "pub/b"},
                           {3, "NoProduct", "", "pub/c"},
                           {4, "NoTop", "Fedora", "", false}};
    for (const char* c : {"A", "B", "NoProduct", "Missing", "NoTop"}) {
      MasterDirectory m;
      m.category = c;
      m.path = root_ + "/" + absl::AsciiStrToLower(std::string(c, 1));
      config_.master_directories.push_back(m);
    }
  }
  void TearDown() override {
    common::RemoveLogSink(sink_.get());
    common::SetStderrLogging(true);
    fs::remove_all(root_);
  }
  int Run(UmdlOptions options, UmdlMetrics* metrics = nullptr,
          const std::atomic<bool>* stop = nullptr) {
    UmdlRunner runner(config_, options,
                      {&catalog_, &fs_, &rsync_, &clock_, metrics, nullptr, stop});
    return runner.Run();
  }

  std::string root_;
  FakeCatalog catalog_;
  UmdlConfig config_;
  RealFileSystem fs_;
  ProcessRsyncRunner rsync_;
  common::FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  std::shared_ptr<CapturingSink> sink_;
};

TEST_F(RunnerTest, SelectsEntriesAndLogsSkips) {
  EXPECT_EQ(Run({}), kExitOk);
  ASSERT_EQ(catalog_.applied.size(), 2u);
  EXPECT_EQ(catalog_.applied[0].category_name, "A");
  EXPECT_EQ(catalog_.applied[1].category_name, "B");
  EXPECT_THAT(sink_->messages,
              Contains("UMDL_MASTER_DIRECTORIES Category NoProduct has null Product, skipping"));
  EXPECT_THAT(
      sink_->messages,
      Contains(
          "UMDL_MASTER_DIRECTORIES Category Missing does not exist in the database, skipping"));
  EXPECT_THAT(sink_->messages,
              Contains("UMDL_MASTER_DIRECTORIES Category NoTop has no top directory, skipping"));
  EXPECT_EQ(sink_->messages.front(), "Starting umdl");
  EXPECT_EQ(sink_->messages.back(), "Ending umdl");
  EXPECT_EQ(catalog_.aged_calls, 1);
  EXPECT_EQ(catalog_.aged_now, 1'800'000'000);
  EXPECT_EQ(catalog_.aged_max_stale_days, 4);
  config_.max_stale_days = 9;
  EXPECT_EQ(Run({}), kExitOk);
  EXPECT_EQ(catalog_.aged_max_stale_days, 9);
}

TEST_F(RunnerTest, CategoryFilterWithExclusion) {
  UmdlOptions o;
  o.categories = {"^A"};
  EXPECT_EQ(Run(o), kExitOk);
  ASSERT_EQ(catalog_.applied.size(), 1u);
  EXPECT_EQ(catalog_.applied[0].category_name, "B");
  o.categories = {"A"};
  catalog_.applied.clear();
  EXPECT_EQ(Run(o), kExitOk);
  ASSERT_EQ(catalog_.applied.size(), 1u);
  EXPECT_EQ(catalog_.applied[0].category_name, "A");
  // Repeated: every named one, in config order; an exclusion applies as well.
  o.categories = {"B", "A", "Missing"};
  catalog_.applied.clear();
  sink_->messages.clear();
  EXPECT_EQ(Run(o), kExitOk);
  ASSERT_EQ(catalog_.applied.size(), 2u);
  EXPECT_EQ(catalog_.applied[0].category_name, "A");
  EXPECT_EQ(catalog_.applied[1].category_name, "B");
  EXPECT_THAT(sink_->messages, Contains(HasSubstr("Category Missing does not exist")));
  EXPECT_THAT(sink_->messages, ::testing::Not(Contains(HasSubstr("NoProduct"))));
  o.categories = {"A", "B", "^B"};
  catalog_.applied.clear();
  EXPECT_EQ(Run(o), kExitOk);
  ASSERT_EQ(catalog_.applied.size(), 1u);
  EXPECT_EQ(catalog_.applied[0].category_name, "A");
}

TEST_F(RunnerTest, AFailingCategoryDoesNotStopTheOthersAndRecordsMetrics) {
  catalog_.fail_apply_for = {"A"};
  prometheus::Registry registry;
  UmdlMetrics metrics(registry);
  EXPECT_EQ(Run({}, &metrics), kExitCategoryFailed);
  ASSERT_EQ(catalog_.applied.size(), 1u);
  EXPECT_EQ(catalog_.applied[0].category_name, "B");
  EXPECT_THAT(sink_->messages,
              Contains(HasSubstr("A: the catalog did not apply the category: catalog down")));
  EXPECT_EQ(catalog_.aged_calls, 1);
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_THAT(text, HasSubstr("mm_umdl_category_failures_total{category=\"A\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_umdl_directories_created_total{category=\"B\"} 2"));
  EXPECT_THAT(text, HasSubstr("mm_umdl_directories_seen_total{category=\"B\"} 2"));
  EXPECT_THAT(text, HasSubstr("mm_umdl_file_details_aged_total 3"));
  EXPECT_THAT(text, HasSubstr("mm_umdl_last_run_success 0"));
  EXPECT_THAT(text, HasSubstr("mm_umdl_category_duration_seconds{category=\"B\"}"));
}

TEST_F(RunnerTest, StopFlagStopsBeforeTheNextCategory) {
  std::atomic<bool> stop{true};
  EXPECT_EQ(Run({}, nullptr, &stop), kExitInterrupted);
  EXPECT_TRUE(catalog_.applied.empty());
  EXPECT_EQ(catalog_.aged_calls, 0);
}

TEST_F(RunnerTest, ListLogsCategoriesById) {
  UmdlOptions o;
  o.list_categories = true;
  EXPECT_EQ(Run(o), kExitOk);
  EXPECT_THAT(sink_->messages, ElementsAre("<Category(1 - A)>", "<Category(2 - B)>",
                                           "<Category(3 - NoProduct)>", "<Category(4 - NoTop)>"));
}

TEST_F(RunnerTest, EntryErrorsAreLoggedAndMakeTheRunFail) {
  config_.entry_errors = {
      "UMDL_MASTER_DIRECTORIES entry 9 (x.cfg:1): unknown type 'ftp', skipping"};
  EXPECT_EQ(Run({}), kExitCategoryFailed);
  EXPECT_EQ(catalog_.applied.size(), 2u);
  EXPECT_THAT(sink_->messages, Contains(HasSubstr("unknown type 'ftp'")));
}

}  // namespace
}  // namespace mm::umdl
