// mm2_update-EC2-netblocks [-c CONFIG] [-n/--dry-run] [--catalog HOST:PORT] [--debug]
#include <iostream>
#include <memory>

#include "absl/time/clock.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/common/arg_parser.h"
#include "services/common/shutdown.h"
#include "services/common/worker_metrics.h"
#include "services/common/worker_setup.h"
#include "services/netblocks/catalog_client.h"
#include "services/netblocks/ec2_netblocks.h"

namespace {

int Fail(const std::string& message, int code = 1) {
  std::cerr << "Error: " << message << "\n";
  return code;
}

void Gauge(prometheus::Registry& r, const std::string& name, const std::string& help, double v) {
  prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({}).Set(v);
}

}  // namespace

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  mm::common::ArgParser args(
      "mm2_update-EC2-netblocks",
      "Synchronise the EC2 netblocks of the S3 mirrors of site \"Red Hat\".");
  args.Option("-c,--config", "CONFIG",
              "configuration file (default: $MM2_CONFIG or "
              "/etc/mirrormanager/mirrormanager2.cfg)")
      .Flag("-n,--dry-run", "print the changes without writing them")
      .Option("--catalog", "HOST:PORT", "catalog gRPC address (default: CATALOG_ADDRESS)")
      .Option("--ranges-url", "URL", "ranges document (default: EC2_IP_RANGES_URL)")
      .Flag("--debug", "enable debugging");
  if (absl::Status s = args.Parse(argc, argv); !s.ok()) {
    std::cerr << args.Usage();
    return Fail(std::string(s.message()), 2);
  }
  if (args.help_requested()) {
    std::cout << args.Usage();
    return 0;
  }
  auto setup = mm::common::SetUpWorker(
      {args.value_or("--config", ""), args.flag("--debug"), args.value_or("--catalog", "")});
  if (!setup.ok()) return Fail(std::string(setup.status().message()), 2);
  std::string ranges_url = args.value_or("--ranges-url", "");
  if (ranges_url.empty()) {
    auto url = setup->config.GetString("EC2_IP_RANGES_URL");
    if (!url.ok()) return Fail(std::string(url.status().message()), 2);
    ranges_url = *url;
  }

  auto registry = std::make_shared<prometheus::Registry>();
  mm::common::WorkerMetrics metrics("mm2_update-EC2-netblocks", registry);
  if (absl::Status s = metrics.Start(setup->config); !s.ok()) {
    return Fail(std::string(s.message()), 2);
  }
  absl::Time start = absl::Now();
  mm::netblocks::CatalogClient catalog(setup->catalog_address, setup->rpc);
  auto ca_bundle = setup->config.GetOptionalString("NETBLOCKS_CA_BUNDLE");
  if (!ca_bundle.ok()) return Fail(std::string(ca_bundle.status().message()), 2);
  mm::netblocks::UrlFetcherOptions fetch_options;
  fetch_options.ca_bundle = ca_bundle->value_or("");
  mm::netblocks::UrlFetcher fetcher(fetch_options);
  mm::netblocks::Ec2NetblockUpdater updater(catalog, fetcher);
  auto summary = updater.Run(ranges_url, args.flag("--dry-run"), std::cout);
  std::cout.flush();
  Gauge(*registry, "mm_ec2_netblocks_success", "1 when the last run succeeded.",
        summary.ok() ? 1 : 0);
  Gauge(*registry, "mm_ec2_netblocks_duration_seconds", "Wall time of the last run.",
        absl::ToDoubleSeconds(absl::Now() - start));
  if (summary.ok()) {
    Gauge(*registry, "mm_ec2_netblocks_hosts", "S3 hosts synchronised.",
          static_cast<double>(summary->hosts));
    Gauge(*registry, "mm_ec2_netblocks_prefixes", "EC2 prefixes in the ranges document.",
          static_cast<double>(summary->ec2_prefixes));
    Gauge(*registry, "mm_ec2_netblocks_added", "Netblocks added (or that would be, dry run).",
          static_cast<double>(summary->added));
    Gauge(*registry, "mm_ec2_netblocks_deleted", "Netblocks deleted (or that would be, dry run).",
          static_cast<double>(summary->deleted));
  }
  if (absl::Status s = metrics.Push(); !s.ok()) std::cerr << "Warning: " << s.message() << "\n";
  if (!summary.ok()) return Fail(std::string(summary.status().message()));
  return 0;
}
