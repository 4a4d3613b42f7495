// The synchronizers on real temporary trees, and with a file system that fails where a test
// running as root cannot make the real one fail.
#include "services/umdl/scan.h"

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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class TempTree {
 public:
  TempTree() {
    root_ = absl::StrCat(::testing::TempDir(), "umdl_scan_", getpid(), "_", counter_++);
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~TempTree() { fs::remove_all(root_); }
  const std::string& root() const { return root_; }
  void Dir(const std::string& rel, int mode = 0755) {
    fs::create_directories(root_ + "/" + rel);
    ::chmod((root_ + "/" + rel).c_str(), mode);
  }
  void File(const std::string& rel, const std::string& contents = "x") {
    fs::create_directories(fs::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel) << contents;
  }

 private:
  static inline int counter_ = 0;
  std::string root_;
};

// Fails listing (EACCES) for the given absolute paths; everything else is the real file system.
class FailingFileSystem final : public FileSystem {
 public:
  std::vector<std::string> unlistable;
  absl::StatusOr<FileStat> Stat(const std::string& p) const override { return real_.Stat(p); }
  absl::StatusOr<std::vector<DirEntry>> ListDirectory(const std::string& p,
                                                      size_t max) const override {
    for (const auto& u : unlistable) {
      if (p == u) return ErrnoStatus(EACCES, p);
    }
    return real_.ListDirectory(p, max);
  }
  absl::StatusOr<std::string> ReadFile(const std::string& p, size_t max) const override {
    return real_.ReadFile(p, max);
  }

 private:
  RealFileSystem real_;
};

std::vector<std::string> Names(const ScanResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.directories) out.push_back(d.relative);
  return out;
}

const ScannedDirectory& Get(const ScanResult& r, const std::string& rel) {
  for (const auto& d : r.directories) {
    if (d.relative == rel) return d;
  }
  ADD_FAILURE() << "no directory " << rel;
  static ScannedDirectory none;
  return none;
}

ScanRequest Request(const MasterDirectory& entry, const std::string& category = "Test") {
  ScanRequest r;
  r.entry = &entry;
  r.category_name = category;
  r.topdir = "pub/test";
  return r;
}

TEST(ScanDiskTest, WalksFlagsRepositoriesAndListsFilesOfChangedDirectories) {
  TempTree t;
  t.Dir("a/repodata");
  t.File("a/repodata/repomd.xml", "<repomd/>");
  t.Dir("b/objects");
  t.File("b/summary");
  t.Dir("c/.snapshot/deep");
  t.Dir("secret", 0750);
  t.Dir("secret/inner");
  t.File("top.txt", "hello");
  ::symlink((t.root() + "/a").c_str(), (t.root() + "/link").c_str());
  MasterDirectory e;
  e.path = t.root() + "/";
  RealFileSystem rfs;
  KnownDirectories known;
  auto st = rfs.Stat(t.root() + "/b");
  ASSERT_OK(st);
  known["b"] = KnownDirectory{st->ctime, true, false};  // unchanged
  ASSERT_OK_AND_ASSIGN(ScanResult r, ScanDisk(Request(e), known, rfs));
  EXPECT_THAT(Names(r),
              ElementsAre("", "a", "a/repodata", "b", "b/objects", "c", "secret", "secret/inner"));
  EXPECT_EQ(r.excluded, 1u);  // c/.snapshot (and everything below it, never walked)
  EXPECT_TRUE(r.listed.contains("c/.snapshot"));
  EXPECT_TRUE(Get(r, "a").is_repository);
  EXPECT_TRUE(Get(r, "b").is_atomic);
  EXPECT_FALSE(Get(r, "b").changed);
  EXPECT_FALSE(Get(r, "b").files_listed);
  EXPECT_THAT(Get(r, "b").files, IsEmpty());
  EXPECT_TRUE(Get(r, "a").changed);
  EXPECT_EQ(Get(r, "secret").readable, false);
  EXPECT_EQ(Get(r, "secret/inner").readable, false);  // below an unreadable directory
  EXPECT_EQ(Get(r, "a").readable, true);
  ASSERT_EQ(Get(r, "").files.size(), 1u);  // the symlink to a directory is not a file
  EXPECT_EQ(Get(r, "").files[0].name, "top.txt");
  EXPECT_EQ(Get(r, "").files[0].size, 5);
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(r.verify_gone_on_disk);
}

