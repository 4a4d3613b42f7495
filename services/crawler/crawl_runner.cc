#include "services/crawler/crawl_runner.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/log.h"
#include "services/crawler/crawler_metrics.h"
#include "services/crawler/host_crawler.h"
#include "services/crawler/host_notifier.h"

namespace mm::crawler {

CrawlRunner::CrawlRunner(const CrawlerOptions& options, CrawlCatalog* catalog,
                         const common::Clock* clock, const std::atomic<bool>* stop)
    : options_(options),
      catalog_(catalog),
      clock_(clock),
      stop_(stop),
      trees_(std::make_unique<CategoryTreeCache>(catalog, clock, options.tree_refresh)) {}

CrawlRunner::~CrawlRunner() = default;

std::vector<int64_t> CrawlRunner::FilterCandidates(const std::vector<HostRef>& hosts,
                                                   const CrawlerOptions& o) {
  int64_t startid = o.startid, stopid = o.stopid;
  if (o.fraction_count > 1) {
    std::vector<int64_t> ids;
    for (const auto& h : hosts) ids.push_back(h.id);
    std::tie(startid, stopid) = FractionBounds(ids, o.fraction_part, o.fraction_count);
  }
  std::vector<int64_t> out;
  for (const auto& h : hosts) {
    if (h.id < startid) continue;
    if (stopid > 0 && h.id >= stopid) continue;
    out.push_back(h.id);
  }
  return out;
}

HostResult CrawlRunner::CrawlHost(const HostInfo& host, const Deadline& deadline,
                                  std::atomic<bool>* lease_lost) {
  CrawlContext ctx;
  ctx.options = &options_;
  ctx.catalog = catalog_;
  ctx.trees = trees_.get();
  ctx.metrics = metrics_;
  ctx.continents = continents_;
  ctx.logs = logs_;
  ctx.crawl_id = summary_.crawl_id;
  ctx.holder = summary_.holder;
  HostCrawler crawler(ctx, host, deadline, lease_lost);
  return crawler.Crawl();
}

absl::Status CrawlRunner::Mail(const MailMessage& m) {
  if (mailer_) return mailer_(m);
  SmtpSettings smtp{options_.smtp_server, options_.smtp_username, options_.smtp_password,
                    options_.ca_bundle};
  return SendMail(smtp, m);
}

void CrawlRunner::SendReport(const HostResult& r) {
  if (!r.marked_not_up2date) return;
  // Upstream's Reporter.mark_not_up2date: this line, then the same text in the mail.
  const std::string report = absl::StrCat(
      "Host ", r.host_id, " marked not up2date: ", r.details.empty() ? "Unknown" : r.details);
  MM_LOG(WARNING) << report;
  if (!options_.send_email) return;
  MailMessage m;
  m.from = options_.email_from;
  m.to = options_.admin_email;
  m.subject = absl::StrCat("MirrorManager crawler report: ", r.host_name);
  m.body = absl::StrCat(report, "\nLog can be found at ", CrawlerLogUrl(options_, r.host_id), "\n");
  if (absl::Status s = Mail(m); !s.ok()) {
    MM_LOG(ERROR) << "Cannot send the crawler report for " << r.host_name << ": " << s;
  }
}

void CrawlRunner::NotifyDisabled(const HostResult& r, const HostCompletionOutcome& outcome) {
  if (!outcome.disabled) return;
  DisabledNotice n;
  if (outcome.disabled_notice) {
    n = *outcome.disabled_notice;
  } else {
    n.host_id = r.host_id;
    n.host_name = r.host_name;
  }
  const std::string reason = outcome.disable_reason.empty() ? r.details : outcome.disable_reason;
  const common::BusMessage message = HostDisabledMessage(n, reason, r.finished_at, options_);
  if (publisher_ == nullptr) {
    MM_LOG(WARNING) << "HostCrawlerDisabledV1 " << message.body_json;
  } else if (auto id = publisher_->Publish(message); id.ok()) {
    MM_LOG(INFO) << "Published HostCrawlerDisabledV1 for " << r.host_name << " (message id " << *id
                 << ")";
  } else {
    // The body is kept in the log, so the event is not lost with the message.
    MM_LOG(ERROR) << "HostCrawlerDisabledV1 for " << r.host_name
                  << " could not be published: " << id.status() << "; message body "
                  << message.body_json;
  }
  if (metrics_ != nullptr) {
    metrics_->HostDisabled(r.status == HostStatus::kDisable ? "embargo" : "auto_disable");
  }
  if (!options_.send_email) return;
  if (absl::Status s = Mail(HostDisabledMail(n, reason, r.finished_at, options_)); !s.ok()) {
    MM_LOG(ERROR) << "Cannot send the host-disabled mail for " << r.host_name << ": " << s;
  }
}

absl::StatusOr<RunSummary> CrawlRunner::Run() {
  const absl::Time start = clock_->Now();
  const absl::Time global_deadline = start + options_.global_timeout;
  summary_ = RunSummary();
  char hostname[256] = "localhost";
  gethostname(hostname, sizeof hostname - 1);
  summary_.holder = absl::StrFormat("%s:%d:%08x", hostname, getpid(),
                                    static_cast<uint32_t>(std::random_device{}()));
  summary_.crawl_id =
      options_.crawl_id.empty() ? absl::StrCat("local:", summary_.holder) : options_.crawl_id;

  HostSelection sel;
  sel.include_disabled = options_.include_disabled && options_.mode != CrawlMode::kPropagation;
  sel.include_private = options_.include_private;
  sel.categories = options_.categories;
  auto hosts = catalog_->ListHosts(sel);
  if (!hosts.ok()) return hosts.status();
  std::vector<int64_t> candidates = FilterCandidates(*hosts, options_);
  MM_LOG(INFO) << "Crawl " << summary_.crawl_id << " (" << ModeName(options_.mode)
               << "): " << candidates.size() << " hosts selected, " << options_.threads
               << " threads";
  auto started = catalog_->BeginCrawl(summary_.crawl_id, summary_.holder, options_.mode);
  if (!started.ok()) return started.status();
  summary_.started_at = *started;

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<HostInfo> queue;
  std::set<int64_t> active;  // leased by us: queued or being crawled
  // Per host being crawled: set when its lease is lost, which stops the crawl of that host.
  std::map<int64_t, std::shared_ptr<std::atomic<bool>>> lost_flags;
  bool closing = false;
  int finished_since_acquire = 0;
  std::vector<std::thread> workers;
  const int nthreads =
      std::max(1, std::min<int>(options_.threads, std::max<size_t>(1, candidates.size())));

  auto worker = [&] {
    while (true) {
      HostInfo host;
      {
        std::unique_lock<std::mutex> lock(mu);
        work_cv.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;
        host = std::move(queue.front());
        queue.pop_front();
      }
      common::ScopedLogContext host_context(absl::StrCat(host.name, " (", host.id, "): "));
      const absl::Time host_start = clock_->Now();
      std::optional<absl::Time> host_deadline;
      if (options_.host_timeout) host_deadline = host_start + *options_.host_timeout;
      auto lost = std::make_shared<std::atomic<bool>>(false);
      {
        std::lock_guard<std::mutex> lock(mu);
        lost_flags[host.id] = lost;
      }
      Deadline deadline(clock_, global_deadline, host_deadline, stop_, lost.get());
      HostResult result;
      try {
        if (job_) {
          result = job_(host, deadline, summary_);
        } else {
          result = CrawlHost(host, deadline, lost.get());
        }
      } catch (const std::exception& e) {
        // Upstream's crawl_and_report: a bug of ours is not the mirror's fault (UNKNOWN), and
        // it must not take the other hosts of the run down with it.
        MM_LOG(ERROR) << host.name << " (" << host.id
                      << "): Unhandled exception raised, this is a bug in the MM crawler: "
                      << e.what();
        result = HostResult();
        result.host_id = host.id;
        result.host_name = host.name;
        result.status = HostStatus::kUnknown;
        result.details =
            absl::StrCat("Unhandled exception raised, this is a bug in the MM crawler: ", e.what());
        result.finished_at = absl::ToUnixSeconds(clock_->Now());
        result.duration_seconds = absl::ToInt64Seconds(clock_->Now() - host_start);
      }
      if (*lost) result.lease_lost = true;
      HostCompletionData c;
      c.crawl_id = summary_.crawl_id;
      c.holder = summary_.holder;
      c.host_id = host.id;
      c.status = result.status;
      c.details = result.details;
      c.finished_at = result.finished_at;
      c.duration_seconds = result.duration_seconds;
      c.mode = options_.mode;
      c.auto_disable = options_.auto_disable;
      c.release = result.released;
      for (const auto& [repo, state] : result.propagation) {
        c.propagation.emplace_back(repo, static_cast<PropagationState>(state));
      }
      c.propagation_datetime = summary_.started_at;
      if (result.lease_lost) {
        // Another process holds the host: its result is the one that counts.
        MM_LOG(WARNING) << host.name << " (" << host.id
                        << ") was taken over by another crawler; result not recorded";
      } else {
        auto outcome = catalog_->CompleteHost(c);
        if (!outcome.ok() && outcome.status().code() == absl::StatusCode::kFailedPrecondition) {
          result.lease_lost = true;
          MM_LOG(WARNING) << host.name << " (" << host.id
                          << ") result not recorded: " << outcome.status().message();
        } else if (!outcome.ok()) {
          result.report_failed = true;
          MM_LOG(ERROR) << "Recording the result of " << host.name
                        << " failed: " << outcome.status();
        } else {
          result.marked_not_up2date = outcome->marked_not_up2date;
          result.disabled = outcome->disabled;
          result.already_completed = outcome->already_completed;
          if (outcome->disabled) {
            MM_LOG(WARNING) << host.name << " (" << host.id
                            << ") disabled: " << outcome->disable_reason;
          }
          if (outcome->already_completed) {
            MM_LOG(WARNING) << host.name << " (" << host.id
                            << ") was completed by another crawler meanwhile; result not recorded";
          }
          NotifyDisabled(result, *outcome);
        }
      }
      if (metrics_ != nullptr)
        metrics_->Host(HostStatusName(result.status), result.duration_seconds);
      SendReport(result);
      {
        std::lock_guard<std::mutex> lock(mu);
        active.erase(host.id);
        lost_flags.erase(host.id);
        summary_.results.push_back(std::move(result));
        ++finished_since_acquire;
      }
      done_cv.notify_all();
    }
  };
  for (int i = 0; i < nthreads; ++i) workers.emplace_back(worker);

  const absl::Duration poll = std::clamp(absl::Seconds(options_.lease_seconds) / 4,
                                         absl::Milliseconds(100), absl::Seconds(2));
  const absl::Duration renew_every = absl::Seconds(options_.lease_seconds) / 3;
  absl::Time next_acquire = clock_->Now();
  absl::Time next_renew = clock_->Now() + renew_every;
  bool exhausted = candidates.empty();
  while (true) {
    if ((stop_ != nullptr && stop_->load()) || clock_->Now() >= global_deadline) break;
    std::vector<int64_t> renew;
    int idle = 0;
    bool busy = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      idle = nthreads - static_cast<int>(active.size());
      busy = !active.empty();
      if (finished_since_acquire > 0) {
        next_acquire = clock_->Now();
        finished_since_acquire = 0;
      }
      if (clock_->Now() >= next_renew) renew.assign(active.begin(), active.end());
    }
    if (!renew.empty()) {
      auto lost =
          catalog_->Renew(summary_.crawl_id, summary_.holder, renew, options_.lease_seconds);
      if (!lost.ok()) {
        MM_LOG(WARNING) << "Renewing leases failed: " << lost.status();
      } else if (!lost->empty()) {
        MM_LOG(WARNING) << lost->size()
                        << " host lease(s) lost while crawling (another process holds "
                           "them now); stopping those hosts";
        std::lock_guard<std::mutex> lock(mu);
        for (int64_t id : *lost) {
          auto it = lost_flags.find(id);
          if (it != lost_flags.end()) *it->second = true;
        }
      }
      next_renew = clock_->Now() + renew_every;
    } else if (clock_->Now() >= next_renew) {
      next_renew = clock_->Now() + renew_every;
    }
    if (!exhausted && idle > 0 && clock_->Now() >= next_acquire) {
      LeaseRequest req;
      req.crawl_id = summary_.crawl_id;
      req.holder = summary_.holder;
      req.candidates = candidates;
      req.max_hosts = idle;
      req.lease_seconds = options_.lease_seconds;
      if (options_.mode != CrawlMode::kPropagation) req.categories = options_.categories;
      {
        std::lock_guard<std::mutex> lock(mu);
        req.held.assign(active.begin(), active.end());
      }
      auto grant = catalog_->Acquire(req);
      if (!grant.ok()) {
        MM_LOG(ERROR) << "Leasing hosts failed: " << grant.status();
        next_acquire = clock_->Now() + poll;
      } else {
        if (!grant->hosts.empty()) {
          std::lock_guard<std::mutex> lock(mu);
          for (auto& h : grant->hosts) {
            active.insert(h.id);
            queue.push_back(std::move(h));
          }
          busy = true;
          work_cv.notify_all();
        } else if (!busy && grant->leased_elsewhere == 0) {
          exhausted = true;  // every candidate is completed (or ours)
        }
        next_acquire = clock_->Now() + (grant->hosts.empty() ? poll : absl::ZeroDuration());
        if (!grant->hosts.empty() && static_cast<int>(grant->hosts.size()) < idle) {
          next_acquire = clock_->Now() + poll;
        }
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      if (exhausted && active.empty()) break;
    }
    std::unique_lock<std::mutex> lock(mu);
    done_cv.wait_for(lock, absl::ToChronoMilliseconds(std::min(poll, absl::Milliseconds(500))),
                     [&] { return finished_since_acquire > 0; });
  }
  // Hosts leased but not started go back to the crawl.
  std::vector<int64_t> unstarted;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& h : queue) unstarted.push_back(h.id);
    queue.clear();
    closing = true;
  }
  work_cv.notify_all();
  if (!unstarted.empty()) {
    absl::Status s = catalog_->Release(summary_.crawl_id, summary_.holder, unstarted);
    if (!s.ok()) {
      MM_LOG(WARNING) << "Releasing " << unstarted.size() << " hosts failed: " << s;
    }
  }
  for (auto& t : workers) t.join();
  summary_.interrupted = stop_ != nullptr && stop_->load();
  summary_.global_timeout = !summary_.interrupted && clock_->Now() >= global_deadline;
  summary_.elapsed = clock_->Now() - start;
  if (!summary_.interrupted && options_.mode != CrawlMode::kPropagation) {
    auto pruned =
        catalog_->FinishCrawl(summary_.crawl_id, summary_.holder, options_.history_keep_days);
    if (!pruned.ok()) {
      MM_LOG(WARNING) << "Pruning the crawl history failed: " << pruned.status();
    }
  }
  return summary_;
}

