#include "services/crawler/crawler_options.h"

#include <algorithm>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/arg_parser.h"
#include "services/common/config.h"
#include "services/common/version.h"
#include "services/crawler/rsync_runner.h"

namespace mm::crawler {

void AddCrawlerFlags(common::ArgParser& p) {
  p.Option("-c,--config", "FILE",
           "configuration file (default $MM2_CONFIG or /etc/mirrormanager/mirrormanager2.cfg)")
      .Flag("--include-private", "crawl private hosts too")
      .BoolFlag("--include-disabled", "--exclude-disabled", false,
                "include hosts with user_active = False")
      .Repeated("--category", "NAME", "only crawl this category (repeatable)")
      .Option("-t,--threads", "N", "worker threads (default min(100, cpu_count * 20))")
      .Option("--global-timeout", "MIN", "whole-run deadline in minutes", "360")
      .Option("--host-timeout", "MIN", "per-host deadline in minutes (default none)")
      .Option("--startid", "ID", "crawl hosts with id >= ID", "0")
      .Option("--stopid", "ID", "crawl hosts with id < ID (0 = no limit)", "0")
      .Option("-f,--fraction", "P:N", "crawl the P-th of N slices of the hosts", "1:1")
      .Flag("--disable-fedmsg", "accepted for compatibility; no effect")
      .Repeated("--continent", "CC",
                "only crawl hosts on this continent (AF AN AS EU NA OC SA --); ^CC excludes")
      .Flag("-d,--debug", "debug logging")
      .Flag("--no-fail", "exit 0 even when the global timeout was reached")
      .Option("--catalog", "HOST:PORT", "catalog address (default CATALOG_ADDRESS)")
      .StopAtFirstPositional()
      .Positional("command",
                  "crawl [--canary] [--repodata] | propagation [--product P] [--version V]");
}

absl::StatusOr<CrawlerOptions> OptionsFromFlags(const common::ArgParser& p) {
  CrawlerOptions o;
  o.include_private = p.flag("--include-private");
  o.include_disabled = p.flag("--include-disabled");
  o.categories = p.values("--category");
  o.debug = p.flag("--debug");
  o.no_fail = p.flag("--no-fail");
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  o.threads = static_cast<int>(std::min(100u, cpus * 20));
  if (auto t = p.value("--threads")) {
    if (!absl::SimpleAtoi(*t, &o.threads) || o.threads < 1 || o.threads > 1000) {
      return absl::InvalidArgumentError("--threads must be a number between 1 and 1000");
    }
  }
  double minutes = 0;
  if (!absl::SimpleAtod(p.value_or("--global-timeout", "360"), &minutes) || minutes <= 0) {
    return absl::InvalidArgumentError("--global-timeout must be a positive number of minutes");
  }
  o.global_timeout = absl::Seconds(minutes * 60);
  if (auto h = p.value("--host-timeout")) {
    if (!absl::SimpleAtod(*h, &minutes) || minutes < 0) {
      return absl::InvalidArgumentError("--host-timeout must be a non-negative number of minutes");
    }
    if (minutes > 0) o.host_timeout = absl::Seconds(minutes * 60);  // 0: none, as upstream
  }
  if (!absl::SimpleAtoi(p.value_or("--startid", "0"), &o.startid) ||
      !absl::SimpleAtoi(p.value_or("--stopid", "0"), &o.stopid) || o.startid < 0 || o.stopid < 0) {
    return absl::InvalidArgumentError("--startid/--stopid must be non-negative integers");
  }
  std::string fraction = p.value_or("--fraction", "1:1");
  std::vector<std::string> parts = absl::StrSplit(fraction, ':');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &o.fraction_part) ||
      !absl::SimpleAtoi(parts[1], &o.fraction_count) || o.fraction_count < 1 ||
      o.fraction_part < 1 || o.fraction_part > o.fraction_count) {
    return absl::InvalidArgumentError("--fraction must be P:N with 1 <= P <= N");
  }
  if (o.fraction_count > 1 && (o.startid != 0 || o.stopid != 0)) {
    return absl::InvalidArgumentError("Cannot use --fraction with --startid or --stopid");
  }
  static const char* kContinents[] = {"AF", "AN", "AS", "EU", "NA", "OC", "SA", "--"};
  for (std::string c : p.values("--continent")) {
    c = absl::AsciiStrToUpper(c);
    std::string code = c.rfind('^', 0) == 0 ? c.substr(1) : c;
    if (std::find(std::begin(kContinents), std::end(kContinents), code) == std::end(kContinents)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid value for '--continent': Unknown continent ", code,
                       ". Known continents: AF, AN, AS, EU, NA, OC, SA, --"));
    }
    o.continents.push_back(c);
  }
  return o;
}