TEST(SourceFileNameTest, ChecksumFilesRepomdAndSummary) {
  for (const char* n : {"repomd.xml", "summary", "Fedora-40-x86_64-CHECKSUM", "MD5SUMS",
                        "x.iso.sha512sum", "sha1sum.txt", "sha256sumXtxt"}) {
    EXPECT_TRUE(IsSourceFileName(n)) << n;
  }
  for (const char* n : {"repomd.xml.asc", "summary.sig", "CHECKSUM", "a.rpm", "sums", ""}) {
    EXPECT_FALSE(IsSourceFileName(n)) << n;
  }
}

TEST(RealFileSystemTest, ReadFileRefusesFifosAndDirectoriesWithoutBlocking) {
  TempTree t;
  t.Dir("d");
  t.File("plain-CHECKSUM", "abc");
  // A FIFO named like a checksum file: opening it for reading must not wait for a writer.
  ASSERT_EQ(::mkfifo((t.root() + "/fifo-CHECKSUM").c_str(), 0644), 0);
  RealFileSystem rfs;
  EXPECT_THAT(rfs.ReadFile(t.root() + "/fifo-CHECKSUM", 1 << 20),
              mm::testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                    HasSubstr("not a regular file")));
  EXPECT_THAT(rfs.ReadFile(t.root() + "/d", 1 << 20),
              mm::testing::StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("directory")));
  ASSERT_OK_AND_ASSIGN(std::string text, rfs.ReadFile(t.root() + "/plain-CHECKSUM", 1 << 20));
  EXPECT_EQ(text, "abc");
}

TEST(ScanDiskTest, EntryExcludesPruneSubtrees) {
  TempTree t;
  t.Dir("keep/x");
  t.Dir("drop/y");
  ASSERT_OK_AND_ASSIGN(Excluder ex, Excluder::Create({"pub/test/drop"}));
  MasterDirectory e;
  e.path = t.root();
  e.excluder = ex;
  RealFileSystem rfs;
  ASSERT_OK_AND_ASSIGN(ScanResult r, ScanDisk(Request(e), {}, rfs));
  EXPECT_THAT(Names(r), ElementsAre("", "keep", "keep/x"));
}

TEST(ScanDiskTest, UnlistableDirectoryKeepsItsStoredStateAndTheWalkGoesOn) {
  TempTree t;
  t.Dir("locked/child");
  t.Dir("open/child");
  t.File("locked/x-CHECKSUM");
  FailingFileSystem ffs;
  ffs.unlistable = {t.root() + "/locked"};
  MasterDirectory e;
  e.path = t.root();
  KnownDirectories known;
  known["locked"] = KnownDirectory{1, true, false};  // stale ctime: it would look changed
  ASSERT_OK_AND_ASSIGN(ScanResult r, ScanDisk(Request(e), known, ffs));
  // As os.walk: left out, so nothing about it (ctime, files) is rewritten; it is not gone.
  EXPECT_THAT(Names(r), ElementsAre("", "open", "open/child"));
  EXPECT_TRUE(r.listed.contains("locked"));
  EXPECT_TRUE(r.complete);
  ASSERT_THAT(r.warnings, ::testing::SizeIs(1));
  EXPECT_THAT(r.warnings[0], HasSubstr("could not be listed; they and their contents were left"));
}

TEST(ScanDiskTest, UnlistableTopMakesTheScanIncomplete) {
  TempTree t;
  t.Dir("a");
  FailingFileSystem ffs;
  ffs.unlistable = {t.root()};
  MasterDirectory e;
  e.path = t.root();
  ASSERT_OK_AND_ASSIGN(ScanResult r, ScanDisk(Request(e), {}, ffs));
  EXPECT_THAT(r.directories, IsEmpty());
  EXPECT_FALSE(r.complete);
  EXPECT_THAT(r.incomplete_reason, HasSubstr("cannot be listed"));
}

