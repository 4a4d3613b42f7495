#include "services/netblocks/netblocks_metrics.h"

#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace mm::netblocks {

void ExportRunMetrics(const RunReport& report, absl::Time now, prometheus::Registry& registry) {
  auto& records = prometheus::BuildGauge()
                      .Name("mm_netblocks_records")
                      .Help("MRT records read per source and kind in the last run.")
                      .Register(registry);
  auto& bytes = prometheus::BuildGauge()
                    .Name("mm_netblocks_source_bytes")
                    .Help("Bytes read per source: compressed (downloaded) and decompressed.")
                    .Register(registry);
  for (const SourceReport& s : report.sources) {
    const MrtStats& m = s.read.mrt;
    const std::string& src = s.source.name;
    records.Add({{"source", src}, {"kind", "rib_ipv4"}}).Set(static_cast<double>(m.rib_ipv4));
    records.Add({{"source", src}, {"kind", "rib_ipv6"}}).Set(static_cast<double>(m.rib_ipv6));
    records.Add({{"source", src}, {"kind", "ignored"}}).Set(static_cast<double>(m.ignored));
    records.Add({{"source", src}, {"kind", "unknown"}}).Set(static_cast<double>(m.unknown));
    records.Add({{"source", src}, {"kind", "malformed"}}).Set(static_cast<double>(m.malformed));
    records.Add({{"source", src}, {"kind", "no_origin"}}).Set(static_cast<double>(m.no_origin));
    bytes.Add({{"source", src}, {"stage", "compressed"}})
        .Set(static_cast<double>(s.read.compressed_bytes));
    bytes.Add({{"source", src}, {"stage", "decompressed"}})
        .Set(static_cast<double>(s.read.decompressed_bytes));
  }
  auto& prefixes = prometheus::BuildGauge()
                       .Name("mm_netblocks_prefixes")
                       .Help("Prefixes written to the output file per address family.")
                       .Register(registry);
  prefixes.Add({{"family", "ipv4"}}).Set(static_cast<double>(report.ipv4_lines));
  prefixes.Add({{"family", "ipv6"}}).Set(static_cast<double>(report.ipv6_lines));
  auto& dropped = prometheus::BuildGauge()
                      .Name("mm_netblocks_dropped")
                      .Help("Routes not written, by reason.")
                      .Register(registry);
  dropped.Add({{"reason", "duplicate"}}).Set(static_cast<double>(report.table.duplicates));
  dropped.Add({{"reason", "no_origin"}}).Set(static_cast<double>(report.table.no_origin));
  dropped.Add({{"reason", "excluded"}}).Set(static_cast<double>(report.table.excluded));
  dropped.Add({{"reason", "default_route"}}).Set(static_cast<double>(report.table.default_route));
  prometheus::BuildGauge()
      .Name("mm_netblocks_duration_seconds")
      .Help("Wall time of the last run.")
      .Register(registry)
      .Add({})
      .Set(absl::ToDoubleSeconds(report.elapsed));
  prometheus::BuildGauge()
      .Name("mm_netblocks_success")
      .Help("1 when the last run replaced the output file.")
      .Register(registry)
      .Add({})
      .Set(report.written ? 1 : 0);
  if (report.written) {
    prometheus::BuildGauge()
        .Name("mm_netblocks_last_success_timestamp_seconds")
        .Help("Unix time of the last successful run.")
        .Register(registry)
        .Add({})
        .Set(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  }
}

}  // namespace mm::netblocks
