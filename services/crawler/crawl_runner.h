#pragma once
// One crawl run (mm2-backend.md §2.2-2.3, §2.9): selects the hosts, shares them with the other
// processes of the same crawl through catalog leases, crawls them on a pool of worker threads
// with global and per-host deadlines, reports every host's result to catalog as soon as it is
// known (CompleteHost), and summarises the run.
//
// Lease protocol: the dispatcher (the calling thread) asks catalog for as many hosts as it has
// idle workers, in the run's preferred order (slowest first), renews the leases of the hosts
// being crawled every lease/3, and keeps polling while hosts are leased by other processes, so
// that a crashed process's hosts are picked up once their leases expire. On SIGTERM (the stop
// flag) hosts not yet started are released and hosts in progress are reported as far as they
// got and given back to the crawl.
//
// Thread-safety: Run() once, from one thread.

#include <atomic>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/fedora_messaging.h"
#include "services/crawler/crawl_catalog.h"
#include "services/crawler/crawler_options.h"
#include "services/crawler/deadline.h"
#include "services/crawler/mailer.h"

namespace mm::crawler {

class CrawlerMetrics;
class ContinentFilter;
class HostLogRouter;
class CategoryTreeCache;

struct RunSummary {
  std::vector<HostResult> results;  // in completion order
  bool global_timeout = false;
  bool interrupted = false;
  absl::Duration elapsed;
  int64_t started_at = 0;  // the crawl's start (shared by its processes)
  std::string crawl_id;
  std::string holder;
};

// Crawls (or checks) one leased host. Must honour `deadline`.
using HostJob = std::function<HostResult(const HostInfo& host, const Deadline& deadline,
                                         const RunSummary& run)>;

class CrawlRunner {
 public:
  // Everything passed must outlive the runner; `metrics`, `continents`, `logs` may be null.
  CrawlRunner(const CrawlerOptions& options, CrawlCatalog* catalog, const common::Clock* clock,
              const std::atomic<bool>* stop);
  ~CrawlRunner();

  void set_metrics(CrawlerMetrics* metrics) { metrics_ = metrics; }
  void set_continent_filter(const ContinentFilter* filter) { continents_ = filter; }
  void set_log_router(HostLogRouter* logs) { logs_ = logs; }
  // Sends the "marked not up to date" and "host disabled" e-mails (CRAWLER_SEND_EMAIL);
  // default: SMTP.
  void set_mailer(std::function<absl::Status(const MailMessage&)> mailer) {
    mailer_ = std::move(mailer);
  }
  // Publishes HostCrawlerDisabledV1 (FEDORA_MESSAGING_AMQP_URL); null: the event is logged.
  void set_publisher(common::MessagePublisher* publisher) { publisher_ = publisher; }
  // Replaces the host crawl (propagation mode).
  void set_job(HostJob job) { job_ = std::move(job); }

  absl::StatusOr<RunSummary> Run();

  // Hosts after --fraction / --startid / --stopid, in the selection's order.
  static std::vector<int64_t> FilterCandidates(const std::vector<HostRef>& hosts,
                                               const CrawlerOptions& options);

 private:
  HostResult CrawlHost(const HostInfo& host, const Deadline& deadline,
                       std::atomic<bool>* lease_lost);
  absl::Status Mail(const MailMessage& message);
  void SendReport(const HostResult& result);
  // Upstream's HostCrawlerDisabledV1 (published, or logged without a broker), a counter and
  // (CRAWLER_SEND_EMAIL) a mail to the site's admins.
  void NotifyDisabled(const HostResult& result, const HostCompletionOutcome& outcome);

  const CrawlerOptions& options_;
  CrawlCatalog* catalog_;
  const common::Clock* clock_;
  const std::atomic<bool>* stop_;
  CrawlerMetrics* metrics_ = nullptr;
  const ContinentFilter* continents_ = nullptr;
  HostLogRouter* logs_ = nullptr;
  std::function<absl::Status(const MailMessage&)> mailer_;
  common::MessagePublisher* publisher_ = nullptr;
  HostJob job_;
  std::unique_ptr<CategoryTreeCache> trees_;
  RunSummary summary_;
};

// The console table "Crawl results" and the final "Crawler finished after ..." /
// "Crawler failed after ..." line.
void PrintSummary(const RunSummary& summary, const CrawlerOptions& options, std::ostream& out);
// 0, or 1 when the global timeout was reached (unless --no-fail), the run was interrupted or a
// result could not be recorded in catalog.
int ExitCode(const RunSummary& summary, const CrawlerOptions& options);

}  // namespace mm::crawler