TEST(ScanDiskTest, SourceFilesOfUnchangedDirectoriesAndLegacyFilesAreCollected) {
  TempTree t;
  t.Dir("iso");
  t.File("iso/Fedora-CHECKSUM", "sums");
  t.File("iso/a.iso", "12345");
  t.Dir("os/repodata");
  t.File("os/repodata/repomd.xml", "<repomd/>");
  t.File("os/repodata/primary.xml.gz", "gz");
  t.Dir("pickled");
  t.File("pickled/f.txt", "abc");
  MasterDirectory e;
  e.path = t.root();
  RealFileSystem rfs;
  KnownDirectories known;
  for (const char* d : {"", "iso", "os", "os/repodata", "pickled"}) {
    auto st = rfs.Stat(t.root() + "/" + d);
    ASSERT_OK(st);
    known[d] = KnownDirectory{st->ctime, true, false};
  }
  known["pickled"].files_not_json = true;
  ASSERT_OK_AND_ASSIGN(ScanResult r, ScanDisk(Request(e), known, rfs));
  const auto& iso = Get(r, "iso");
  EXPECT_FALSE(iso.changed);
  EXPECT_THAT(iso.files, IsEmpty());  // unchanged: no sample
  struct stat st;
  ::stat((t.root() + "/iso/Fedora-CHECKSUM").c_str(), &st);
  EXPECT_THAT(iso.source_files, ElementsAre(FileEntry{"Fedora-CHECKSUM", 4, st.st_ctime}));
  EXPECT_THAT(Get(r, "os/repodata").source_files,
              ElementsAre(::testing::Field(&FileEntry::name, "repomd.xml")));
  // A stored pickle is read as empty and rewritten: its files are listed although unchanged.
  const auto& pickled = Get(r, "pickled");
  EXPECT_FALSE(pickled.changed);
  EXPECT_TRUE(pickled.files_listed);
  EXPECT_THAT(pickled.files, ElementsAre(::testing::Field(&FileEntry::name, "f.txt")));
}

TEST(ScanDiskTest, MissingTopIsAnIncompleteEmptyScan) {
  MasterDirectory e;
  e.path = "/nonexistent/umdl/tree";
  RealFileSystem rfs;
  ASSERT_OK_AND_ASSIGN(ScanResult r, ScanDisk(Request(e), {}, rfs));
  EXPECT_THAT(r.directories, IsEmpty());
  EXPECT_FALSE(r.complete);
  ASSERT_THAT(r.warnings, ::testing::SizeIs(1));
  EXPECT_THAT(r.warnings[0], HasSubstr("not a readable directory"));
}

TEST(ScanFftTest, NoListMeansSyncImpossible) {
  TempTree t;
  MasterDirectory e;
  e.path = t.root();
  RealFileSystem rfs;
  ASSERT_OK_AND_ASSIGN(auto r, ScanFullFileTimeList(Request(e), {}, rfs));
  EXPECT_FALSE(r.has_value());
}

