#pragma once
// Crawls one host (mm2-backend.md §2.4-2.8 with DESIGN.md §5's fixes): for each host category,
// the mirror's URLs are tried in the order rsync > https > http > ftp; per URL the cheapest
// method that works decides the whole category:
//   1. the mirror's fullfiletimelist-* (full crawls only): sizes and, when the master's samples
//      come from its own FFT, mtimes decide every directory; one GET of the newest repomd.xml
//      the FFT calls up to date, compared by SHA-256, guards against an FFT newer than the
//      content (two requests per category); a failed spot check falls through to 2 or 3,
//   2. one recursive rsync listing (rsync URLs),
//   3. per-directory checks: HEAD per sampled file over one keep-alive connection (HTTP/HTTPS,
//      repomd.xml fetched once and compared by SHA-256), or one LIST per directory (FTP).
// Each category is reported to catalog as soon as it is decided, so a crash loses nothing
// already reported.
//
// Thread-safety: a HostCrawler is used by one worker thread; CrawlContext members are shared.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/crawler/crawl_catalog.h"
#include "services/crawler/crawl_model.h"
#include "services/crawler/crawler_options.h"
#include "services/crawler/curl_session.h"
#include "services/crawler/deadline.h"

namespace mm::crawler {

class CrawlerMetrics;
class ContinentFilter;
class HostLogRouter;

// Category trees are loaded from catalog and shared by all host crawls of the process; a tree
// older than `ttl` is loaded again on its next use (CRAWLER_TREE_REFRESH_SECONDS), so a long
// crawl follows the UMDL runs that happen meanwhile. Failed loads are not cached.
class CategoryTreeCache {
 public:
  CategoryTreeCache(CrawlCatalog* catalog, const common::Clock* clock, absl::Duration ttl)
      : catalog_(catalog), clock_(clock), ttl_(ttl) {}
  absl::StatusOr<std::shared_ptr<const CategoryTree>> Get(int64_t category_id, bool repodata_only);

 private:
  struct Entry {
    std::mutex mu;
    absl::Time loaded_at = absl::InfinitePast();
    std::shared_ptr<const CategoryTree> tree;
  };
  CrawlCatalog* catalog_;
  const common::Clock* clock_;
  absl::Duration ttl_;
  std::mutex mu_;
  std::map<std::pair<int64_t, bool>, std::shared_ptr<Entry>> entries_;
};

struct CrawlContext {
  const CrawlerOptions* options = nullptr;
  CrawlCatalog* catalog = nullptr;
  CategoryTreeCache* trees = nullptr;
  CrawlerMetrics* metrics = nullptr;            // may be null
  const ContinentFilter* continents = nullptr;  // null = no continent/embargo check
  HostLogRouter* logs = nullptr;                // null = no per-host log files
  std::string crawl_id;
  std::string holder;
};

// URLs of a host category in crawl preference order (rsync, https, http, ftp); other schemes
// are dropped and trailing slashes removed.
std::vector<std::string> SortUrls(const std::vector<std::string>& urls);
std::string UrlScheme(const std::string& url);
// Percent-encodes a path for use in a URL ("/" kept).
std::string EscapePath(std::string_view path);

// Where a mirror keeps a category's fullfiletimelist, derived from the category's top directory
// (not from the mirror's URL, whose last path part is the mirror's choice): "Fedora Linux"
// (topdir ".../fedora/linux") has it one level up, at the module root, with entries under
// "linux/"; every other category at its top, named after the topdir's last part.
struct FftLocation {
  std::string base_url;      // the URL of the FFT's directory
  std::string strip_prefix;  // removed from entry paths ("" or "linux/")
  std::string default_name;  // when the master lists none: "fullfiletimelist-<module>"
};
FftLocation LocateFft(const std::string& category_name, const std::string& topdir,
                      const std::string& url);

class HostCrawler {
 public:
  // `lease_lost` (may be null) is set when catalog refuses a report because another process
  // holds the host now; `deadline` should observe the same flag.
  HostCrawler(const CrawlContext& context, const HostInfo& host, const Deadline& deadline,
              std::atomic<bool>* lease_lost = nullptr);
  ~HostCrawler();

  // Runs the whole host crawl; categories are reported as they finish. Host bookkeeping
  // (CompleteHost) is left to the caller.
  HostResult Crawl();

 private:
  enum class Method { kDecided, kAbsent, kUnavailable, kStopped, kDistrusted };
  struct CategoryRun;

  CategoryOutcome CrawlCategory(const HostCategoryInfo& hc);
  // HEAD of the base URL (LIST over FTP, a top-level listing over rsync); counts the request.
  bool CheckBase(const std::string& url, int64_t* requests);
  Method TryFft(const std::string& url, const HostCategoryInfo& hc, CategoryRun& run);
  bool FftSpotCheck(const std::string& url, CategoryRun& run);
  // Fetches one file over rsync (into a private temporary file) and streams it to `sink`.
  // kDone with status 0 = fetched, status = rsync's exit code otherwise.
  FetchResult RsyncFetch(const std::string& remote, int64_t max_bytes,
                         const std::function<bool(std::string_view)>& sink);
  Method RsyncListing(const std::string& url, CategoryRun& run);
  Method PerDirectory(const std::string& url, CategoryRun& run);
  enum class Check { kUp2date, kStale, kUnknown, kTryLater, kStopped };
  Check CheckHttpDirectory(CurlSession& session, const std::string& dir_url,
                           const MasterDirectory& dir, int64_t* requests);
  Check CheckFtpDirectory(CurlSession& session, const std::string& dir_url,
                          const MasterDirectory& dir, int64_t* requests);
  // Reports the category to catalog (retrying transient failures); false when it could not be
  // recorded. A refusal because the lease is lost sets the lease-lost flag.
  bool Report(const HostCategoryInfo& hc, CategoryRun* run, CategoryOutcome& outcome);
  CurlSession& Session(const std::string& url);
  void CountRequest(const std::string& protocol, const FetchResult& r);
  std::vector<std::string> RsyncArgs() const;

  const CrawlContext& ctx_;
  const HostInfo& host_;
  const Deadline& deadline_;
  std::atomic<bool>* lease_lost_;
  std::map<std::string, std::unique_ptr<CurlSession>> sessions_;
  int64_t rsync_runs_ = 0;
  int64_t rsync_bytes_ = 0;
};

}  // namespace mm::crawler
