#include "services/netblocks/ec2_netblocks.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/log.h"
#include "services/netblocks/ec2_ranges.h"

namespace mm::netblocks {

std::string RegionFromHostName(const std::string& host_name) {
  absl::string_view h(host_name);
  absl::ConsumePrefix(&h, "s3-mirror-");
  absl::ConsumeSuffix(&h, ".fedoraproject.org");
  return std::string(h);
}

absl::StatusOr<Ec2Summary> Ec2NetblockUpdater::Run(const std::string& ranges_url, bool dry_run,
                                                   std::ostream& out) {
  Ec2Summary summary;
  auto site = catalog_.FindSite(kEc2SiteName);
  if (!site.ok()) {
    if (absl::IsNotFound(site.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "there is no site named \"", kEc2SiteName,
          "\" in the catalog; the S3 mirror hosts (s3-mirror-<region>.fedoraproject.org) must "
          "belong to it"));
    }
    return site.status();
  }
  auto hosts = catalog_.ListHosts(*site);
  if (!hosts.ok()) return hosts.status();
  std::vector<NetblocksCatalog::Host> s3;
  for (const auto& h : *hosts) {
    if (absl::StartsWith(h.name, "s3")) s3.push_back(h);
  }
  summary.hosts = s3.size();
  if (s3.empty()) {
    MM_LOG(INFO) << "site \"" << kEc2SiteName << "\" has no S3 hosts; nothing to do";
    return summary;
  }

  auto body = fetcher_.Get(ranges_url, kMaxIpRangesBytes);
  if (!body.ok()) return body.status();
  auto ranges = ParseIpRanges(*body);
  if (!ranges.ok()) {
    return absl::Status(ranges.status().code(),
                        absl::StrCat(ranges_url, ": ", ranges.status().message()));
  }
  summary.skipped_entries = ranges->skipped;
  if (ranges->skipped > 0) {
    MM_LOG(WARNING) << ranges_url << ": skipped " << ranges->skipped << " malformed entries";
  }
  std::map<std::string, std::vector<std::string>> by_region;
  for (const IpRange& r : ranges->ranges) {
    if (r.service != "EC2" || r.region == "GLOBAL") continue;
    by_region[r.region].push_back(r.prefix);
    ++summary.ec2_prefixes;
  }
  if (summary.ec2_prefixes == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(ranges_url, " lists no EC2 prefix; refusing to delete every S3 netblock"));
  }

  std::vector<NetblocksCatalog::Target> targets;
  std::map<int64_t, std::string> names;
  for (const auto& h : s3) {
    names[h.id] = h.name;
    NetblocksCatalog::Target t;
    t.host_id = h.id;
    auto it = by_region.find(RegionFromHostName(h.name));
    if (it != by_region.end()) t.netblocks = it->second;
    targets.push_back(std::move(t));
  }
  std::vector<NetblocksCatalog::Change> plan;
  for (int attempt = 1;; ++attempt) {
    auto planned = catalog_.SyncHostNetblocks(targets, /*dry_run=*/true, nullptr);
    if (!planned.ok()) return planned.status();
    plan = std::move(planned->changes);
    if (dry_run || plan.empty()) break;
    auto applied = catalog_.SyncHostNetblocks(targets, /*dry_run=*/false, &plan);
    if (applied.ok()) {
      if (applied->already_applied) {
        MM_LOG(INFO) << "the changes were already applied (a retried call whose first reply "
                        "was lost)";
      }
      break;
    }
    if (!absl::IsAborted(applied.status()) || attempt == kMaxPlanAttempts) {
      return applied.status();
    }
    MM_LOG(WARNING) << "the S3 hosts' netblocks changed while planning; planning again";
  }
  // Adding lines first, then Deleting lines, each in host order.
  for (bool adds : {true, false}) {
    for (const auto& c : plan) {
      if (c.add != adds) continue;
      out << (adds ? "Adding host " : "Deleting host ") << names[c.host_id] << " netblock "
          << c.netblock << "\n";
      ++(adds ? summary.added : summary.deleted);
    }
  }
  return summary;
}

}  // namespace mm::netblocks
