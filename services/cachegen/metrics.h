#pragma once
// Prometheus metrics of one generate-mirrorlist-cache run (STYLE.md rule 14). Registered on
// the WorkerMetrics registry, so they are served on METRICS_LISTEN during the run and pushed
// to PUSHGATEWAY_URL at the end.
//
//   mm_cachegen_rows_read{section}         rows received from catalog, per snapshot section
//   mm_cachegen_entries_written{field}     entries written, per MirrorList field
//   mm_cachegen_entries_dropped{reason}    entries left out (invalid UTF-8, bad netblock, ...)
//   mm_cachegen_dns_lookups{result}        netblock host names resolved / failed
//   mm_cachegen_output_bytes               size of the cache written
//   mm_cachegen_duration_seconds           wall time of the run
//   mm_cachegen_snapshot_timestamp_seconds catalog snapshot the cache reflects
//   mm_cachegen_last_success_timestamp_seconds
//   mm_cachegen_runs_total{result}         success / failure (attempts included)

#include <cstdint>

#include "absl/time/time.h"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace mm::cachegen {

struct BuildStats;

class CachegenMetrics {
 public:
  explicit CachegenMetrics(prometheus::Registry& registry);

  // Records a successful run.
  void RecordSuccess(const BuildStats& stats, int64_t bytes, absl::Duration duration,
                     absl::Time now);
  void RecordFailure(absl::Duration duration);

 private:
  prometheus::Family<prometheus::Gauge>& rows_read_;
  prometheus::Family<prometheus::Gauge>& entries_written_;
  prometheus::Family<prometheus::Gauge>& entries_dropped_;
  prometheus::Family<prometheus::Gauge>& dns_lookups_;
  prometheus::Gauge& output_bytes_;
  prometheus::Gauge& duration_;
  prometheus::Gauge& snapshot_time_;
  prometheus::Gauge& last_success_;
  prometheus::Family<prometheus::Counter>& runs_;
};

}  // namespace mm::cachegen