TEST(ScanFftTest, FedoraLinuxReadsTheListOneLevelUpAndStripsTheTopComponent) {
  TempTree t;
  t.Dir("fedora/linux/releases/40/os/repodata");
  t.Dir("fedora/linux/atomic/40/objects");
  t.File("fedora/linux/atomic/40/summary");
  t.Dir("fedora/linux/hidden", 0700);
  t.File("fedora/fullfiletimelist-fedora",
         "[Version]\n2\n[Files]\n"
         "100\td\t4096\tlinux\n"
         "200\td\t4096\tlinux/releases\n"
         "201\td\t4096\tlinux/releases/40\n"
         "202\td\t4096\tlinux/releases/40/os\n"
         "203\td\t4096\tlinux/releases/40/os/repodata\n"
         "204\tf\t3732\tlinux/releases/40/os/repodata/repomd.xml\n"
         "205\td\t4096\tlinux/atomic\n206\td\t4096\tlinux/atomic/40\n207\td\t4096\tlinux/atomic/40/"
         "objects\n"
         "208\tf\t10\tlinux/atomic/40/summary\n"
         "209\td\t4096\tlinux/hidden\n"
         "210\td-\t4096\tlinux/marked\n"
         "211\td\t4096\tepel/9\n"
         "212\td\t4096\tlinux/releases/.snapshot\n"
         "213\td\t4096\t/etc\n"
         "garbage line\n"
         "[End]\n");
  t.File("fedora/fullfiletimelist-zzz", "[Files]\n1\td\t1\tlinux/zzz\n");
  MasterDirectory e;
  e.path = t.root() + "/fedora/linux/";
  RealFileSystem rfs;
  KnownDirectories known;
  known["releases"] = KnownDirectory{200, true, false};
  ASSERT_OK_AND_ASSIGN(auto r, ScanFullFileTimeList(Request(e, "Fedora Linux"), known, rfs));
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->source, HasSubstr("fullfiletimelist-fedora"));
  EXPECT_THAT(Names(*r),
              ElementsAre("", "atomic", "atomic/40", "atomic/40/objects", "hidden", "marked",
                          "releases", "releases/40", "releases/40/os", "releases/40/os/repodata"));
  EXPECT_EQ(Get(*r, "").ctime, 0);  // the top always has ctime 0
  EXPECT_EQ(Get(*r, "releases/40").ctime, 201);
  EXPECT_FALSE(Get(*r, "releases").changed);
  EXPECT_EQ(Get(*r, "releases").readable, std::nullopt);  // unchanged: not stat()ed
  EXPECT_TRUE(Get(*r, "releases/40").changed);
  EXPECT_TRUE(Get(*r, "releases/40/os").is_repository);
  EXPECT_TRUE(Get(*r, "atomic/40").is_atomic);
  EXPECT_EQ(Get(*r, "hidden").readable, false);  // mode 0700 on disk
  EXPECT_EQ(Get(*r, "marked").readable, false);  // "d-" in the list, not on disk at all
  EXPECT_EQ(Get(*r, "releases/40").readable, true);
  ASSERT_EQ(Get(*r, "releases/40/os/repodata").files.size(), 1u);
  EXPECT_EQ(Get(*r, "releases/40/os/repodata").files[0].size, 3732);
  EXPECT_EQ(Get(*r, "releases/40/os/repodata").files[0].timestamp, 204);
  EXPECT_TRUE(r->listed.contains("releases/.snapshot"));
  EXPECT_EQ(r->excluded, 1u);
  EXPECT_THAT(r->warnings, ::testing::Contains(HasSubstr("1 malformed row")));
  EXPECT_THAT(r->warnings, ::testing::Contains(HasSubstr("absolute paths")));
  // A skipped row might have been a directory: nothing may be deleted after this scan.
  EXPECT_FALSE(r->complete);
  EXPECT_THAT(r->incomplete_reason, HasSubstr("1 malformed row"));
}

TEST(ScanFftTest, SourceFilesComeFromTheListForEveryDirectory) {
  TempTree t;
  t.Dir("cat/iso");
  t.File("cat/fullfiletimelist-cat",
         "[Files]\n"
         "10\td\t4096\tiso\n"
         "11\tf\t700\tiso/Fedora-40-x86_64-CHECKSUM\n"
         "12\tf\t9\tiso/a.iso\n"
         "13\tf\t5\tiso/SHA512SUM\n"
         "14\tf\t5\tiso/repomd.xml\n");
  MasterDirectory e;
  e.path = t.root() + "/cat";
  RealFileSystem rfs;
  KnownDirectories known;
  known[""] = KnownDirectory{0, true, false};
  known["iso"] = KnownDirectory{10, true, false};
  ASSERT_OK_AND_ASSIGN(auto r, ScanFullFileTimeList(Request(e), known, rfs));
  ASSERT_TRUE(r.has_value());
  const auto& iso = Get(*r, "iso");
  EXPECT_FALSE(iso.files_listed);
  EXPECT_THAT(iso.files, IsEmpty());
  EXPECT_THAT(iso.source_files,
              UnorderedElementsAre(FileEntry{"Fedora-40-x86_64-CHECKSUM", 700, 11},
                                   FileEntry{"SHA512SUM", 5, 13}, FileEntry{"repomd.xml", 5, 14}));
  EXPECT_TRUE(r->complete);
}