void PrintSummary(const RunSummary& s, const CrawlerOptions& options, std::ostream& out) {
  out << "Crawl results\n";
  out << absl::StrFormat("%-40s %-8s %10s %9s %9s %9s  %s\n", "Host", "Status", "Duration",
                         "Up2date", "Stale", "Unknown", "Methods");
  std::vector<const HostResult*> sorted;
  for (const auto& r : s.results) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(),
            [](const HostResult* a, const HostResult* b) { return a->host_id < b->host_id; });
  for (const HostResult* r : sorted) {
    int up = 0, stale = 0, unknown = 0;
    std::set<std::string> methods;
    for (const auto& c : r->categories) {
      up += c.up2date;
      stale += c.stale;
      unknown += c.unknown;
      methods.insert(c.method);
    }
    std::string m;
    for (const auto& x : methods) m += (m.empty() ? "" : ",") + x;
    if (r->lease_lost) m += " [lease lost: not recorded]";
    if (r->report_failed) m += " [catalog error: not fully recorded]";
    out << absl::StrFormat("%-40s %-8s %9ds %9d %9d %9d  %s\n",
                           absl::StrCat(r->host_name, " (", r->host_id, ")"),
                           HostStatusName(r->status), r->duration_seconds, up, stale, unknown, m);
  }
  // Upstream: "Crawler finished after ..." or "Crawler failed after ...: <error>".
  std::string error;
  if (s.interrupted) {
    error = "interrupted";
  } else if (s.global_timeout) {
    error = "maximum run time reached, some host statuses are unknown";
  } else if (ExitCode(s, options) != 0) {
    error = "some results could not be recorded in catalog";
  }
  out << "Crawler " << (error.empty() ? "finished" : "failed") << " after "
      << FormatElapsed(s.elapsed) << (error.empty() ? "" : ": ") << error << "\n";
}

int ExitCode(const RunSummary& s, const CrawlerOptions& options) {
  if (s.interrupted) return 1;
  // Results that catalog could not record are lost: make the run fail visibly (cron, Job).
  for (const auto& r : s.results) {
    if (r.report_failed) return 1;
  }
  if (s.global_timeout && !options.no_fail) return 1;
  return 0;
}

}  // namespace mm::crawler
