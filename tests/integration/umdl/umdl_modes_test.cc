// The three synchronizers through the real binary against a fresh catalog, on generated trees
// with known answers: fullfiletimelist, disk walk, rsync (a real `rsync --daemon` on loopback)
// and saved listings; rescans (files rewritten in place), --delete-directories in every mode and
// its safety, SIGTERM during rsync.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/integration/umdl/umdl_test_support.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace mm::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

const std::string kSha256A(64, 'a');
const std::string kSha256B(64, 'b');

std::string Repomd(int64_t ts) {
  return absl::StrCat(
      "<?xml version=\"1.0\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\">\n",
      "<data type=\"primary\"><timestamp>", ts - 5, "</timestamp></data>\n",
      "<data type=\"other\"><timestamp>", ts, "</timestamp></data>\n</repomd>\n");
}

class UmdlModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, CatalogHarness::Start());
    FixtureBuilder f(db());
    f.Product("Fedora");
    f.Arch("i386");
    f.Arch("source", false, false);
    f.Arch("x86_64");
    master_ = tmp_ / "master";
    MakeDirs(master_);
  }

  TestDatabase& db() { return harness_->db(); }

  // A config with UMDL_PREFIX = master/ and the given entries (Python literal).
  std::string Config(const std::string& entries, const std::string& extra = "") {
    return harness_->WriteConfigFile(
        tmp_.path(), absl::StrCat("UMDL_PREFIX = '", master_, "/'\nUMDL_MASTER_DIRECTORIES = [",
                                  entries, "]\n", extra));
  }
  std::string DirEntry(const std::string& category, const std::string& rel_path,
                       const std::string& more = "") {
    return absl::StrCat("{'type': 'directory', 'path': '", master_, "/", rel_path,
                        "/', 'category': '", category, "'", more, "},");
  }

  std::vector<std::string> DirectoryNames(const std::string& category) {
    std::vector<std::string> out;
    for (auto& r :
         Rows(db(),
              "SELECT d.name FROM directory d JOIN category_directory cd ON cd.directory_id = d.id "
              "JOIN category c ON c.id = cd.category_id WHERE c.name = " +
                  Q(category) + " ORDER BY d.name")) {
      out.push_back(r[0]);
    }
    return out;
  }
  std::string Ctime(const std::string& name) {
    return db().QueryValue("SELECT ctime FROM directory WHERE name = " + Q(name));
  }
  std::string Readable(const std::string& name) {
    return db().QueryValue("SELECT readable FROM directory WHERE name = " + Q(name));
  }
  std::string Snapshot() {
    return db().QueryValue(
        "SELECT string_agg(concat_ws('|', id, name, readable, ctime, md5(files), xmin), ',' ORDER "
        "BY id) FROM directory");
  }

  ScratchDir tmp_;
  std::string master_;
  std::unique_ptr<CatalogHarness> harness_;
};

// A small Fedora-like tree below `top`.
// repomd.xml timestamps near now, so that file_detail ageing (MAX_STALE_DAYS) keeps history rows.
const int64_t kNow = static_cast<int64_t>(::time(nullptr));

void BuildTree(const std::string& top) {
  MakeDirs(top + "/releases/40/Everything/x86_64/os/Packages/a");
  for (int i = 0; i < 12; ++i)
    WriteFile(top + absl::StrCat("/releases/40/Everything/x86_64/os/Packages/a/a", i, ".rpm"),
              "rpm");
  MakeDirs(top + "/releases/40/Everything/x86_64/os/repodata");
  WriteFile(top + "/releases/40/Everything/x86_64/os/repodata/repomd.xml", Repomd(kNow - 7200));
  MakeDirs(top + "/releases/40/Everything/x86_64/iso");
  WriteFile(top + "/releases/40/Everything/x86_64/iso/Fedora-40-x86_64-CHECKSUM",
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + kSha256A +
                " *Fedora-40-netinst.iso\nSHA256 (gone.iso) = " + kSha256B + "\n");
  WriteFile(top + "/releases/40/Everything/x86_64/iso/Fedora-40-netinst.iso", "iso-bytes");
  MakeDirs(top + "/releases/40/Everything/source/tree/repodata");
  WriteFile(top + "/releases/40/Everything/source/tree/repodata/repomd.xml", Repomd(kNow - 3600));
  MakeDirs(top + "/atomic/40/objects");
  WriteFile(top + "/atomic/40/summary", "ostree-summary");
  MakeDirs(top + "/private", 0750);
  MakeDirs(top + "/private/inner");
  ::chmod((top + "/private").c_str(), 0750);
}