absl::Status ApplyConfig(const common::Config& c, CrawlerOptions& o) {
#define MM_GET(var, expr)           \
  {                                 \
    auto v = (expr);                \
    if (!v.ok()) return v.status(); \
    var = *v;                       \
  }
  std::optional<std::string> crawl_id;
  MM_GET(crawl_id, c.GetOptionalString("CRAWLER_CRAWL_ID"));
  o.crawl_id = crawl_id.value_or("");
  int64_t i = 0;
  double f = 0;
  MM_GET(i, c.GetInt("CRAWLER_LEASE_SECONDS"));
  o.lease_seconds = static_cast<int>(std::clamp<int64_t>(i, 1, 86400));
  MM_GET(f, c.GetFloat("CRAWLER_HTTP_TIMEOUT"));
  o.http_timeout = absl::Seconds(std::max(0.01, f));
  MM_GET(f, c.GetFloat("CRAWLER_TREE_REFRESH_SECONDS"));
  o.tree_refresh = absl::Seconds(std::max(0.0, f));
  MM_GET(i, c.GetInt("CRAWLER_RETRY_ATTEMPTS"));
  o.retry_attempts = static_cast<int>(std::clamp<int64_t>(i, 1, 100));
  MM_GET(f, c.GetFloat("CRAWLER_RETRY_MAX_WAIT"));
  o.retry_max_wait = absl::Seconds(std::max(0.0, f));
  MM_GET(o.use_fft, c.GetBool("CRAWLER_USE_FULLFILETIMELIST"));
  MM_GET(o.fft_max_bytes, c.GetInt("CRAWLER_FFT_MAX_BYTES"));
  MM_GET(o.rsync_binary, c.GetString("CRAWLER_RSYNC_BINARY"));
  std::string params;
  MM_GET(params, c.GetString("CRAWLER_RSYNC_PARAMETERS"));
  o.rsync_parameters = SplitCommandLine(params);
  std::optional<std::string> opt;
  MM_GET(opt, c.GetOptionalString("CRAWLER_CA_BUNDLE"));
  o.ca_bundle = opt.value_or("");
  MM_GET(i, c.GetInt("CRAWLER_AUTO_DISABLE"));
  o.auto_disable = static_cast<int>(i);
  MM_GET(i, c.GetInt("CRAWLER_HISTORY_KEEP_DAYS"));
  o.history_keep_days = static_cast<int>(i);
  MM_GET(o.send_email, c.GetBool("CRAWLER_SEND_EMAIL"));
  MM_GET(opt, c.GetOptionalString("MM_LOG_DIR"));
  o.log_dir = opt.value_or("");
  MM_GET(opt, c.GetOptionalString("CRAWLER_GEOIP_DATABASE"));
  if (opt) {
    o.geoip_database = *opt;
  } else {
    std::string base;
    MM_GET(base, c.GetString("GEOIP_BASE"));
    o.geoip_database = base + "/GeoLite2-Country.mmdb";
  }
  MM_GET(opt, c.GetOptionalString("CRAWLER_COUNTRY_CONTINENT_CSV"));
  o.continent_csv = opt.value_or("");
  MM_GET(o.check_embargo, c.GetBool("CRAWLER_CHECK_EMBARGO"));
  MM_GET(o.embargoed_countries, c.GetStringList("EMBARGOED_COUNTRIES"));
  MM_GET(o.bodhi_url, c.GetString("BODHI_URL"));
  MM_GET(i, c.GetInt("MAX_STALE_DAYS"));
  o.max_stale_days = static_cast<int>(i);
  MM_GET(o.smtp_server, c.GetString("SMTP_SERVER"));
  MM_GET(opt, c.GetOptionalString("SMTP_USERNAME"));
  o.smtp_username = opt.value_or("");
  MM_GET(opt, c.GetOptionalString("SMTP_PASSWORD"));
  o.smtp_password = opt.value_or("");
  MM_GET(o.admin_email, c.GetString("ADMIN_EMAIL"));
  MM_GET(o.email_from, c.GetString("EMAIL_FROM"));
  MM_GET(opt, c.GetOptionalString("APPLICATION_URL"));
  o.application_url = opt.value_or("");
  MM_GET(o.messaging, common::AmqpSettingsFromConfig(c));
  if (o.messaging) o.messaging->connection_name = "mm2_crawler";
#undef MM_GET
  o.user_agent = absl::StrCat("mirrormanager-crawler/", common::kVersion,
                              " (+https://github.com/fedora-infra/mirrormanager2/)");
  return absl::OkStatus();
}

std::pair<int64_t, int64_t> FractionBounds(std::vector<int64_t> ids, int part, int count) {
  if (count <= 1 || ids.empty()) return {0, 0};
  std::sort(ids.begin(), ids.end());
  size_t slice = ids.size() / static_cast<size_t>(count);
  size_t start = static_cast<size_t>(part - 1) * slice;
  size_t stop = static_cast<size_t>(part) * slice;
  int64_t startid = start < ids.size() ? ids[start] : ids.back() + 1;
  int64_t stopid = 0;
  if (part < count) stopid = stop < ids.size() ? ids[stop] : ids.back() + 1;
  if (slice == 0) {
    // Fewer hosts than slices: every slice but the last is empty.
    if (part < count) return {ids.back() + 1, ids.back() + 1};
    return {ids.front(), 0};
  }
  return {startid, stopid};
}

std::string FormatElapsed(absl::Duration d) {
  int64_t s = absl::ToInt64Seconds(d);
  if (s < 0) s = 0;
  return absl::StrCat(s / 3600, "h ", (s / 60) % 60, "m ", s % 60, "s");
}

}  // namespace mm::crawler
