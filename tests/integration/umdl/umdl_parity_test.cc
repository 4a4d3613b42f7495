// Upstream parity (mm2-backend.md §10, scenarios 1-2): MirrorManager2's tests/test_umdl.py run
// against the real mm2_update-master-directory-list binary and a fresh catalog, with the sample
// tree of tests/data/mm2-master-tree (no fullfiletimelist: the disk walker).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tests/integration/umdl/umdl_test_support.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class UmdlParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, CatalogHarness::Start());
    testdata_ = tmp_ / "testdata";
    CopyTree(TestDataDir() + "/mm2-master-tree", testdata_);
    // upstream's test configuration (tests/test_umdl.py configfile)
    std::string extra =
        absl::StrCat("UMDL_PREFIX = '", testdata_, "/'\n", "UMDL_MASTER_DIRECTORIES = [\n");
    for (auto [path, category] : std::vector<std::pair<std::string, std::string>>{
             {"pub/epel/", "Fedora EPEL"},
             {"pub/fedora/linux/", "Fedora Linux"},
             {"pub/fedora-secondary/", "Fedora Secondary Arches"},
             {"pub/archive/", "Fedora Archive"},
             {"pub/alt/", "Fedora Other"}}) {
      absl::StrAppend(&extra, "    {'type': 'directory', 'path': '", testdata_, "/", path,
                      "', 'category': '", category, "'},\n");
    }
    extra += "]\n";
    config_ = harness_->WriteConfigFile(tmp_.path(), extra);
  }

  TestDatabase& db() { return harness_->db(); }

  ScratchDir tmp_;
  std::string testdata_;
  std::string config_;
  std::unique_ptr<CatalogHarness> harness_;
};

