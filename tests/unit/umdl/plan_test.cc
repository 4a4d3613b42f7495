// The planner: what is sent to the catalog for a scan result.
#include "services/umdl/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "services/umdl/file_system.h"
#include "tests/testing/status_matchers.h"

namespace mm::umdl {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

TEST(ShortFileListTest, KeepsEverythingUpToTenOfAKind) {
  std::vector<FileEntry> files;
  for (int i = 0; i < 10; ++i) files.push_back({absl::StrCat("p", i, ".rpm"), 1, i});
  for (int i = 0; i < 10; ++i) files.push_back({absl::StrCat("h", i, ".html"), 1, 100 + i});
  EXPECT_EQ(ShortFileList(files).size(), 20u);
}

TEST(ShortFileListTest, MoreThanTenOfAKindKeepsTheThreeNewestOfAll) {
  std::vector<FileEntry> files;
  for (int i = 0; i < 11; ++i) files.push_back({absl::StrCat("p", i, ".drpm"), 1, i});
  files.push_back({"repomd.xml", 5, 50});
  files.push_back({"b-tie.rpm", 5, 7});
  files.push_back({"a-tie.rpm", 5, 10});
  auto out = ShortFileList(files);
  EXPECT_THAT(out,
              ElementsAre(Field(&FileEntry::name, "a-tie.rpm"), Field(&FileEntry::name, "p10.drpm"),
                          Field(&FileEntry::name, "repomd.xml")));
}

TEST(KnownDirectoriesTest, RelativeNamesAndOutsiders) {
  size_t outside = 0;
  auto k = MakeKnownDirectories({{"pub/fedora/linux", 0, true, false},
                                 {"pub/fedora/linux/releases/40", 5, false, true},
                                 {"pub/epel", 1, true, false}},
                                "pub/fedora/linux", &outside);
  EXPECT_EQ(outside, 1u);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k.at("releases/40").ctime, 5);
  EXPECT_TRUE(k.at("releases/40").has_repository);
  EXPECT_TRUE(k.contains(""));
}

// A file system whose reads fail for chosen paths (an NFS hiccup, say).
class FlakyFileSystem final : public FileSystem {
 public:
  std::vector<std::string> failing_reads;
  absl::StatusOr<FileStat> Stat(const std::string& p) const override { return real_.Stat(p); }
  absl::StatusOr<std::vector<DirEntry>> ListDirectory(const std::string& p,
                                                      size_t m) const override {
    return real_.ListDirectory(p, m);
  }
  absl::StatusOr<std::string> ReadFile(const std::string& p, size_t m) const override {
    for (const auto& f : failing_reads) {
      if (p == f) return absl::UnavailableError("I/O error");
    }
    return real_.ReadFile(p, m);
  }

 private:
  RealFileSystem real_;
};

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = absl::StrCat(::testing::TempDir(), "umdl_plan_", getpid(), "_", counter_++);
    fs::remove_all(root_);
    fs::create_directories(root_);
    category_ = CategoryInfo{1, "Fedora Linux", "Fedora", "pub/fedora/linux"};
    config_.skip_paths_for_version = {"pub/alt"};
    scan_.local_root = root_;
    ctx_.category = &category_;
    ctx_.entry = &entry_;
    ctx_.config = &config_;
    ctx_.arch_names = {"i386", "source", "x86_64"};
    ctx_.fs = &fs_;
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& contents) {
    fs::create_directories(fs::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel) << contents;
  }
  ScannedDirectory& Add(const std::string& rel, int64_t ctime,
                        std::vector<std::string> files = {}) {
    ScannedDirectory d;
    d.relative = rel;
    d.ctime = ctime;
    d.readable = true;
    auto k = known_.find(rel);
    d.known = k != known_.end();
    d.changed = (d.known ? k->second.ctime : 0) != ctime;
    d.files_listed = d.changed || !d.known;
    for (auto& f : files) d.files.push_back(FileEntry{f, 1, ctime});
    scan_.directories.push_back(std::move(d));
    scan_.listed.insert(rel);
    return scan_.directories.back();
  }
  absl::StatusOr<CategoryPlan> Plan() {
    std::sort(scan_.directories.begin(), scan_.directories.end(),
              [](const ScannedDirectory& a, const ScannedDirectory& b) {
                return a.relative < b.relative;
              });
    return BuildPlan(scan_, known_, ctx_, &stats_);
  }

  static inline int counter_ = 0;
  std::string root_;
  CategoryInfo category_;
  MasterDirectory entry_;
  UmdlConfig config_;
  ScanResult scan_;
  KnownDirectories known_;
  FlakyFileSystem fs_;
  PlanContext ctx_;
  PlanStats stats_;
};