const std::vector<std::string> kTreeDirs = {
    "",
    "/atomic",
    "/atomic/40",
    "/atomic/40/objects",
    "/private",
    "/private/inner",
    "/releases",
    "/releases/40",
    "/releases/40/Everything",
    "/releases/40/Everything/source",
    "/releases/40/Everything/source/tree",
    "/releases/40/Everything/source/tree/repodata",
    "/releases/40/Everything/x86_64",
    "/releases/40/Everything/x86_64/iso",
    "/releases/40/Everything/x86_64/os",
    "/releases/40/Everything/x86_64/os/Packages",
    "/releases/40/Everything/x86_64/os/Packages/a",
    "/releases/40/Everything/x86_64/os/repodata",
};

std::vector<std::string> Prefixed(const std::string& top) {
  std::vector<std::string> out;
  for (const auto& d : kTreeDirs) out.push_back(top + d);
  return out;
}

TEST_F(UmdlModesTest, FullFileTimeListModeFirstImportRescanChangeAndDelete) {
  FixtureBuilder f(db());
  f.Category("Fedora Linux", 1, "pub/fedora/linux");
  const std::string top = master_ + "/pub/fedora/linux";
  BuildTree(top);
  MakeDirs(top + "/releases/.snapshot/hourly.0");  // a standard exclude
  std::map<std::string, int64_t> times = {{"releases/40", 1700000040}};
  for (int i = 0; i < 12; ++i)
    times[absl::StrCat("releases/40/Everything/x86_64/os/Packages/a/a", i, ".rpm")] =
        1700001000 + i;
  auto write_fft = [&] {
    WriteFile(master_ + "/pub/fedora/fullfiletimelist-fedora",
              MakeFullFileTimeList(top, "linux/", times));
  };
  write_fft();
  std::string config = Config(DirEntry("Fedora Linux", "pub/fedora/linux"));

  ProcessResult r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("Loading and parsing " + master_ + "/pub/fedora/fullfiletimelist-fedora"));
  EXPECT_THAT(r.err, HasSubstr("synced (fullfiletimelist)"));
  EXPECT_THAT(r.err, HasSubstr("Excluding pub/fedora/linux/releases/.snapshot\n"));
  EXPECT_THAT(DirectoryNames("Fedora Linux"),
              ::testing::ElementsAreArray(Prefixed("pub/fedora/linux")));
  EXPECT_EQ(Ctime("pub/fedora/linux"), "0");  // the top always gets ctime 0 from an FFT
  EXPECT_EQ(Ctime("pub/fedora/linux/releases/40"), "1700000040");
  EXPECT_EQ(Readable("pub/fedora/linux/private"), "f");
  EXPECT_EQ(Readable("pub/fedora/linux/releases/40"), "t");
  // More than 10 rpms: the 3 newest by the FFT's timestamps.
  EXPECT_THAT(DirectoryFiles(db(), "pub/fedora/linux/releases/40/Everything/x86_64/os/Packages/a"),
              UnorderedElementsAre(Pair("a9.rpm", Pair(3, 1700001009)),
                                   Pair("a10.rpm", Pair(3, 1700001010)),
                                   Pair("a11.rpm", Pair(3, 1700001011))));
  EXPECT_THAT(Rows(db(),
                   "SELECT r.name, COALESCE(r.prefix, 'NULL'), a.name, v.name FROM repository r "
                   "JOIN arch a ON "
                   "a.id = r.arch_id JOIN version v ON v.id = r.version_id ORDER BY r.name"),
              ElementsAre(ElementsAre("pub/fedora/linux/atomic/40", "atomic-40", "x86_64", "40"),
                          ElementsAre("pub/fedora/linux/releases/40/Everything/source/tree",
                                      "fedora-source-40", "source", "40"),
                          ElementsAre("pub/fedora/linux/releases/40/Everything/x86_64/os",
                                      "fedora-40", "x86_64", "40")));
  EXPECT_THAT(
      Rows(db(),
           "SELECT d.name, f.filename, f.timestamp, COALESCE(f.sha256, '') FROM file_detail f JOIN "
           "directory d "
           "ON d.id = f.directory_id ORDER BY d.name, f.filename"),
      ElementsAre(
          ElementsAre("pub/fedora/linux/atomic/40", "summary", ::testing::_, ::testing::SizeIs(64)),
          ElementsAre("pub/fedora/linux/releases/40/Everything/source/tree/repodata", "repomd.xml",
                      std::to_string(kNow - 3600), ::testing::SizeIs(64)),
          ElementsAre("pub/fedora/linux/releases/40/Everything/x86_64/iso", "Fedora-40-netinst.iso",
                      ::testing::_, kSha256A),
          ElementsAre("pub/fedora/linux/releases/40/Everything/x86_64/os/repodata", "repomd.xml",
                      std::to_string(kNow - 7200), ::testing::SizeIs(64))));

  // Unchanged list: nothing is rewritten.
  std::string before = Snapshot();
  r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 4);

  // The x86_64 repository is republished: new repodata time, new repomd.xml.
  times["releases/40/Everything/x86_64/os/repodata"] = 1700009999;
  WriteFile(top + "/releases/40/Everything/x86_64/os/repodata/repomd.xml", Repomd(kNow - 60));
  write_fft();
  r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 changed, 0 created, 1 updated"));
  EXPECT_EQ(Ctime("pub/fedora/linux/releases/40/Everything/x86_64/os/repodata"), "1700009999");
  EXPECT_THAT(
      Rows(db(),
           "SELECT f.timestamp FROM file_detail f JOIN directory d ON d.id = f.directory_id WHERE "
           "d.name = "
           "'pub/fedora/linux/releases/40/Everything/x86_64/os/repodata' ORDER BY f.timestamp"),
      ElementsAre(ElementsAre(std::to_string(kNow - 7200)),
                  ElementsAre(std::to_string(kNow - 60))));

  // atomic/ disappears from the list (and the disk): --delete-directories removes it in FFT mode.
  fs::remove_all(top + "/atomic");
  write_fft();
  r = RunUmdl(config, {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Deleting gone directory pub/fedora/linux/atomic/40/objects"));
  EXPECT_THAT(DirectoryNames("Fedora Linux"), Not(Contains(HasSubstr("atomic"))));
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail WHERE filename = 'summary'"), 0);
  // The repository stays, without a directory (MirrorManager2's ORM behaviour).
  EXPECT_EQ(
      db().QueryValue(
          "SELECT COALESCE(directory_id::text, 'NULL') FROM repository WHERE prefix = 'atomic-40'"),
      "NULL");
}

TEST_F(UmdlModesTest, DiskModeWithExcludesSkipFlagAndDeletion) {
  FixtureBuilder f(db());
  int64_t epel = f.Category("Fedora EPEL", 1, "pub/epel");
  int64_t other = f.Category("Other", 1, "pub/other");
  const std::string top = master_ + "/pub/epel";
  BuildTree(top);
  MakeDirs(top + "/releases/40/.snapshot/hourly");
  MakeDirs(top + "/scratch/deep");
  // A list that does not match the tree: --skip-fullfiletimelist must ignore it.
  WriteFile(top + "/fullfiletimelist-epel", "[Files]\n1\td\t4096\tnot-on-disk\n");
  // Pre-existing rows: one linked to two categories, one protected by the entry's excludes.
  f.Directory("pub/epel/shared-gone", {epel, other});
  f.Directory("pub/epel/scratch/protected-gone", {epel});
  std::string config =
      Config(DirEntry("Fedora EPEL", "pub/epel", ", 'excludes': ['pub/epel/scratch']"));

  ProcessResult r = RunUmdl(config, {"--skip-fullfiletimelist"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("synced (disk)"));
  EXPECT_THAT(r.err, HasSubstr("excluding releases/40/.snapshot\n"));
  EXPECT_THAT(r.err, HasSubstr("excluding scratch\n"));
  std::vector<std::string> expected = Prefixed("pub/epel");
  expected.push_back("pub/epel/scratch/protected-gone");
  expected.push_back("pub/epel/shared-gone");
  std::sort(expected.begin(), expected.end());
  EXPECT_THAT(DirectoryNames("Fedora EPEL"), ::testing::ElementsAreArray(expected));
  EXPECT_EQ(Readable("pub/epel/private"), "f");
  EXPECT_EQ(Readable("pub/epel/private/inner"), "f");  // below an unreadable directory
  struct stat st;
  ::stat((top + "/releases/40").c_str(), &st);
  EXPECT_EQ(Ctime("pub/epel/releases/40"), std::to_string(st.st_ctime));
  // EPEL prefixes: atomic/40 takes "epel-40" for x86_64 first (name order), so the x86_64 os
  // repository with the same (prefix, arch) is not created; the source tree gets its own.
  EXPECT_THAT(
      Rows(db(),
           "SELECT d.name, r.prefix FROM repository r JOIN directory d ON d.id = r.directory_id "
           "ORDER BY d.name"),
      ElementsAre(ElementsAre("pub/epel/atomic/40", "epel-40"),
                  ElementsAre("pub/epel/releases/40/Everything/source/tree", "epel-source-40")));
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 4);

  // Disk mode deletes what vanished, except shared and protected directories.
  fs::remove_all(top + "/releases/40/Everything/source");
  r = RunUmdl(config, {"--skip-fullfiletimelist", "--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto names = DirectoryNames("Fedora EPEL");
  EXPECT_THAT(names, Not(Contains("pub/epel/releases/40/Everything/source")));
  EXPECT_THAT(names, Not(Contains("pub/epel/releases/40/Everything/source/tree/repodata")));
  EXPECT_THAT(names, Contains("pub/epel/shared-gone"));
  EXPECT_THAT(names, Contains("pub/epel/scratch/protected-gone"));
  EXPECT_THAT(r.err, HasSubstr("gone directories were kept"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 3);
}

TEST_F(UmdlModesTest, RsyncModeAgainstARealDaemon) {
  FixtureBuilder f(db());
  f.Category("Fedora Other", 1, "pub/alt");
  const std::string top = master_ + "/pub/alt";
  BuildTree(top);
  // A file large enough for thousands separators in the listing ("1,234,567").
  {
    std::ofstream big(top + "/releases/40/Everything/x86_64/iso/big.img");
    big.seekp(1234566);
    big.put('x');
  }
  MakeDirs(top + "/skipme/sub");
  ASSERT_OK_AND_ASSIGN(auto daemon, RsyncDaemon::Start("alt", top));
  std::string entry =
      absl::StrCat("{'type': 'rsync', 'url': '", daemon->Url(), "', 'category': 'Fedora Other', ",
                   "'options': \"--exclude 'skipme'\"},");
  // SKIP_PATHS_FOR_VERSION is upstream's ["pub/alt"]: no repositories here.
  std::string config = Config(entry);
  ProcessResult r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("synced (rsync)"));
  // The top is "." in the listing: stored as pub/alt itself, never "pub/alt/.".
  EXPECT_THAT(DirectoryNames("Fedora Other"), ::testing::ElementsAreArray(Prefixed("pub/alt")));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE name LIKE '%/.'"), 0);
  EXPECT_EQ(Readable("pub/alt/private"), "f");
  EXPECT_EQ(Readable("pub/alt/private/inner"), "f");
  EXPECT_EQ(Readable("pub/alt/releases"), "t");
  auto iso = DirectoryFiles(db(), "pub/alt/releases/40/Everything/x86_64/iso");
  ASSERT_TRUE(iso.count("big.img"));
  EXPECT_EQ(iso["big.img"].first, 1234567);
  EXPECT_EQ(iso["Fedora-40-netinst.iso"].first, 9);
  // SKIP_PATHS_FOR_VERSION (upstream's ["pub/alt"]) stops yum repositories; the ostree one is
  // made regardless (upstream), without a prefix in this category.
  EXPECT_THAT(Rows(db(),
                   "SELECT d.name, COALESCE(r.prefix, 'NULL') FROM repository r JOIN directory d "
                   "ON d.id = r.directory_id"),
              ElementsAre(ElementsAre("pub/alt/atomic/40", "NULL")));
  // Checksum files are read from the local copy under UMDL_PREFIX; repomd.xml is not (upstream).
  EXPECT_THAT(Rows(db(), "SELECT filename FROM file_detail ORDER BY filename"),
              ElementsAre(ElementsAre("Fedora-40-netinst.iso")));

  // Rescan after a removal, with deletion.
  std::string before_ctime = Ctime("pub/alt/releases");
  fs::remove_all(top + "/private");
  r = RunUmdl(config, {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(DirectoryNames("Fedora Other"), Not(Contains(HasSubstr("private"))));
  EXPECT_EQ(Ctime("pub/alt/releases"), before_ctime);

  // A failing rsync (unknown module) is logged; nothing is deleted.
  std::string bad = Config(absl::StrCat("{'type': 'rsync', 'url': '",
                                        absl::StrReplaceAll(daemon->Url(), {{"/alt/", "/nosuch/"}}),
                                        "', 'category': 'Fedora Other'},"));
  r = RunUmdl(bad, {"--delete-directories"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("rsync returned exit code"));
  EXPECT_EQ(DirectoryNames("Fedora Other").size(), kTreeDirs.size() - 2);
}

// Checksum files, repomd.xml and summary rewritten in place (their directory's ctime unchanged)
// are read again, and a deleted file detail is made again, without re-reading the unchanged
// ones: fullfiletimelist mode.
TEST_F(UmdlModesTest, FullFileTimeListRescanFollowsFilesRewrittenInPlace) {
  FixtureBuilder f(db());
  f.Category("Fedora EPEL", 1, "pub/epel");
  const std::string top = master_ + "/pub/epel";
  BuildTree(top);
  std::map<std::string, int64_t> times;
  auto write_fft = [&] {
    WriteFile(top + "/fullfiletimelist-epel", MakeFullFileTimeList(top, "", times));
  };
  write_fft();
  std::string config = Config(DirEntry("Fedora EPEL", "pub/epel"));
  ASSERT_EQ(RunUmdl(config).exit_code, 0);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 4);
  EXPECT_EQ(db().Count("SELECT count(*) FROM mm_umdl_source_file"), 4);
  const std::string repodata = "pub/epel/releases/40/Everything/x86_64/os/repodata";
  const std::string iso = "pub/epel/releases/40/Everything/x86_64/iso";

  // Republished in place: new times in the list for the two files only.
  WriteFile(top + "/releases/40/Everything/x86_64/os/repodata/repomd.xml", Repomd(kNow - 30));
  times["releases/40/Everything/x86_64/os/repodata/repomd.xml"] = 1700005555;
  WriteFile(top + "/releases/40/Everything/x86_64/iso/Fedora-40-x86_64-CHECKSUM",
            kSha256B + " *Fedora-40-netinst.iso\n");
  times["releases/40/Everything/x86_64/iso/Fedora-40-x86_64-CHECKSUM"] = 1700005556;
  write_fft();
  std::string before = Snapshot();
  ProcessResult r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("0 changed, 0 created, 0 updated"));
  EXPECT_EQ(Snapshot(), before);  // no directory row was rewritten
  EXPECT_THAT(Rows(db(),
                   "SELECT f.timestamp FROM file_detail f JOIN directory d ON d.id = "
                   "f.directory_id WHERE d.name = " +
                       Q(repodata) + " ORDER BY 1"),
              ElementsAre(ElementsAre(std::to_string(kNow - 7200)),
                          ElementsAre(std::to_string(kNow - 30))));
  EXPECT_THAT(Rows(db(),
                   "SELECT f.sha256 FROM file_detail f JOIN directory d ON d.id = "
                   "f.directory_id WHERE d.name = " +
                       Q(iso) + " ORDER BY f.id"),
              ElementsAre(ElementsAre(kSha256A), ElementsAre(kSha256B)));
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 6);

  // The newest repomd.xml detail is deleted by hand: the next run makes it again.
  db().Exec("DELETE FROM file_detail WHERE timestamp = " + std::to_string(kNow - 30));
  ASSERT_EQ(RunUmdl(config).exit_code, 0);
  EXPECT_EQ(
      db().Count("SELECT count(*) FROM file_detail WHERE timestamp = " + std::to_string(kNow - 30)),
      1);

  // Nothing changed: nothing is read or written.
  std::string sources = db().QueryValue(
      "SELECT string_agg(concat_ws('|', directory_id, filename, timestamp, size, derived, xmin), "
      "',' ORDER BY directory_id, filename) FROM mm_umdl_source_file");
  r = RunUmdl(config, {"--debug"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 6);
  EXPECT_EQ(sources, db().QueryValue("SELECT string_agg(concat_ws('|', directory_id, filename, "
                                     "timestamp, size, derived, xmin), ',' ORDER BY directory_id, "
                                     "filename) FROM mm_umdl_source_file"));
}

// The same in disk mode: a checksum file rewritten in place, an ISO replaced in place.
TEST_F(UmdlModesTest, DiskRescanFollowsFilesRewrittenInPlace) {
  FixtureBuilder f(db());
  f.Category("Fedora Other", 1, "pub/other");
  const std::string top = master_ + "/pub/other";
  BuildTree(top);
  std::string config = Config(DirEntry("Fedora Other", "pub/other"));
  ASSERT_EQ(RunUmdl(config, {"--skip-fullfiletimelist"}).exit_code, 0);
  const std::string iso_dir = top + "/releases/40/Everything/x86_64/iso";
  struct stat dir_before;
  ::stat(iso_dir.c_str(), &dir_before);
  // Re-signed (another size) and the ISO rewritten: the directory's ctime does not change.
  WriteFile(iso_dir + "/Fedora-40-x86_64-CHECKSUM",
            "# re-signed\n" + kSha256B + " *Fedora-40-netinst.iso\n");
  WriteFile(iso_dir + "/Fedora-40-netinst.iso", "iso-bytes, take two");
  struct stat dir_after;
  ::stat(iso_dir.c_str(), &dir_after);
  ASSERT_EQ(dir_before.st_ctime, dir_after.st_ctime);
  ProcessResult r = RunUmdl(config, {"--skip-fullfiletimelist"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(db(),
                   "SELECT f.sha256, f.size FROM file_detail f JOIN directory d ON d.id = "
                   "f.directory_id WHERE f.filename = 'Fedora-40-netinst.iso' ORDER BY f.id"),
              ElementsAre(ElementsAre(kSha256A, "9"), ElementsAre(kSha256B, "19")));

  // The ISO alone changes (its list does not): its file detail no longer matches, so the list
  // is read again and a detail with the new size is made.
  WriteFile(iso_dir + "/Fedora-40-netinst.iso", "iso-bytes, third time");
  r = RunUmdl(config, {"--skip-fullfiletimelist"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail WHERE filename = "
                       "'Fedora-40-netinst.iso' AND size = 21"),
            1);
}

// --delete-directories never deletes what an rsync listing left out because of the entry's
// --exclude options, and deletes nothing when the options filter in ways that cannot be
// followed. Symbolic links are files of their directory (upstream: "others are files").
TEST_F(UmdlModesTest, RsyncSymlinksExcludesAndSafeDeletion) {
  FixtureBuilder f(db());
  f.Category("Fedora Other", 1, "pub/alt");
  const std::string top = master_ + "/pub/alt";
  MakeDirs(top + "/a");
  WriteFile(top + "/a/file.iso", "0123456789");
  ASSERT_EQ(::symlink("file.iso", (top + "/a/latest.iso").c_str()), 0);
  MakeDirs(top + "/keep/sub");
  MakeDirs(top + "/skipme/sub");
  ASSERT_OK_AND_ASSIGN(auto daemon, RsyncDaemon::Start("alt", top));
  auto config = [&](const std::string& options) {
    return Config(absl::StrCat("{'type': 'rsync', 'url': '", daemon->Url(),
                               "', 'category': 'Fedora Other', 'options': \"", options, "\"},"));
  };
  ProcessResult r = RunUmdl(config(""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(DirectoryNames("Fedora Other"),
              ElementsAre("pub/alt", "pub/alt/a", "pub/alt/keep", "pub/alt/keep/sub",
                          "pub/alt/skipme", "pub/alt/skipme/sub"));
  auto files = DirectoryFiles(db(), "pub/alt/a");
  EXPECT_THAT(files, ::testing::Contains(::testing::Key("latest.iso")));
  EXPECT_THAT(files, ::testing::Contains(Pair("file.iso", Pair(10, ::testing::_))));

  // Excluded by the options now: kept. keep/sub really vanished: deleted.
  fs::remove_all(top + "/keep/sub");
  r = RunUmdl(config("--exclude 'skip*'"), {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(DirectoryNames("Fedora Other"), ElementsAre("pub/alt", "pub/alt/a", "pub/alt/keep",
                                                          "pub/alt/skipme", "pub/alt/skipme/sub"));

  // An --include rule: what is gone cannot be told, so nothing is deleted.
  fs::remove_all(top + "/keep");
  r = RunUmdl(config("--include 'a/***' --exclude 'x'"), {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no directory of the category is deleted this time"));
  EXPECT_THAT(r.err, HasSubstr("'--include'"));
  EXPECT_THAT(DirectoryNames("Fedora Other"), Contains("pub/alt/keep"));
}

// SIGTERM while rsync runs (here: connected to a server that never answers) kills rsync and
// ends the run promptly with the signal exit code, storing nothing of the category.
TEST_F(UmdlModesTest, SigtermStopsARunningRsyncPromptly) {
  FixtureBuilder f(db());
  f.Category("Fedora Other", 1, "pub/alt");
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);  // the kernel accepts; nobody ever answers
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string url = absl::StrCat("rsync://127.0.0.1:", ntohs(addr.sin_port), "/mute/");
  const int metrics_port = FreePort();
  std::string config =
      Config(absl::StrCat("{'type': 'rsync', 'url': '", url, "', 'category': 'Fedora Other'},"),
             absl::StrCat("METRICS_LISTEN = '127.0.0.1:", metrics_port, "'\n"));
  // The rsync child of umdl, found by its command line.
  auto rsync_running = [&] {
    for (const auto& e : fs::directory_iterator("/proc")) {
      std::string cmd = ReadWholeFile(e.path().string() + "/cmdline");
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      if (cmd.find(url) != std::string::npos && cmd.find("--temp-dir") != std::string::npos)
        return true;
    }
    return false;
  };
  ASSERT_OK_AND_ASSIGN(auto umdl,
                       BackgroundProcess::Start(BinaryPath("mm2_update-master-directory-list"),
                                                {"-c", config, "--delete-directories"}));
  ASSERT_TRUE(WaitFor(rsync_running, absl::Seconds(20)));
  // While it runs, its metrics are served on METRICS_LISTEN.
  httplib::Client metrics("127.0.0.1", metrics_port);
  auto got = metrics.Get("/metrics");
  ASSERT_TRUE(got) << "no /metrics while running";
  EXPECT_EQ(got->status, 200);
  EXPECT_THAT(got->body, HasSubstr("mm_umdl_file_details_aged_total 0"));
  absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(int code, umdl->Stop(SIGTERM, absl::Seconds(20)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(code, 3) << umdl->ReadLog();
  EXPECT_THAT(umdl->ReadLog(), HasSubstr("stopped by a signal"));
  EXPECT_FALSE(rsync_running());
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 1);  // only the fixture's top
  ::close(listener);
}

TEST_F(UmdlModesTest, SavedListingFileMode) {
  FixtureBuilder f(db());
  f.Category("Fedora Archive", 1, "pub/archive");
  const std::string top = master_ + "/pub/archive";
  BuildTree(top);
  ProcessOptions o;
  ASSERT_OK_AND_ASSIGN(ProcessResult listing, RunProcess(RsyncBinary(), {"-r", top + "/"}, o));
  ASSERT_EQ(listing.exit_code, 0);
  WriteFile(tmp_ / "archive.listing", listing.out);
  std::string config = Config(absl::StrCat("{'type': 'file', 'url': '", tmp_ / "archive.listing",
                                           "', 'category': 'Fedora Archive'},"));
  ProcessResult r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("synced (file)"));
  EXPECT_THAT(DirectoryNames("Fedora Archive"),
              ::testing::ElementsAreArray(Prefixed("pub/archive")));
  EXPECT_EQ(Readable("pub/archive/private/inner"), "f");
  EXPECT_EQ(db().Count("SELECT count(*) FROM repository"), 3);
  EXPECT_THAT(DirectoryFiles(db(), "pub/archive/releases/40/Everything/x86_64/os/Packages/a"),
              ::testing::SizeIs(3));

  // A newer saved listing without private/: --delete-directories removes it (upstream never
  // got this far with a `file` entry).
  fs::remove_all(top + "/private");
  ASSERT_OK_AND_ASSIGN(listing, RunProcess(RsyncBinary(), {"-r", top + "/"}, o));
  WriteFile(tmp_ / "archive.listing", listing.out);
  r = RunUmdl(config, {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Deleting gone directory pub/archive/private/inner"));
  EXPECT_THAT(DirectoryNames("Fedora Archive"), Not(Contains(HasSubstr("private"))));
  EXPECT_EQ(DirectoryNames("Fedora Archive").size(), kTreeDirs.size() - 2);
}

}  // namespace
}  // namespace mm::testing
