#include "services/crawler/host_crawler.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/common/log.h"
#include "services/crawler/continents.h"
#include "services/crawler/crawler_metrics.h"
#include "services/crawler/fft_parser.h"
#include "services/crawler/host_log.h"
#include "services/crawler/listing_matcher.h"
#include "services/crawler/listing_parsers.h"
#include "services/crawler/rsync_runner.h"

namespace mm::crawler {
namespace {

constexpr size_t kMaxRepomdBytes = 16 << 20;
constexpr size_t kMaxFtpListingBytes = 64 << 20;
constexpr int kReportAttempts = 3;

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string LastComponent(const std::string& url) {
  size_t scheme = url.find("://");
  std::string path = scheme == std::string::npos ? url : url.substr(scheme + 3);
  size_t slash = path.find('/');
  if (slash == std::string::npos) return "";
  path = path.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  size_t last = path.rfind('/');
  return last == std::string::npos ? path : path.substr(last + 1);
}

std::string ParentUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t path_start = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path_start == std::string::npos) return url;  // no path: no parent
  // "scheme://host/a" -> "scheme://host"; "scheme://host/a/b" -> "scheme://host/a".
  return url.substr(0, url.rfind('/'));
}

std::string SessionKey(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t end = url.find('/', scheme + 3);
  return url.substr(0, end);
}

std::string ResultLabel(const FetchResult& r) {
  switch (r.kind) {
    case FetchResult::Kind::kDone:
      return r.status >= 100 && r.status < 1000 ? absl::StrCat(r.status / 100, "xx") : "ok";
    case FetchResult::Kind::kTimeout:
      return "timeout";
    case FetchResult::Kind::kStopped:
      return "stopped";
    case FetchResult::Kind::kError:
      return "error";
  }
  return "error";
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CategoryTree>> CategoryTreeCache::Get(int64_t category_id,
                                                                           bool repodata_only) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = entries_[{category_id, repodata_only}];
    if (!slot) slot = std::make_shared<Entry>();
    e = slot;
  }
  // Other threads wanting this category wait for one load; crawls already running keep the
  // tree they started with (shared_ptr).
  std::lock_guard<std::mutex> lock(e->mu);
  const absl::Time now = clock_->Now();
  if (e->tree && now - e->loaded_at < ttl_) return e->tree;
  auto t = catalog_->LoadCategoryTree(category_id, repodata_only);
  if (!t.ok()) return t.status();
  if (e->tree) {
    MM_LOG(DEBUG) << "Reloaded the directories of category " << category_id << " (older than "
                  << absl::FormatDuration(ttl_) << ")";
  }
  e->tree = std::shared_ptr<const CategoryTree>(std::move(*t));
  e->loaded_at = now;
  return e->tree;
}

std::string UrlScheme(const std::string& url) {
  size_t p = url.find("://");
  return p == std::string::npos ? "" : absl::AsciiStrToLower(url.substr(0, p));
}

std::vector<std::string> SortUrls(const std::vector<std::string>& urls) {
  static const char* kOrder[] = {"rsync", "https", "http", "ftp"};
  std::vector<std::string> out;
  for (const char* scheme : kOrder) {
    for (std::string u : urls) {
      if (UrlScheme(u) != scheme) continue;
      while (!u.empty() && u.back() == '/') u.pop_back();
      out.push_back(u);
    }
  }
  return out;
}

