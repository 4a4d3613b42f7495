// crawler_bench: the crawler against N mirrors on loopback, each serving the same generated tree
// of D directories (cpp-httplib servers in a forked child process, so the crawler's CPU time and
// peak RSS are measured alone). Two setups:
//   * in-process (default): CrawlRunner with an in-memory CrawlCatalog: the crawler's own work
//     (network, decisions, threads) without gRPC or PostgreSQL;
//   * --end-to-end: the real mm2_crawler binary against a real mm2-catalog and a throwaway
//     PostgreSQL (tests/testing/pg_tmp.sh) seeded with the same tree and hosts; the mm2_crawler
//     process is measured (wall, CPU, peak RSS), requests and connections are counted by the
//     mirror servers, catalog's CPU time is reported beside.
//
//   crawler_bench [--mirrors 20] [--dirs 10000] [--files 2] [--threads 100] [--mode http|fft|both]
//                 [--end-to-end]
//
// Prints directory checks per second, requests per directory (ours vs upstream's one HEAD per
// sampled file plus HEAD+GET for repomd.xml) and per category (FFT mode: the FFT plus one
// repomd.xml spot check), new TCP connections, CPU seconds and peak RSS for each mode.
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/common/bench_process.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "services/common/clock.h"
#include "services/common/log.h"
#include "services/crawler/crawl_runner.h"
#include "services/crawler/curl_session.h"

