#include "services/netblocks/netblocks_job.h"

#include <sched.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/atomic_file.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/netblocks/rib_source.h"

namespace mm::netblocks {
namespace {

absl::StatusOr<std::string> OptionalUrl(const common::Config& config, const char* key) {
  auto v = config.GetOptionalString(key);
  if (!v.ok()) return v.status();
  return v->value_or("");
}

}  // namespace

absl::StatusOr<NetblocksConfig> NetblocksConfig::FromConfig(const common::Config& config) {
  NetblocksConfig c;
  auto v4 = OptionalUrl(config, "NETBLOCKS_GLOBAL_IPV4_URL");
  if (!v4.ok()) return v4.status();
  c.global_ipv4_url = *v4;
  auto v6 = OptionalUrl(config, "NETBLOCKS_GLOBAL_IPV6_URL");
  if (!v6.ok()) return v6.status();
  c.global_ipv6_url = *v6;
  auto i2 = OptionalUrl(config, "NETBLOCKS_INTERNET2_URL");
  if (!i2.ok()) return i2.status();
  c.internet2_url = *i2;
  auto routers = config.GetStringList("NETBLOCKS_INTERNET2_ROUTERS");
  if (!routers.ok()) return routers.status();
  c.internet2_routers = *routers;
  auto max = config.GetInt("NETBLOCKS_MAX_BYTES");
  if (!max.ok()) return max.status();
  if (*max <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(config.Origin("NETBLOCKS_MAX_BYTES"),
                                                   ": NETBLOCKS_MAX_BYTES must be positive"));
  }
  c.max_bytes = static_cast<uint64_t>(*max);
  auto max_prefixes = config.GetInt("NETBLOCKS_MAX_PREFIXES");
  if (!max_prefixes.ok()) return max_prefixes.status();
  if (*max_prefixes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(config.Origin("NETBLOCKS_MAX_PREFIXES"),
                                                   ": NETBLOCKS_MAX_PREFIXES must be positive"));
  }
  c.max_prefixes = static_cast<size_t>(*max_prefixes);
  auto ca = OptionalUrl(config, "NETBLOCKS_CA_BUNDLE");
  if (!ca.ok()) return ca.status();
  c.ca_bundle = *ca;
  auto threads = config.GetInt("NETBLOCKS_THREADS");
  if (!threads.ok()) return threads.status();
  if (*threads < 0 || *threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat(
        config.Origin("NETBLOCKS_THREADS"), ": NETBLOCKS_THREADS must be between 0 and 256"));
  }
  c.threads = *threads == 0 ? AvailableCpus() : static_cast<int>(*threads);
  return c;
}

int AvailableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

std::vector<NetblocksSource> GlobalSources(const NetblocksConfig& config) {
  std::vector<NetblocksSource> out;
  if (!config.global_ipv4_url.empty()) out.push_back({"global_ipv4", config.global_ipv4_url, ""});
  if (!config.global_ipv6_url.empty()) out.push_back({"global_ipv6", config.global_ipv6_url, ""});
  return out;
}

std::vector<NetblocksSource> Internet2Sources(const NetblocksConfig& config) {
  std::vector<NetblocksSource> out;
  if (config.internet2_url.empty()) return out;
  if (config.internet2_url.find("{router}") == std::string::npos) {
    out.push_back({"internet2", config.internet2_url, ""});
    return out;
  }
  for (const std::string& router : config.internet2_routers) {
    out.push_back({absl::StrCat("internet2_", router), config.internet2_url, router});
  }
  return out;
}

JobOptions JobOptions::Global(const NetblocksConfig& config) {
  JobOptions o;
  o.require_ipv4 = true;
  o.max_prefixes = config.max_prefixes;
  return o;
}

JobOptions JobOptions::Internet2(const NetblocksConfig& config) {
  JobOptions o;
  o.sort = true;
  o.max_prefixes = config.max_prefixes;
  return o;
}

NetblocksJob::NetblocksJob(Fetcher& fetcher, const common::Clock& clock,
                           RibReadOptions read_options, RunObserver* observer)
    : fetcher_(fetcher),
      clock_(clock),
      read_options_(std::move(read_options)),
      observer_(observer) {}

