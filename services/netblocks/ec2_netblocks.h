#pragma once
// `mm2_update-EC2-netblocks`: keep the host_netblock rows of the Fedora S3 mirrors equal to the
// EC2 ranges AWS publishes for their regions (mm2-backend.md §4):
//
//  1. The hosts of the site named exactly "Red Hat" whose names start with "s3"; a host's region
//     is its name without a leading "s3-mirror-" and a trailing ".fedoraproject.org"
//     ("s3-mirror-us-east-1.fedoraproject.org" -> "us-east-1"). No such site: FAILED_PRECONDITION
//     with a clear message (upstream crashes).
//  2. The ranges document (EC2_IP_RANGES_URL): entries with service "EC2" and a region other than
//     "GLOBAL", IPv4 ("prefixes") and IPv6 ("ipv6_prefixes", which upstream ignores).
//  3. Each host gets exactly its region's prefixes: missing ones are added ("Adding host H
//     netblock P"), every other row — manually added ones too, as upstream — is deleted
//     ("Deleting host H netblock P"). With dry_run nothing is written; the lines are the same.
//
// The changes are planned with a dry-run call and then applied with that plan as a
// precondition (the catalog writes only if the changes are still exactly those). The lines
// printed are the plan, once it has been applied: an apply call that committed but whose reply
// was lost is retried (common::CallWithRetry), finds nothing left to do and reports
// already_applied — the lines are not lost. If the netblocks change between plan and apply
// (ABORTED), the job plans again (kMaxPlanAttempts).
//
// Deliberate differences: several hosts of one region all get its prefixes (upstream keeps the
// last one only and leaves the others alone); duplicate rows of one netblock are reduced to one;
// a document without any EC2 prefix is refused instead of deleting every netblock.

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/netblocks/fetcher.h"

namespace mm::netblocks {

inline constexpr char kEc2SiteName[] = "Red Hat";

// The catalog operations this job needs (CatalogClient implements them over gRPC).
class NetblocksCatalog {
 public:
  struct Host {
    int64_t id = 0;
    std::string name;
  };
  struct Target {
    int64_t host_id = 0;
    std::vector<std::string> netblocks;
  };
  struct Change {
    bool add = true;  // false: delete
    int64_t host_id = 0;
    std::string netblock;
  };

  struct SyncResult {
    std::vector<Change> changes;
    bool already_applied = false;
  };

  virtual ~NetblocksCatalog() = default;
  // The id of the site named exactly `name`; NOT_FOUND when there is none.
  virtual absl::StatusOr<int64_t> FindSite(const std::string& name) = 0;
  virtual absl::StatusOr<std::vector<Host>> ListHosts(int64_t site_id) = 0;
  // Makes each target host's netblocks exactly the given set (see netblocks.proto). With
  // `expected` (a dry run's changes), writes only while the changes are still exactly those:
  // ABORTED otherwise, already_applied when nothing is left to change.
  virtual absl::StatusOr<SyncResult> SyncHostNetblocks(const std::vector<Target>& targets,
                                                       bool dry_run,
                                                       const std::vector<Change>* expected) = 0;
};

// "s3-mirror-us-east-1.fedoraproject.org" -> "us-east-1" (upstream's parse_out_region).
std::string RegionFromHostName(const std::string& host_name);

struct Ec2Summary {
  size_t hosts = 0;         // S3 hosts of the site
  size_t ec2_prefixes = 0;  // EC2, non-GLOBAL entries in the document
  size_t skipped_entries = 0;
  size_t added = 0;
  size_t deleted = 0;
};

class Ec2NetblockUpdater {
 public:
  static constexpr int kMaxPlanAttempts = 3;

  // `catalog` and `fetcher` must outlive the updater.
  Ec2NetblockUpdater(NetblocksCatalog& catalog, Fetcher& fetcher)
      : catalog_(catalog), fetcher_(fetcher) {}

  // Prints one line per change to `out`.
  absl::StatusOr<Ec2Summary> Run(const std::string& ranges_url, bool dry_run, std::ostream& out);

 private:
  NetblocksCatalog& catalog_;
  Fetcher& fetcher_;
};

}  // namespace mm::netblocks
