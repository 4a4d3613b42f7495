#pragma once
// `mm2_get-netblocks global|internet2 OUTPUT`: read the configured BGP RIB dumps into one
// prefix -> origin AS table and replace OUTPUT with it (mm2-backend.md §3).
//
//  * global: NETBLOCKS_GLOBAL_IPV4_URL (routeviews' rib.bz2, mainly IPv4), then
//    NETBLOCKS_GLOBAL_IPV6_URL (the newest route-views6 RIB of yesterday's month). Either may be
//    None/empty to skip it.
//  * internet2: NETBLOCKS_INTERNET2_URL for each router of NETBLOCKS_INTERNET2_ROUTERS (the newest
//    RIB of yesterday); the output is sorted, as upstream's.
//
// Failure policy: a source that cannot be fetched, is corrupt, or yields no prefix at all fails
// the run, and so does an empty result ("Unable to retrieve netblock list"); OUTPUT is then left
// untouched. Upstream fails the same way on download and parse errors; refusing a source with no
// prefix additionally stops a broken mirror or an HTML error page from silently dropping a
// whole address family from the table. `global` also refuses a result without IPv4 lines:
// mirrorlist-server exits at start-up when its IPv4 table is empty ("Creating ASN cache
// failed"), so such a file must never replace a working one.

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/netblocks/fetcher.h"
#include "services/netblocks/netblock_table.h"
#include "services/netblocks/rib_stream.h"

namespace mm::common {
class Config;
}

namespace mm::netblocks {

struct NetblocksConfig {
  std::string global_ipv4_url;                 // NETBLOCKS_GLOBAL_IPV4_URL (empty = skip)
  std::string global_ipv6_url;                 // NETBLOCKS_GLOBAL_IPV6_URL (empty = skip)
  std::string internet2_url;                   // NETBLOCKS_INTERNET2_URL, with {router}
  std::vector<std::string> internet2_routers;  // NETBLOCKS_INTERNET2_ROUTERS
  uint64_t max_bytes = uint64_t{64} << 30;     // NETBLOCKS_MAX_BYTES, per source, decompressed
  size_t max_prefixes = NetblockTable::kDefaultMaxPrefixes;  // NETBLOCKS_MAX_PREFIXES
  int threads = 1;        // NETBLOCKS_THREADS, bzip2 decoding threads (config 0 = available CPUs)
  std::string ca_bundle;  // NETBLOCKS_CA_BUNDLE: CA file for https:// (empty = system store)

  static absl::StatusOr<NetblocksConfig> FromConfig(const common::Config& config);
};

struct NetblocksSource {
  std::string name;  // metrics label and log name: "global_ipv4", "internet2_ATLA", ...
  std::string url;   // may contain {year}, {month}, {day}, {router}; "/" at the end = index
  std::string router;
};

// CPUs this process may run on (sched_getaffinity), at least 1.
int AvailableCpus();

std::vector<NetblocksSource> GlobalSources(const NetblocksConfig& config);
std::vector<NetblocksSource> Internet2Sources(const NetblocksConfig& config);

// What a run must produce, per sub-command.
struct JobOptions {
  bool sort = false;          // numerically sorted output (internet2, as upstream sorts)
  bool require_ipv4 = false;  // refuse a result without IPv4 lines (global)
  size_t max_prefixes = NetblockTable::kDefaultMaxPrefixes;

  static JobOptions Global(const NetblocksConfig& config);
  static JobOptions Internet2(const NetblocksConfig& config);
};

struct SourceReport {
  NetblocksSource source;
  std::string resolved_url;
  RibReadStats read;
  uint64_t new_prefixes = 0;  // prefixes this source added to the table
};

struct RunReport {
  std::vector<SourceReport> sources;
  TableStats table;
  size_t ipv4_lines = 0;
  size_t ipv6_lines = 0;
  size_t output_bytes = 0;
  bool written = false;
  absl::Duration elapsed;
};

// Watches a run as it goes (the metrics exporter); called on the job's thread.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // While `source` is read (about once per MiB of MRT) and once when it ends; `table` is the
  // table so far.
  virtual void OnSourceProgress(const NetblocksSource& source, const RibReadStats& read,
                                const NetblockTable& table) = 0;
};

class NetblocksJob {
 public:
  // `fetcher`, `clock` and `observer` (optional) must outlive the job.
  NetblocksJob(Fetcher& fetcher, const common::Clock& clock, RibReadOptions read_options,
               RunObserver* observer = nullptr);

  // Reads `sources` in order and replaces `output`. `report` (optional) is filled even on
  // failure, as far as the run got.
  absl::Status Run(const std::vector<NetblocksSource>& sources, const JobOptions& options,
                   const std::string& output, RunReport* report);

 private:
  Fetcher& fetcher_;
  const common::Clock& clock_;
  RibReadOptions read_options_;
  RunObserver* observer_;
};

}  // namespace mm::netblocks
