#pragma once
// Everything a crawl needs to know, from the command line (mm2-backend.md §2.1) and the
// configuration (CRAWLER_* keys and upstream keys). Parsed and validated once in main.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/fedora_messaging.h"
#include "services/crawler/crawl_model.h"

namespace mm::common {
class Config;
class ArgParser;
}  // namespace mm::common

namespace mm::crawler {

struct CrawlerOptions {
  // Command line.
  bool include_private = false;
  bool include_disabled = false;
  std::vector<std::string> categories;
  int threads = 20;  // min(100, cpu_count * 20)
  absl::Duration global_timeout = absl::Minutes(360);
  std::optional<absl::Duration> host_timeout;
  int64_t startid = 0;
  int64_t stopid = 0;                         // 0 = no limit
  int fraction_part = 1, fraction_count = 1;  // --fraction P:N
  std::vector<std::string> continents;        // upper-cased, "^XX" excludes
  bool debug = false;
  bool no_fail = false;
  CrawlMode mode = CrawlMode::kFull;
  std::string product;  // propagation --product
  std::string version;  // propagation --version

  // Configuration.
  std::string crawl_id;                              // CRAWLER_CRAWL_ID (empty: a private crawl id)
  int lease_seconds = 300;                           // CRAWLER_LEASE_SECONDS
  absl::Duration http_timeout = absl::Seconds(10);   // CRAWLER_HTTP_TIMEOUT (connect/inactivity)
  absl::Duration tree_refresh = absl::Seconds(600);  // CRAWLER_TREE_REFRESH_SECONDS
  int retry_attempts = 10;                           // CRAWLER_RETRY_ATTEMPTS
  absl::Duration retry_max_wait = absl::Seconds(10);  // CRAWLER_RETRY_MAX_WAIT
  bool use_fft = true;                                // CRAWLER_USE_FULLFILETIMELIST
  int64_t fft_max_bytes = 1LL << 30;                  // CRAWLER_FFT_MAX_BYTES
  std::string rsync_binary = "rsync";                 // CRAWLER_RSYNC_BINARY
  std::vector<std::string> rsync_parameters{"--no-motd", "--timeout", "14400"};
  std::string ca_bundle;       // CRAWLER_CA_BUNDLE
  int auto_disable = 4;        // CRAWLER_AUTO_DISABLE
  int history_keep_days = 7;   // CRAWLER_HISTORY_KEEP_DAYS
  bool send_email = false;     // CRAWLER_SEND_EMAIL
  std::string log_dir;         // MM_LOG_DIR ("" or "-" = no per-host files)
  std::string geoip_database;  // CRAWLER_GEOIP_DATABASE or GEOIP_BASE/GeoLite2-Country.mmdb
  std::string continent_csv;   // CRAWLER_COUNTRY_CONTINENT_CSV ("" = built in)
  bool check_embargo = false;  // CRAWLER_CHECK_EMBARGO (always, not only with --continent)
  std::vector<std::string> embargoed_countries;  // EMBARGOED_COUNTRIES
  std::string bodhi_url;                         // BODHI_URL
  int max_stale_days = 4;                        // MAX_STALE_DAYS
  std::string smtp_server;                       // SMTP_SERVER
  std::string smtp_username, smtp_password;
  std::string admin_email, email_from;  // ADMIN_EMAIL, EMAIL_FROM
  std::string application_url;          // APPLICATION_URL (for crawler log links)
  // FEDORA_MESSAGING_* (HostCrawlerDisabledV1); nullopt: no broker, the event is logged.
  std::optional<common::AmqpSettings> messaging;
  std::string user_agent;
};

// The group options shared by every sub-command (registered on `parser`).
void AddCrawlerFlags(common::ArgParser& parser);
// Reads the group options; errors are usage errors (exit 2).
absl::StatusOr<CrawlerOptions> OptionsFromFlags(const common::ArgParser& parser);
// Fills the configuration part of `options`.
absl::Status ApplyConfig(const common::Config& config, CrawlerOptions& options);

// §2.2 fraction slicing: keeps the ids of slice P of N of the sorted id list (last slice open).
// Returns the [startid, stopid) bounds (stopid 0 = open).
std::pair<int64_t, int64_t> FractionBounds(std::vector<int64_t> ids, int part, int count);

// The "Crawl results" duration format: "Xh Ym Zs".
std::string FormatElapsed(absl::Duration d);

}  // namespace mm::crawler