absl::Status NetblocksJob::Run(const std::vector<NetblocksSource>& sources,
                               const JobOptions& options, const std::string& output,
                               RunReport* report) {
  absl::Time start = absl::Now();
  RunReport local;
  RunReport& r = report ? *report : local;
  r = RunReport{};
  if (sources.empty()) {
    return absl::InvalidArgumentError("no netblocks source is configured");
  }
  NetblockTable table(options.max_prefixes);
  absl::Status status;
  for (const NetblocksSource& source : sources) {
    SourceReport sr;
    sr.source = source;
    std::string url = ExpandUrlTemplate(source.url, clock_.Now(), source.router);
    auto resolved = ResolveRibUrl(fetcher_, url);
    if (!resolved.ok()) {
      status = absl::Status(resolved.status().code(),
                            absl::StrCat(source.name, ": ", resolved.status().message()));
      r.sources.push_back(std::move(sr));
      break;
    }
    sr.resolved_url = *resolved;
    MM_LOG(INFO) << source.name << ": reading " << sr.resolved_url;
    size_t before = table.size();
    RibReadOptions read_options = read_options_;
    if (observer_ != nullptr) {
      read_options.progress = [&](const RibReadStats& so_far) {
        observer_->OnSourceProgress(source, so_far, table);
      };
    }
    status = ReadRib(fetcher_, sr.resolved_url, table, read_options, &sr.read);
    sr.new_prefixes = table.size() - before;
    if (observer_ != nullptr) observer_->OnSourceProgress(source, sr.read, table);
    const MrtStats& m = sr.read.mrt;
    if (status.ok()) {
      MM_LOG(INFO) << source.name << ": " << sr.read.compressed_bytes << " bytes ("
                   << CompressionName(sr.read.compression) << "), " << sr.read.decompressed_bytes
                   << " bytes of MRT, " << m.records << " records (" << m.rib_ipv4 << " IPv4 RIB, "
                   << m.rib_ipv6 << " IPv6 RIB, " << m.ignored << " ignored, " << m.unknown
                   << " unknown, " << m.malformed << " malformed), " << sr.new_prefixes
                   << " new prefixes in " << absl::FormatDuration(sr.read.elapsed);
    }
    if (!sr.read.mrt_warning.empty()) {
      MM_LOG(WARNING) << source.name << ": skipped records: " << sr.read.mrt_warning;
    }
    if (status.ok() && sr.new_prefixes == 0 && m.rib_ipv4 + m.rib_ipv6 == 0) {
      status = absl::FailedPreconditionError(absl::StrCat(
          source.name, ": ", sr.resolved_url, " holds no usable RIB record (", m.records,
          " records, ", m.unknown, " of unknown type, ", m.malformed, " malformed)"));
    }
    r.sources.push_back(std::move(sr));
    if (!status.ok()) {
      if (!absl::StartsWith(status.message(), source.name)) {
        status = absl::Status(status.code(), absl::StrCat(source.name, ": ", status.message()));
      }
      break;
    }
  }
  r.table = table.stats();
  if (status.ok()) {
    if (options.sort) table.Sort();
    std::string text;
    size_t lines = table.Render(text, &r.ipv4_lines, &r.ipv6_lines);
    r.table = table.stats();
    r.output_bytes = text.size();
    if (lines == 0) {
      status = absl::FailedPreconditionError("Unable to retrieve netblock list");
    } else if (options.require_ipv4 && r.ipv4_lines == 0) {
      status = absl::FailedPreconditionError(absl::StrCat(
          "the result has no IPv4 prefix (", r.ipv6_lines,
          " IPv6); mirrorlist-server refuses to start without IPv4 netblocks (\"Creating ASN "
          "cache failed\"), so ",
          output, " is left as it is"));
    } else {
      status = common::WriteFileAtomically(output, text);
      r.written = status.ok();
    }
  }
  r.elapsed = absl::Now() - start;
  if (r.written) {
    MM_LOG(INFO) << "wrote " << output << ": " << r.ipv4_lines << " IPv4 and " << r.ipv6_lines
                 << " IPv6 prefixes (" << r.table.duplicates << " duplicates, " << r.table.replaced
                 << " of them with another origin AS that replaced the "
                 << "earlier one, " << r.table.no_origin << " without origin AS, "
                 << r.table.excluded << " excluded) in " << absl::FormatDuration(r.elapsed);
  }
  return status;
}

}  // namespace mm::netblocks
