#pragma once
// The `propagation` sub-command (mm2-backend.md §2.10): for the current releases (Bodhi, or
// --product/--version), each host's copy of every matching repository's repomd.xml is fetched
// over HTTP(S), its SHA-256 looked up in the master's file_detail history and the age
// difference bucketed (same day, one day, two days, older, no info). catalog adds one count per
// host into one propagation_stat row per repository and run.
//
// Thread-safety: CheckHost() may run on several threads at once.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/crawler/crawl_catalog.h"
#include "services/crawler/crawler_options.h"
#include "services/crawler/deadline.h"

namespace mm::crawler {

// Pages through {bodhi_url}/releases/?state=current&page=N (at most `max_pages`), keeps
// FEDORA/FEDORA-EPEL releases, dedupes and sorts them by "product--version".
absl::StatusOr<std::vector<PropagationTargetKey>> FetchBodhiReleases(const CrawlerOptions& options,
                                                                     const Deadline& deadline,
                                                                     int max_pages = 50);

// §2.10 bucket of one mirror's repomd.xml (by SHA-256) against the master's history.
PropagationState Bucket(const std::vector<RepomdDetail>& history, const std::string& mirror_sha256,
                        int max_stale_days);

class PropagationChecker {
 public:
  PropagationChecker(const CrawlerOptions& options, std::vector<PropagationTargetKey> releases,
                     std::vector<PropagationRepo> repositories);
  // Fills result.propagation with one state per release that yielded one.
  HostResult CheckHost(const HostInfo& host, const Deadline& deadline) const;

 private:
  const CrawlerOptions& options_;
  std::vector<PropagationTargetKey> releases_;
  std::vector<PropagationRepo> repositories_;
};

}  // namespace mm::crawler
