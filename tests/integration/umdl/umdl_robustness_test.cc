// Bad input and awkward layouts through the real binary: malformed and truncated
// fullfiletimelists (and the deletions they forbid), legacy pickled `files`, names that are not
// UTF-8, garbage checksum and repomd.xml files, empty or missing trees, categories whose trees
// overlap, an empty top directory name, unusable entries. Each gives a clear log line, the run
// goes on, and nothing already stored is damaged. Also: metrics pushed at the end of a run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/integration/umdl/umdl_test_support.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class UmdlRobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, CatalogHarness::Start());
    FixtureBuilder f(db());
    f.Product("Fedora");
    f.Arch("x86_64");
    master_ = tmp_ / "master";
    MakeDirs(master_);
  }
  TestDatabase& db() { return harness_->db(); }
  std::string Config(const std::string& entries) {
    return harness_->WriteConfigFile(
        tmp_.path(), absl::StrCat("UMDL_PREFIX = '", master_, "/'\nUMDL_MASTER_DIRECTORIES = [",
                                  entries, "]\n"));
  }
  std::string Entry(const std::string& category, const std::string& path) {
    return absl::StrCat("{'type': 'directory', 'path': '", path, "', 'category': '", category,
                        "'},");
  }
  std::vector<std::string> Names(const std::string& category) {
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

  ScratchDir tmp_;
  std::string master_;
  std::unique_ptr<CatalogHarness> harness_;
};

TEST_F(UmdlRobustnessTest, MalformedAndTruncatedFullFileTimeList) {
  FixtureBuilder f(db());
  int64_t cat = f.Category("Fedora EPEL", 1, "pub/epel");
  // Something stored before: it must survive.
  int64_t old = f.Directory("pub/epel/old", {cat}, true, 42);
  f.FileDetail(old,
               {"x.iso", 1, 2, std::nullopt, std::nullopt, std::string(64, 'e'), std::nullopt});
  MakeDirs(master_ + "/pub/epel/9/x86_64");
  MakeDirs(master_ + "/pub/epel/old");
  WriteFile(master_ + "/pub/epel/fullfiletimelist-epel",
            "[Version]\n2\n[Files]\n"
            "100\td\t4096\t9\n"
            "101\td\t4096\t9/x86_64\n"
            "oops\td\t4096\t9/broken\n"
            "102\td\n"
            "103\td\t4096\t../../etc\n"
            "104\td\t4096\told\n"
            "106\td\t4096\tnot-on-disk\n"
            "105\td\t4096\t9/x86_64/cut-sho");
  std::string config = Config(Entry("Fedora EPEL", master_ + "/pub/epel/"));
  ProcessResult r = RunUmdl(config, {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.err,
      HasSubstr(
          "skipped 3 malformed row(s) (the file ends in the middle of a row); first at line 6: "
          "\"oops\td\t4096\t9/broken\""));
  // Upstream's words for a listed directory that is not on disk; it is stored all the same.
  EXPECT_THAT(r.err, HasSubstr("Hmm, stat()ing " + master_ +
                               "/pub/epel/not-on-disk failed. Theoretically this cannot happen."));
  EXPECT_THAT(r.err, HasSubstr("absolute paths or '.'/'..' components"));
  // A truncated list is not complete: no deletion is attempted from it.
  EXPECT_THAT(r.err, HasSubstr("no directory of the category is deleted this time, because the "
                               "scan cannot be trusted to be complete"));
  EXPECT_THAT(Names("Fedora EPEL"), ElementsAre("pub/epel", "pub/epel/9", "pub/epel/9/x86_64",
                                                "pub/epel/not-on-disk", "pub/epel/old"));
  EXPECT_EQ(db().QueryValue("SELECT ctime FROM directory WHERE name = 'pub/epel/9/x86_64'"), "101");
  EXPECT_EQ(db().QueryValue("SELECT ctime FROM directory WHERE name = 'pub/epel/old'"), "104");
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 1);
}

