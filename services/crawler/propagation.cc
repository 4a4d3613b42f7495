#include "services/crawler/propagation.h"

#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/crawler/bodhi.h"
#include "services/crawler/curl_session.h"
#include "services/crawler/host_crawler.h"

namespace mm::crawler {
namespace {

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

std::string RelPath(const std::string& name, const std::string& topdir) {
  if (name == topdir) return "";
  if (topdir.empty()) return name;
  if (name.rfind(topdir + "/", 0) == 0) return name.substr(topdir.size() + 1);
  return name;
}

}  // namespace

absl::StatusOr<std::vector<PropagationTargetKey>> FetchBodhiReleases(const CrawlerOptions& options,
                                                                     const Deadline& deadline,
                                                                     int max_pages) {
  HttpOptions http;
  http.timeout = std::max(options.http_timeout, absl::Seconds(30));
  http.ca_bundle = options.ca_bundle;
  http.user_agent = options.user_agent;
  http.extra_headers = {"Accept: application/json"};  // as upstream (lib/fedora.py)
  CurlSession session(http, &deadline);
  std::string base = options.bodhi_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<PropagationTargetKey> out;
  int pages = 1;
  for (int page = 1; page <= pages && page <= max_pages; ++page) {
    std::string url = absl::StrCat(base, "/releases/?state=current&page=", page);
    FetchResult r = session.Get(url, 16 << 20);
    if (r.kind != FetchResult::Kind::kDone || r.status != 200 || r.truncated) {
      return absl::UnavailableError(
          absl::StrCat("Bodhi request ", url,
                       " failed: ", r.error.empty() ? absl::StrCat("HTTP ", r.status) : r.error));
    }
    auto parsed = ParseBodhiReleases(r.body);
    if (!parsed.ok()) return parsed.status();
    pages = parsed->pages;
    for (const auto& rel : parsed->releases) {
      std::string product = ProductForBodhiPrefix(rel.id_prefix);
      if (product.empty()) continue;
      if (!seen.insert({product, rel.version}).second) continue;
      out.push_back({product, rel.version, PropagationPrefix(product, rel.version)});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return absl::StrCat(a.product, "--", a.version) < absl::StrCat(b.product, "--", b.version);
  });
  return out;
}

PropagationState Bucket(const std::vector<RepomdDetail>& history, const std::string& sha,
                        int max_stale_days) {
  if (history.empty()) return PropagationState::kNoInfo;
  const RepomdDetail& reference = history.front();  // highest id
  const int64_t day = 86400;
  const int64_t oldest = reference.timestamp - int64_t{max_stale_days} * day;
  std::vector<const RepomdDetail*> matches;
  for (const auto& fd : history) {
    if (fd.sha256 == sha && fd.timestamp > oldest) matches.push_back(&fd);
  }
  if (matches.empty()) return PropagationState::kOlder;
  const RepomdDetail* newest =
      *std::max_element(matches.begin(), matches.end(),
                        [](const auto* a, const auto* b) { return a->timestamp < b->timestamp; });
  int64_t diff = reference.timestamp - newest->timestamp;
  if (diff > 3 * day) return PropagationState::kOlder;
  if (diff > 2 * day) return PropagationState::kTwoDay;
  if (diff > day) return PropagationState::kOneDay;
  return PropagationState::kSameDay;
}

PropagationChecker::PropagationChecker(const CrawlerOptions& options,
                                       std::vector<PropagationTargetKey> releases,
                                       std::vector<PropagationRepo> repositories)
    : options_(options), releases_(std::move(releases)), repositories_(std::move(repositories)) {}

HostResult PropagationChecker::CheckHost(const HostInfo& host, const Deadline& deadline) const {
  const common::Clock& clock = deadline.clock();
  absl::Time start = clock.Now();
  common::ScopedLogContext log_context(absl::StrCat(host.name, " (", host.id, "): "));
  HostResult result;
  result.host_id = host.id;
  result.host_name = host.name;
  HttpOptions http;
  http.timeout = options_.http_timeout;
  http.ca_bundle = options_.ca_bundle;
  http.user_agent = options_.user_agent;
  std::map<std::string, std::unique_ptr<CurlSession>> sessions;
  for (const auto& rel : releases_) {
    if (deadline.Check() != StopReason::kNone) break;
    for (const auto& repo : repositories_) {
      if (repo.product != rel.product || repo.version != rel.version) continue;
      const HostCategoryInfo* hc = nullptr;
      for (const auto& c : host.categories) {
        if (c.category_id == repo.category_id) hc = &c;
      }
      // Upstream's order of checks (check_propagation_for_repo): directory, repodata
      // directory, the host's category (none: try the next repository), an HTTP(S) URL, a
      // repomd.xml file_detail, then the mirror's copy (not fetched: try the next repository).
      std::optional<PropagationState> state;
      if (repo.directory_name.empty() || !repo.has_repodata_directory) {
        state = PropagationState::kNoInfo;
      } else if (hc == nullptr) {
        continue;
      } else {
        std::string base;
        for (const auto& u : SortUrls(hc->urls)) {
          std::string scheme = UrlScheme(u);
          if (scheme == "https" || scheme == "http") {
            base = u;
            break;
          }
        }
        if (base.empty()) {
          MM_LOG(WARNING) << "Could not find a HTTP(s) URL for " << repo.name;
          state = PropagationState::kNoInfo;
        } else if (repo.repomd_history.empty()) {
          MM_LOG(WARNING) << "Could not find the file details for " << repo.name;
          state = PropagationState::kNoInfo;
        } else {
          std::string rel_path = RelPath(repo.directory_name, repo.topdir);
          std::string url = absl::StrCat(base, rel_path.empty() ? "" : "/", EscapePath(rel_path),
                                         "/repodata/repomd.xml");
          size_t scheme_end = base.find("://");
          std::string key = base.substr(0, base.find('/', scheme_end + 3));
          auto& s = sessions[key];
          if (!s) s = std::make_unique<CurlSession>(http, &deadline);
          FetchResult r = s->Get(url, 16 << 20);
          if (r.kind != FetchResult::Kind::kDone || r.status != 200 || r.truncated) {
            MM_LOG(INFO) << "Fetching " << url << " failed ("
                         << (r.error.empty() ? absl::StrCat(r.status) : r.error) << ")";
            continue;  // another arch may work
          }
          state = Bucket(repo.repomd_history, Sha256Hex(r.body), options_.max_stale_days);
        }
      }
      if (state) {
        result.propagation.emplace_back(repo.id, static_cast<int>(*state));
        MM_LOG(DEBUG) << repo.name << ": state " << static_cast<int>(*state);
        break;
      }
    }
  }
  for (const auto& [_, s] : sessions) {
    result.requests += s->requests();
    result.new_connections += s->new_connections();
  }
  absl::Time end = clock.Now();
  result.finished_at = absl::ToUnixSeconds(end);
  result.duration_seconds = absl::ToInt64Seconds(end - start);
  switch (deadline.Check()) {
    case StopReason::kInterrupted:
      result.released = true;
      result.status = HostStatus::kUnknown;
      break;
    case StopReason::kHostTimeout:
      result.status = HostStatus::kTimeout;
      break;
    case StopReason::kGlobalTimeout:
      result.status = HostStatus::kUnknown;
      break;
    case StopReason::kLeaseLost:
      result.status = HostStatus::kUnknown;
      result.lease_lost = true;
      break;
    case StopReason::kNone:
      result.status = HostStatus::kOk;
  }
  return result;
}

}  // namespace mm::crawler
