// Netblocks benchmark: generates a full-size BGP table (TABLE_DUMP_V2, bzip2, >= 1,000,000 IPv4
// and >= 200,000 IPv6 prefixes by default) and times, on the same file and in one run,
//   (a) our `mm2_get-netblocks global OUTPUT` (file:// source), with NETBLOCKS_THREADS = 1
//       (libbz2 streaming on one thread) and = 0 (bzip2 blocks on one thread per CPU), and
//   (b) Debian's `bgpdump -m FILE | awk '<first line per prefix, last AS of the path>'` (awk is
//       mawk on Debian),
// printing wall time, CPU time and peak RSS of each, and the targets (<= 10 s wall, <= 300 MB
// peak RSS, faster than the bgpdump pipeline).
//
//   netblocks_bench [--dir DIR] [--ipv4 N] [--ipv6 N] [--entries AVG] [--regenerate]
//                   [--skip-bgpdump] [--check-targets] [--seed S]
//
// Exit status: 0 when both readers ran (with --check-targets: and every target was met), 3 when
// a target was missed, 1 when a reader failed.
//
// The generated file is cached in DIR (keyed by its parameters) so that repeated runs only time
// the readers.
#include <bzlib.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_format.h"
#include "tests/unit/netblocks/mrt_writer.h"

namespace {

using namespace mm::netblocks::testing;  // NOLINT: the MRT writer

struct Options {
  std::string dir = "/tmp/mm-netblocks-bench";
  long ipv4 = 1000000;
  long ipv6 = 200000;
  double entries = 2.0;  // average RIB entries per prefix
  bool regenerate = false;
  bool skip_bgpdump = false;
  bool check_targets = false;
  uint32_t seed = 20261125;
};

// Streams MRT bytes into a bzip2 file (level 9, as routeviews' files).
class Bz2File {
 public:
  explicit Bz2File(const std::string& path) {
    f_ = std::fopen(path.c_str(), "wb");
    int err = 0;
    if (f_) bz_ = BZ2_bzWriteOpen(&err, f_, 9, 0, 0);
    if (!f_ || err != BZ_OK) {
      std::cerr << "cannot write " << path << "\n";
      std::exit(1);
    }
  }
  void Write(const std::string& data) {
    int err = 0;
    BZ2_bzWrite(&err, bz_, const_cast<char*>(data.data()), static_cast<int>(data.size()));
    if (err != BZ_OK) {
      std::cerr << "bzip2 write failed\n";
      std::exit(1);
    }
    raw_ += data.size();
  }
  uint64_t Close() {
    int err = 0;
    unsigned in_lo = 0, in_hi = 0, out_lo = 0, out_hi = 0;
    BZ2_bzWriteClose64(&err, bz_, 0, &in_lo, &in_hi, &out_lo, &out_hi);
    std::fclose(f_);
    return raw_;
  }

