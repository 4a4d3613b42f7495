#pragma once
// Crawls one host (mm2-backend.md §2.4-2.8 with DESIGN.md §5's fixes): for each host category,
// the mirror's URLs are tried in the order rsync > https > http > ftp; per URL the cheapest
// method that works decides the whole category:
//   1. the mirror's fullfiletimelist-* (one request; full crawls only),
//   2. one recursive rsync listing (rsync URLs),
//   3. per-directory checks: HEAD per sampled file over one keep-alive connection (HTTP/HTTPS,
//      repomd.xml fetched once and compared by SHA-256), or one LIST per directory (FTP).
// Each category is reported to catalog as soon as it is decided, so a crash loses nothing
// already reported.
//
// Thread-safety: a HostCrawler is used by one worker thread; CrawlContext members are shared.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/crawler/crawl_catalog.h"
#include "services/crawler/crawl_model.h"
#include "services/crawler/crawler_options.h"
#include "services/crawler/curl_session.h"
#include "services/crawler/deadline.h"

namespace mm::crawler {

class CrawlerMetrics;
class ContinentFilter;
class HostLogRouter;

// Category trees are loaded from catalog once per process and shared by all host crawls.
class CategoryTreeCache {
 public:
  explicit CategoryTreeCache(CrawlCatalog* catalog) : catalog_(catalog) {}
  absl::StatusOr<std::shared_ptr<const CategoryTree>> Get(int64_t category_id, bool repodata_only);

 private:
  struct Entry {
    std::mutex mu;
    bool loaded = false;
    absl::StatusOr<std::shared_ptr<const CategoryTree>> tree = absl::UnknownError("not loaded");
  };
  CrawlCatalog* catalog_;
  std::mutex mu_;
  std::map<std::pair<int64_t, bool>, std::shared_ptr<Entry>> entries_;
};

struct CrawlContext {
  const CrawlerOptions* options = nullptr;
  CrawlCatalog* catalog = nullptr;
  CategoryTreeCache* trees = nullptr;
  CrawlerMetrics* metrics = nullptr;          // may be null
  const ContinentFilter* continents = nullptr;  // null = no continent/embargo check
  HostLogRouter* logs = nullptr;              // null = no per-host log files
  std::string crawl_id;
  std::string holder;
};

// URLs of a host category in crawl preference order (rsync, https, http, ftp); other schemes
// are dropped and trailing slashes removed.
std::vector<std::string> SortUrls(const std::vector<std::string>& urls);
std::string UrlScheme(const std::string& url);
// Percent-encodes a path for use in a URL ("/" kept).
std::string EscapePath(std::string_view path);

class HostCrawler {
 public:
  HostCrawler(const CrawlContext& context, const HostInfo& host, const Deadline& deadline);
  ~HostCrawler();

  // Runs the whole host crawl; categories are reported as they finish. Host bookkeeping
  // (CompleteHost) is left to the caller.
  HostResult Crawl();

 private:
  enum class Method { kDecided, kAbsent, kUnavailable, kStopped };
  struct CategoryRun;

  CategoryOutcome CrawlCategory(const HostCategoryInfo& hc);
  bool CheckBase(const std::string& url);
  Method TryFft(const std::string& url, const HostCategoryInfo& hc, CategoryRun& run);
  Method RsyncListing(const std::string& url, CategoryRun& run);
  Method PerDirectory(const std::string& url, CategoryRun& run);
  enum class Check { kUp2date, kStale, kUnknown, kTryLater, kStopped };
  Check CheckHttpDirectory(CurlSession& session, const std::string& dir_url,
                           const MasterDirectory& dir, int64_t* requests);
  Check CheckFtpDirectory(CurlSession& session, const std::string& dir_url,
                          const MasterDirectory& dir, int64_t* requests);
  void Report(const HostCategoryInfo& hc, CategoryRun* run, CategoryOutcome& outcome);
  CurlSession& Session(const std::string& url);
  void CountRequest(const std::string& protocol, const FetchResult& r);
  std::vector<std::string> RsyncArgs() const;

  const CrawlContext& ctx_;
  const HostInfo& host_;
  const Deadline& deadline_;
  std::map<std::string, std::unique_ptr<CurlSession>> sessions_;
  int64_t rsync_runs_ = 0;
  int64_t rsync_bytes_ = 0;
};

}  // namespace mm::crawler
