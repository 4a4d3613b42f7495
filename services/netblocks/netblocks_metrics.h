#pragma once
// The Prometheus view of a netblocks run (served on METRICS_LISTEN while the run goes, pushed to
// PUSHGATEWAY_URL at the end, through common::WorkerMetrics). Every family is registered when
// the run starts; the per-source and table figures move as records are read (progress), the
// output figures are set when the run ends.
//
//   mm_netblocks_records{source, kind}       MRT records per source; kind = rib_ipv4, rib_ipv6,
//                                            peer_index_table, ignored, unknown, malformed,
//                                            no_origin
//   mm_netblocks_records_read{source}        every MRT record read per source, of any type
//   mm_netblocks_source_bytes{source, stage} compressed / decompressed bytes per source
//   mm_netblocks_table_prefixes{family}      distinct prefixes with an origin AS so far
//   mm_netblocks_prefixes{family}            lines written per family (ipv4, ipv6)
//   mm_netblocks_dropped{reason}             duplicate, no_origin, excluded, default_route
//   mm_netblocks_origin_replaced             duplicates whose origin replaced the earlier one
//   mm_netblocks_duration_seconds            wall time of the run (so far)
//   mm_netblocks_success                     1 when OUTPUT was replaced, else 0
//   mm_netblocks_last_success_timestamp_seconds (no sample until a success)
//
// Thread-safety: OnSourceProgress/OnRunEnd from the job's thread; scrapes from any thread.

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/netblocks/netblocks_job.h"

namespace prometheus {
class Gauge;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace mm::netblocks {

class NetblocksMetrics final : public RunObserver {
 public:
  // Registers every family in `registry` (which must outlive this object), with zero samples
  // for each of `sources`, so that a scrape shows them from the start. The running duration
  // counts from here.
  NetblocksMetrics(prometheus::Registry& registry, const std::vector<NetblocksSource>& sources);

  void OnSourceProgress(const NetblocksSource& source, const RibReadStats& read,
                        const NetblockTable& table) override;
  // The final figures; `now` stamps a success.
  void OnRunEnd(const RunReport& report, absl::Time now);

 private:
  struct SourceGauges {
    prometheus::Gauge* rib_ipv4;
    prometheus::Gauge* rib_ipv6;
    prometheus::Gauge* peer_index_table;
    prometheus::Gauge* ignored;
    prometheus::Gauge* unknown;
    prometheus::Gauge* malformed;
    prometheus::Gauge* no_origin;
    prometheus::Gauge* all;
    prometheus::Gauge* compressed;
    prometheus::Gauge* decompressed;
  };
  SourceGauges& ForSource(const std::string& name);
  void SetSource(const std::string& name, const RibReadStats& read);

  absl::Time start_;
  prometheus::Family<prometheus::Gauge>* records_;
  prometheus::Family<prometheus::Gauge>* records_read_;
  prometheus::Family<prometheus::Gauge>* bytes_;
  prometheus::Family<prometheus::Gauge>* last_success_;
  prometheus::Gauge* table_ipv4_;
  prometheus::Gauge* table_ipv6_;
  prometheus::Gauge* lines_ipv4_;
  prometheus::Gauge* lines_ipv6_;
  prometheus::Gauge* dropped_duplicate_;
  prometheus::Gauge* dropped_no_origin_;
  prometheus::Gauge* dropped_excluded_;
  prometheus::Gauge* dropped_default_route_;
  prometheus::Gauge* replaced_;
  prometheus::Gauge* duration_;
  prometheus::Gauge* success_;
  std::map<std::string, SourceGauges> sources_;
};

}  // namespace mm::netblocks
