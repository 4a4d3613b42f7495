// The real generate-mirrorlist-cache binary against a real catalog: upstream options (last
// occurrence wins), atomic replacement (SIGKILL and SIGTERM mid-write, unreachable catalog,
// missing directory), removal of a killed run's temporary file, writing through a symbolic
// link, the DNS time bound with the real resolver, metrics pushed to a Pushgateway, the
// inspect/diff sub-commands and upstream's dotenv configuration file.
#include <dirent.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/cachegen/cachegen_testing.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::cachegen::testing {
namespace {

using ::mm::testing::ReadFile;

using ::mm::testing::BinaryPath;
using ::mm::testing::FakePushgateway;
using ::mm::testing::ProcessOptions;
using ::mm::testing::ProcessResult;
using ::mm::testing::RunProcess;
using ::testing::HasSubstr;

std::vector<std::string> TempFiles(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    if (absl::StrContains(e->d_name, ".tmp.")) out.push_back(dir + "/" + e->d_name);
  }
  closedir(d);
  return out;
}

// Moves the modification time `age` into the past.
void Age(const std::string& path, absl::Duration age) {
  struct timespec times[2];
  times[0] = absl::ToTimespec(absl::Now() - age);
  times[1] = times[0];
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// A loopback port with nothing listening.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class BinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(harness_, mm::testing::CatalogHarness::Start());
    dir_ = TempPath("out");
    ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
    out_ = dir_ + "/mirrorlist_cache.proto";
    config_ = harness_->WriteConfigFile(dir_);
    mm::testing::FixtureBuilder f(harness_->db());
    int64_t cat = f.Category("Fedora Linux", f.Product("Fedora"), "pub/fedora/linux");
    int64_t d = f.Directory("pub/fedora/linux/releases/40", {cat});
    int64_t host = f.Host(f.Site("s"), "m", "DE");
    int64_t hc = f.HostCategory(host, cat);
    f.Url(hc, "http://m/linux");
    f.Hcd(hc, d, "releases/40");
  }

  ProcessResult Run(const std::vector<std::string>& args,
                    std::map<std::string, std::string> env = {}) {
    ProcessOptions o;
    o.env = std::move(env);
    o.env.emplace("MM2_CONFIG", "/dev/null");
    auto r = RunProcess(BinaryPath("generate-mirrorlist-cache"), args, o);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ProcessResult{};
  }

  // A catalog big enough that writing the cache takes a noticeable time.
  void LoadBigCatalog() {
    harness_->db().Exec(
        "TRUNCATE host_category_dir, host_category_url, host_category, host, site, "
        "category_directory, category, directory, product CASCADE");
    ProcessOptions o;
    o.timeout = absl::Seconds(240);
    ASSERT_OK_AND_ASSIGN(
        ProcessResult r,
        RunProcess(BinaryPath("mm-gen-dataset"),
                   {"--db", harness_->db().uri(), "--preset", "small", "--directories", "20000",
                    "--file-details", "120000", "--up2date-hcds", "300000"},
                   o));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Starts the generator and stops it with `sig` once its temporary file has data. Retries
  // when the run was too quick to catch (putting `previous` back in place); returns the exit
  // code of the stopped run.
  int StopMidWrite(int sig, const std::string& previous) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      ProcessOptions o;
      o.env = {{"MM2_CONFIG", "/dev/null"}};
      auto p = mm::testing::BackgroundProcess::Start(BinaryPath("generate-mirrorlist-cache"),
                                                     {"-c", config_, "-o", out_}, o);
      EXPECT_TRUE(p.ok());
      if (!p.ok()) return -1;
      bool caught = mm::testing::WaitFor(
          [&] {
            for (const auto& t : TempFiles(dir_)) {
              if (FileSize(t) > 0) return true;
            }
            return false;
          },
          absl::Seconds(60));
      if (!caught) continue;
      auto code = (*p)->Stop(sig, absl::Seconds(30));
      EXPECT_TRUE(code.ok());
      if (code.ok() && *code != 0) return *code;  // stopped before it finished
      std::ofstream(out_, std::ios::binary | std::ios::trunc) << previous;
    }
    ADD_FAILURE() << "never caught the generator in the middle of writing";
    return -1;
  }

  std::unique_ptr<mm::testing::CatalogHarness> harness_;
  std::string dir_, out_, config_;
};