std::string EscapePath(std::string_view path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (absl::ascii_isalnum(c) ||
        std::string_view("-._~/!$&'()*+,;=:@").find(c) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

FftLocation LocateFft(const std::string& category_name, const std::string& topdir,
                      const std::string& url) {
  auto last = [](const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  };
  std::string top = topdir;
  while (!top.empty() && top.back() == '/') top.pop_back();
  FftLocation loc;
  if (category_name == "Fedora Linux") {
    size_t slash = top.rfind('/');
    std::string parent = slash == std::string::npos ? "" : top.substr(0, slash);
    loc.base_url = ParentUrl(url);
    loc.strip_prefix = (top.empty() ? LastComponent(url) : last(top)) + "/";
    loc.default_name =
        "fullfiletimelist-" + (parent.empty() ? LastComponent(loc.base_url) : last(parent));
  } else {
    loc.base_url = url;
    loc.default_name = "fullfiletimelist-" + (top.empty() ? LastComponent(url) : last(top));
  }
  return loc;
}

// Per host-category state shared by the methods.
struct HostCrawler::CategoryRun {
  std::shared_ptr<const CategoryTree> tree;
  std::vector<DirState> states;
  size_t next_dir = 0;  // per-directory methods resume here on the next URL
  int64_t requests = 0;
  std::string method = "none";
  std::string url;
  bool completed = false;
  bool fft_distrusted = false;  // the spot check caught the FFT out: not tried again
  StopReason stopped = StopReason::kNone;
};

HostCrawler::HostCrawler(const CrawlContext& context, const HostInfo& host,
                         const Deadline& deadline, std::atomic<bool>* lease_lost)
    : ctx_(context), host_(host), deadline_(deadline), lease_lost_(lease_lost) {}

HostCrawler::~HostCrawler() = default;

CurlSession& HostCrawler::Session(const std::string& url) {
  auto& s = sessions_[SessionKey(url)];
  if (!s) {
    HttpOptions o;
    o.timeout = ctx_.options->http_timeout;
    o.ca_bundle = ctx_.options->ca_bundle;
    o.user_agent = ctx_.options->user_agent;
    s = std::make_unique<CurlSession>(o, &deadline_);
  }
  return *s;
}

void HostCrawler::CountRequest(const std::string& protocol, const FetchResult& r) {
  if (ctx_.metrics == nullptr) return;
  ctx_.metrics->Request(protocol, ResultLabel(r));
  ctx_.metrics->Bytes(protocol, r.bytes);
}

std::vector<std::string> HostCrawler::RsyncArgs() const {
  std::vector<std::string> args = ctx_.options->rsync_parameters;
  args.push_back("--no-human-readable");
  args.push_back(absl::StrCat(
      "--contimeout=", std::max<int64_t>(1, absl::ToInt64Seconds(ctx_.options->http_timeout))));
  return args;
}

HostResult HostCrawler::Crawl() {
  common::ScopedLogContext log_context(absl::StrCat(host_.name, " (", host_.id, "): "));
  HostLogScope log_file(ctx_.logs, host_.id);
  const common::Clock& clock = deadline_.clock();
  absl::Time start = clock.Now();
  HostResult result;
  result.host_id = host_.id;
  result.host_name = host_.name;
  auto finish = [&](HostStatus status, std::string details) {
    result.status = status;
    result.details = std::move(details);
    absl::Time end = clock.Now();
    result.finished_at = absl::ToUnixSeconds(end);
    result.duration_seconds = absl::ToInt64Seconds(end - start);
    for (const auto& [key, s] : sessions_) {
      result.requests += s->requests();
      result.new_connections += s->new_connections();
      result.bytes += s->bytes();
      if (ctx_.metrics != nullptr) ctx_.metrics->Connections(UrlScheme(key), s->new_connections());
    }
    result.requests += rsync_runs_;
    result.new_connections += rsync_runs_;
    result.bytes += rsync_bytes_;
    if (ctx_.metrics != nullptr) ctx_.metrics->Connections("rsync", rsync_runs_);
    sessions_.clear();  // closes the host's connections
    MM_LOG(INFO) << "Crawl finished: " << HostStatusName(status)
                 << (result.details.empty() ? "" : absl::StrCat(" (", result.details, ")"))
                 << " after " << result.duration_seconds << "s";
    return result;
  };
  MM_LOG(INFO) << "Starting crawl (" << ModeName(ctx_.options->mode) << ")";
  // The deadline and lease end a crawl whatever stage it is in.
  auto stopped = [&](StopReason reason) {
    switch (reason) {
      case StopReason::kHostTimeout:
        return finish(HostStatus::kTimeout,
                      "Crawler timed out before completing. Host is likely overloaded.");
      case StopReason::kGlobalTimeout:
        return finish(
            HostStatus::kUnknown,
            "Crawler reached its maximum execution time, could not complete this host's scan.");
      case StopReason::kInterrupted:
        result.released = true;
        return finish(HostStatus::kUnknown, "Crawler interrupted");
      case StopReason::kLeaseLost:
      case StopReason::kNone:
        break;
    }
    result.lease_lost = true;
    return finish(HostStatus::kUnknown, "Lease lost: another crawler process holds this host now");
  };

  if (ctx_.continents != nullptr) {
    std::string first_url;
    for (const auto& hc : host_.categories) {
      auto urls = SortUrls(hc.urls);
      if (!urls.empty()) {
        first_url = urls.front();
        break;
      }
    }
    if (!first_url.empty()) {
      // The lookup is bounded like any other network wait.
      auto v = ctx_.continents->Check(first_url,
                                      std::min(ctx_.options->http_timeout, deadline_.Remaining()));
      if (StopReason r = deadline_.Check(); r != StopReason::kNone) return stopped(r);
      using K = ContinentFilter::Verdict::Kind;
      // Log texts as upstream's crawl_and_report.
      if (v.kind == K::kEmbargoed) {
        MM_LOG(INFO) << "Host " << host_.id << " (" << host_.name
                     << ") is from an embargoed country: " << v.country;
        return finish(HostStatus::kDisable, absl::StrCat("Embargoed country: ", v.country));
      }
      if (v.kind == K::kBrokenUrl) {
        MM_LOG(INFO) << "Skipping host " << host_.id << " (" << host_.name << "); broken base URL ("
                     << first_url << " does not resolve)";
        return finish(HostStatus::kUnknown, "Broken base URL");
      }
      if (v.kind == K::kWrongContinent) {
        MM_LOG(INFO) << "Skipping host " << host_.id << " (" << host_.name << "); wrong continent ("
                     << v.country << " is on " << v.continent << ")";
        return finish(HostStatus::kUnknown, absl::StrCat("Wrong continent: ", v.continent));
      }
    }
  }

  if (host_.categories.empty()) {
    // Neither resets nor counts failures (upstream's NoCategory).
    MM_LOG(INFO) << "No categories to crawl on host " << host_.id << " (" << host_.name << ")";
    return finish(HostStatus::kUnknown, "No category to crawl");
  }
  bool any_success = false;
  std::string catalog_error;
  for (const auto& hc : host_.categories) {
    if (deadline_.Check() != StopReason::kNone) break;
    CategoryOutcome outcome = CrawlCategory(hc);
    if (outcome.success) any_success = true;
    const bool failed = outcome.catalog_error;
    if (failed) catalog_error = outcome.catalog_error_text;
    result.categories.push_back(std::move(outcome));
    // Like upstream's exception: the host crawl ends, and the mirror is not blamed.
    if (failed) break;
  }
  if (StopReason r = deadline_.Check(); r != StopReason::kNone) return stopped(r);
  if (!catalog_error.empty()) {
    result.report_failed = true;
    return finish(HostStatus::kUnknown, absl::StrCat("Catalog error: ", catalog_error));
  }
  if (!any_success) {
    MM_LOG(INFO) << "All categories failed.";
    if (ctx_.options->mode == CrawlMode::kCanary) {
      return finish(HostStatus::kFailure,
                    "Canary mode failed for all categories. Marking host as not up to date.");
    }
    return finish(HostStatus::kFailure, "All categories failed");
  }
  return finish(HostStatus::kOk, "");
}

CategoryOutcome HostCrawler::CrawlCategory(const HostCategoryInfo& hc) {
  const common::Clock& clock = deadline_.clock();
  absl::Time start = clock.Now();
  CategoryOutcome outcome;
  outcome.host_category_id = hc.id;
  outcome.category_name = hc.category_name;
  CategoryRun run;
  auto done = [&](CategoryRun* r) {
    outcome.duration_ms = absl::ToInt64Milliseconds(clock.Now() - start);
    if (r != nullptr) outcome.fft_distrusted = r->fft_distrusted;
    if (!Report(hc, r, outcome) && deadline_.Check() != StopReason::kLeaseLost) {
      outcome.catalog_error = true;
      if (outcome.catalog_error_text.empty()) {
        outcome.catalog_error_text = absl::StrCat("could not record category ", hc.category_name);
      }
    }
    return outcome;
  };
  if (hc.always_up2date) {
    MM_LOG(INFO) << "Category " << hc.category_name << " is always up to date";
    outcome.success = true;
    outcome.method = "always_up2date";
    outcome.result = "ok";
    return done(nullptr);
  }
  const CrawlMode mode = ctx_.options->mode;
  std::vector<std::string> urls = SortUrls(hc.urls);
  if (mode == CrawlMode::kRepodata) {
    urls.erase(std::remove_if(urls.begin(), urls.end(),
                              [](const std::string& u) { return UrlScheme(u) == "rsync"; }),
               urls.end());
  }
  if (urls.empty()) {
    MM_LOG(INFO) << "Category " << hc.category_name << ": no usable URL";
    return done(nullptr);
  }
  if (mode == CrawlMode::kCanary) {
    for (const auto& url : urls) {
      const bool up = CheckBase(url, &outcome.requests);
      if (up) {
        outcome.success = true;
        outcome.method = "canary";
        outcome.url = url;
        outcome.result = "ok";
        return done(nullptr);
      }
      if (deadline_.Check() != StopReason::kNone) break;
      MM_LOG(WARNING) << "Base URL " << url << " does not exist.";
    }
    MM_LOG(INFO) << "Category " << hc.category_name << ": base URL not accessible";
    return done(nullptr);
  }
  auto tree = ctx_.trees->Get(hc.category_id, mode == CrawlMode::kRepodata);
  if (!tree.ok()) {
    MM_LOG(ERROR) << "Cannot load the directories of " << hc.category_name << ": " << tree.status();
    outcome.result = "catalog_error";
    outcome.catalog_error = true;
    outcome.catalog_error_text = absl::StrCat("cannot load the directories of ", hc.category_name,
                                              ": ", tree.status().message());
    return done(nullptr);
  }
  run.tree = *tree;
  run.states.assign(run.tree->dirs.size(), DirState::kUnknown);
  MM_LOG(INFO) << "Category " << hc.category_name << ": " << run.tree->dirs.size()
               << " directories";
  for (const auto& url : urls) {
    const std::string scheme = UrlScheme(url);
    Method m = Method::kAbsent;
    if (ctx_.options->use_fft && mode == CrawlMode::kFull && run.next_dir == 0 &&
        !run.fft_distrusted) {
      m = TryFft(url, hc, run);
      if (m == Method::kDecided || m == Method::kStopped) break;
      if (m == Method::kUnavailable) continue;
      // kAbsent or kDistrusted: this URL's next method decides.
    }
    if (scheme == "rsync") {
      m = RsyncListing(url, run);
    } else {
      if (run.next_dir == 0 && !CheckBase(url, &run.requests)) {
        if (deadline_.Check() != StopReason::kNone) break;
        MM_LOG(WARNING) << "Base URL " << url << " does not exist.";
        continue;
      }
      m = PerDirectory(url, run);
    }
    if (m == Method::kDecided || m == Method::kStopped) break;
  }
  run.stopped = deadline_.Check();
  if (run.completed) {
    outcome.success = true;
    outcome.completed = true;
    outcome.result = "ok";
  } else if (run.stopped != StopReason::kNone) {
    outcome.result = run.stopped == StopReason::kInterrupted ? "interrupted"
                     : run.stopped == StopReason::kLeaseLost ? "lease_lost"
                                                             : "timeout";
  } else {
    MM_LOG(INFO) << "Category " << hc.category_name << " not accessible";
    outcome.result = "not_accessible";
  }
  outcome.method = run.method;
  outcome.url = run.url;
  return done(&run);
}

bool HostCrawler::Report(const HostCategoryInfo& hc, CategoryRun* run, CategoryOutcome& outcome) {
  CategoryReportData rep;
  rep.crawl_id = ctx_.crawl_id;
  rep.holder = ctx_.holder;
  rep.host_id = host_.id;
  rep.host_category_id = hc.id;
  rep.mode = ctx_.options->mode;
  if (run != nullptr && run->tree) {
    outcome.total = static_cast<int>(run->tree->dirs.size());
    for (size_t i = 0; i < run->states.size(); ++i) {
      switch (run->states[i]) {
        case DirState::kUp2date:
          rep.up2date_ids.push_back(run->tree->dirs[i].id);
          break;
        case DirState::kStale:
          rep.stale_ids.push_back(run->tree->dirs[i].id);
          break;
        case DirState::kUnknown:
          ++rep.unknown;
          break;
      }
    }
    outcome.requests = run->requests;
  }
  outcome.up2date = static_cast<int>(rep.up2date_ids.size());
  outcome.stale = static_cast<int>(rep.stale_ids.size());
  outcome.unknown = rep.unknown;
  rep.total = outcome.total;
  rep.mark_unseen = ctx_.options->mode == CrawlMode::kFull && outcome.completed;
  rep.method = outcome.method;
  rep.result = outcome.result;
  rep.duration_ms = outcome.duration_ms;
  rep.url = outcome.url;
  rep.requests = outcome.requests;
  if (ctx_.metrics != nullptr) {
    ctx_.metrics->Category(outcome.method, outcome.duration_ms / 1000.0);
    ctx_.metrics->Directory("up2date", outcome.up2date);
    ctx_.metrics->Directory("not_up2date", outcome.stale);
    ctx_.metrics->Directory("unknown", outcome.unknown);
  }
  if (deadline_.Check() == StopReason::kLeaseLost) {
    MM_LOG(WARNING) << "Category " << hc.category_name << " not reported: the host's lease is lost";
    return true;
  }
  // The catalog client retries transient RPC failures itself; a few more tries here cover a
  // catalog restart (each attempt is idempotent: HCD states are set, not toggled).
  absl::StatusOr<CategoryReportCounts> counts = absl::UnknownError("not reported");
  for (int attempt = 0; attempt < kReportAttempts; ++attempt) {
    if (attempt > 0) {
      MM_LOG(WARNING) << "Reporting category " << hc.category_name << " failed (" << counts.status()
                      << "); retrying";
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(absl::Milliseconds(500) * attempt));
    }
    counts = ctx_.catalog->ReportCategory(rep);
    if (counts.ok() || counts.status().code() == absl::StatusCode::kFailedPrecondition ||
        counts.status().code() == absl::StatusCode::kNotFound ||
        counts.status().code() == absl::StatusCode::kInvalidArgument) {
      break;
    }
  }
  if (!counts.ok()) {
    if (counts.status().code() == absl::StatusCode::kFailedPrecondition) {
      // Another process holds the host now: stop crawling it, write nothing more.
      MM_LOG(WARNING) << "Category " << hc.category_name
                      << " not recorded: " << counts.status().message();
      if (lease_lost_ != nullptr) *lease_lost_ = true;
      return true;
    }
    MM_LOG(ERROR) << "Reporting category " << hc.category_name << " failed: " << counts.status();
    outcome.catalog_error_text = absl::StrCat("could not record category ", hc.category_name, ": ",
                                              counts.status().message());
    return false;
  }
  MM_LOG(INFO) << "Category " << hc.category_name << ": " << outcome.result << " via "
               << outcome.method << (outcome.fft_distrusted ? " (fullfiletimelist distrusted)" : "")
               << (outcome.url.empty() ? "" : absl::StrCat(" (", outcome.url, ")")) << ", "
               << outcome.up2date << " up to date, " << outcome.stale << " not up to date, "
               << outcome.unknown << " unknown of " << outcome.total << " directories, "
               << outcome.requests << " requests; HCDs: " << counts->up2date << " now up to date, "
               << counts->not_up2date << " now not up to date, " << counts->created << " created, "
               << counts->unchanged << " unchanged, " << counts->marked_unseen
               << " unseen marked stale, " << counts->unreadable << " on unreadable directories";
  return true;
}

bool HostCrawler::CheckBase(const std::string& url, int64_t* requests) {
  ++*requests;
  const std::string scheme = UrlScheme(url);
  if (scheme == "rsync") {
    std::vector<std::string> args = RsyncArgs();
    args.push_back(url + "/");
    ++rsync_runs_;
    RsyncRun r = RunRsync(ctx_.options->rsync_binary, args, deadline_, nullptr, 16 << 20);
    rsync_bytes_ += r.output_bytes;
    if (ctx_.metrics != nullptr) {
      ctx_.metrics->Request("rsync", r.exit_code == 0 ? "ok" : absl::StrCat("exit_", r.exit_code));
    }
    return r.spawned && r.exit_code == 0;
  }
  CurlSession& s = Session(url);
  FetchResult r = scheme == "ftp" ? s.Get(url + "/", kMaxFtpListingBytes) : s.Head(url + "/");
  CountRequest(scheme, r);
  return r.kind == FetchResult::Kind::kDone && r.status > 0 && r.status < 400;
}

FetchResult HostCrawler::RsyncFetch(const std::string& remote, int64_t max_bytes,
                                    const std::function<bool(std::string_view)>& sink) {
  FetchResult out;
  char dir_template[] = "/tmp/mm_crawler_fetch_XXXXXX";
  char* dir = mkdtemp(dir_template);
  if (dir == nullptr) {
    out.error = "cannot create a temporary directory";
    return out;
  }
  const std::string file = std::string(dir) + "/file";
  std::vector<std::string> args = RsyncArgs();
  args.push_back(absl::StrCat("--max-size=", max_bytes));
  args.push_back(remote);
  args.push_back(file);
  ++rsync_runs_;
  RsyncRun r = RunRsync(ctx_.options->rsync_binary, args, deadline_, nullptr, 1 << 20);
  if (ctx_.metrics != nullptr) {
    ctx_.metrics->Request("rsync", r.exit_code == 0 ? "ok" : absl::StrCat("exit_", r.exit_code));
  }
  if (r.stopped) {
    out.kind = FetchResult::Kind::kStopped;
  } else if (!r.spawned) {
    out.error = "cannot run rsync";
  } else {
    out.kind = FetchResult::Kind::kDone;
    out.status = r.exit_code;
    out.error = r.stderr_tail;
    FILE* f = r.exit_code == 0 ? fopen(file.c_str(), "rb") : nullptr;
    if (r.exit_code == 0 && f == nullptr) out.status = 23;  // --max-size skipped it, or it vanished
    if (f != nullptr) {
      char buf[1 << 16];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        out.bytes += static_cast<int64_t>(n);
        if (!sink(std::string_view(buf, n)) || deadline_.Check() != StopReason::kNone) break;
      }
      fclose(f);
    }
  }
  rsync_bytes_ += out.bytes;
  unlink(file.c_str());
  rmdir(dir);
  return out;
}