namespace mm::crawler {
namespace {

struct Args {
  int mirrors = 20;
  int dirs = 10000;
  int files = 2;
  int threads = 100;
  std::string mode = "both";
  bool end_to_end = false;
};

// Counted by the mirror servers (shared memory with the forked server process).
struct ServerCounters {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> connections{0};
};

// In-memory catalog: hands out every host once, counts reports.
class MemoryCatalog final : public CrawlCatalog {
 public:
  MemoryCatalog(std::vector<HostInfo> hosts, std::shared_ptr<CategoryTree> tree)
      : hosts_(std::move(hosts)), tree_(std::move(tree)) {
    for (const auto& h : hosts_) pending_.push_back(h.id);
  }
  absl::StatusOr<std::vector<HostRef>> ListHosts(const HostSelection&) override {
    std::vector<HostRef> out;
    for (const auto& h : hosts_) out.push_back({h.id, h.name, std::nullopt});
    return out;
  }
  absl::StatusOr<int64_t> BeginCrawl(const std::string&, const std::string&, CrawlMode) override {
    return 0;
  }
  absl::StatusOr<LeaseGrant> Acquire(const LeaseRequest& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    LeaseGrant g;
    while (!pending_.empty() && static_cast<int>(g.hosts.size()) < r.max_hosts) {
      int64_t id = pending_.front();
      pending_.pop_front();
      for (const auto& h : hosts_) {
        if (h.id == id) g.hosts.push_back(h);
      }
    }
    return g;
  }
  absl::StatusOr<std::vector<int64_t>> Renew(const std::string&, const std::string&,
                                             const std::vector<int64_t>&, int) override {
    return std::vector<int64_t>{};
  }
  absl::Status Release(const std::string&, const std::string&,
                       const std::vector<int64_t>&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::shared_ptr<CategoryTree>> LoadCategoryTree(int64_t, bool) override {
    ++tree_loads;
    return tree_;
  }
  absl::StatusOr<CategoryReportCounts> ReportCategory(const CategoryReportData& r) override {
    up2date += static_cast<int64_t>(r.up2date_ids.size());
    stale += static_cast<int64_t>(r.stale_ids.size());
    unknown += r.unknown;
    return CategoryReportCounts{};
  }
  absl::StatusOr<HostCompletionOutcome> CompleteHost(const HostCompletionData&) override {
    return HostCompletionOutcome{};
  }
  absl::StatusOr<std::map<std::string, std::string>> ContinentRedirects() override {
    return std::map<std::string, std::string>{};
  }
  absl::StatusOr<int> FinishCrawl(const std::string&, const std::string&, int) override {
    return 0;
  }
  absl::StatusOr<std::vector<PropagationRepo>> PropagationTargets(
      const std::vector<PropagationTargetKey>&) override {
    return std::vector<PropagationRepo>{};
  }
  absl::StatusOr<std::vector<std::string>> CategoryNames() override {
    return std::vector<std::string>{"Bench"};
  }

  std::atomic<int64_t> up2date{0}, stale{0}, unknown{0}, tree_loads{0};

 private:
  std::mutex mu_;
  std::vector<HostInfo> hosts_;
  std::deque<int64_t> pending_;
  std::shared_ptr<CategoryTree> tree_;
};

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += absl::StrFormat("%02x", md[i]);
  return out;
}

std::string DirPath(int i) { return absl::StrFormat("g%03d/d%05d", i / 100, i); }

// Writes the tree and its fullfiletimelist; returns the sample tree.
std::shared_ptr<CategoryTree> WriteTree(const std::string& root, const Args& a) {
  auto tree = std::make_shared<CategoryTree>();
  tree->category_id = 1;
  tree->fft_names = {"fullfiletimelist-bench"};
  std::string fft = "[Version]\n2\n\n[Files]\n";
  for (int i = 0; i < a.dirs; ++i) {
    MasterDirectory d;
    d.id = i + 1;
    d.path = DirPath(i);
    std::filesystem::create_directories(root + "/" + d.path);
    absl::StrAppend(&fft, "1700000000\td\t0\t", d.path, "\n");
    bool repo = i % 10 == 9;
    for (int f = 0; f < a.files; ++f) {
      std::string name = repo && f == 0 ? "repomd.xml" : absl::StrCat("pkg-", f, ".rpm");
      std::string content(100 + (i + f) % 50, 'x');
      if (name == "repomd.xml") {
        content = absl::StrFormat("<repomd><revision>%d</revision></repomd>%s", i,
                                  std::string(60 + i % 40, ' '));
        d.repomd_sha256 = Sha256Hex(content);
      }
      std::ofstream(root + "/" + d.path + "/" + name, std::ios::binary) << content;
      // Timestamps as UMDL copies them from the master's FFT (compared in FFT mode).
      const int64_t mtime = 1700000000 + i;
      d.files.push_back({name, static_cast<int64_t>(content.size()), mtime});
      absl::StrAppend(&fft, mtime, "\tf\t", content.size(), "\t", d.path, "/", name, "\n");
    }
    std::sort(d.files.begin(), d.files.end(),
              [](const auto& x, const auto& y) { return x.name < y.name; });
    tree->dirs.push_back(std::move(d));
  }
  std::ofstream(root + "/fullfiletimelist-bench") << fft;
  return tree;
}

// Child process: N servers; writes their ports to `fd`, serves until stdin-like `ctl` closes.
[[noreturn]] void ServeMirrors(const std::string& root, int n, int port_fd, int ctl_fd,
                               ServerCounters* counters) {
  std::vector<std::unique_ptr<httplib::Server>> servers;
  std::vector<std::thread> threads;
  std::mutex peers_mu;
  std::set<std::string> peers;
  for (int i = 0; i < n; ++i) {
    auto s = std::make_unique<httplib::Server>();
    s->set_keep_alive_max_count(10000000);
    s->set_keep_alive_timeout(60);
    s->set_tcp_nodelay(true);
    s->new_task_queue = [] { return new httplib::ThreadPool(4); };
    s->set_mount_point(absl::StrCat("/m", i), root);
    // Directories answer 200 (autoindex), files come from the mount point.
    s->set_pre_routing_handler([&, counters](const httplib::Request& req, httplib::Response& res) {
      ++counters->requests;
      {
        std::lock_guard<std::mutex> lock(peers_mu);
        if (peers.insert(absl::StrCat(req.remote_addr, ":", req.remote_port)).second) {
          ++counters->connections;
        }
      }
      if (!req.path.empty() && req.path.back() == '/') {
        res.set_content("index", "text/html");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    int port = s->bind_to_any_port("127.0.0.1");
    (void)!write(port_fd, &port, sizeof port);
    httplib::Server* raw = s.get();
    threads.emplace_back([raw] { raw->listen_after_bind(); });
    servers.push_back(std::move(s));
  }
  close(port_fd);
  char c;
  while (read(ctl_fd, &c, 1) > 0) {
  }
  _exit(0);
}

double CpuSeconds(int who) {
  rusage u;
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void RunMode(const std::string& mode, const Args& a, const std::vector<int>& ports,
             std::shared_ptr<CategoryTree> tree) {
  std::vector<HostInfo> hosts;
  for (int i = 0; i < a.mirrors; ++i) {
    HostInfo h;
    h.id = i + 1;
    h.name = absl::StrCat("mirror", i, ".bench");
    HostCategoryInfo hc;
    hc.id = i + 1;
    hc.category_id = 1;
    hc.category_name = "Bench";
    hc.topdir = "pub/bench";
    hc.urls = {absl::StrCat("http://127.0.0.1:", ports[i], "/m", i)};
    h.categories.push_back(hc);
    hosts.push_back(std::move(h));
  }
  MemoryCatalog catalog(hosts, tree);
  CrawlerOptions o;
  o.threads = a.threads;
  o.use_fft = mode == "fft";
  o.user_agent = "mm2-crawler-bench";
  common::RealClock clock;
  std::atomic<bool> stop{false};
  CrawlRunner runner(o, &catalog, &clock, &stop);
  double cpu0 = CpuSeconds(RUSAGE_SELF);
  absl::Time t0 = absl::Now();
  auto summary = runner.Run();
  double wall = absl::ToDoubleSeconds(absl::Now() - t0);
  double cpu = CpuSeconds(RUSAGE_SELF) - cpu0;
  if (!summary.ok()) {
    std::cerr << summary.status() << "\n";
    return;
  }
  int64_t requests = 0, connections = 0, categories = 0;
  for (const auto& r : summary->results) {
    requests += r.requests;
    connections += r.new_connections;
    categories += static_cast<int64_t>(r.categories.size());
  }
  int64_t decided = catalog.up2date + catalog.stale + catalog.unknown;
  int64_t sampled = 0, repomd = 0;
  for (const auto& d : tree->dirs) {
    sampled += static_cast<int64_t>(d.files.size());
    for (const auto& f : d.files) repomd += f.name == "repomd.xml";
  }
  double upstream_per_dir = static_cast<double>(sampled + repomd) / tree->dirs.size();
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  std::cout << absl::StrFormat(
      "mode=%s mirrors=%d dirs/mirror=%d files/dir=%d threads=%d\n"
      "  directories decided: %d (up2date %d, stale %d, unknown %d) in %.2f s\n"
      "  directory checks/s: %.0f\n"
      "  requests: %d total, %.3f per directory (upstream: %.3f per directory = one HEAD per "
      "sampled "
      "file + GET per repomd.xml), %.2f per category\n"
      "  new TCP connections: %d (%d mirrors)\n"
      "  crawler CPU seconds: %.2f (%.1f us per directory)\n"
      "  crawler peak RSS so far: %.1f MB\n",
      mode, a.mirrors, a.dirs, a.files, a.threads, decided, catalog.up2date.load(),
      catalog.stale.load(), catalog.unknown.load(), wall, decided / wall, requests,
      static_cast<double>(requests) / std::max<int64_t>(1, decided), upstream_per_dir,
      static_cast<double>(requests) / std::max<int64_t>(1, categories), connections, a.mirrors, cpu,
      cpu * 1e6 / std::max<int64_t>(1, decided), u.ru_maxrss / 1024.0);
}

// --- end-to-end: real mm2_crawler, mm2-catalog and PostgreSQL --------------------------------

std::string BinDir() { return std::filesystem::canonical("/proc/self/exe").parent_path().string(); }

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  return ::mm::bench::Spawn(argv, {}, log);
}

std::string Psql(const std::string& uri, const std::string& sql) {
  std::string file = absl::StrCat("/tmp/mm_crawler_bench_sql_", getpid());
  std::ofstream(file) << sql;
  std::string cmd = absl::StrCat(
      "\"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/psql\" -qAtX -v ON_ERROR_STOP=1 '",
      uri, "' -f ", file, " 2>&1");
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "psql failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  std::remove(file.c_str());
  if (rc != 0) return "ERROR " + out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string FilesJson(const MasterDirectory& d) {
  std::string out = "[";
  for (size_t i = 0; i < d.files.size(); ++i) {
    absl::StrAppend(&out, i ? ", " : "", "{\"name\": \"", d.files[i].name,
                    "\", \"size\": ", d.files[i].size, ", \"timestamp\": ", d.files[i].timestamp,
                    "}");
  }
  return out + "]";
}

// The master's view of the generated tree and the N mirror hosts, as UMDL and the web UI leave
// them in the database.
std::string SeedSql(const CategoryTree& tree, const std::vector<int>& ports, int64_t fft_size) {
  std::string sql =
      "BEGIN;\n"
      "INSERT INTO product (name, publiclist) VALUES ('Bench', true);\n"
      "INSERT INTO directory (name, readable, ctime, files) VALUES ('pub/bench', true, 0, "
      "convert_to('[{\"name\": \"fullfiletimelist-bench\", \"size\": " +
      std::to_string(fft_size) +
      ", \"timestamp\": 1700000000}]', 'UTF8'));\n"
      "INSERT INTO category (name, product_id, topdir_id, admin_only) SELECT 'Bench', p.id, d.id, "
      "false FROM product p, directory d WHERE p.name = 'Bench' AND d.name = 'pub/bench';\n";
  for (size_t i = 0; i < tree.dirs.size(); i += 1000) {
    sql += "INSERT INTO directory (name, readable, ctime, files) VALUES ";
    for (size_t j = i; j < std::min(tree.dirs.size(), i + 1000); ++j) {
      absl::StrAppend(&sql, j > i ? ",\n" : "", "('pub/bench/", tree.dirs[j].path,
                      "', true, 1700000000, convert_to('", FilesJson(tree.dirs[j]), "', 'UTF8'))");
    }
    sql += ";\n";
  }
  sql +=
      "INSERT INTO category_directory (category_id, directory_id) SELECT c.id, d.id FROM "
      "category c, directory d WHERE c.name = 'Bench' AND d.name LIKE 'pub/bench/%';\n";
  for (const auto& d : tree.dirs) {
    if (d.repomd_sha256.empty()) continue;
    for (const auto& f : d.files) {
      if (f.name != "repomd.xml") continue;
      absl::StrAppend(&sql,
                      "INSERT INTO file_detail (directory_id, filename, timestamp, size, sha256) "
                      "SELECT id, 'repomd.xml', ",
                      f.timestamp, ", ", f.size, ", '", d.repomd_sha256,
                      "' FROM directory WHERE name = 'pub/bench/", d.path, "';\n");
    }
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    absl::StrAppend(
        &sql, "INSERT INTO site (name, private, admin_active, user_active, created_by) VALUES ",
        "('site", i, "', false, true, true, 'bench');\n",
        "INSERT INTO host (site_id, name, country, admin_active, user_active, private, internet2, "
        "internet2_clients, bandwidth_int, asn_clients, max_connections) SELECT id, 'mirror",
        i,
        ".bench', 'US', true, true, false, false, false, 100, true, 1 FROM site WHERE name = "
        "'site",
        i, "';\n",
        "INSERT INTO host_category (host_id, category_id, always_up2date) SELECT h.id, c.id, "
        "false FROM host h, category c WHERE h.name = 'mirror",
        i, ".bench' AND c.name = 'Bench';\n",
        "INSERT INTO host_category_url (host_category_id, url, private) SELECT hc.id, "
        "'http://127.0.0.1:",
        ports[i], "/m", i,
        "', false FROM host_category hc JOIN host h ON h.id = hc.host_id WHERE h.name = 'mirror", i,
        ".bench';\n");
  }
  return sql + "COMMIT;\n";
}

double ProcCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
  if (f.size() < 13) return 0;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / ticks;
}

// CPU seconds of the PostgreSQL server processes (the postmaster's children: backends and
// background workers) that are alive now.
double PostgresCpuSeconds(const std::string& pg_state) {
  std::ifstream dir_in(pg_state + "/datadir");
  std::string data;
  std::getline(dir_in, data);
  std::ifstream pid_in(data + "/db/postmaster.pid");
  std::string line;
  std::getline(pid_in, line);
  const std::string postmaster = line;
  double total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
    if (f.size() > 1 && (f[1] == postmaster || name == postmaster)) {
      total += ProcCpuSeconds(static_cast<pid_t>(std::atol(name.c_str())));
    }
  }
  return total;
}

int RunEndToEnd(const Args& a, const std::vector<int>& ports, const CategoryTree& tree,
                int64_t fft_size, ServerCounters* counters) {
  const std::string bin = BinDir();
  char tmpl[] = "/tmp/mm_crawler_bench_e2e_XXXXXX";
  const std::string work = mkdtemp(tmpl);
  chmod(work.c_str(), 0755);
  const std::string pg_script = std::string(MM_SOURCE_DIR) + "/tests/testing/pg_tmp.sh";
  const std::string pg_state = work + "/pg";
  if (std::system(absl::StrCat("bash ", pg_script, " start ", pg_state).c_str()) != 0) {
    std::cerr << "cannot start PostgreSQL\n";
    return 1;
  }
  std::ifstream uri_in(pg_state + "/uri");
  std::string uri;
  std::getline(uri_in, uri);
  int port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  const std::string address = absl::StrCat("127.0.0.1:", port);
  const std::string config = work + "/mirrormanager2.cfg";
  std::ofstream(config) << "SQLALCHEMY_DATABASE_URI = '" << uri << "'\nCATALOG_ADDRESS = '"
                        << address << "'\nMM_LOG_DIR = '" << work << "/log'\n";
  pid_t catalog = Spawn({bin + "/mm2-catalog", "-c", config, "serve", "--migrate", "--listen",
                         address, "--http-listen", "127.0.0.1:0"},
                        work + "/catalog.log");
  int rc = 0;
  std::string seeded = "ERROR not started";
  for (int i = 0; i < 120 && seeded.rfind("ERROR", 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (Psql(uri, "SELECT count(*) FROM mm_crawl_run;").rfind("ERROR", 0) == 0) continue;
    seeded = Psql(uri, SeedSql(tree, ports, fft_size));
  }
  if (seeded.rfind("ERROR", 0) == 0) {
    std::cerr << "seeding failed: " << seeded << " (see " << work << "/catalog.log)\n";
    rc = 1;
  }
  for (const std::string mode : {"http", "fft"}) {
    if (rc != 0 || (a.mode != "both" && a.mode != mode)) continue;
    const std::string crawl_id = "bench-" + mode;
    const std::string cfg = absl::StrCat(work, "/crawler-", mode, ".cfg");
    std::ofstream(cfg) << "CATALOG_ADDRESS = '" << address << "'\nMM_LOG_DIR = '" << work
                       << "/log'\nCRAWLER_CRAWL_ID = '" << crawl_id
                       << "'\nCRAWLER_USE_FULLFILETIMELIST = " << (mode == "fft" ? "True" : "False")
                       << "\n";
    const int64_t req0 = counters->requests, conn0 = counters->connections;
    const double catalog_cpu0 = ProcCpuSeconds(catalog);
    const double pg_cpu0 = PostgresCpuSeconds(pg_state);
    absl::Time t0 = absl::Now();
    pid_t pid =
        Spawn({bin + "/mm2_crawler", "-c", cfg, "--threads", std::to_string(a.threads), "crawl"},
              absl::StrCat(work, "/crawler-", mode, ".log"));
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    const double wall = absl::ToDoubleSeconds(absl::Now() - t0);
    const double cpu =
        ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    const int64_t requests = counters->requests - req0, connections = counters->connections - conn0;
    const double catalog_cpu = ProcCpuSeconds(catalog) - catalog_cpu0;
    const double pg_cpu = PostgresCpuSeconds(pg_state) - pg_cpu0;
    std::vector<std::string> h = absl::StrSplit(
        Psql(uri, absl::StrCat("SELECT coalesce(sum(directories_up2date), 0), "
                               "coalesce(sum(directories_stale), 0), "
                               "coalesce(sum(directories_unknown), 0), count(*) FROM "
                               "mm_crawl_history WHERE crawl_id = '",
                               crawl_id, "';")),
        '|');
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || h.size() != 4) {
      std::cerr << "mm2_crawler failed (see " << work << "/crawler-" << mode << ".log)\n";
      rc = 1;
      continue;
    }
    int64_t up = std::atoll(h[0].c_str()), stale = std::atoll(h[1].c_str()),
            unknown = std::atoll(h[2].c_str()), categories = std::atoll(h[3].c_str());
    int64_t decided = up + stale + unknown;
    std::cout << absl::StrFormat(
        "end-to-end mode=%s mirrors=%d dirs/mirror=%d files/dir=%d threads=%d "
        "(mm2_crawler + mm2-catalog + PostgreSQL)\n"
        "  directories decided: %d (up2date %d, stale %d, unknown %d) in %.2f s\n"
        "  directory checks/s: %.0f\n"
        "  requests (counted by the mirrors): %d total, %.3f per directory, %.2f per category\n"
        "  new TCP connections (counted by the mirrors): %d (%d mirrors)\n"
        "  mm2_crawler CPU seconds: %.2f (%.1f us per directory); mm2-catalog: %.2f; "
        "PostgreSQL: %.2f\n"
        "  mm2_crawler peak RSS: %.1f MB\n",
        mode, a.mirrors, a.dirs, a.files, a.threads, decided, up, stale, unknown, wall,
        decided / wall, requests, static_cast<double>(requests) / std::max<int64_t>(1, decided),
        static_cast<double>(requests) / std::max<int64_t>(1, categories), connections, a.mirrors,
        cpu, cpu * 1e6 / std::max<int64_t>(1, decided), catalog_cpu, pg_cpu, ru.ru_maxrss / 1024.0);
  }
  kill(catalog, SIGTERM);
  waitpid(catalog, nullptr, 0);
  std::system(absl::StrCat("bash ", pg_script, " stop ", pg_state).c_str());
  if (rc == 0) std::filesystem::remove_all(work);
  return rc;
}

}  // namespace
}  // namespace mm::crawler

int main(int argc, char** argv) {
  using namespace mm::crawler;
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--end-to-end") {
      a.end_to_end = true;
      continue;
    }
    if (i + 1 >= argc) break;
    std::string v = argv[++i];
    if (k == "--mirrors")
      (void)absl::SimpleAtoi(v, &a.mirrors);
    else if (k == "--dirs")
      (void)absl::SimpleAtoi(v, &a.dirs);
    else if (k == "--files")
      (void)absl::SimpleAtoi(v, &a.files);
    else if (k == "--threads")
      (void)absl::SimpleAtoi(v, &a.threads);
    else if (k == "--mode")
      a.mode = v;
  }
  mm::common::SetStderrLogging(false);
  char tmpl[] = "/tmp/mm_crawler_bench_XXXXXX";
  std::string root = mkdtemp(tmpl);
  auto tree = WriteTree(root, a);
  int ports_pipe[2], ctl_pipe[2];
  // Close-on-exec: the catalog and crawler processes of --end-to-end must not hold them.
  if (pipe2(ports_pipe, O_CLOEXEC) != 0 || pipe2(ctl_pipe, O_CLOEXEC) != 0) return 1;
  void* shared = mmap(nullptr, sizeof(ServerCounters), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  auto* counters = new (shared) ServerCounters();
  pid_t child = fork();
  if (child == 0) {
    close(ports_pipe[0]);
    close(ctl_pipe[1]);
    ServeMirrors(root, a.mirrors, ports_pipe[1], ctl_pipe[0], counters);
  }
  close(ports_pipe[1]);
  close(ctl_pipe[0]);
  std::vector<int> ports(a.mirrors);
  for (int i = 0; i < a.mirrors; ++i) {
    if (read(ports_pipe[0], &ports[i], sizeof(int)) != sizeof(int)) return 1;
  }
  EnsureCurlGlobalInit();
  std::cout << "crawler_bench: " << a.mirrors << " mirrors on loopback x " << a.dirs
            << " directories, " << std::thread::hardware_concurrency() << " CPUs\n";
  int rc = 0;
  if (a.end_to_end) {
    rc = RunEndToEnd(
        a, ports, *tree,
        static_cast<int64_t>(std::filesystem::file_size(root + "/fullfiletimelist-bench")),
        counters);
  } else {
    if (a.mode == "http" || a.mode == "both") RunMode("http", a, ports, tree);
    if (a.mode == "fft" || a.mode == "both") RunMode("fft", a, ports, tree);
  }
  close(ctl_pipe[1]);
  int status = 0;
  rusage servers{};
  wait4(child, &status, 0, &servers);
  std::cout << absl::StrFormat("mirror servers CPU seconds (child): %.2f\n",
                               servers.ru_utime.tv_sec + servers.ru_stime.tv_sec +
                                   (servers.ru_utime.tv_usec + servers.ru_stime.tv_usec) / 1e6);
  std::filesystem::remove_all(root);
  return rc;
}
