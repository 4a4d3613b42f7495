// UMDL benchmark: generates a synthetic Fedora-Linux-scale master tree described by a
// fullfiletimelist (>= 600,000 files in >= 60,000 directories, with repodata directories and
// checksum files; only the files UMDL reads exist on disk), starts a private PostgreSQL
// (tests/testing/pg_tmp.sh) and catalog, and times three runs of the real binary:
//   1. first import into an empty category,
//   2. a rescan of the unchanged tree,
//   3. a rescan after one release (releases/, updates/ and updates/testing/ of one version) was
//      republished: new directory times and rewritten repomd.xml files.
// It prints the wall times and the peak RSS of umdl (per run) and of catalog (whole session).
//
//   umdl_bench [--versions N] [--buckets N] [--work-dir DIR] [--keep]
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/common/bench_process.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mirrormanager/catalog/v1/reference.grpc.pb.h"
#include "services/common/arg_parser.h"
#include "services/common/grpc_client.h"

namespace fs = std::filesystem;
namespace pb = ::mirrormanager::catalog::v1;

namespace {

constexpr int64_t kBaseTime = 1'700'000'000;
const char* kArches[] = {"x86_64", "aarch64", "ppc64le", "s390x"};
const char kBuckets[] = "abcdefghijklmnopqrstuvwxyz0123456789";

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}
uint64_t HashOf(const std::string& s) { return Mix(std::hash<std::string>{}(s)); }

struct Generator {
  std::string root;       // .../master
  std::string linux_dir;  // root/pub/fedora/linux
  int versions = 60;
  int first_version = 21;
  int buckets = 36;
  int changed_version = -1;  // version republished (generation 1)
  bool write_disk = true;
  size_t dirs = 0, files = 0, repos = 0, checksum_files = 0;
  std::string fft;

  int64_t Time(const std::string& path, int version) const {
    int64_t t = kBaseTime + static_cast<int64_t>(HashOf(path) % 10'000'000);
    if (version == changed_version) t += 20'000'000;
    return t;
  }
  void Dir(const std::string& rel, int version) {
    absl::StrAppend(&fft, Time(rel, version), "\td\t4096\tlinux/", rel, "\n");
    ++dirs;
    if (write_disk && changed_version < 0) fs::create_directories(linux_dir + "/" + rel);
  }
  void File(const std::string& rel, int64_t size, int version) {
    absl::StrAppend(&fft, Time(rel, version), "\tf\t", size, "\tlinux/", rel, "\n");
    ++files;
  }
  // Only the republished release is rewritten on the second generation.
  void DiskFile(const std::string& rel, const std::string& contents, int version) {
    if (!write_disk || (changed_version >= 0 && version != changed_version)) return;
    std::ofstream(linux_dir + "/" + rel, std::ios::trunc) << contents;
  }
  void Repo(const std::string& rel, int version, const std::string& nvr_suffix) {
    Dir(rel, version);
    Dir(rel + "/Packages", version);
    for (int b = 0; b < buckets; ++b) {
      std::string bucket =
          rel + "/Packages/" + kBuckets[b % 36] + (b >= 36 ? std::to_string(b / 36) : "");
      Dir(bucket, version);
      int n = 5 + static_cast<int>(HashOf(bucket) % 12);
      for (int i = 0; i < n; ++i) {
        File(absl::StrCat(bucket, "/", std::string(1, kBuckets[b % 36]), "pkg", i, "-1.", i % 7,
                          "-", version, nvr_suffix, ".rpm"),
             10'000 + static_cast<int64_t>(HashOf(bucket + std::to_string(i)) % 50'000'000),
             version);
      }
    }
    std::string repodata = rel + "/repodata";
    Dir(repodata, version);
    int64_t ts = Time(repodata, version);
    std::string repomd = absl::StrCat(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd "
        "xmlns=\"http://linux.duke.edu/metadata/repo\">\n"
        "  <revision>",
        ts, "</revision>\n");
    for (const char* type : {"primary", "filelists", "other", "group", "updateinfo"}) {
      absl::StrAppend(&repomd, "  <data type=\"", type, "\">\n    <checksum type=\"sha256\">",
                      absl::StrFormat("%016x", HashOf(repodata + type)),
                      "</checksum>\n    <location href=\"repodata/", type,
                      ".xml.zst\"/>\n    <timestamp>",
                      ts - static_cast<int64_t>(HashOf(type) % 1000),
                      "</timestamp>\n    <size>123456</size>\n  </data>\n");
      File(absl::StrCat(repodata, "/", absl::StrFormat("%016x", HashOf(repodata + type)), "-", type,
                        ".xml.zst"),
           123456, version);
    }
    repomd += "</repomd>\n";
    File(repodata + "/repomd.xml", static_cast<int64_t>(repomd.size()), version);
    DiskFile(repodata + "/repomd.xml", repomd, version);
    ++repos;
  }
  void Iso(const std::string& rel, int version, const std::string& arch) {
    Dir(rel, version);
    std::string checksum = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n";
    for (const char* kind : {"Everything-netinst", "Server-dvd"}) {
      std::string name = absl::StrCat("Fedora-", kind, "-", arch, "-", version, "-1.1.iso");
      absl::StrAppend(&checksum, "# ", name, ": 1234 bytes\nSHA256 (", name, ") = ",
                      absl::StrFormat("%016x%016x%016x%016x", HashOf(name), HashOf(name + "1"),
                                      HashOf(name + "2"), HashOf(name + "3")),
                      "\n");
      File(rel + "/" + name, 0, version);
      DiskFile(rel + "/" + name, "", version);
    }
    checksum += "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n";
    std::string cname = absl::StrCat("Fedora-Everything-", version, "-1.1-", arch, "-CHECKSUM");
    File(rel + "/" + cname, static_cast<int64_t>(checksum.size()), version);
    DiskFile(rel + "/" + cname, checksum, version);
    ++checksum_files;
  }
  void Generate() {
    fft = "[Version]\n2\n\n[Files]\n";
    absl::StrAppend(&fft, kBaseTime, "\td\t4096\tlinux\n");
    for (const char* top : {"releases", "updates", "updates/testing"}) {
      Dir(top, -1);
    }
    for (int v = first_version; v < first_version + versions; ++v) {
      std::string V = std::to_string(v);
      for (const std::string& base : {"releases/" + V, "updates/" + V, "updates/testing/" + V}) {
        Dir(base, v);
        Dir(base + "/Everything", v);
        bool rel = base.rfind("releases", 0) == 0;
        for (const char* arch : kArches) {
          std::string a = base + "/Everything/" + arch;
          if (rel) {
            Dir(a, v);
            Repo(a + "/os", v, ".fc" + V);
            Dir(a + "/debug", v);
            Repo(a + "/debug/tree", v, ".fc" + V + ".debug");
            Iso(a + "/iso", v, arch);
          } else {
            Repo(a, v, ".fc" + V);
            Repo(a + "/debug", v, ".fc" + V + ".debug");
          }
        }
        Dir(base + "/Everything/source", v);
        Repo(base + "/Everything/source/tree", v, ".fc" + V + ".src");
      }
    }
    fft += "\n[Checksums SHA1]\n[End]\n";
  }
  void WriteFft() const {
    std::string path = fs::path(linux_dir).parent_path().string() + "/fullfiletimelist-fedora";
    std::string tmp = path + ".tmp";
    std::ofstream(tmp, std::ios::trunc) << fft;
    fs::rename(tmp, path);
  }
};