HostCrawler::Method HostCrawler::TryFft(const std::string& url, const HostCategoryInfo& hc,
                                        CategoryRun& run) {
  const FftLocation loc = LocateFft(hc.category_name, hc.topdir, url);
  std::vector<std::string> names = run.tree->fft_names;
  if (names.empty()) names.push_back(loc.default_name);
  if (names.size() > 2) names.resize(2);
  // UMDL copies the timestamps of the master's own FFT into the file samples, so when the
  // master has one, a mirror's FFT (a copy of the master's as of the mirror's last sync) must
  // show the same mtime for every sampled file. Without a master FFT the samples hold disk
  // ctimes, which no mirror listing shows: sizes only then.
  const bool compare_mtime = !run.tree->fft_names.empty();
  const std::string scheme = UrlScheme(url);
  for (const auto& name : names) {
    ListingMatcher matcher(*run.tree, loc.strip_prefix, compare_mtime);
    FftLimits limits;
    limits.max_total_bytes = ctx_.options->fft_max_bytes;
    FftParser parser(
        [&](const FftEntry& e) {
          if (e.type == 'f' || e.type == 'd' || e.type == 'l') {
            matcher.Observe(e.type, e.path, e.size, true, e.timestamp);
          }
        },
        limits);
    absl::Status parse_status;
    auto feed = [&](std::string_view chunk) {
      if (!parse_status.ok()) return false;
      parse_status = parser.Feed(chunk);
      return parse_status.ok();
    };
    const std::string fft_url = loc.base_url + "/" + EscapePath(name);
    ++run.requests;
    if (scheme == "rsync") {
      FetchResult r = RsyncFetch(loc.base_url + "/" + name, ctx_.options->fft_max_bytes, feed);
      if (r.kind == FetchResult::Kind::kStopped) return Method::kStopped;
      if (r.kind != FetchResult::Kind::kDone || r.status == 10 || r.status == 5) {
        MM_LOG(INFO) << "rsync " << loc.base_url << " not available (exit " << r.status << ")";
        return Method::kUnavailable;
      }
      if (r.status != 0) {
        MM_LOG(DEBUG) << "No " << name << " at " << loc.base_url << " (rsync exit " << r.status
                      << ")";
        continue;
      }
    } else {
      CurlSession& s = Session(url);
      FetchResult r = s.Get(fft_url, 0, feed, /*compressed=*/true);
      CountRequest(scheme, r);
      if (r.kind == FetchResult::Kind::kStopped) return Method::kStopped;
      if (r.kind != FetchResult::Kind::kDone) {
        MM_LOG(INFO) << "Fetching " << fft_url << " failed: " << r.error;
        return r.kind == FetchResult::Kind::kTimeout ? Method::kAbsent : Method::kUnavailable;
      }
      bool ok_status = scheme == "ftp" ? (r.status >= 100 && r.status < 400) : r.status == 200;
      if (!ok_status) {
        MM_LOG(DEBUG) << "No " << name << " at " << loc.base_url << " (" << r.status << ")";
        continue;
      }
    }
    if (deadline_.Check() != StopReason::kNone) return Method::kStopped;
    if (parse_status.ok()) parse_status = parser.Finish();
    if (!parse_status.ok() || !parser.saw_files_section()) {
      MM_LOG(INFO) << "Ignoring " << fft_url << ": "
                   << (parse_status.ok() ? "no [Files] section"
                                         : std::string(parse_status.message()));
      continue;
    }
    for (size_t i = 0; i < run.tree->dirs.size(); ++i) run.states[i] = matcher.Decide(i);
    MM_LOG(INFO) << "Read " << fft_url << " (" << parser.entries() << " entries"
                 << (compare_mtime ? ", sizes and mtimes compared" : ", sizes compared") << ")";
    if (!FftSpotCheck(url, run)) {
      if (deadline_.Check() != StopReason::kNone) return Method::kStopped;
      std::fill(run.states.begin(), run.states.end(), DirState::kUnknown);
      run.fft_distrusted = true;
      return Method::kDistrusted;
    }
    run.method = "fft";
    run.url = fft_url;
    run.completed = true;
    MM_LOG(INFO) << "Decided " << hc.category_name << " from " << fft_url;
    return Method::kDecided;
  }
  return Method::kAbsent;
}