// A list that is complete but has one row UMDL cannot read: the directory that row stood for
// may exist, so --delete-directories deletes nothing in the category (and says why).
TEST_F(UmdlRobustnessTest, OneUnreadableRowKeepsEveryDirectoryFromDeletion) {
  FixtureBuilder f(db());
  f.Category("Fedora EPEL", 1, "pub/epel");
  MakeDirs(master_ + "/pub/epel/9/x86_64");
  MakeDirs(master_ + "/pub/epel/8");
  std::string config = Config(Entry("Fedora EPEL", master_ + "/pub/epel/"));
  auto write = [&](const std::string& row_of_8) {
    WriteFile(master_ + "/pub/epel/fullfiletimelist-epel",
              "[Files]\n100\td\t4096\t9\n101\td\t4096\t9/x86_64\n" + row_of_8 + "[End]\n");
  };
  write("102\td\t4096\t8\n");
  ASSERT_EQ(RunUmdl(config).exit_code, 0);
  ASSERT_THAT(Names("Fedora EPEL"),
              ElementsAre("pub/epel", "pub/epel/8", "pub/epel/9", "pub/epel/9/x86_64"));
  write("1O2\td\t4096\t8\n");  // a letter O in the timestamp
  ProcessResult r = RunUmdl(config, {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("skipped 1 malformed row(s); first at line 4"));
  EXPECT_THAT(r.err, HasSubstr("no directory of the category is deleted this time, because the "
                               "scan cannot be trusted to be complete: " +
                               master_ + "/pub/epel/fullfiletimelist-epel has 1 malformed row(s)"));
  EXPECT_THAT(Names("Fedora EPEL"), Contains("pub/epel/8"));
  // With the row really gone, the directory goes.
  write("");
  r = RunUmdl(config, {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Names("Fedora EPEL"), Not(Contains("pub/epel/8")));
}

// DESIGN.md §5: a legacy pickled directory.files reads as empty and the next run rewrites it,
// although the directory did not change.
TEST_F(UmdlRobustnessTest, LegacyPickledFilesAreRewrittenByTheNextRun) {
  FixtureBuilder f(db());
  f.Category("Fedora EPEL", 1, "pub/epel");
  MakeDirs(master_ + "/pub/epel/9/x86_64");
  WriteFile(master_ + "/pub/epel/9/x86_64/a.rpm", "rpm-bytes");
  std::string config = Config(Entry("Fedora EPEL", master_ + "/pub/epel/"));
  ASSERT_EQ(RunUmdl(config).exit_code, 0);
  // What MirrorManager2 stored before it used JSON: pickle.dumps({'a.rpm': {...}}, 2).
  db().Exec(
      "UPDATE directory SET files = "
      "'\\x80027d71005805000000612e72706d71017d71022858040000007374617471034a00e1f505580400000073"
      "697a657104580100000039710575732e'::bytea WHERE name = 'pub/epel/9/x86_64'");
  EXPECT_THAT(DirectoryFiles(db(), "pub/epel/9/x86_64"), ::testing::IsEmpty());  // reads as empty
  const std::string ctime =
      db().QueryValue("SELECT ctime FROM directory WHERE name = 'pub/epel/9/x86_64'");
  ProcessResult r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(DirectoryFiles(db(), "pub/epel/9/x86_64"),
              ElementsAre(::testing::Pair("a.rpm", ::testing::Pair(9, ::testing::_))));
  EXPECT_EQ(db().QueryValue("SELECT ctime FROM directory WHERE name = 'pub/epel/9/x86_64'"), ctime);
  EXPECT_EQ(
      db().QueryValue("SELECT get_byte(files, 0) FROM directory WHERE name = 'pub/epel/9/x86_64'"),
      "91");  // '[': JSON
}

// Names that are not UTF-8 (possible on POSIX file systems, impossible in PostgreSQL text) are
// skipped with a log line and a counter; the category is synced all the same, in fullfiletimelist
// and in disk mode.
TEST_F(UmdlRobustnessTest, NamesThatAreNotUtf8AreSkippedNotFatal) {
  FixtureBuilder f(db());
  f.Category("Fedora EPEL", 1, "pub/epel");
  const std::string top = master_ + "/pub/epel";
  MakeDirs(top + "/good");
  WriteFile(top + "/good/a.iso", "iso");
  WriteFile(top + "/good/latin1-\xe9.iso", "iso");
  MakeDirs(top + "/bad-\xff/sub");
  WriteFile(top + "/fullfiletimelist-epel", MakeFullFileTimeList(top));
  FakePushgateway gateway;
  std::string config = Config(Entry("Fedora EPEL", top + "/"));
  for (bool disk : {false, true}) {
    SCOPED_TRACE(disk ? "disk" : "fullfiletimelist");
    ProcessResult r = RunUmdl(
        config,
        disk ? std::vector<std::string>{"--skip-fullfiletimelist"} : std::vector<std::string>{},
        {{"MM2_PUSHGATEWAY_URL", gateway.url()}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr(disk ? "synced (disk)" : "synced (fullfiletimelist)"));
    EXPECT_THAT(r.err, HasSubstr("skipped a directory whose name is not valid UTF-8 or holds NUL "
                                 "(PostgreSQL cannot store it): \"pub/epel/bad-\\xff\""));
    EXPECT_THAT(r.err, HasSubstr("were skipped because their names are not valid UTF-8"));
    EXPECT_THAT(Names("Fedora EPEL"), ElementsAre("pub/epel", "pub/epel/good"));
    EXPECT_THAT(DirectoryFiles(db(), "pub/epel/good"), ElementsAre(::testing::Key("a.iso")));
  }
  // bad-\xff, bad-\xff/sub and latin1-\xe9.iso in the first run.
  EXPECT_THAT(gateway.bodies(),
              HasSubstr("mm_umdl_invalid_names_skipped_total{category=\"Fedora EPEL\"} 3"));
}

TEST_F(UmdlRobustnessTest, GarbageChecksumAndRepomdFilesAreSkippedWithALogLine) {
  FixtureBuilder f(db());
  f.Category("Fedora Linux", 1, "pub/fedora/linux");
  const std::string top = master_ + "/pub/fedora/linux";
  MakeDirs(top + "/releases/9/x86_64/os/repodata");
  WriteFile(top + "/releases/9/x86_64/os/repodata/repomd.xml",
            "<html><body>Not Found</body></html>");
  MakeDirs(top + "/releases/9/x86_64/iso");
  WriteFile(top + "/releases/9/x86_64/iso/Fedora-9-CHECKSUM",
            std::string("\x89PNG\r\n\x1a\n\0\0binary", 16));
  WriteFile(top + "/releases/9/x86_64/iso/good-CHECKSUM", std::string(64, 'f') + " *good.iso\n");
  WriteFile(top + "/releases/9/x86_64/iso/good.iso", "ok");
  ProcessResult r = RunUmdl(Config(Entry("Fedora Linux", top)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no SHA256 checksums found in " + top +
                               "/releases/9/x86_64/iso/Fedora-9-CHECKSUM"));
  EXPECT_THAT(r.err, HasSubstr("Won't make repo file details: " + top +
                               "/releases/9/x86_64/os/repodata/repomd.xml is not a repomd.xml"));
  EXPECT_THAT(Rows(db(), "SELECT filename FROM file_detail"), ElementsAre(ElementsAre("good.iso")));
  // The directories and the repository are made all the same.
  EXPECT_THAT(Rows(db(), "SELECT r.name, COALESCE(r.prefix, 'NULL') FROM repository r"),
              ElementsAre(ElementsAre("pub/fedora/linux/releases/9/x86_64/os", "NULL")));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 7);
}

TEST_F(UmdlRobustnessTest, EmptyAndMissingTreesAndBadEntries) {
  FixtureBuilder f(db());
  int64_t empty = f.Category("Empty", 1, "pub/empty");
  int64_t gone = f.Category("Gone", 1, "pub/gone");
  f.Directory("pub/gone/keep-me", {gone});
  f.Category("Good", 1, "pub/good");
  MakeDirs(master_ + "/pub/empty");
  MakeDirs(master_ + "/pub/good/a");
  std::string config =
      Config(Entry("Empty", master_ + "/pub/empty") + Entry("Gone", master_ + "/pub/gone") +
             "{'type': 'ftp', 'url': 'ftp://x', 'category': 'Good'}," +
             Entry("Good", master_ + "/pub/good"));
  ProcessResult r = RunUmdl(config, {"--delete-directories"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the unusable entry makes the run report a failure
  EXPECT_THAT(r.err, HasSubstr("UMDL_MASTER_DIRECTORIES entry 3"));
  EXPECT_THAT(r.err, HasSubstr("unknown type 'ftp', skipping"));
  EXPECT_THAT(r.err, HasSubstr(master_ + "/pub/gone is not a readable directory"));
  EXPECT_THAT(r.err, HasSubstr("Ending umdl"));
  // An empty tree: just its top. A missing one: nothing changes, nothing is deleted.
  EXPECT_THAT(Names("Empty"), ElementsAre("pub/empty"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM category_directory WHERE category_id = " +
                       std::to_string(empty)),
            1);
  EXPECT_THAT(Names("Gone"), ElementsAre("pub/gone/keep-me"));
  EXPECT_THAT(Names("Good"), ElementsAre("pub/good", "pub/good/a"));
}

TEST_F(UmdlRobustnessTest, OverlappingCategoryTreesShareDirectories) {
  FixtureBuilder f(db());
  f.Category("Outer", 1, "pub/outer");
  f.Category("Inner", 1, "pub/outer/inner");
  MakeDirs(master_ + "/pub/outer/inner/x");
  MakeDirs(master_ + "/pub/outer/y");
  std::string config =
      Config(Entry("Inner", master_ + "/pub/outer/inner") + Entry("Outer", master_ + "/pub/outer"));
  ProcessResult r = RunUmdl(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("Outer: overlapping categories: directories such as pub/outer/inner"));
  EXPECT_THAT(Names("Inner"), ElementsAre("pub/outer/inner", "pub/outer/inner/x"));
  EXPECT_THAT(Names("Outer"),
              ElementsAre("pub/outer", "pub/outer/inner", "pub/outer/inner/x", "pub/outer/y"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 4);

  // A directory of both trees vanishes: the outer category's deletion keeps it (two categories).
  fs::remove_all(master_ + "/pub/outer/inner/x");
  std::string outer_only = Config(Entry("Outer", master_ + "/pub/outer"));
  r = RunUmdl(outer_only, {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 gone directories were kept"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE name = 'pub/outer/inner/x'"), 1);
  r = RunUmdl(Config(Entry("Inner", master_ + "/pub/outer/inner")), {"--delete-directories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Inner's tree is now empty below its top: the guard against wiping a category refuses.
  EXPECT_THAT(r.err, HasSubstr("refusing to delete them all"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE name = 'pub/outer/inner/x'"), 1);
}

TEST_F(UmdlRobustnessTest, EmptyTopDirectoryName) {
  FixtureBuilder f(db());
  f.Category("Rootless", 1, "");
  MakeDirs(master_ + "/pub/a/b");
  ProcessResult r = RunUmdl(Config(Entry("Rootless", master_)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Names are relative to the mirror root, nothing chopped (upstream cut one character).
  EXPECT_THAT(Names("Rootless"), ElementsAre("", "pub", "pub/a", "pub/a/b"));
}

TEST_F(UmdlRobustnessTest, CatalogFlagOverridesTheConfigAndAnUnreachableCatalogFailsCleanly) {
  FixtureBuilder f(db());
  f.Category("Good", 1, "pub/good");
  MakeDirs(master_ + "/pub/good/a");
  std::string config = Config(Entry("Good", master_ + "/pub/good"));
  std::string address = harness_->address();
  // CATALOG_ADDRESS from the environment points nowhere; --catalog wins.
  ProcessResult r =
      RunUmdl(config, {"--catalog", address}, {{"MM2_CATALOG_ADDRESS", "127.0.0.1:1"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE name = 'pub/good/a'"), 1);
  ProcessResult down =
      RunUmdl(config, {"--catalog", "127.0.0.1:1"}, {{"MM2_CATALOG_RPC_TIMEOUT", "2"}});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, HasSubstr("cannot reach the catalog"));
}

TEST_F(UmdlRobustnessTest, BadCommandLinesAndConfigsExitTwo) {
  ProcessResult bad_flag = RunUmdl(Config(""), {"--no-such-flag"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_THAT(bad_flag.err, HasSubstr("--delete-directories"));  // the usage
  std::string broken = tmp_ / "broken.cfg";
  WriteFile(broken, "UMDL_PREFIX = '/srv/'\nUMDL_MASTER_DIRECTORIES = 'not a list'\n");
  ProcessResult bad_config = RunUmdl(broken);
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_THAT(bad_config.err,
              HasSubstr(broken + ":2: UMDL_MASTER_DIRECTORIES must be a list of dicts"));
  ProcessResult help = RunUmdl(Config(""), {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--skip-fullfiletimelist"));
}

// The configuration file named by MM2_CONFIG (no -c), its MAX_STALE_DAYS, and file_detail
// ageing over the whole table: rows of a category the run did not scan are aged too (§1.3).
TEST_F(UmdlRobustnessTest, Mm2ConfigMaxStaleDaysAndAgeingOfTheWholeTable) {
  FixtureBuilder f(db());
  f.Category("Good", 1, "pub/good");
  int64_t other = f.Category("Elsewhere", 1, "pub/elsewhere");
  int64_t dir = f.Directory("pub/elsewhere/iso", {other});
  const int64_t now = ::time(nullptr), hour = 3600;
  auto fd = [&](const std::string& name, int64_t ts) {
    return f.FileDetail(
        dir, {name, ts, 1, std::nullopt, std::nullopt, std::string(64, 'a'), std::nullopt});
  };
  // Newest 36 h old: older than now - (2 - 1) days, so the second newest (60 h old, older than
  // 2 days) goes with MAX_STALE_DAYS = 2; the default 4 would keep it.
  fd("x.iso", now - 36 * hour);
  int64_t second = fd("x.iso", now - 60 * hour);
  // Newest 12 h old: the second newest stays, however old; the third (60 h) goes.
  fd("y.iso", now - 12 * hour);
  int64_t kept = fd("y.iso", now - 80 * hour);
  int64_t third = fd("y.iso", now - 90 * hour);
  MakeDirs(master_ + "/pub/good/a");
  std::string config = harness_->WriteConfigFile(
      tmp_.path(),
      absl::StrCat("UMDL_PREFIX = '", master_, "/'\nMAX_STALE_DAYS = 2\n",
                   "UMDL_MASTER_DIRECTORIES = [", Entry("Good", master_ + "/pub/good"), "]\n"));
  ProcessOptions o;
  o.env = {{"MM2_CONFIG", config}};
  ASSERT_OK_AND_ASSIGN(ProcessResult r,
                       RunProcess(BinaryPath("mm2_update-master-directory-list"), {}, o));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Names("Good"), ElementsAre("pub/good", "pub/good/a"));
  for (int64_t id : {second, third}) {
    EXPECT_EQ(db().Count(absl::StrCat("SELECT count(*) FROM file_detail WHERE id = ", id)), 0);
  }
  EXPECT_EQ(db().Count(absl::StrCat("SELECT count(*) FROM file_detail WHERE id = ", kept)), 1);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 3);
}

TEST_F(UmdlRobustnessTest, MetricsArePushedToThePushgateway) {
  FixtureBuilder f(db());
  int64_t good = f.Category("Good", 1, "pub/good");
  MakeDirs(master_ + "/pub/good/a/b");
  WriteFile(master_ + "/pub/good/a/x-CHECKSUM", std::string(64, 'c') + "  x.iso\n");
  WriteFile(master_ + "/pub/good/a/x.iso", "iso");
  // Stored before: a directory gone from the tree, and a file_detail history to age.
  f.Directory("pub/good/gone", {good});
  int64_t a = f.Directory("pub/good/a", {good});
  const int64_t now = ::time(nullptr), day = 86400;
  for (int64_t age : {10, 20}) {
    f.FileDetail(a, {"old.iso", now - age * day, 1, std::nullopt, std::nullopt,
                     std::string(64, 'd'), std::nullopt});
  }
  FakePushgateway gateway;
  ProcessResult r = RunUmdl(Config(Entry("Good", master_ + "/pub/good")), {"--delete-directories"},
                            {{"MM2_PUSHGATEWAY_URL", gateway.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string body = gateway.bodies();
  EXPECT_THAT(gateway.paths(), ::testing::Contains(HasSubstr("/metrics/job/umdl")));
  EXPECT_THAT(body, HasSubstr("mm_umdl_directories_seen_total{category=\"Good\"} 3"));
  EXPECT_THAT(body, HasSubstr("mm_umdl_directories_created_total{category=\"Good\"} 1"));
  EXPECT_THAT(body, HasSubstr("mm_umdl_directories_changed_total{category=\"Good\"} 3"));
  EXPECT_THAT(body, HasSubstr("mm_umdl_directories_deleted_total{category=\"Good\"} 1"));
  EXPECT_THAT(body, HasSubstr("mm_umdl_file_details_created_total{category=\"Good\"} 1"));
  EXPECT_THAT(body, HasSubstr("mm_umdl_file_details_aged_total 1"));
  EXPECT_THAT(body, HasSubstr("mm_umdl_category_duration_seconds{category=\"Good\"}"));
  EXPECT_THAT(body, HasSubstr("mm_umdl_last_run_success 1"));
}

}  // namespace
}  // namespace mm::testing
