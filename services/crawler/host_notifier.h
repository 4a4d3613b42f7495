#pragma once
// Telling people that the crawler disabled a host (mm2-backend.md §2.9): upstream's
// fedora-messaging HostCrawlerDisabledV1 message (mirrormanager-messages; published by the
// crawl runner, or logged as "HostCrawlerDisabledV1 {json}" without a broker), counted in
// mm_crawler_hosts_disabled_total, and, with CRAWLER_SEND_EMAIL, mailed to the site's admins
// (those with an e-mail address in mm_user) and ADMIN_EMAIL.
//
// Thread-safety: free functions without shared state.

#include <cstdint>
#include <string>

#include "services/common/fedora_messaging.h"
#include "services/crawler/crawl_catalog.h"
#include "services/crawler/crawler_options.h"
#include "services/crawler/mailer.h"

namespace mm::crawler {

// The web UI's crawler log of a host: APPLICATION_URL/crawler/<id>.log, or the file path under
// MM_LOG_DIR when APPLICATION_URL is not set.
std::string CrawlerLogUrl(const CrawlerOptions& options, int64_t host_id);
// The web UI's host page (APPLICATION_URL/host/<id>), "" without APPLICATION_URL.
std::string HostPageUrl(const CrawlerOptions& options, int64_t host_id);

// Upstream's message body: {"site": {id, name, org_url, admins}, "host": {id, name, country,
// bandwidth, asn, url}, "crawled_at": ISO 8601 UTC, "logs_url", "reason"} as compact JSON.
std::string HostDisabledMessageJson(const DisabledNotice& notice, const std::string& reason,
                                    int64_t crawled_at, const CrawlerOptions& options);

// mirrormanager_messages.host.HostCrawlerDisabledV1: that body, its topic and schema name
// ("mirrormanager.crawler.host.disabled.v1") and its usernames (the site's admins).
inline constexpr char kHostCrawlerDisabledTopic[] = "mirrormanager.crawler.host.disabled.v1";
common::BusMessage HostDisabledMessage(const DisabledNotice& notice, const std::string& reason,
                                       int64_t crawled_at, const CrawlerOptions& options);

// The mail to the site's admins and ADMIN_EMAIL ("to" is a comma-separated list).
MailMessage HostDisabledMail(const DisabledNotice& notice, const std::string& reason,
                             int64_t crawled_at, const CrawlerOptions& options);

}  // namespace mm::crawler