bool HostCrawler::FftSpotCheck(const std::string& url, CategoryRun& run) {
  // The FFT is a file the mirror syncs like any other; when it is newer than the content it
  // describes (synced first, or a broken sync), every directory looks fresh. The repomd.xml
  // that changed last among those the FFT calls up to date is fetched once and compared with
  // the master's newest file_detail.
  const MasterDirectory* probe = nullptr;
  int64_t probe_time = -1;
  for (size_t i = 0; i < run.tree->dirs.size(); ++i) {
    const MasterDirectory& d = run.tree->dirs[i];
    if (run.states[i] != DirState::kUp2date || d.repomd_sha256.empty()) continue;
    for (const auto& f : d.files) {
      if (f.name == "repomd.xml" && f.timestamp > probe_time) {
        probe = &d;
        probe_time = f.timestamp;
      }
    }
  }
  if (probe == nullptr) return true;  // nothing the FFT calls fresh can be checked
  const std::string scheme = UrlScheme(url);
  const std::string rel = probe->path.empty() ? "repomd.xml" : probe->path + "/repomd.xml";
  ++run.requests;
  std::string body;
  FetchResult r;
  auto keep = [&](std::string_view chunk) {
    if (body.size() + chunk.size() > kMaxRepomdBytes) return false;
    body.append(chunk);
    return true;
  };
  if (scheme == "rsync") {
    r = RsyncFetch(url + "/" + rel, kMaxRepomdBytes, keep);
  } else {
    r = Session(url).Get(url + "/" + EscapePath(rel), kMaxRepomdBytes);
    CountRequest(scheme, r);
    body = std::move(r.body);
  }
  const bool fetched = r.kind == FetchResult::Kind::kDone && !r.truncated &&
                       (scheme == "rsync" ? r.status == 0
                        : scheme == "ftp" ? r.status >= 100 && r.status < 400
                                          : r.status == 200);
  const bool match = fetched && Sha256Hex(body) == probe->repomd_sha256;
  if (ctx_.metrics != nullptr)
    ctx_.metrics->FftSpotCheck(match ? "match" : fetched ? "mismatch" : "error");
  if (match) {
    MM_LOG(DEBUG) << "FFT spot check: " << rel << " matches the master";
    return true;
  }
  MM_LOG(WARNING) << "FFT spot check failed: " << url << "/" << rel
                  << (fetched
                          ? " differs from the master's newest repomd.xml"
                          : absl::StrCat(" could not be fetched (", r.status, " ", r.error, ")"))
                  << " although the FFT says it is up to date; not trusting the FFT";
  return false;
}

