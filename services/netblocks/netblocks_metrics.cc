#include "services/netblocks/netblocks_metrics.h"

#include "absl/time/clock.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace mm::netblocks {
namespace {

prometheus::Family<prometheus::Gauge>* Gauges(prometheus::Registry& r, const char* name,
                                              const char* help) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

double D(uint64_t v) { return static_cast<double>(v); }

}  // namespace

NetblocksMetrics::NetblocksMetrics(prometheus::Registry& registry,
                                   const std::vector<NetblocksSource>& sources)
    : start_(absl::Now()) {
  records_ =
      Gauges(registry, "mm_netblocks_records", "MRT records read per source and kind in this run.");
  records_read_ = Gauges(registry, "mm_netblocks_records_read",
                         "MRT records of any type read per source in this run.");
  bytes_ = Gauges(registry, "mm_netblocks_source_bytes",
                  "Bytes read per source: compressed (downloaded) and decompressed.");
  auto* table = Gauges(registry, "mm_netblocks_table_prefixes",
                       "Distinct prefixes with an origin AS read so far, per address family.");
  table_ipv4_ = &table->Add({{"family", "ipv4"}});
  table_ipv6_ = &table->Add({{"family", "ipv6"}});
  auto* lines = Gauges(registry, "mm_netblocks_prefixes",
                       "Prefixes written to the output file per address family.");
  lines_ipv4_ = &lines->Add({{"family", "ipv4"}});
  lines_ipv6_ = &lines->Add({{"family", "ipv6"}});
  auto* dropped =
      Gauges(registry, "mm_netblocks_dropped", "Routes that gave no line of their own, by reason.");
  dropped_duplicate_ = &dropped->Add({{"reason", "duplicate"}});
  dropped_no_origin_ = &dropped->Add({{"reason", "no_origin"}});
  dropped_excluded_ = &dropped->Add({{"reason", "excluded"}});
  dropped_default_route_ = &dropped->Add({{"reason", "default_route"}});
  replaced_ = &Gauges(registry, "mm_netblocks_origin_replaced",
                      "Duplicate routes whose origin AS replaced an earlier record's (the later "
                      "record wins, as in mirrorlist-server).")
                   ->Add({});
  duration_ =
      &Gauges(registry, "mm_netblocks_duration_seconds", "Wall time of the run so far.")->Add({});
  success_ = &Gauges(registry, "mm_netblocks_success",
                     "1 when the run replaced the output file; 0 while running or on failure.")
                  ->Add({});
  last_success_ = Gauges(registry, "mm_netblocks_last_success_timestamp_seconds",
                         "Unix time of the last successful run.");
  for (const NetblocksSource& s : sources) ForSource(s.name);
}

NetblocksMetrics::SourceGauges& NetblocksMetrics::ForSource(const std::string& name) {
  auto it = sources_.find(name);
  if (it != sources_.end()) return it->second;
  auto kind = [&](const char* k) { return &records_->Add({{"source", name}, {"kind", k}}); };
  SourceGauges g;
  g.rib_ipv4 = kind("rib_ipv4");
  g.rib_ipv6 = kind("rib_ipv6");
  g.peer_index_table = kind("peer_index_table");
  g.ignored = kind("ignored");
  g.unknown = kind("unknown");
  g.malformed = kind("malformed");
  g.no_origin = kind("no_origin");
  g.all = &records_read_->Add({{"source", name}});
  g.compressed = &bytes_->Add({{"source", name}, {"stage", "compressed"}});
  g.decompressed = &bytes_->Add({{"source", name}, {"stage", "decompressed"}});
  return sources_.emplace(name, g).first->second;
}

void NetblocksMetrics::SetSource(const std::string& name, const RibReadStats& read) {
  SourceGauges& g = ForSource(name);
  const MrtStats& m = read.mrt;
  g.rib_ipv4->Set(D(m.rib_ipv4));
  g.rib_ipv6->Set(D(m.rib_ipv6));
  g.peer_index_table->Set(D(m.peer_index_tables));
  g.ignored->Set(D(m.ignored));
  g.unknown->Set(D(m.unknown));
  g.malformed->Set(D(m.malformed));
  g.no_origin->Set(D(m.no_origin));
  g.all->Set(D(m.records));
  g.compressed->Set(D(read.compressed_bytes));
  g.decompressed->Set(D(read.decompressed_bytes));
}

void NetblocksMetrics::OnSourceProgress(const NetblocksSource& source, const RibReadStats& read,
                                        const NetblockTable& table) {
  SetSource(source.name, read);
  table_ipv4_->Set(D(table.ipv4_count()));
  table_ipv6_->Set(D(table.ipv6_count()));
  const TableStats& t = table.stats();
  dropped_duplicate_->Set(D(t.duplicates));
  dropped_no_origin_->Set(D(t.no_origin));
  dropped_default_route_->Set(D(t.default_route));
  replaced_->Set(D(t.replaced));
  duration_->Set(absl::ToDoubleSeconds(absl::Now() - start_));
}

void NetblocksMetrics::OnRunEnd(const RunReport& report, absl::Time now) {
  for (const SourceReport& s : report.sources) SetSource(s.source.name, s.read);
  lines_ipv4_->Set(D(report.ipv4_lines));
  lines_ipv6_->Set(D(report.ipv6_lines));
  dropped_duplicate_->Set(D(report.table.duplicates));
  dropped_no_origin_->Set(D(report.table.no_origin));
  dropped_excluded_->Set(D(report.table.excluded));
  dropped_default_route_->Set(D(report.table.default_route));
  replaced_->Set(D(report.table.replaced));
  duration_->Set(absl::ToDoubleSeconds(report.elapsed));
  success_->Set(report.written ? 1 : 0);
  if (report.written) last_success_->Add({}).Set(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
}

}  // namespace mm::netblocks
