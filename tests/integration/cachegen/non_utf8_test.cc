// An adopted MirrorManager2 database in SQL_ASCII holding names that are not UTF-8, end to
// end: the real `mm2-catalog migrate` and `serve`, the real generator over real gRPC. The run
// must succeed, with such names left out of the cache (mirrorlist-server refuses a cache with
// a single string that is not UTF-8), counted in the metrics and logged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/integration/cachegen/cachegen_testing.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::cachegen::testing {
namespace {

using ::mm::testing::BackgroundProcess;
using ::mm::testing::BinaryPath;
using ::mm::testing::FakePushgateway;
using ::mm::testing::FileDetailRow;
using ::mm::testing::FixtureBuilder;
using ::mm::testing::ProcessOptions;
using ::mm::testing::RunProcess;
using ::mm::testing::TestDatabase;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGood[] = "pub/fedora/linux/releases/40";
// "café" in Latin-1: what an old tool running in a Latin-1 locale would have stored.
constexpr char kLatin1[] = "pub/fedora/linux/releases/caf\xe9";

TEST(NonUtf8Test, SqlAsciiDatabaseNamesThatAreNotUtf8AreLeftOutAndCounted) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create(false, "SQL_ASCII"));
  ASSERT_EQ(db.QueryValue("SHOW server_encoding"), "SQL_ASCII");
  ProcessOptions env;
  env.env = {{"MM2_CONFIG", "/dev/null"}, {"MM2_SQLALCHEMY_DATABASE_URI", db.uri()}};
  ASSERT_OK_AND_ASSIGN(auto migrated, RunProcess(BinaryPath("mm2-catalog"), {"migrate"}, env));
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;

  FixtureBuilder f(db);
  int64_t cat = f.Category("Fedora Linux", f.Product("Fedora"), "pub/fedora/linux");
  int64_t good = f.Directory(kGood, {cat});
  int64_t bad = f.Directory(kLatin1, {cat});
  ASSERT_EQ(
      db.QueryValue(absl::StrCat("SELECT octet_length(name) FROM directory WHERE id = ", bad)),
      std::to_string(sizeof(kLatin1) - 1));  // stored as the single byte 0xE9
  f.FileDetail(good, FileDetailRow{.filename = "repomd.xml", .timestamp = 5, .size = 6});
  f.FileDetail(good, FileDetailRow{.filename = "r\xe9pomd.xml", .timestamp = 5, .size = 6});
  f.FileDetail(bad, FileDetailRow{.filename = "repomd.xml", .timestamp = 5, .size = 6});
  int64_t host = f.Host(f.Site("s"), "m\xfcnchen.example.org", "DE");
  int64_t hc = f.HostCategory(host, cat);
  f.Url(hc, "http://m/fedora/linux");
  f.Url(hc, "http://m/f\xe9dora/linux");
  f.Hcd(hc, good, "releases/40", true);
  f.Hcd(hc, bad, "releases/caf\xe9", true);

  ASSERT_OK_AND_ASSIGN(
      auto catalog, BackgroundProcess::Start(
                        BinaryPath("mm2-catalog"),
                        {"serve", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"}, env));
  int grpc_port = 0;
  ASSERT_TRUE(mm::testing::WaitFor(
      [&] {
        std::smatch m;
        std::string log = catalog->ReadLog();
        if (!std::regex_search(log, m, std::regex("serving gRPC on port ([0-9]+)"))) return false;
        grpc_port = std::stoi(m[1]);
        return true;
      },
      absl::Seconds(30)))
      << catalog->ReadLog();

  FakePushgateway gateway;
  std::string out = TempPath("mirrorlist_cache.proto");
  ProcessOptions gen;
  gen.env = {{"MM2_CONFIG", "/dev/null"}, {"MM2_PUSHGATEWAY_URL", gateway.url()}};
  ASSERT_OK_AND_ASSIGN(
      auto run, RunProcess(BinaryPath("generate-mirrorlist-cache"),
                           {"-o", out, "--catalog", absl::StrCat("127.0.0.1:", grpc_port)}, gen));
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::ifstream in(out, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  mc::MirrorList cache;
  ASSERT_TRUE(cache.ParseFromString(bytes.str()));  // a strict parser: every string is UTF-8
  ASSERT_EQ(cache.mirrorlistcache_size(), 1);
  EXPECT_EQ(cache.mirrorlistcache(0).directory(), kGood);
  ASSERT_EQ(cache.filedetailscache_size(), 1);
  EXPECT_EQ(cache.filedetailscache(0).directory(), kGood);
  ASSERT_EQ(cache.filedetailscache(0).filedetailscachefiles_size(), 1);
  EXPECT_EQ(cache.filedetailscache(0).filedetailscachefiles(0).filename(), "repomd.xml");
  ASSERT_EQ(cache.hcurlcache_size(), 1);
  EXPECT_EQ(cache.hcurlcache(0).value(), "http://m/fedora/linux");
  EXPECT_EQ(ByHostId(cache.mirrorlistcache(0)).at(host).size(), 1u);

  // directory, its file detail directory (same name: one drop), file name, URL: 3 values.
  EXPECT_THAT(gateway.bodies(),
              HasSubstr("mm_cachegen_entries_dropped{reason=\"invalid_utf8\"} 3"));
  EXPECT_THAT(run.err, HasSubstr(absl::StrCat("directory ", bad,
                                              " is not valid UTF-8 and is left out of the "
                                              "cache: \"pub/fedora/linux/releases/caf\\xe9\"")));
  EXPECT_THAT(run.err, HasSubstr("file name in directory"));
  EXPECT_THAT(run.err, HasSubstr("host_category_url"));
  EXPECT_THAT(run.err, HasSubstr("left out of the cache: invalid_utf8=3"));
  EXPECT_THAT(catalog->ReadLog(), Not(HasSubstr("invalid UTF-8")));
}

}  // namespace
}  // namespace mm::cachegen::testing
