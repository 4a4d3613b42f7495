#include "services/cachegen/metrics.h"

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/cachegen/cache_builder.h"

namespace mm::cachegen {

CachegenMetrics::CachegenMetrics(prometheus::Registry& r)
    : rows_read_(prometheus::BuildGauge()
                     .Name("mm_cachegen_rows_read")
                     .Help("Rows received from catalog in the last run, per snapshot section")
                     .Register(r)),
      entries_written_(prometheus::BuildGauge()
                           .Name("mm_cachegen_entries_written")
                           .Help("Entries written in the last run, per MirrorList field")
                           .Register(r)),
      entries_dropped_(prometheus::BuildGauge()
                           .Name("mm_cachegen_entries_dropped")
                           .Help("Entries left out of the last cache, per reason")
                           .Register(r)),
      dns_lookups_(prometheus::BuildGauge()
                       .Name("mm_cachegen_dns_lookups")
                       .Help("Netblock host names looked up in the last run, per result")
                       .Register(r)),
      output_bytes_(prometheus::BuildGauge()
                        .Name("mm_cachegen_output_bytes")
                        .Help("Size of the cache written by the last run")
                        .Register(r)
                        .Add({})),
      duration_(prometheus::BuildGauge()
                    .Name("mm_cachegen_duration_seconds")
                    .Help("Wall time of the last run")
                    .Register(r)
                    .Add({})),
      snapshot_time_(prometheus::BuildGauge()
                         .Name("mm_cachegen_snapshot_timestamp_seconds")
                         .Help("Catalog snapshot (transaction start) the last cache reflects")
                         .Register(r)
                         .Add({})),
      last_success_(prometheus::BuildGauge()
                        .Name("mm_cachegen_last_success_timestamp_seconds")
                        .Help("When the last cache was written")
                        .Register(r)
                        .Add({})),
      runs_(prometheus::BuildCounter()
                .Name("mm_cachegen_runs_total")
                .Help("Cache generation attempts, per result")
                .Register(r)) {}

void CachegenMetrics::RecordSuccess(const BuildStats& stats, int64_t bytes, absl::Duration duration,
                                    absl::Time now) {
  for (const auto& [section, n] : stats.rows) {
    rows_read_.Add({{"section", section}}).Set(static_cast<double>(n));
  }
  for (const auto& [field, n] : stats.entries) {
    entries_written_.Add({{"field", field}}).Set(static_cast<double>(n));
  }
  for (const auto& [reason, n] : stats.dropped) {
    entries_dropped_.Add({{"reason", reason}}).Set(static_cast<double>(n));
  }
  dns_lookups_.Add({{"result", "resolved"}})
      .Set(static_cast<double>(stats.dns_names - stats.dns_failures));
  dns_lookups_.Add({{"result", "failed"}}).Set(static_cast<double>(stats.dns_failures));
  output_bytes_.Set(static_cast<double>(bytes));
  duration_.Set(absl::ToDoubleSeconds(duration));
  snapshot_time_.Set(static_cast<double>(stats.snapshot_time));
  last_success_.Set(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  runs_.Add({{"result", "success"}}).Increment();
}

void CachegenMetrics::RecordFailure(absl::Duration duration) {
  duration_.Set(absl::ToDoubleSeconds(duration));
  runs_.Add({{"result", "failure"}}).Increment();
}

}  // namespace mm::cachegen