 private:
  FILE* f_ = nullptr;
  BZFILE* bz_ = nullptr;
  uint64_t raw_ = 0;
};

// A plausible table: 40 peers; prefixes sorted by address with realistic lengths; per prefix
// 1..(2*avg-1) entries whose paths start at the peer's AS, cross 0-5 transit ASes and end at the
// prefix's origin (1% end in an AS_SET); communities and MEDs on some entries.
uint64_t Generate(const Options& o, const std::string& path) {
  std::mt19937_64 rng(o.seed);
  Bz2File out(path);
  MrtWriter w;
  std::vector<Peer> peers;
  std::vector<uint32_t> peer_as;
  for (int i = 0; i < 40; ++i) {
    Peer p;
    p.bgp_id = 0x0A000000u + static_cast<uint32_t>(i);
    p.ipv6 = i % 4 == 3;
    p.address = p.ipv6 ? V6("2001:db8::1") : V4("192.0.2.1");
    p.address[p.ipv6 ? 15 : 3] = static_cast<char>(i + 1);
    p.as = i % 5 == 0 ? 4200000000u + static_cast<uint32_t>(i) : 1000u + static_cast<uint32_t>(i) * 37;
    p.as4 = true;
    peers.push_back(p);
    peer_as.push_back(p.as);
  }
  w.PeerIndexTable(0xC0000201, "bench", peers);
  const uint32_t transit[] = {3356, 174, 1299, 2914, 6939, 6453, 3257, 6762, 7018, 3491};
  auto entries_for = [&](uint32_t origin, bool v6) {
    int max = static_cast<int>(2 * o.entries - 1);
    int n = 1 + static_cast<int>(rng() % static_cast<uint64_t>(max < 1 ? 1 : max));
    std::vector<RibEntry> entries;
    for (int e = 0; e < n; ++e) {
      RibEntry r;
      r.peer_index = static_cast<uint16_t>(v6 ? 3 + 4 * (rng() % 10) : rng() % 40);
      Segment seq;
      seq.ases.push_back(peer_as[r.peer_index]);
      int hops = static_cast<int>(rng() % 6);
      for (int h = 0; h < hops; ++h) seq.ases.push_back(transit[rng() % 10]);
      seq.ases.push_back(origin);
      r.attrs.as_path.push_back(seq);
      if (rng() % 100 == 0) r.attrs.as_path.push_back(Segment{kAsSet, {origin + 1, origin + 2}});
      r.attrs.next_hop = static_cast<uint32_t>(rng());
      if (rng() % 3 == 0) r.attrs.med = static_cast<uint32_t>(rng() % 1000);
      int communities = static_cast<int>(rng() % 5);
      for (int c = 0; c < communities; ++c) {
        r.attrs.communities.push_back((transit[rng() % 10] << 16) | static_cast<uint32_t>(rng() % 65536));
      }
      entries.push_back(std::move(r));
    }
    return entries;
  };
  auto origin_as = [&]() -> uint32_t {
    return rng() % 4 == 0 ? 131072u + static_cast<uint32_t>(rng() % 300000)
                          : 1u + static_cast<uint32_t>(rng() % 64000);
  };
  uint32_t seq = 0;
  // IPv4: walk the address space from 1.0.0.0 with gaps; /24 most common.
  uint64_t addr = 1ull << 24;
  for (long i = 0; i < o.ipv4; ++i) {
    int r = static_cast<int>(rng() % 1000);
    int len = r < 600 ? 24 : r < 710 ? 23 : r < 840 ? 22 : r < 900 ? 21 : r < 950 ? 20
            : r < 980 ? 19 : r < 990 ? 18 : r < 995 ? 17 : 16;
    uint64_t block = 1ull << (32 - len);
    addr = (addr + block - 1) / block * block;
    if (addr + block >= (224ull << 24)) addr = 1ull << 24;  // wrap (duplicates are fine)
    std::string p(4, '\0');
    for (int b = 0; b < 4; ++b) p[b] = static_cast<char>(addr >> (24 - 8 * b));
    w.RibUnicast(false, seq++, p, static_cast<uint8_t>(len), entries_for(origin_as(), false));
    addr += block + (rng() % 4 == 0 ? block : 0);
    if (w.data().size() > (1 << 20)) out.Write(w.Take());
  }
  // IPv6: /32../48 inside 2001::/16 .. 2c0f::/16.
  uint64_t high = 0x2001000000000000ull;
  for (long i = 0; i < o.ipv6; ++i) {
    int r = static_cast<int>(rng() % 100);
    int len = r < 45 ? 48 : r < 70 ? 32 : r < 80 ? 44 : r < 90 ? 40 : 36;
    uint64_t block = 1ull << (64 - len);
    high = (high + block - 1) / block * block;
    std::string p(16, '\0');
    for (int b = 0; b < 8; ++b) p[b] = static_cast<char>(high >> (56 - 8 * b));
    w.RibUnicast(true, seq++, p, static_cast<uint8_t>(len), entries_for(origin_as(), true));
    high += block * (1 + rng() % 3);
    if (w.data().size() > (1 << 20)) out.Write(w.Take());
  }
  out.Write(w.Take());
  return out.Close();
}

struct RunResult {
  double wall = 0, user = 0, sys = 0;
  long max_rss_kb = 0;
  int status = -1;
};

// Runs argv with stdout to `stdout_path` (unless empty) and measures it (wait4 rusage: the
// process and the children it waited for; ru_maxrss is the largest of them).
RunResult Measure(const std::vector<std::string>& argv, const std::string& stdout_path) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (!stdout_path.empty()) {
      int fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      close(fd);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  wait4(pid, &status, 0, &ru);
  RunResult r;
  r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.user = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6;
  r.sys = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6;
  r.max_rss_kb = ru.ru_maxrss;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return r;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

long CountLines(const std::string& path) {
  std::ifstream f(path);
  long n = 0;
  std::string line;
  while (std::getline(f, line)) ++n;
  return n;
}

std::unordered_map<std::string, std::string> LoadTable(const std::string& path) {
  std::unordered_map<std::string, std::string> m;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    size_t sp = line.find(' ');
    if (sp != std::string::npos) m.emplace(line.substr(0, sp), line.substr(sp + 1));
  }
  return m;
}

std::string SelfDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

void Usage() {
  std::cerr << "usage: netblocks_bench [--dir DIR] [--ipv4 N] [--ipv6 N] [--entries AVG] "
               "[--regenerate] [--skip-bgpdump] [--check-targets] [--seed S]\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        Usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--dir") {
      o.dir = next();
    } else if (a == "--ipv4") {
      o.ipv4 = std::stol(next());
    } else if (a == "--ipv6") {
      o.ipv6 = std::stol(next());
    } else if (a == "--entries") {
      o.entries = std::stod(next());
    } else if (a == "--seed") {
      o.seed = static_cast<uint32_t>(std::stoul(next()));
    } else if (a == "--regenerate") {
      o.regenerate = true;
    } else if (a == "--check-targets") {
      o.check_targets = true;
    } else if (a == "--skip-bgpdump") {
      o.skip_bgpdump = true;
    } else {
      Usage();
      return 2;
    }
  }
  mkdir(o.dir.c_str(), 0755);
  char real[PATH_MAX];
  if (realpath(o.dir.c_str(), real) == nullptr) {
    std::cerr << "cannot use " << o.dir << "\n";
    return 2;
  }
  o.dir = real;
  std::string table = absl::StrFormat("%s/rib.%ld.%ld.%g.%u.bz2", o.dir, o.ipv4, o.ipv6,
                                      o.entries, o.seed);
  struct stat st;
  if (o.regenerate || stat(table.c_str(), &st) != 0) {
    std::cout << "generating " << table << " ..." << std::flush;
    auto t0 = std::chrono::steady_clock::now();
    uint64_t raw = Generate(o, table);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << absl::StrFormat(" %.1f MB of MRT in %.1f s\n", raw / 1e6, s);
    std::ofstream(table + ".size") << raw;
  }
  stat(table.c_str(), &st);
  uint64_t raw = 0;
  std::ifstream(table + ".size") >> raw;
  std::cout << absl::StrFormat(
      "table: %ld IPv4 + %ld IPv6 prefixes, ~%.1f entries/prefix, %.1f MB bzip2, %.1f MB MRT\n",
      o.ipv4, o.ipv6, o.entries, st.st_size / 1e6, raw / 1e6);

  // Ours twice: bzip2 decoded on one thread (libbz2 streaming), and on one thread per CPU.
  auto run_ours = [&](int threads, const std::string& out) {
    std::string cfg = absl::StrFormat("%s/bench.%d.cfg", o.dir, threads);
    std::ofstream(cfg) << "NETBLOCKS_GLOBAL_IPV4_URL = 'file://" << table << "'\n"
                       << "NETBLOCKS_GLOBAL_IPV6_URL = None\n"
                       << "NETBLOCKS_THREADS = " << threads << "\n";
    return Measure({SelfDir() + "/mm2_get-netblocks", "-c", cfg, "global", out}, "");
  };
  std::string ours_out = o.dir + "/global_netblocks.txt";
  std::string ours1_out = o.dir + "/global_netblocks.1.txt";
  RunResult ours1 = run_ours(1, ours1_out);
  RunResult ours = run_ours(0, ours_out);
  long ours_lines = CountLines(ours_out);
  long ours1_lines = CountLines(ours1_out);
  const unsigned cpus = std::thread::hardware_concurrency();

  RunResult ref;
  long ref_lines = 0;
  std::string ref_out = o.dir + "/bgpdump_netblocks.txt";
  if (!o.skip_bgpdump) {
    // Minimal de-duplication: the first line of each prefix, the last token of its AS path.
    std::string pipeline = "/usr/bin/bgpdump -m '" + table +
                           "' 2>/dev/null | awk -F'|' '!seen[$6]++ { n = split($7, p, \" \"); "
                           "if (n) print $6, p[n] }'";
    ref = Measure({"/bin/bash", "-o", "pipefail", "-c", pipeline}, ref_out);
    ref_lines = CountLines(ref_out);
  }

  std::cout << absl::StrFormat("\n%-44s %8s %8s %8s %10s %10s %6s\n", "reader", "wall s", "user s",
                               "sys s", "peak RSS", "lines", "exit");
  std::cout << absl::StrFormat("%-44s %8.2f %8.2f %8.2f %7.1f MB %10ld %6d\n",
                               "mm2_get-netblocks global (1 bzip2 thread)", ours1.wall, ours1.user,
                               ours1.sys, ours1.max_rss_kb / 1024.0, ours1_lines, ours1.status);
  std::cout << absl::StrFormat("%-44s %8.2f %8.2f %8.2f %7.1f MB %10ld %6d\n",
                               absl::StrFormat("mm2_get-netblocks global (%u bzip2 threads)", cpus),
                               ours.wall, ours.user, ours.sys, ours.max_rss_kb / 1024.0,
                               ours_lines, ours.status);
  if (!o.skip_bgpdump) {
    std::cout << absl::StrFormat("%-44s %8.2f %8.2f %8.2f %7.1f MB %10ld %6d\n",
                                 "bgpdump -m | awk (first line per prefix)", ref.wall, ref.user,
                                 ref.sys, ref.max_rss_kb / 1024.0, ref_lines, ref.status);
  }
  bool ok = ours.status == 0 && ours.wall <= 10.0 && ours.max_rss_kb <= 300 * 1024 &&
            (o.skip_bgpdump || ours.wall < ref.wall);
  std::cout << absl::StrFormat(
      "\ntargets: wall <= 10 s: %s; peak RSS <= 300 MB: %s; faster than bgpdump pipeline: %s",
      ours.wall <= 10.0 ? "met" : "MISSED", ours.max_rss_kb <= 300 * 1024 ? "met" : "MISSED",
      o.skip_bgpdump ? "not run" : (ours.wall < ref.wall ? "met" : "MISSED"));
  if (!o.skip_bgpdump && ours.wall > 0) {
    std::cout << absl::StrFormat(" (%.1fx)", ref.wall / ours.wall);
  }
  std::cout << absl::StrFormat("\nthroughput: %.0f MB/s of MRT, %.0f MB/s of bzip2 input\n",
                               raw / 1e6 / ours.wall, st.st_size / 1e6 / ours.wall);
  if (!o.skip_bgpdump) {
    auto ours_map = LoadTable(ours_out);
    auto ref_map = LoadTable(ref_out);
    long same = 0;
    for (const auto& [prefix, as] : ref_map) {
      auto it = ours_map.find(prefix);
      if (it != ours_map.end() && it->second == as) ++same;
    }
    std::cout << absl::StrFormat(
        "agreement: %ld of %zu prefixes have the same origin in both outputs (the rest: paths "
        "ending in an AS_SET, which the minimal pipeline prints as \"{a,b}\")\n",
        same, ref_map.size());
    if (ref.status != 0) return 1;
  }
  if (ours.status != 0 || ours1.status != 0) return 1;
  if (ReadWhole(ours_out) != ReadWhole(ours1_out)) {
    std::cout << "ERROR: the two runs of mm2_get-netblocks wrote different files\n";
    return 1;
  }
  return o.check_targets && !ok ? 3 : 0;
}