TEST(ScanFftTest, TruncatedListIsUsedButMarkedIncomplete) {
  TempTree t;
  t.Dir("cat/a");
  t.File("cat/fullfiletimelist-cat", "[Files]\n5\td\t4096\ta\n6\td\t4096\ta/b/c/partial-na");
  MasterDirectory e;
  e.path = t.root() + "/cat";
  RealFileSystem rfs;
  ASSERT_OK_AND_ASSIGN(auto r, ScanFullFileTimeList(Request(e), {}, rfs));
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(Names(*r), ElementsAre("", "a"));
  EXPECT_FALSE(r->complete);
  EXPECT_THAT(r->warnings, ::testing::Contains(HasSubstr("ends in the middle of a row")));
}

TEST(ScanListingFileTest, TopIsDotSizesHaveSeparatorsUnreadablePropagates) {
  TempTree t;
  t.File("listing.txt",
         "receiving incremental file list\n"
         "drwxr-xr-x          4,096 2024/01/02 03:04:05 .\n"
         "-rw-r--r--          1,234 2024/01/02 03:04:05 top-file.iso\n"
         "drwxr-xr-x          4,096 2024/01/02 03:04:06 a\n"
         "-rw-r--r--     12,345,678 2024/01/02 03:04:07 a/big.iso\n"
         "drwxr-x---          4,096 2024/01/02 03:04:08 a/private\n"
         "drwxr-xr-x          4,096 2024/01/02 03:04:09 a/private/sub\n"
         "drwxr-xr-x          4,096 2024/01/02 03:04:10 b/repodata\n"
         "lrwxrwxrwx             10 2024/01/02 03:04:11 latest -> a\n");
  MasterDirectory e;
  e.type = MasterDirectory::Type::kFile;
  e.url = t.root() + "/listing.txt";
  RealFileSystem rfs;
  ASSERT_OK_AND_ASSIGN(ScanResult r, ScanListingFile(Request(e), {}, rfs));
  EXPECT_THAT(Names(r), ElementsAre("", "a", "a/private", "a/private/sub", "b", "b/repodata"));
  // Symbolic links are files of their directory (upstream: "others are files"), named without
  // their " -> target".
  EXPECT_THAT(Get(r, "").files,
              UnorderedElementsAre(FileEntry{"top-file.iso", 1234, Get(r, "").files[0].timestamp},
                                   ::testing::Field(&FileEntry::name, "latest")));
  EXPECT_EQ(Get(r, "a").files[0].size, 12345678);
  EXPECT_EQ(Get(r, "a/private").readable, false);
  EXPECT_EQ(Get(r, "a/private/sub").readable, false);
  EXPECT_EQ(Get(r, "a").readable, true);
  EXPECT_TRUE(Get(r, "b").is_repository);  // created from its repodata row, as upstream
  EXPECT_FALSE(r.repo_file_details);
  EXPECT_THAT(r.warnings, ::testing::Contains(HasSubstr("1 line(s) that are not listing rows")));
  // The one skipped line comes before the listing (a banner): the scan is still complete.
  EXPECT_TRUE(r.complete);
}

TEST(ScanListingFileTest, AnUnreadableLineAmongTheRowsMakesTheScanIncomplete) {
  TempTree t;
  t.File("listing.txt",
         "drwxr-xr-x          4,096 2024/01/02 03:04:05 .\n"
         "drwxr-xr-x          4,096 2024/01/02 03:04:06 a\n"
         "drwxr-xr-x          4,096 2024/13/02 03:04:06 b\n"
         "drwxr-xr-x          4,096 2024/01/02 03:04:07 c\n");
  MasterDirectory e;
  e.type = MasterDirectory::Type::kFile;
  e.url = t.root() + "/listing.txt";
  RealFileSystem rfs;
  ASSERT_OK_AND_ASSIGN(ScanResult bad, ScanListingFile(Request(e), {}, rfs));
  EXPECT_THAT(Names(bad), ElementsAre("", "a", "c"));
  EXPECT_FALSE(bad.complete);
  EXPECT_THAT(bad.incomplete_reason, HasSubstr("1 line(s) among its rows"));
}

}  // namespace
}  // namespace mm::umdl