struct Child {
  pid_t pid = -1;
};

using ::mm::bench::Spawn;

struct RunResult {
  int exit_code = -1;
  double seconds = 0;
  long max_rss_kb = 0;
};

RunResult RunAndMeasure(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                        const std::string& log) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = Spawn(argv, env, log);
  int status = 0;
  struct rusage ru;
  std::memset(&ru, 0, sizeof ru);
  wait4(pid, &status, 0, &ru);
  RunResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.max_rss_kb = ru.ru_maxrss;
  return r;
}

int RunShell(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

long VmHwmKb(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

int FreePort() {
  for (int i = 0; i < 50; ++i) {
    int port = 20000 + static_cast<int>(Mix(static_cast<uint64_t>(getpid()) * 7919 + i) % 40000);
    std::string cmd = absl::StrCat("ss -Hltn 'sport = :", port, "' 2>/dev/null | grep -q .");
    if (RunShell(cmd) != 0) return port;
  }
  return 0;
}

bool Seed(const std::string& address) {
  auto stub = pb::ReferenceData::NewStub(mm::common::CreateChannel(address));
  mm::common::RpcOptions rpc;
  rpc.timeout = absl::Seconds(10);
  rpc.max_attempts = 20;
  auto call = [&](auto fn) { return mm::common::CallWithRetry(rpc, fn).ok(); };
  pb::Product p;
  p.set_name("Fedora");
  pb::Product pout;
  if (!call([&](grpc::ClientContext* c) { return stub->UpsertProduct(c, p, &pout); })) return false;
  for (const char* a : {"x86_64", "aarch64", "ppc64le", "s390x", "source", "i386", "armhfp"}) {
    pb::Arch arch;
    arch.set_name(a);
    pb::Arch aout;
    if (!call([&](grpc::ClientContext* c) { return stub->UpsertArch(c, arch, &aout); }))
      return false;
  }
  pb::Category cat;
  cat.set_name("Fedora Linux");
  cat.set_product_name("Fedora");
  cat.set_topdir("pub/fedora/linux");
  pb::Category cout;
  return call([&](grpc::ClientContext* c) { return stub->UpsertCategory(c, cat, &cout); });
}

}  // namespace

int main(int argc, char** argv) {
  mm::common::ArgParser args("umdl_bench", "UMDL benchmark on a synthetic Fedora-scale tree.");
  args.Option("--versions", "N", "releases in the tree (default 60: ~65k directories, ~620k files)",
              "60")
      .Option("--buckets", "N", "package buckets per repository (default 36)", "36")
      .Option("--work-dir", "DIR",
              "where to put the tree, database and logs (default: a new /tmp dir)")
      .Flag("--keep", "keep the work directory");
  if (absl::Status s = args.Parse(argc, argv); !s.ok() || args.help_requested()) {
    std::printf("%s\n", args.Usage().c_str());
    return s.ok() ? 0 : 2;
  }
  const std::string bin_dir = fs::path(fs::canonical("/proc/self/exe")).parent_path().string();
  const std::string catalog_bin = bin_dir + "/mm2-catalog";
  const std::string umdl_bin = bin_dir + "/mm2_update-master-directory-list";
  std::string work = args.value_or("--work-dir", "");
  if (work.empty()) {
    char tmpl[] = "/tmp/mm-umdl-bench.XXXXXX";
    work = mkdtemp(tmpl);
  }
  fs::create_directories(work);
  ::chmod(work.c_str(), 0755);
  const std::string pg_state = work + "/pg";
  const std::string pg_script = std::string(MM_SOURCE_DIR) + "/tests/testing/pg_tmp.sh";

  Generator gen;
  gen.root = work + "/master";
  gen.linux_dir = gen.root + "/pub/fedora/linux";
  gen.versions = std::atoi(args.value_or("--versions", "60").c_str());
  gen.buckets = std::atoi(args.value_or("--buckets", "36").c_str());
  auto t0 = std::chrono::steady_clock::now();
  gen.Generate();
  gen.WriteFft();
  double gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "tree: %zu directories, %zu files, %zu repodata directories, %zu checksum files; FFT %.1f MB "
      "(generated in %.1f s)\n",
      gen.dirs, gen.files, gen.repos, gen.checksum_files, gen.fft.size() / 1e6, gen_s);
  std::fflush(stdout);

  if (RunShell(absl::StrCat("bash ", pg_script, " start ", pg_state)) != 0) {
    std::fprintf(stderr, "cannot start PostgreSQL\n");
    return 1;
  }
  const std::string uri = ReadTrimmed(pg_state + "/uri");
  const int port = FreePort();
  const std::string address = absl::StrCat("127.0.0.1:", port);
  const std::string config = work + "/mirrormanager2.cfg";
  std::ofstream(config) << "SQLALCHEMY_DATABASE_URI = '" << uri << "'\nCATALOG_ADDRESS = '"
                        << address << "'\nUMDL_PREFIX = '" << gen.root
                        << "/'\nUMDL_MASTER_DIRECTORIES = [{'type': "
                        << "'directory', 'path': '" << gen.linux_dir
                        << "/', 'category': 'Fedora Linux'}]\n";
  std::vector<std::string> env = {"MM2_CONFIG=" + config};
  pid_t catalog = Spawn(
      {catalog_bin, "serve", "--migrate", "--listen", address, "--http-listen", "127.0.0.1:0"}, env,
      work + "/catalog.log");
  int rc = 0;
  if (!Seed(address)) {
    std::fprintf(stderr, "catalog did not come up; see %s/catalog.log\n", work.c_str());
    rc = 1;
  } else {
    std::vector<std::string> umdl = {umdl_bin, "-c", config};
    RunResult first = RunAndMeasure(umdl, env, work + "/umdl-1-first-import.log");
    RunResult nochange = RunAndMeasure(umdl, env, work + "/umdl-2-no-change.log");
    gen.changed_version = gen.first_version + gen.versions - 1;
    size_t dirs = gen.dirs;
    gen.dirs = gen.files = gen.repos = gen.checksum_files = 0;
    gen.Generate();  // rewrites the changed release's repomd.xml files with new timestamps
    gen.WriteFft();
    RunResult changed = RunAndMeasure(umdl, env, work + "/umdl-3-one-release-changed.log");
    long catalog_rss = VmHwmKb(catalog);
    std::printf("directories: %zu, release changed: %d\n", dirs, gen.changed_version);
    std::printf("first import:              %6.2f s  (exit %d, umdl peak RSS %ld MB)\n",
                first.seconds, first.exit_code, first.max_rss_kb / 1024);
    std::printf("no-change rescan:          %6.2f s  (exit %d, umdl peak RSS %ld MB)\n",
                nochange.seconds, nochange.exit_code, nochange.max_rss_kb / 1024);
    std::printf("one-release-changed rescan:%6.2f s  (exit %d, umdl peak RSS %ld MB)\n",
                changed.seconds, changed.exit_code, changed.max_rss_kb / 1024);
    std::printf("peak RSS: umdl %ld MB, catalog %ld MB\n",
                std::max({first.max_rss_kb, nochange.max_rss_kb, changed.max_rss_kb}) / 1024,
                catalog_rss / 1024);
    RunShell(absl::StrCat("grep -h 'synced' ", work, "/umdl-*.log | sed 's/^/  /'"));
    if (first.exit_code != 0 || nochange.exit_code != 0 || changed.exit_code != 0) rc = 1;
  }
  kill(catalog, SIGTERM);
  waitpid(catalog, nullptr, 0);
  RunShell(absl::StrCat("bash ", pg_script, " stop ", pg_state));
  if (args.flag("--keep")) {
    std::printf("kept %s\n", work.c_str());
  } else {
    fs::remove_all(work);
  }
  return rc;
}
