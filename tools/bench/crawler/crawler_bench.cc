// crawler_bench: the crawler against N mirrors on loopback, each serving the same generated tree
// of D directories (cpp-httplib servers in a forked child process, so the crawler's CPU time and
// peak RSS are measured alone). The catalog is an in-memory CrawlCatalog, so the figures are the
// crawler's own (no PostgreSQL round trips).
//
//   crawler_bench [--mirrors 20] [--dirs 10000] [--files 2] [--threads 100] [--mode http|fft|both]
//
// Prints directory checks per second, requests per directory (ours vs upstream's one HEAD per
// sampled file plus HEAD+GET for repomd.xml) and per category (FFT mode: the FFT plus one
// repomd.xml spot check), new TCP connections, CPU seconds and peak RSS for each mode.
#include <httplib.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/resource.h>
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
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
[[noreturn]] void ServeMirrors(const std::string& root, int n, int port_fd, int ctl_fd) {
  std::vector<std::unique_ptr<httplib::Server>> servers;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    auto s = std::make_unique<httplib::Server>();
    s->set_keep_alive_max_count(10000000);
    s->set_keep_alive_timeout(60);
    s->set_tcp_nodelay(true);
    s->new_task_queue = [] { return new httplib::ThreadPool(4); };
    s->set_mount_point(absl::StrCat("/m", i), root);
    // Directories answer 200 (autoindex), files come from the mount point.
    s->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
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

}  // namespace
}  // namespace mm::crawler

int main(int argc, char** argv) {
  using namespace mm::crawler;
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
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
  if (pipe(ports_pipe) != 0 || pipe(ctl_pipe) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(ports_pipe[0]);
    close(ctl_pipe[1]);
    ServeMirrors(root, a.mirrors, ports_pipe[1], ctl_pipe[0]);
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
  if (a.mode == "http" || a.mode == "both") RunMode("http", a, ports, tree);
  if (a.mode == "fft" || a.mode == "both") RunMode("fft", a, ports, tree);
  close(ctl_pipe[1]);
  int status = 0;
  waitpid(child, &status, 0);
  std::cout << absl::StrFormat("mirror servers CPU seconds (child): %.2f\n",
                               CpuSeconds(RUSAGE_CHILDREN));
  std::filesystem::remove_all(root);
  return 0;
}