HostCrawler::Method HostCrawler::RsyncListing(const std::string& url, CategoryRun& run) {
  ListingMatcher matcher(*run.tree, "");
  std::vector<std::string> args = RsyncArgs();
  for (const char* a : {"-r", "--exclude=.snapshot", "--exclude=*.~tmp~"}) args.push_back(a);
  args.push_back(url + "/");
  ++rsync_runs_;
  ++run.requests;
  int64_t lines = 0;
  RsyncRun r = RunRsync(ctx_.options->rsync_binary, args, deadline_, [&](std::string_view line) {
    ++lines;
    if (auto e = ParseRsyncLine(line)) matcher.Observe(e->type, e->path, e->size, e->size_valid);
  });
  rsync_bytes_ += r.output_bytes;
  if (ctx_.metrics != nullptr) {
    ctx_.metrics->Request("rsync", r.exit_code == 0 ? "ok" : absl::StrCat("exit_", r.exit_code));
    ctx_.metrics->Bytes("rsync", r.output_bytes);
  }
  if (r.stopped) return Method::kStopped;
  if (!r.spawned || r.exit_code == 10 || r.exit_code == 5) {
    MM_LOG(INFO) << "rsync " << url << " not available (exit " << r.exit_code
                 << "): " << r.stderr_tail;
    return Method::kUnavailable;
  }
  if (r.exit_code != 0) {
    MM_LOG(WARNING) << "rsync " << url << " exited with " << r.exit_code << "; using the listing ("
                    << lines << " lines): " << r.stderr_tail;
  }
  for (size_t i = 0; i < run.tree->dirs.size(); ++i) run.states[i] = matcher.Decide(i);
  run.method = "rsync";
  run.url = url;
  run.completed = true;
  return Method::kDecided;
}

