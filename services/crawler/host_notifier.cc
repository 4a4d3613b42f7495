#include "services/crawler/host_notifier.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace mm::crawler {
namespace {

std::string AppUrl(const CrawlerOptions& o, const std::string& path) {
  if (o.application_url.empty()) return "";
  return absl::StrCat(o.application_url, o.application_url.back() == '/' ? "" : "/", path);
}

std::string IsoTime(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S+00:00", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

}  // namespace

std::string CrawlerLogUrl(const CrawlerOptions& o, int64_t host_id) {
  if (o.application_url.empty()) return absl::StrCat(o.log_dir, "/crawler/", host_id, ".log");
  return AppUrl(o, absl::StrCat("crawler/", host_id, ".log"));
}

std::string HostPageUrl(const CrawlerOptions& o, int64_t host_id) {
  return AppUrl(o, absl::StrCat("host/", host_id));
}

std::string HostDisabledMessageJson(const DisabledNotice& n, const std::string& reason,
                                    int64_t crawled_at, const CrawlerOptions& o) {
  nlohmann::json body;
  body["site"] = {{"id", n.site_id},
                  {"name", n.site_name},
                  {"org_url", n.site_org_url},
                  {"admins", n.admin_usernames}};
  nlohmann::json host = {{"id", n.host_id},      {"name", n.host_name},
                         {"country", n.country}, {"bandwidth", nullptr},
                         {"asn", nullptr},       {"url", HostPageUrl(o, n.host_id)}};
  if (n.bandwidth) host["bandwidth"] = *n.bandwidth;
  if (n.asn) host["asn"] = *n.asn;
  body["host"] = std::move(host);
  body["crawled_at"] = IsoTime(crawled_at);
  body["logs_url"] = CrawlerLogUrl(o, n.host_id);
  body["reason"] = reason;
  // Invalid UTF-8 from the database must not make dump() throw.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

common::BusMessage HostDisabledMessage(const DisabledNotice& n, const std::string& reason,
                                       int64_t crawled_at, const CrawlerOptions& o) {
  common::BusMessage m;
  m.topic = kHostCrawlerDisabledTopic;
  m.schema = kHostCrawlerDisabledTopic;  // the class's entry-point name is its topic
  m.body_json = HostDisabledMessageJson(n, reason, crawled_at, o);
  m.usernames = n.admin_usernames;
  std::sort(m.usernames.begin(), m.usernames.end());  // HostMessageV2.usernames: sorted, unique
  m.usernames.erase(std::unique(m.usernames.begin(), m.usernames.end()), m.usernames.end());
  return m;
}

MailMessage HostDisabledMail(const DisabledNotice& n, const std::string& reason, int64_t crawled_at,
                             const CrawlerOptions& o) {
  std::vector<std::string> to = n.admin_emails;
  if (!o.admin_email.empty() && std::find(to.begin(), to.end(), o.admin_email) == to.end()) {
    to.push_back(o.admin_email);
  }
  MailMessage m;
  m.from = o.email_from;
  m.to = absl::StrJoin(to, ", ");
  m.subject = absl::StrCat("MirrorManager crawler: host ", n.host_name, " disabled");
  std::string page = HostPageUrl(o, n.host_id);
  m.body =
      absl::StrCat("The MirrorManager crawler disabled the mirror host ", n.host_name, " (site ",
                   n.site_name, ") at ", IsoTime(crawled_at), ".\n\nReason: ", reason,
                   "\n\nLog can be found at ", CrawlerLogUrl(o, n.host_id), "\n",
                   page.empty() ? "" : absl::StrCat("Host page: ", page, "\n"),
                   "\nFix the problem, then re-enable the host (user_active) in MirrorManager.\n");
  return m;
}

}  // namespace mm::crawler