TEST_F(BinaryTest, UpstreamOptionsLastOccurrenceWins) {
  ProcessResult r =
      Run({"--config", dir_ + "/missing.cfg", "-c", config_, "-o", "/nonexistent/dir/cache.proto",
           "--outfile", out_, "--catalog", absl::StrCat("127.0.0.1:", ClosedPort()), "--catalog",
           harness_->address(), "-d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("DEBUG"));
  mc::MirrorList cache;
  ASSERT_TRUE(cache.ParseFromString(ReadFile(out_)));
  ASSERT_EQ(cache.mirrorlistcache_size(), 1);
  EXPECT_EQ(cache.mirrorlistcache(0).subpath(), "releases/40");
  EXPECT_TRUE(TempFiles(dir_).empty());
}

// Without -o the cache goes to CACHEGEN_OUTFILE (default: upstream's path, see
// CachegenDefaultsTest); a -c file that does not exist is a configuration error.
TEST_F(BinaryTest, OutfileFromConfigurationAndMissingConfigFile) {
  ProcessResult r = Run({"-c", config_}, {{"MM2_CACHEGEN_OUTFILE", out_}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  mc::MirrorList cache;
  ASSERT_TRUE(cache.ParseFromString(ReadFile(out_)));
  EXPECT_EQ(cache.mirrorlistcache_size(), 1);

  ProcessResult missing = Run({"-c", dir_ + "/missing.cfg", "-o", out_});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr(dir_ + "/missing.cfg"));
}

TEST_F(BinaryTest, FailuresLeaveThePreviousCacheUntouched) {
  ASSERT_EQ(Run({"-c", config_, "-o", out_}).exit_code, 0);
  std::string previous = ReadFile(out_);
  ASSERT_FALSE(previous.empty());

  ProcessResult unreachable =
      Run({"-c", config_, "-o", out_, "--catalog", absl::StrCat("127.0.0.1:", ClosedPort())},
          {{"MM2_CATALOG_RPC_ATTEMPTS", "1"}});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_THAT(unreachable.err, HasSubstr("previous cache"));
  EXPECT_EQ(ReadFile(out_), previous);
  EXPECT_TRUE(TempFiles(dir_).empty());

  ProcessResult no_dir = Run({"-c", config_, "-o", dir_ + "/missing/cache.proto"});
  EXPECT_EQ(no_dir.exit_code, 1);
  EXPECT_THAT(no_dir.err, HasSubstr(dir_ + "/missing/cache.proto"));
}

TEST_F(BinaryTest, KilledMidWriteLeavesTheOldCacheIntact) {
  ASSERT_EQ(Run({"-c", config_, "-o", out_}).exit_code, 0);
  std::string previous = ReadFile(out_);
  LoadBigCatalog();
  EXPECT_EQ(StopMidWrite(SIGKILL, previous), -SIGKILL);
  EXPECT_EQ(ReadFile(out_), previous);  // byte for byte
  // SIGKILL cannot be cleaned up after: the partial temporary file stays beside the cache ...
  std::vector<std::string> leftovers = TempFiles(dir_);
  ASSERT_EQ(leftovers.size(), 1u);
  // ... until the next run, once it is old enough not to be a writer's that just started.
  Age(leftovers[0], absl::Minutes(2));

  // The next run removes it and replaces the cache with the big one.
  ProcessResult r = Run({"-c", config_, "-o", out_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("removed 1 temporary file(s) of interrupted runs"));
  EXPECT_TRUE(TempFiles(dir_).empty());
  mc::MirrorList cache;
  ASSERT_TRUE(cache.ParseFromString(ReadFile(out_)));
  EXPECT_EQ(cache.mirrorlistcache_size(), 20000);
}

TEST_F(BinaryTest, RecentTemporaryFilesAreLeftAlone) {
  // Possibly a concurrent writer's file between its mkstemp and its lock: not touched.
  std::string recent = out_ + ".tmp.AbCd12";
  std::ofstream(recent) << "someone else's";
  ProcessResult r = Run({"-c", config_, "-o", out_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(recent), "someone else's");
}

TEST_F(BinaryTest, SymbolicLinkTargetIsWrittenThrough) {
  // The served path is a link to the file on another volume; the link must survive.
  std::string volume = dir_ + "/volume";
  ASSERT_EQ(mkdir(volume.c_str(), 0755), 0);
  std::string real = volume + "/mirrorlist_cache.proto";
  std::ofstream(real) << "old";
  ASSERT_EQ(symlink("volume/mirrorlist_cache.proto", out_.c_str()), 0);
  ProcessResult r = Run({"-c", config_, "-o", out_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st;
  ASSERT_EQ(lstat(out_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  mc::MirrorList cache;
  ASSERT_TRUE(cache.ParseFromString(ReadFile(real)));
  EXPECT_EQ(cache.mirrorlistcache_size(), 1);
  EXPECT_TRUE(TempFiles(dir_).empty());
  EXPECT_TRUE(TempFiles(volume).empty());
}

TEST_F(BinaryTest, UnresolvableNetblockNameIsBoundedByTheDnsTimeout) {
  // The real resolver on this offline machine; .invalid never resolves (RFC 6761).
  int64_t host = std::stoll(harness_->db().QueryValue("SELECT id FROM host LIMIT 1"));
  mm::testing::FixtureBuilder f(harness_->db());
  f.HostNetblock(host, "mm-unresolvable.invalid");
  f.HostNetblock(host, "192.0.2.0/24");
  FakePushgateway gateway;
  absl::Time start = absl::Now();
  ProcessResult r = Run({"-c", config_, "-o", out_}, {{"MM2_CACHEGEN_DNS_TIMEOUT", "1"},
                                                      {"MM2_PUSHGATEWAY_URL", gateway.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));  // process start-up included
  mc::MirrorList cache;
  ASSERT_TRUE(cache.ParseFromString(ReadFile(out_)));
  ASSERT_EQ(cache.hostnetblockcache_size(), 1);
  EXPECT_EQ(cache.hostnetblockcache(0).key(), "192.0.2.0/24");
  EXPECT_THAT(gateway.bodies(), HasSubstr("mm_cachegen_dns_lookups{result=\"failed\"} 1"));
  EXPECT_THAT(gateway.bodies(),
              HasSubstr("mm_cachegen_entries_dropped{reason=\"netblock_unresolved\"} 1"));
}

TEST_F(BinaryTest, SigtermStopsCleanlyAndKeepsTheOldCache) {
  ASSERT_EQ(Run({"-c", config_, "-o", out_}).exit_code, 0);
  std::string previous = ReadFile(out_);
  LoadBigCatalog();
  EXPECT_EQ(StopMidWrite(SIGTERM, previous), 1);
  EXPECT_EQ(ReadFile(out_), previous);
  EXPECT_TRUE(TempFiles(dir_).empty());  // removed on the way out
}

TEST_F(BinaryTest, MetricsArePushedToThePushgateway) {
  FakePushgateway gateway;
  ProcessResult r = Run({"-c", config_, "-o", out_}, {{"MM2_PUSHGATEWAY_URL", gateway.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string body = gateway.bodies();
  EXPECT_THAT(gateway.paths(), ::testing::Contains(HasSubstr("/job/generate-mirrorlist-cache")));
  EXPECT_THAT(body, HasSubstr("mm_cachegen_entries_written{field=\"MirrorListCache\"} 1"));
  EXPECT_THAT(body, HasSubstr("mm_cachegen_rows_read{section=\"host_category_dirs\"} 1"));
  EXPECT_THAT(body, HasSubstr("mm_cachegen_output_bytes"));
  EXPECT_THAT(body, HasSubstr("mm_cachegen_duration_seconds"));
  EXPECT_THAT(body, HasSubstr("mm_cachegen_runs_total{result=\"success\"} 1"));
}

TEST_F(BinaryTest, InspectAndDiff) {
  ASSERT_EQ(Run({"-c", config_, "-o", out_}).exit_code, 0);
  ProcessResult summary = Run({"inspect", out_});
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_THAT(summary.out, HasSubstr("MirrorListCache                1 directories"));
  ProcessResult dir = Run({"inspect", out_, "--directory", "pub/fedora/linux/releases/40"});
  EXPECT_EQ(dir.exit_code, 0);
  EXPECT_THAT(dir.out, HasSubstr("http://m/linux/releases/40/"));

  std::string old_cache = dir_ + "/old.proto";
  std::ofstream(old_cache, std::ios::binary) << ReadFile(out_);
  harness_->db().Exec("UPDATE host SET user_active = false");
  ASSERT_EQ(Run({"-c", config_, "-o", out_}).exit_code, 0);
  ProcessResult diff = Run({"diff", old_cache, out_});
  EXPECT_EQ(diff.exit_code, 1);
  EXPECT_THAT(diff.out, HasSubstr("pub/fedora/linux/releases/40: lost 1"));
  EXPECT_EQ(Run({"diff", out_, out_}).exit_code, 0);

  std::ofstream(dir_ + "/garbage.proto") << "not a cache";
  ProcessResult garbage = Run({"inspect", dir_ + "/garbage.proto"});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_THAT(garbage.err, HasSubstr("invalid mirror-list cache"));
}

TEST_F(BinaryTest, AcceptsUpstreamDotenvConfiguration) {
  std::string dotenv = dir_ + "/generate-mirrorlist-cache.cfg";
  std::ofstream(dotenv) << "DB_URL=postgres://mirrormanager@db.example.org/mirrormanager\n"
                        << "CATALOG_ADDRESS=" << harness_->address() << "\n";
  ProcessResult r = Run({"-c", dotenv, "-o", out_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("DB_URL is not used"));
  EXPECT_GT(FileSize(out_), 0);
}

TEST_F(BinaryTest, UsageErrors) {
  EXPECT_EQ(Run({"--help"}).exit_code, 0);
  EXPECT_EQ(Run({"bogus"}).exit_code, 2);
  EXPECT_EQ(Run({"inspect"}).exit_code, 2);
  EXPECT_EQ(Run({"diff", out_}).exit_code, 2);
  EXPECT_EQ(Run({"--no-such-option"}).exit_code, 2);
}

}  // namespace
}  // namespace mm::cachegen::testing