HostCrawler::Method HostCrawler::PerDirectory(const std::string& url, CategoryRun& run) {
  const std::string scheme = UrlScheme(url);
  CurlSession& session = Session(url);
  run.method = scheme;
  run.url = url;
  const auto& opts = *ctx_.options;
  std::mt19937_64 rng(std::random_device{}());
  for (; run.next_dir < run.tree->dirs.size(); ++run.next_dir) {
    const MasterDirectory& dir = run.tree->dirs[run.next_dir];
    const std::string dir_url = dir.path.empty() ? url : url + "/" + EscapePath(dir.path);
    Check c = Check::kTryLater;
    for (int attempt = 0; attempt < opts.retry_attempts; ++attempt) {
      c = scheme == "ftp" ? CheckFtpDirectory(session, dir_url, dir, &run.requests)
                          : CheckHttpDirectory(session, dir_url, dir, &run.requests);
      if (c != Check::kTryLater) break;
      if (attempt + 1 == opts.retry_attempts) break;
      // Exponential back-off with full jitter, capped.
      double cap = std::min(absl::ToDoubleSeconds(opts.retry_max_wait), std::ldexp(1.0, attempt));
      double wait = std::uniform_real_distribution<double>(0, std::max(0.0, cap))(rng);
      MM_LOG(INFO) << "Server load exceeded on " << dir_url << " - trying again in "
                   << absl::StrFormat("%.1f", wait) << "s (after " << attempt + 1 << " tries)";
      if (!deadline_.SleepFor(absl::Seconds(wait))) {
        c = Check::kStopped;
        break;
      }
    }
    switch (c) {
      case Check::kUp2date:
        run.states[run.next_dir] = DirState::kUp2date;
        break;
      case Check::kStale:
        run.states[run.next_dir] = DirState::kStale;
        MM_LOG(DEBUG) << "Not up to date: " << dir.path;
        break;
      case Check::kUnknown:
        run.states[run.next_dir] = DirState::kUnknown;
        break;
      case Check::kTryLater:
        MM_LOG(INFO) << "Server load exceeded on " << dir_url << " - giving up after "
                     << opts.retry_attempts << " tries; trying the next URL";
        return Method::kUnavailable;
      case Check::kStopped:
        return Method::kStopped;
    }
    if (deadline_.Check() != StopReason::kNone) return Method::kStopped;
  }
  run.completed = true;
  return Method::kDecided;
}

