// The planner: what is sent to the catalog for a scan result.
#include "services/umdl/plan.h"

#include <fcntl.h>
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
using ::testing::AllOf;
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

// A file system whose reads fail for chosen paths (an NFS hiccup, say), and that counts reads.
class FlakyFileSystem final : public FileSystem {
 public:
  std::vector<std::string> failing_reads;
  mutable std::vector<std::string> reads;
  absl::StatusOr<FileStat> Stat(const std::string& p) const override { return real_.Stat(p); }
  absl::StatusOr<std::vector<DirEntry>> ListDirectory(const std::string& p,
                                                      size_t m) const override {
    return real_.ListDirectory(p, m);
  }
  absl::StatusOr<std::string> ReadFile(const std::string& p, size_t m) const override {
    reads.push_back(p);
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
    d.files_listed = d.changed || !d.known || (d.known && k->second.files_not_json);
    // As the scanners: the sample only for directories that need it, source files always.
    for (auto& f : files) {
      FileEntry e{f, 1, ctime};
      if (IsSourceFileName(f)) d.source_files.push_back(e);
      if (d.files_listed) d.files.push_back(e);
    }
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

// Upstream merges an algorithm's lists pattern by pattern (".*\.md5sum" before "MD5SUM"), a
// later list winning, and reads a file whose name matches patterns of several algorithms for
// each of them.
TEST_F(PlanTest, ChecksumListsMergeInUpstreamOrderAndMayServeSeveralAlgorithms) {
  const std::string md5_b(32, 'b'), md5_c(32, 'c'), sha1(40, '1'), sha256(64, '2');
  Write("iso/MD5SUM", md5_b + "  a.iso\n");
  Write("iso/z.md5sum", md5_c + "  a.iso\n");
  Write("iso/SHA1SUM-CHECKSUM", sha1 + "  a.iso\n" + sha256 + "  a.iso\n");
  Write("iso/a.iso", "12345");
  Add("iso", 5, {"MD5SUM", "SHA1SUM-CHECKSUM", "a.iso", "z.md5sum"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.file_details.size(), 1u);
  EXPECT_EQ(plan.file_details[0].md5, md5_b);  // MD5SUM (2nd pattern) read after z.md5sum
  EXPECT_EQ(plan.file_details[0].sha1, sha1);
  EXPECT_EQ(plan.file_details[0].sha256, sha256);
  EXPECT_FALSE(plan.file_details[0].sha512.has_value());
  ASSERT_EQ(plan.directories.size(), 1u);
  EXPECT_EQ(plan.directories[0].source_files.size(), 3u);
  for (const auto& r : plan.directories[0].source_files) {
    EXPECT_THAT(r.derived, ElementsAre(::testing::Field(&DerivedFile::name, "a.iso"))) << r.name;
  }
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

TEST_F(PlanTest, UnreadableFileIsNotRecordedSoTheNextRunReadsItAgain) {
  known_["iso"] = {4, true, false};
  Write("iso/x-CHECKSUM", std::string(64, 'c') + " *x.iso\n");
  Write("iso/x.iso", "iso");
  fs_.failing_reads = {root_ + "/iso/x-CHECKSUM"};
  Add("iso", 5, {"x-CHECKSUM", "x.iso"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.directories.size(), 1u);
  EXPECT_EQ(plan.directories[0].ctime, 5);  // the real change time, always
  EXPECT_TRUE(plan.directories[0].set_files);
  EXPECT_FALSE(plan.directories[0].set_source_files);  // nothing recorded
  EXPECT_THAT(plan.file_details, IsEmpty());

  // Next run: the directory is unchanged, but the file has no record, so it is read now.
  known_["iso"] = {5, true, false};
  fs_.failing_reads.clear();
  scan_.directories.clear();
  Add("iso", 5, {"x-CHECKSUM", "x.iso"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan next, Plan());
  struct stat st;
  ::stat((root_ + "/iso/x.iso").c_str(), &st);
  const int64_t x_iso_ctime = st.st_ctime;
  ASSERT_EQ(next.file_details.size(), 1u);
  EXPECT_EQ(next.file_details[0].filename, "x.iso");
  ASSERT_EQ(next.directories.size(), 1u);
  EXPECT_FALSE(next.directories[0].ctime.has_value());
  EXPECT_FALSE(next.directories[0].set_files);
  EXPECT_TRUE(next.directories[0].set_source_files);
  EXPECT_THAT(next.directories[0].source_files,
              ElementsAre(SourceFileRecord{"x-CHECKSUM", 5, 1, {{"x.iso", x_iso_ctime, 3}}}));
}

// The catalog's record of `name` in `rel` as a run that read it would have stored it.
void Record(KnownDirectories& known, const std::string& rel, const std::string& name, int64_t ts,
            int64_t size, std::vector<DerivedFileState> derived) {
  known[rel].source_files.push_back(SourceFileState{name, ts, size, std::move(derived)});
}

class SourceFilesTest : public PlanTest {
 protected:
  void SetUp() override {
    PlanTest::SetUp();
    sha_ = std::string(64, 'a');
    Write("iso/Fedora-CHECKSUM", sha_ + " *a.iso\n");
    Write("iso/SHA512SUM", std::string(128, 'e') + "  a.iso\n");
    Write("iso/a.iso", "12345");
    Write("os/repodata/repomd.xml", "<repomd><data><timestamp>77</timestamp></data></repomd>");
    struct stat st;
    ::stat((root_ + "/iso/a.iso").c_str(), &st);
    iso_ctime_ = st.st_ctime;
    known_["iso"] = {5, true, false};
    known_["os/repodata"] = {5, true, false};
    // Stored as the last run read them (Add() gives every file size 1 and the ctime's time).
    Record(known_, "iso", "Fedora-CHECKSUM", 5, 1, {{{"a.iso", iso_ctime_, 5}, true}});
    Record(known_, "iso", "SHA512SUM", 5, 1, {{{"a.iso", iso_ctime_, 5}, true}});
    Record(known_, "os/repodata", "repomd.xml", 5, 1, {{{"repomd.xml", 77, 55}, true}});
  }
  void Scan() {
    scan_.directories.clear();
    Add("iso", 5, {"Fedora-CHECKSUM", "SHA512SUM", "a.iso"});
    Add("os/repodata", 5, {"repomd.xml"});
  }
  std::string sha_;
  int64_t iso_ctime_ = 0;
};

TEST_F(SourceFilesTest, UnchangedFilesAreNotReadAtAll) {
  Scan();
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(fs_.reads, IsEmpty());
  EXPECT_THAT(plan.file_details, IsEmpty());
  EXPECT_THAT(plan.directories, IsEmpty());
}

TEST_F(SourceFilesTest, AFileRewrittenInPlaceIsReadAgain) {
  Scan();
  // repomd.xml rewritten: new time in the listing, the directory's ctime unchanged.
  scan_.directories[1].source_files[0].timestamp = 6;
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(fs_.reads, ElementsAre(root_ + "/os/repodata/repomd.xml"));
  ASSERT_EQ(plan.file_details.size(), 1u);
  EXPECT_EQ(plan.file_details[0].filename, "repomd.xml");
  ASSERT_EQ(plan.directories.size(), 1u);
  EXPECT_EQ(plan.directories[0].name, "pub/fedora/linux/os/repodata");
  EXPECT_FALSE(plan.directories[0].set_files);
  EXPECT_THAT(plan.directories[0].source_files,
              ElementsAre(SourceFileRecord{"repomd.xml", 6, 1, {{"repomd.xml", 77, 55}}}));
}

TEST_F(SourceFilesTest, OneChangedChecksumFileReadsAllOfTheDirectory) {
  Scan();
  scan_.directories[0].source_files[0].size = 2;  // Fedora-CHECKSUM grew
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(fs_.reads,
              UnorderedElementsAre(root_ + "/iso/Fedora-CHECKSUM", root_ + "/iso/SHA512SUM"));
  // One file detail with the hashes of both lists, as a full read makes.
  ASSERT_EQ(plan.file_details.size(), 1u);
  EXPECT_EQ(plan.file_details[0].sha256, sha_);
  EXPECT_EQ(plan.file_details[0].sha512, std::string(128, 'e'));
}

TEST_F(SourceFilesTest, AMissingOrStaleFileDetailIsMadeAgain) {
  // The newest file detail of repomd.xml was deleted.
  known_["os/repodata"].source_files[0].derived[0].has_file_detail = false;
  // a.iso was touched: its ctime no longer matches its newest file detail.
  known_["iso"].source_files[0].derived[0].file.timestamp = iso_ctime_ - 100;
  Scan();
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  std::vector<std::string> names;
  for (const auto& f : plan.file_details) names.push_back(f.filename);
  EXPECT_THAT(names, UnorderedElementsAre("a.iso", "repomd.xml"));
  // Only the checksum files' records change (a.iso's new ctime); repomd.xml's is as stored.
  ASSERT_EQ(plan.directories.size(), 1u);
  EXPECT_EQ(plan.directories[0].name, "pub/fedora/linux/iso");
  ASSERT_EQ(plan.directories[0].source_files.size(), 2u);
  EXPECT_EQ(plan.directories[0].source_files[0].derived,
            (std::vector<DerivedFile>{{"a.iso", iso_ctime_, 5}}));
}

TEST_F(SourceFilesTest, GarbageIsRecordedAndNotReadAgainUntilItChanges) {
  Write("os/repodata/repomd.xml", "<html>not a repomd</html>");
  known_["os/repodata"].source_files.clear();
  Scan();
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(plan.file_details, IsEmpty());
  ASSERT_EQ(plan.directories.size(), 1u);
  EXPECT_THAT(plan.directories[0].source_files,
              ElementsAre(SourceFileRecord{"repomd.xml", 5, 1, {}}));
  Record(known_, "os/repodata", "repomd.xml", 5, 1, {});
  fs_.reads.clear();
  Scan();
  ASSERT_OK_AND_ASSIGN(CategoryPlan again, Plan());
  EXPECT_THAT(fs_.reads, IsEmpty());
  EXPECT_THAT(again.directories, IsEmpty());
}

TEST_F(SourceFilesTest, ARemovedChecksumFileIsForgotten) {
  Scan();
  scan_.directories[0].source_files.erase(scan_.directories[0].source_files.begin());
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(fs_.reads, IsEmpty());
  ASSERT_EQ(plan.directories.size(), 1u);
  EXPECT_THAT(plan.directories[0].source_files,
              ElementsAre(Field(&SourceFileRecord::name, "SHA512SUM")));
}

TEST_F(PlanTest, LegacyPickledFilesAreRewrittenInAnUnchangedDirectory) {
  known_["d"] = {5, true, false};
  known_["d"].files_not_json = true;
  known_["fine"] = {5, true, false};
  Add("d", 5, {"a.txt"});
  Add("fine", 5, {"b.txt"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.directories.size(), 1u);
  EXPECT_EQ(plan.directories[0].name, "pub/fedora/linux/d");
  EXPECT_TRUE(plan.directories[0].set_files);
  EXPECT_THAT(plan.directories[0].files, ElementsAre(FileEntry{"a.txt", 1, 5}));
  EXPECT_FALSE(plan.directories[0].ctime.has_value());
}

TEST_F(PlanTest, RepomdAndSummaryFileDetails) {
  Write("os/repodata/repomd.xml", "<repomd><data><timestamp>77</timestamp></data></repomd>");
  Write("atomic/summary", "ostree summary bytes");
  // getmtime() is the double 1700000000.499999999 == 1700000000.5; PostgreSQL rounds it up.
  struct timespec times[2] = {{1700000000, 0}, {1700000000, 499999999}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ + "/atomic/summary").c_str(), times, 0), 0);
  Add("os/repodata", 5, {"repomd.xml"});
  Add("atomic", 5, {"summary"});
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  ASSERT_EQ(plan.file_details.size(), 2u);
  EXPECT_EQ(plan.file_details[0].filename, "summary");
  EXPECT_EQ(*plan.file_details[0].timestamp, 1700000001);
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

// Upstream tests os.path.join(topdir, relative).startswith(skip) for every entry: an empty
// entry skips every yum repository.
TEST_F(PlanTest, SkipPathsForVersionIsAPlainPrefixTest) {
  category_.topdir = "pub/alt";
  ctx_.version_names = {"40"};
  Add("40/x86_64/os", 2).is_repository = true;
  for (const auto& [skip, created] : std::vector<std::pair<std::string, size_t>>{
           {"pub/alt/40/", 0}, {"pub/alt/4", 0}, {"", 0}, {"pub/alt/41", 1}, {"pub/alt2", 1}}) {
    config_.skip_paths_for_version = {skip};
    stats_ = PlanStats();
    ASSERT_OK_AND_ASSIGN(CategoryPlan plan, BuildPlan(scan_, known_, ctx_, &stats_));
    EXPECT_EQ(plan.repositories.size(), created) << "'" << skip << "'";
  }
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

  // Gone from an rsync listing because the entry's options exclude it: not gone.
  ASSERT_OK_AND_ASSIGN(scan_.option_excludes, RsyncExcludes::FromOptions({"--exclude=child"}));
  ASSERT_OK_AND_ASSIGN(CategoryPlan excluded, BuildPlan(scan_, known_, ctx_, &stats_));
  EXPECT_THAT(excluded.deletions, ElementsAre("pub/fedora/linux/gone"));
  scan_.option_excludes.reset();

  scan_.MarkIncomplete("the list has 1 malformed row(s)");
  ASSERT_OK_AND_ASSIGN(CategoryPlan incomplete, BuildPlan(scan_, known_, ctx_, &stats_));
  EXPECT_THAT(incomplete.deletions, IsEmpty());
  EXPECT_THAT(stats_.warnings,
              ::testing::Contains(AllOf(HasSubstr("no directory of the category is deleted"),
                                        HasSubstr("1 malformed row(s)"))));
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
  known_["now-a-file"] = {1, true, false};        // os.path.isdir() is false: gone
  known_["now-a-file/below"] = {1, true, false};  // ENOTDIR: gone
  fs::create_directories(root_ + "/excluded/.snapshot/inner");
  Write("now-a-file", "x");
  Add("", 0);
  Add("x", 1);
  ASSERT_OK_AND_ASSIGN(CategoryPlan plan, Plan());
  EXPECT_THAT(plan.deletions,
              ElementsAre("pub/fedora/linux/vanished", "pub/fedora/linux/now-a-file/below",
                          "pub/fedora/linux/now-a-file"));
}

}  // namespace
}  // namespace mm::umdl
