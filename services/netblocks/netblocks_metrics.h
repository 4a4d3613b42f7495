#pragma once
// The Prometheus summary of a netblocks run (served/pushed through common::WorkerMetrics):
//
//   mm_netblocks_records{source, kind}      MRT records per source; kind = rib_ipv4, rib_ipv6,
//                                           ignored, unknown, malformed, no_origin
//   mm_netblocks_source_bytes{source, stage} compressed / decompressed bytes per source
//   mm_netblocks_prefixes{family}           lines written per family (ipv4, ipv6)
//   mm_netblocks_dropped{reason}            duplicates, no_origin, excluded, default_route
//   mm_netblocks_duration_seconds           wall time of the run
//   mm_netblocks_success                    1 when OUTPUT was replaced, else 0
//   mm_netblocks_last_success_timestamp_seconds (only set on success)

#include "services/netblocks/netblocks_job.h"

namespace prometheus {
class Registry;
}

namespace mm::netblocks {

void ExportRunMetrics(const RunReport& report, absl::Time now, prometheus::Registry& registry);

}  // namespace mm::netblocks