HostCrawler::Check HostCrawler::CheckHttpDirectory(CurlSession& session, const std::string& dir_url,
                                                   const MasterDirectory& dir, int64_t* requests) {
  if (dir.files.empty()) return Check::kUp2date;
  const std::string scheme = UrlScheme(dir_url);
  // repomd.xml first: it changes with every compose, so stale repositories fail fast.
  std::vector<const SampleFile*> order;
  for (const auto& f : dir.files) {
    if (f.name == "repomd.xml")
      order.insert(order.begin(), &f);
    else
      order.push_back(&f);
  }
  for (const SampleFile* f : order) {
    const bool repomd = f->name == "repomd.xml";
    const std::string file_url = dir_url + "/" + EscapePath(f->name);
    // One GET replaces upstream's HEAD + GET for repomd.xml.
    FetchResult r = repomd ? session.Get(file_url, kMaxRepomdBytes) : session.Head(file_url);
    ++*requests;
    CountRequest(scheme, r);
    switch (r.kind) {
      case FetchResult::Kind::kStopped:
        return Check::kStopped;
      case FetchResult::Kind::kTimeout:
        return Check::kTryLater;
      case FetchResult::Kind::kError:
        MM_LOG(DEBUG) << file_url << ": " << r.error;
        return Check::kUnknown;
      case FetchResult::Kind::kDone:
        break;
    }
    if (r.status == 404 || r.status == 410 || r.status == 403) return Check::kStale;
    if (r.status >= 300 && r.status < 400) {
      MM_LOG(DEBUG) << file_url << ": redirect (" << r.status << ") not followed";
      return Check::kStale;
    }
    if (r.status < 200 || r.status >= 300) return Check::kUnknown;
    if (repomd) {
      if (r.truncated) return Check::kStale;
      if (static_cast<int64_t>(r.body.size()) != f->size) return Check::kStale;
      if (!dir.repomd_sha256.empty() && Sha256Hex(r.body) != dir.repomd_sha256) {
        MM_LOG(DEBUG) << file_url << ": SHA-256 differs from the master's newest repomd.xml";
        return Check::kStale;
      }
      continue;
    }
    if (r.content_length && *r.content_length != f->size) return Check::kStale;
  }
  return Check::kUp2date;
}