// Scenario 1: empty database.
TEST_F(UmdlParityTest, EmptyDatabaseLogsSkipsAndExitsZero) {
  ProcessResult r = RunUmdl(config_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      LogMessages(r.err),
      ElementsAre(
          "Starting umdl",
          "UMDL_MASTER_DIRECTORIES Category Fedora EPEL does not exist in the database, skipping",
          "UMDL_MASTER_DIRECTORIES Category Fedora Linux does not exist in the database, skipping",
          "UMDL_MASTER_DIRECTORIES Category Fedora Secondary Arches does not exist in the "
          "database, "
          "skipping",
          "UMDL_MASTER_DIRECTORIES Category Fedora Archive does not exist in the database, "
          "skipping",
          "UMDL_MASTER_DIRECTORIES Category Fedora Other does not exist in the database, skipping",
          "Ending umdl"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 0);
}

// Scenario 2: upstream's fixture, then the sample tree.
TEST_F(UmdlParityTest, PopulatedDatabaseEndsExactlyAsUpstream) {
  SeedUpstreamUmdlFixture(db());
  ProcessResult r = RunUmdl(config_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");  // the progress line is only drawn on a terminal
  std::vector<std::string> logs = LogMessages(r.err);
  EXPECT_EQ(logs.front(), "Starting umdl");
  EXPECT_EQ(logs.back(), "Ending umdl");
  // No fullfiletimelist anywhere: the disk walker is used (upstream's SyncImpossible fallback).
  EXPECT_THAT(r.err, HasSubstr("Fedora Linux: synced (disk): 48 directories"));
  EXPECT_THAT(r.err,
              HasSubstr("UMDL_MASTER_DIRECTORIES Category Fedora Secondary Arches does not exist"));
  // The lines upstream's test looked for in its log (its test_1_umdl), in upstream's words.
  for (const char* line :
       {"Fedora Linux:  has changed: 0 != ", "Fedora Linux: development has changed: 0 != ",
        "Fedora Linux: releases/20/Fedora has changed: 0 != ",
        "Fedora/source/SRPMS/r has changed: 0 != ",
        "releases/20/Fedora/x86_64/iso has changed: 0 != ",
        "releases/20/Live/x86_64 has changed: 0 != ",
        "Created Version(product=<Product(2 - Fedora)>, name=20, is_test=False, \n",
        "Created Version(product=<Product(2 - Fedora)>, name=22, is_test=False, \n",
        "Created Repository(prefix=None, version=20, arch=source, "
        "category=Fedora Linux) -> Directory "
        "pub/fedora/linux/releases/20/Fedora/source/SRPMS\n"}) {
    EXPECT_THAT(r.err, HasSubstr(line));
  }

  // Versions 20 and 22, both of product Fedora.
  EXPECT_THAT(Rows(db(),
                   "SELECT v.name, p.name FROM version v JOIN product p ON p.id = v.product_id "
                   "ORDER BY v.name"),
              ElementsAre(ElementsAre("20", "Fedora"), ElementsAre("22", "Fedora")));
  EXPECT_EQ(db().Count("SELECT count(*) FROM category"), 3);
  EXPECT_EQ(db().Count("SELECT count(*) FROM category WHERE NOT COALESCE(admin_only, false)"), 2);
  EXPECT_THAT(Rows(db(), "SELECT name FROM product ORDER BY name"),
              ElementsAre(ElementsAre("EPEL"), ElementsAre("Fedora")));
  EXPECT_THAT(Rows(db(), "SELECT name FROM arch ORDER BY name"),
              ElementsAre(ElementsAre("i386"), ElementsAre("ppc"), ElementsAre("source"),
                          ElementsAre("x86_64")));

  // Exactly three repositories (the NULL-prefix quirk: one prefix-less repository per arch).
  EXPECT_THAT(
      Rows(db(),
           "SELECT r.name, c.name, v.name, a.name, d.name, COALESCE(r.prefix, 'NULL'), r.disabled "
           "FROM repository r "
           "JOIN category c ON c.id = r.category_id JOIN version v ON v.id = r.version_id "
           "JOIN arch a ON a.id = r.arch_id JOIN directory d ON d.id = r.directory_id ORDER BY "
           "r.name"),
      ElementsAre(
          ElementsAre("pub/fedora/linux/development/22/x86_64/os", "Fedora Linux", "22", "x86_64",
                      "pub/fedora/linux/development/22/x86_64/os", "NULL", "f"),
          ElementsAre("pub/fedora/linux/releases/20/Fedora/source/SRPMS", "Fedora Linux", "20",
                      "source", "pub/fedora/linux/releases/20/Fedora/source/SRPMS", "NULL", "f"),
          ElementsAre("pub/fedora/linux/releases/20/Fedora/x86_64/os", "Fedora Linux", "20",
                      "x86_64", "pub/fedora/linux/releases/20/Fedora/x86_64/os",
                      "fedora-install-20", "f")));

  // 56 directories: the 9 fixture rows first, then the tree's 47 new ones in sorted order.
  auto dirs = Rows(db(), "SELECT name FROM directory ORDER BY id");
  ASSERT_EQ(dirs.size(), 56u);
  EXPECT_EQ(dirs[0][0], "pub/fedora/linux");
  EXPECT_EQ(dirs[1][0], "pub/fedora/linux/extras");
  EXPECT_EQ(dirs[2][0], "pub/epel");
  EXPECT_EQ(dirs[3][0], "pub/fedora/linux/releases/26");
  EXPECT_EQ(dirs[4][0], "pub/fedora/linux/releases/27");
  EXPECT_EQ(dirs[5][0], "pub/archive/fedora/linux/releases/26/Everything/source");
  EXPECT_EQ(dirs[19][0], "pub/fedora/linux/releases/20/Fedora/source/SRPMS/a");
  EXPECT_EQ(dirs[20][0], "pub/fedora/linux/releases/20/Fedora/source/SRPMS/b");
  for (size_t i = 10; i < dirs.size(); ++i)
    EXPECT_LT(dirs[i - 1][0], dirs[i][0]) << "insertion order at " << i;
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE NOT readable"), 0);
  // Every tree directory is linked to Fedora Linux (48 with the top) plus the fixture's links.
  EXPECT_EQ(db().Count("SELECT count(*) FROM category_directory WHERE category_id = 1"), 50);

  EXPECT_THAT(DirectoryFiles(db(), "pub/fedora/linux/releases/20/Fedora/source/SRPMS/a"),
              UnorderedElementsAre(
                  Pair("index.html", Pair(6, ::testing::_)),
                  Pair("aajohan-comfortaa-fonts-2.004-2.fc20.src.rpm", Pair(10, ::testing::_)),
                  Pair("aalib-1.4.0-0.23.rc5.fc20.src.rpm", Pair(10, ::testing::_)),
                  Pair("abattis-cantarell-fonts-0.0.15-1.fc20.src.rpm", Pair(10, ::testing::_)),
                  Pair("abiword-3.0.0-4.fc20.src.rpm", Pair(10, ::testing::_))));

  EXPECT_EQ(
      db().Count(
          "SELECT count(*) FROM file_detail WHERE filename = 'repomd.xml' AND directory_id = 7"),
      0);
  EXPECT_THAT(
      Rows(db(),
           "SELECT d.name, f.filename, COALESCE(f.md5, ''), COALESCE(f.sha1, ''), "
           "COALESCE(f.sha256, ''), "
           "COALESCE(f.sha512, 'NULL'), f.size::text FROM file_detail f JOIN directory d ON d.id = "
           "f.directory_id "
           "ORDER BY d.name, f.filename"),
      ElementsAre(
          ElementsAre("pub/fedora/linux/development/22/x86_64/os/repodata", "repomd.xml",
                      "d0fb87891c3bfbdaf7a225f57e9ba6ee", ::testing::StartsWith("fffc4fc6"),
                      "860f0f832f7a641cf8f7e27172ef9b2492ce849388e43f372af7e512aa646677",
                      "7bb9a0bae076ccbbcd086163a1d4f33b62321aa6991d135c42bf3f6c42c4eb"
                      "465a0b42c62efa809708543fcd69511cb19cd7111d5ff295a50253b9c7659bb9d6",
                      "3732"),
          ElementsAre("pub/fedora/linux/releases/20/Fedora/source/SRPMS/repodata", "repomd.xml",
                      "082970dfa804fdcfaed2e15e2e5fba7d", ::testing::_,
                      "9a4738934092cf17e4540ee9cab741e922eb8306875ae5621feb01ebeb1f67f2",
                      "3351c7a6b1d2bd94e375d09324a9280b8becfe4dea40a227c3b270ddcedb19"
                      "f420eec3f2c6a39a1edcdf52f80d31eb47a0ba25057ced2e3182dd212bc7466ba2",
                      "2999"),
          ElementsAre("pub/fedora/linux/releases/20/Fedora/x86_64/iso", "Fedora-20-x86_64-DVD.iso",
                      "", "", "f2eeed5102b8890e9e6f4b9053717fe73031e699c4b76dc7028749ab66e7f917",
                      "NULL", "15"),
          ElementsAre(
              "pub/fedora/linux/releases/20/Fedora/x86_64/iso", "Fedora-20-x86_64-netinst.iso", "",
              "", "376be7d4855ad6281cb139430606a782fd6189dcb01d7b61448e915802cc350f", "NULL", "31"),
          ElementsAre("pub/fedora/linux/releases/20/Fedora/x86_64/os/repodata", "repomd.xml",
                      "49db42c616518f465014c3605de4414d", ::testing::_,
                      "108b4102829c0839c7712832577fe7da24f0a9491f4dc25d4145efe6aced2ebf",
                      "50ed8cb8f4daf8bcd1d0ccee1710b8a87ee8de5861fb15a1023d6558328795"
                      "f42dade3e025c09c20ade36c77a3a82d9cdce1a2e2ad171f9974bc1889b5918020",
                      "3732"),
          ElementsAre(
              "pub/fedora/linux/releases/20/Live/x86_64", "Fedora-Live-Desktop-x86_64-20-1.iso", "",
              "", "cc0333be93c7ff2fb3148cb29360d2453f78913cc8aa6c6289ae6823372a77d2", "NULL", "34"),
          ElementsAre("pub/fedora/linux/releases/20/Live/x86_64", "Fedora-Live-KDE-x86_64-20-1.iso",
                      "", "", "08360a253b4a40dff948e568dba1d2ae9d931797f57aa08576b8b9f1ef7e4745",
                      "NULL", "30")));
  // repomd.xml timestamps are the largest <data><timestamp>.
  EXPECT_EQ(db().QueryValue(
                "SELECT f.timestamp FROM file_detail f JOIN directory d ON d.id = f.directory_id "
                "WHERE d.name = 'pub/fedora/linux/releases/20/Fedora/source/SRPMS/repodata'"),
            "1386905285");
  EXPECT_EQ(db().Count("SELECT count(*) FROM host_category_dir"), 0);
}

// A second run over an unchanged tree changes nothing (no new rows, no rewritten rows).
TEST_F(UmdlParityTest, RescanOfUnchangedTreeIsANoOp) {
  SeedUpstreamUmdlFixture(db());
  ASSERT_EQ(RunUmdl(config_).exit_code, 0);
  std::string before = db().QueryValue(
      "SELECT string_agg(concat_ws('|', id, name, readable, ctime, md5(files)), ',' ORDER BY id) "
      "FROM directory");
  std::string xmin_before =
      db().QueryValue("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM directory");
  ProcessResult r = RunUmdl(config_, {"--debug"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Refresh the list of repomd.xml"));
  EXPECT_THAT(r.err, HasSubstr("0 changed, 0 created, 0 updated"));
  EXPECT_EQ(before,
            db().QueryValue(
                "SELECT string_agg(concat_ws('|', id, name, readable, ctime, md5(files)), ',' "
                "ORDER BY id) FROM directory"));
  EXPECT_EQ(xmin_before,
            db().QueryValue("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM directory"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), 7);
  EXPECT_EQ(db().Count("SELECT count(*) FROM repository"), 3);
}

TEST_F(UmdlParityTest, ListLogsCategoriesAndCategoryFilterSelects) {
  SeedUpstreamUmdlFixture(db());
  ProcessResult list = RunUmdl(config_, {"--list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_THAT(LogMessages(list.err),
              ElementsAre("<Category(1 - Fedora Linux)>", "<Category(2 - Fedora EPEL)>",
                          "<Category(3 - Fedora Codecs)>"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 9);

  // Excluding Fedora Linux leaves the tree alone; the other missing categories are still reported.
  ProcessResult excluded = RunUmdl(config_, {"--category", "^Fedora Linux"});
  EXPECT_EQ(excluded.exit_code, 0) << excluded.err;
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 9);
  EXPECT_THAT(excluded.err, HasSubstr("Category Fedora Archive does not exist"));

  ProcessResult only = RunUmdl(config_, {"--category", "Fedora Linux"});
  EXPECT_EQ(only.exit_code, 0) << only.err;
  EXPECT_THAT(only.err, ::testing::Not(HasSubstr("Fedora Archive")));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 56);
}

// Scenario 2 at a terminal: the console shows the single progress line upstream's rich progress
// bar leaves, "Syncing repositories of Fedora Linux ... 100%", redrawn in place all along.
TEST_F(UmdlParityTest, OnATerminalTheConsoleShowsOneProgressLine) {
  SeedUpstreamUmdlFixture(db());
  ProcessResult r = RunUmdlOnTerminal(config_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ScreenLines(r.out), ElementsAre("Syncing repositories of Fedora Linux ... 100%"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("Syncing directories of Fedora Linux ... 0%"));
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 56);
  EXPECT_EQ(LogMessages(r.err).front(), "Starting umdl");

  // A rescan with nothing to write still draws the line to 100%.
  ProcessResult again = RunUmdlOnTerminal(config_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(ScreenLines(again.out), ElementsAre("Syncing repositories of Fedora Linux ... 100%"));
}

// The sample tree read by each synchronizer (disk walk, a fullfiletimelist one level above the
// "Fedora Linux" top with "linux/" rows, a real rsync daemon, a saved rsync listing) gives
// upstream's answer of scenario 2: the same directories, file samples, repositories (with the
// NULL-prefix quirk) and checksum file details. rsync and file entries make no repomd.xml file
// details (upstream disables them there).
class UmdlSampleTreeModesTest : public UmdlParityTest,
                                public ::testing::WithParamInterface<std::string> {};

TEST_P(UmdlSampleTreeModesTest, SampleTreeGivesUpstreamsAnswerInEveryMode) {
  const std::string mode = GetParam();
  SeedUpstreamUmdlFixture(db());
  const std::string top = testdata_ + "/pub/fedora/linux";
  std::unique_ptr<RsyncDaemon> daemon;
  std::string entry;
  std::vector<std::string> args;
  if (mode == "disk" || mode == "fullfiletimelist") {
    entry = absl::StrCat("{'type': 'directory', 'path': '", top, "/', 'category': 'Fedora Linux'}");
    if (mode == "fullfiletimelist") {
      WriteFile(testdata_ + "/pub/fedora/fullfiletimelist-fedora",
                MakeFullFileTimeList(top, "linux/"));
    } else {
      args = {"--skip-fullfiletimelist"};
    }
  } else if (mode == "rsync") {
    ASSERT_OK_AND_ASSIGN(daemon, RsyncDaemon::Start("fedora-linux", top));
    entry =
        absl::StrCat("{'type': 'rsync', 'url': '", daemon->Url(), "', 'category': 'Fedora Linux'}");
  } else {
    ProcessOptions o;
    ASSERT_OK_AND_ASSIGN(ProcessResult listing, RunProcess(RsyncBinary(), {"-r", top + "/"}, o));
    ASSERT_EQ(listing.exit_code, 0);
    WriteFile(tmp_ / "linux.listing", listing.out);
    entry = absl::StrCat("{'type': 'file', 'url': '", tmp_ / "linux.listing",
                         "', 'category': 'Fedora Linux'}");
  }
  std::string config = harness_->WriteConfigFile(
      tmp_.path(),
      absl::StrCat("UMDL_PREFIX = '", testdata_, "/'\nUMDL_MASTER_DIRECTORIES = [", entry, "]\n"));
  ProcessResult r = RunUmdl(config, args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("synced (" + mode + "): 48 directories"));

  EXPECT_EQ(db().Count("SELECT count(*) FROM directory"), 56);
  EXPECT_EQ(db().Count("SELECT count(*) FROM category_directory WHERE category_id = 1"), 50);
  EXPECT_EQ(db().Count("SELECT count(*) FROM directory WHERE NOT readable"), 0);
  auto sizes = [&](const std::string& dir) {
    std::map<std::string, int64_t> out;
    for (const auto& [name, st] : DirectoryFiles(db(), dir)) out[name] = st.first;
    return out;
  };
  EXPECT_THAT(sizes("pub/fedora/linux/releases/20/Fedora/source/SRPMS/a"),
              ElementsAre(Pair("aajohan-comfortaa-fonts-2.004-2.fc20.src.rpm", 10),
                          Pair("aalib-1.4.0-0.23.rc5.fc20.src.rpm", 10),
                          Pair("abattis-cantarell-fonts-0.0.15-1.fc20.src.rpm", 10),
                          Pair("abiword-3.0.0-4.fc20.src.rpm", 10), Pair("index.html", 6)));
  EXPECT_THAT(
      sizes("pub/fedora/linux/releases/20/Fedora/x86_64/iso"),
      ElementsAre(Pair("Fedora-20-x86_64-CHECKSUM", 1125), Pair("Fedora-20-x86_64-DVD.iso", 15),
                  Pair("Fedora-20-x86_64-netinst.iso", 31)));
  EXPECT_THAT(
      Rows(db(),
           "SELECT d.name, COALESCE(r.prefix, 'NULL'), a.name, v.name FROM repository r "
           "JOIN directory d ON d.id = r.directory_id JOIN arch a ON a.id = r.arch_id "
           "JOIN version v ON v.id = r.version_id ORDER BY d.name"),
      ElementsAre(
          ElementsAre("pub/fedora/linux/development/22/x86_64/os", "NULL", "x86_64", "22"),
          ElementsAre("pub/fedora/linux/releases/20/Fedora/source/SRPMS", "NULL", "source", "20"),
          ElementsAre("pub/fedora/linux/releases/20/Fedora/x86_64/os", "fedora-install-20",
                      "x86_64", "20")));
  std::vector<std::vector<std::string>> details = {
      {"pub/fedora/linux/releases/20/Fedora/x86_64/iso", "Fedora-20-x86_64-DVD.iso",
       "f2eeed5102b8890e9e6f4b9053717fe73031e699c4b76dc7028749ab66e7f917", "15"},
      {"pub/fedora/linux/releases/20/Fedora/x86_64/iso", "Fedora-20-x86_64-netinst.iso",
       "376be7d4855ad6281cb139430606a782fd6189dcb01d7b61448e915802cc350f", "31"},
      {"pub/fedora/linux/releases/20/Live/x86_64", "Fedora-Live-Desktop-x86_64-20-1.iso",
       "cc0333be93c7ff2fb3148cb29360d2453f78913cc8aa6c6289ae6823372a77d2", "34"},
      {"pub/fedora/linux/releases/20/Live/x86_64", "Fedora-Live-KDE-x86_64-20-1.iso",
       "08360a253b4a40dff948e568dba1d2ae9d931797f57aa08576b8b9f1ef7e4745", "30"}};
  if (mode == "disk" || mode == "fullfiletimelist") {
    details.push_back({"pub/fedora/linux/development/22/x86_64/os/repodata", "repomd.xml",
                       "860f0f832f7a641cf8f7e27172ef9b2492ce849388e43f372af7e512aa646677", "3732"});
    details.push_back({"pub/fedora/linux/releases/20/Fedora/source/SRPMS/repodata", "repomd.xml",
                       "9a4738934092cf17e4540ee9cab741e922eb8306875ae5621feb01ebeb1f67f2", "2999"});
    details.push_back({"pub/fedora/linux/releases/20/Fedora/x86_64/os/repodata", "repomd.xml",
                       "108b4102829c0839c7712832577fe7da24f0a9491f4dc25d4145efe6aced2ebf", "3732"});
  }
  std::sort(details.begin(), details.end());
  EXPECT_EQ(Rows(db(),
                 "SELECT d.name, f.filename, f.sha256, f.size::text FROM file_detail f "
                 "JOIN directory d ON d.id = f.directory_id ORDER BY 1, 2"),
            details);
  EXPECT_EQ(db().Count("SELECT count(*) FROM version"), 2);
  EXPECT_EQ(db().Count("SELECT count(*) FROM host_category_dir"), 0);

  // A second run changes nothing.
  const std::string snapshot =
      "SELECT string_agg(concat_ws('|', id, name, readable, ctime, md5(files), xmin), ',' "
      "ORDER BY id) FROM directory";
  std::string before = db().QueryValue(snapshot);
  ProcessResult again = RunUmdl(config, args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(db().QueryValue(snapshot), before);
  EXPECT_EQ(db().Count("SELECT count(*) FROM file_detail"), static_cast<int64_t>(details.size()));
}

INSTANTIATE_TEST_SUITE_P(Modes, UmdlSampleTreeModesTest,
                         ::testing::Values("disk", "fullfiletimelist", "rsync", "file"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mm::testing