TEST_F(PlanTest, NewChangedAndUnchangedDirectories) {
  known_[""] = {0, true, false};
  known_["same"] = {10, true, false};
  known_["moved"] = {10, true, false};
  known_["locked"] = {10, true, false};
  Add("", 0);
  Add("same", 10);
  Add("moved", 11, {"a.txt"});
  Add("locked", 10).readable = false;
  Add("new", 12, {"b.txt"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.directories.size(), 3u);
  EXPECT_EQ(plan.directories[0].name, "pub/fedora/linux/locked");
  EXPECT_EQ(plan.directories[0].readable, false);
  EXPECT_FALSE(plan.directories[0].ctime.has_value());
  EXPECT_FALSE(plan.directories[0].set_files);
  EXPECT_EQ(plan.directories[1].name, "pub/fedora/linux/moved");
  EXPECT_EQ(plan.directories[1].ctime, 11);
  EXPECT_TRUE(plan.directories[1].set_files);
  EXPECT_EQ(plan.directories[2].name, "pub/fedora/linux/new");
  EXPECT_EQ(stats_.changed, 2u);
  EXPECT_EQ(stats_.new_directories, 1u);
}

TEST_F(PlanTest, ChecksumFilesBecomeFileDetailsOfThisDirectoryOnly) {
  const std::string sha = std::string(64, 'a');
  Write("iso/Fedora-CHECKSUM", sha + " *a.iso\n" + sha + " *missing.iso\n" + sha +
                                   " *../escape.iso\nSHA256 (sub) = " + sha + "\n");
  Write("iso/MD5SUM", std::string(32, 'b') + "  a.iso\n");
  Write("iso/a.iso", "12345");
  fs::create_directories(root_ + "/iso/sub");
  Write("escape.iso", "x");
  Add("iso", 5, {"Fedora-CHECKSUM", "MD5SUM", "a.iso"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.file_details.size(), 1u);
  const auto& fd = plan.file_details[0];
  EXPECT_EQ(fd.directory_name, "pub/fedora/linux/iso");
  EXPECT_EQ(fd.filename, "a.iso");
  EXPECT_EQ(fd.size, 5);
  EXPECT_EQ(fd.sha256, sha);
  EXPECT_EQ(fd.md5, std::string(32, 'b'));
  EXPECT_FALSE(fd.sha1.has_value());
  EXPECT_FALSE(fd.sha512.has_value());
  struct stat st;
  ::stat((root_ + "/iso/a.iso").c_str(), &st);
  EXPECT_EQ(fd.timestamp, st.st_ctime);
}

TEST_F(PlanTest, GarbageChecksumAndRepomdFilesAreSkipped) {
  Write("iso/x-CHECKSUM", "\x89PNG\r\n\x1a\n binary junk");
  Write("os/repodata/repomd.xml", "<html>not a repomd</html>");
  Add("iso", 5, {"x-CHECKSUM"});
  Add("os", 5);
  Add("os/repodata", 5, {"repomd.xml"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(plan.file_details, IsEmpty());
  EXPECT_EQ(plan.directories.size(), 3u);  // the directories are still synced
}

TEST_F(PlanTest, UnreadableFileKeepsTheStoredCtimeForARetry) {
  known_["iso"] = {4, true, false};
  Write("iso/x-CHECKSUM", std::string(64, 'c') + " *x.iso\n");
  fs_.failing_reads = {root_ + "/iso/x-CHECKSUM"};
  Add("iso", 5, {"x-CHECKSUM", "x.iso"});
  Add("new", 7, {"y-CHECKSUM"});
  Write("new/y-CHECKSUM", "junk");
  fs_.failing_reads.push_back(root_ + "/new/y-CHECKSUM");
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.directories.size(), 2u);
  EXPECT_FALSE(plan.directories[0].ctime.has_value());  // "iso": ctime not advanced
  EXPECT_TRUE(plan.directories[0].set_files);
  EXPECT_EQ(plan.directories[1].ctime, 0);  // "new": created with ctime 0, looked at again next run
}

TEST_F(PlanTest, RepomdAndSummaryFileDetails) {
  Write("os/repodata/repomd.xml", "<repomd><data><timestamp>77</timestamp></data></repomd>");
  Write("atomic/summary", "ostree summary bytes");
  Add("os/repodata", 5, {"repomd.xml"});
  Add("atomic", 5, {"summary"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.file_details.size(), 2u);
  EXPECT_EQ(plan.file_details[0].filename, "summary");
  struct stat st;
  ::stat((root_ + "/atomic/summary").c_str(), &st);
  EXPECT_EQ(*plan.file_details[0].timestamp,
            st.st_mtime + (st.st_mtim.tv_nsec >= 500000000 ? 1 : 0));
  EXPECT_EQ(plan.file_details[1].filename, "repomd.xml");
  EXPECT_EQ(plan.file_details[1].timestamp, 77);
  EXPECT_EQ(plan.file_details[1].size, 55);
  EXPECT_EQ(plan.file_details[1].md5->size(), 32u);
  EXPECT_EQ(plan.file_details[1].sha512->size(), 128u);
  // rsync listings carry no local content for them (upstream)
  scan_.repo_file_details = false;
  stats_ = PlanStats();
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan2, BuildPlan(scan_, known_, ctx_, &stats_));
  EXPECT_THAT(plan2.file_details, IsEmpty());
}

TEST_F(PlanTest, RepositoriesVersionsAndSkips) {
  ctx_.version_names = {"19"};
  known_["releases/19/Everything/x86_64/os"] = {1, true, true};  // already has a repository
  Add("releases/19/Everything/x86_64/os", 1).is_repository = true;
  Add("releases/20/Everything/x86_64/os", 2).is_repository = true;
  Add("releases/20/Everything/i386/os", 2).is_repository = true;
  Add("releases/test/21_Beta/Everything/x86_64/os", 2).is_repository = true;
  Add("releases/20/Server/x86_64/os", 2).is_repository = true;
  Add("releases/20/Everything/ppc/os", 2).is_repository = true;  // unknown arch
  Add("atomic/20", 2).is_atomic = true;
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(plan.versions, UnorderedElementsAre(Field(&VersionToEnsure::name, "20"),
                                                  Field(&VersionToEnsure::name, "21_Beta")));
  for (const auto& v : plan.versions) EXPECT_EQ(v.is_test, v.name == "21_Beta");
  std::vector<std::string> repos;
  for (const auto& r : plan.repositories) {
    repos.push_back(absl::StrCat(r.directory_name, " ", r.prefix.value_or("NULL"), " ", r.arch_name,
                                 " ", r.version_name));
  }
  EXPECT_THAT(
      repos,
      UnorderedElementsAre(
          "pub/fedora/linux/atomic/20 atomic-20 x86_64 20",
          "pub/fedora/linux/releases/20/Everything/i386/os fedora-20 i386 20",
          "pub/fedora/linux/releases/20/Everything/x86_64/os fedora-20 x86_64 20",
          "pub/fedora/linux/releases/test/21_Beta/Everything/x86_64/os NULL x86_64 21_Beta"));
}

TEST_F(PlanTest, SkipPathsForVersion) {
  category_.topdir = "pub/alt";
  Add("stage/40/x86_64/os", 2).is_repository = true;
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(plan.repositories, IsEmpty());
  EXPECT_THAT(plan.versions, IsEmpty());
}

TEST_F(PlanTest, DeletionsOnlyWhenAskedCompleteAndNotProtected) {
  ASSERT_OK_AND_ASSIGN(entry_.excluder, Excluder::Create({"pub/fedora/linux/keep"}));
  known_[""] = {0, true, false};
  known_["here"] = {1, true, false};
  known_["gone"] = {1, true, false};
  known_["gone/child"] = {1, true, false};
  known_["keep"] = {1, true, false};
  Add("", 0);
  Add("here", 1);
  ASSERT_OK_AND_ASSIGN(CategoryPlan none, Plan());
  EXPECT_THAT(none.deletions, IsEmpty());

  ctx_.delete_directories = true;
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, BuildPlan(scan_, known_, ctx_, &stats_));
  EXPECT_THAT(plan.deletions, ElementsAre("pub/fedora/linux/gone/child", "pub/fedora/linux/gone"));

  scan_.complete = false;
  ASSERT_OK_AND_ASSIGN(CategoryPlan incomplete, BuildPlan(scan_, known_, ctx_, &stats_));
  EXPECT_THAT(incomplete.deletions, IsEmpty());
  EXPECT_THAT(stats_.warnings, ::testing::Contains(HasSubstr("incomplete")));
}

TEST_F(PlanTest, RefusesToDeleteEverythingWhenTheScanIsEmpty) {
  ctx_.delete_directories = true;
  known_[""] = {0, true, false};
  known_["a"] = {1, true, false};
  known_["b"] = {1, true, false};
  Add("", 0);
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(plan.deletions, IsEmpty());
  EXPECT_THAT(stats_.warnings, ::testing::Contains(HasSubstr("refusing")));
}

TEST_F(PlanTest, DiskModeConfirmsGoneDirectoriesWithStat) {
  ctx_.delete_directories = true;
  scan_.verify_gone_on_disk = true;
  known_[""] = {0, true, false};
  known_["x"] = {1, true, false};
  known_["excluded/.snapshot/inner"] = {1, true, false};
  known_["vanished"] = {1, true, false};
  fs::create_directories(root_ + "/excluded/.snapshot/inner");
  Add("", 0);
  Add("x", 1);
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(plan.deletions, ElementsAre("pub/fedora/linux/vanished"));
}

}  // namespace
}  // namespace mm::umdl