HostCrawler::Check HostCrawler::CheckFtpDirectory(CurlSession& session, const std::string& dir_url,
                                                  const MasterDirectory& dir, int64_t* requests) {
  std::map<std::string, ListingEntry> entries;
  bool listed = false;
  for (int attempt = 0; attempt < 3 && !listed; ++attempt) {
    FetchResult r = session.Get(dir_url + "/", kMaxFtpListingBytes);
    ++*requests;
    CountRequest("ftp", r);
    switch (r.kind) {
      case FetchResult::Kind::kStopped:
        return Check::kStopped;
      case FetchResult::Kind::kTimeout:
        return Check::kTryLater;
      case FetchResult::Kind::kError:
        // Socket errors: reconnect and retry.
        session.Reconnect();
        continue;
      case FetchResult::Kind::kDone:
        break;
    }
    switch (r.status) {
      case 550:  // no such directory
      case 450:  // unavailable
      case 553:  // not allowed (readable directories only are crawled)
        listed = true;
        break;
      case 530:  // not logged in: reconnect
        session.Reconnect();
        continue;
      case 500:
      case 421:
      case 425:
        return Check::kTryLater;
      default:
        if (r.status >= 400) return Check::kUnknown;
        size_t pos = 0;
        while (pos < r.body.size()) {
          size_t nl = r.body.find('\n', pos);
          std::string_view line(r.body.data() + pos,
                                (nl == std::string::npos ? r.body.size() : nl) - pos);
          if (auto e = ParseFtpListLine(line)) entries[e->path] = *e;
          if (nl == std::string::npos) break;
          pos = nl + 1;
        }
        listed = true;
    }
  }
  if (!listed) return Check::kTryLater;
  for (const auto& f : dir.files) {
    auto it = entries.find(f.name);
    if (it == entries.end()) return Check::kStale;
    if (it->second.type == 'l') continue;
    if (!it->second.size_valid || it->second.size != f.size) return Check::kStale;
  }
  return Check::kUp2date;
}

}  // namespace mm::crawler
