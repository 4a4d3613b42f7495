// mm2_get-netblocks [--debug] [-c CONFIG] global|internet2 OUTPUT
#include <atomic>
#include <iostream>
#include <memory>

#include "prometheus/registry.h"
#include "services/common/arg_parser.h"
#include "services/common/shutdown.h"
#include "services/common/worker_metrics.h"
#include "services/common/worker_setup.h"
#include "services/netblocks/netblocks_job.h"
#include "services/netblocks/netblocks_metrics.h"

namespace {

int Fail(const std::string& message, int code = 1) {
  std::cerr << "Error: " << message << "\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  mm::common::ArgParser top("mm2_get-netblocks",
                            "Write the prefix -> origin AS table of BGP RIB dumps to OUTPUT.");
  top.Flag("--debug", "enable debugging")
      .Option("-c,--config", "CONFIG",
              "configuration file (default: $MM2_CONFIG or "
              "/etc/mirrormanager/mirrormanager2.cfg)")
      .StopAtFirstPositional()
      .Epilog(
          "Commands:\n  global OUTPUT     routeviews IPv4 and IPv6 tables\n"
          "  internet2 OUTPUT  Internet2 router tables");
  if (absl::Status s = top.Parse(argc, argv); !s.ok()) {
    std::cerr << top.Usage();
    return Fail(std::string(s.message()), 2);
  }
  if (top.help_requested() || top.rest().empty()) {
    std::cout << top.Usage();
    return top.help_requested() ? 0 : 2;
  }
  const std::string command = top.rest()[0];
  if (command != "global" && command != "internet2") {
    std::cerr << top.Usage();
    return Fail("No such command '" + command + "'.", 2);
  }
  mm::common::ArgParser sub("mm2_get-netblocks " + command, "");
  sub.Flag("--debug", "enable debugging")
      .Option("-c,--config", "CONFIG", "configuration file")
      .Positional("OUTPUT", "file to write");
  std::vector<std::string> sub_args(top.rest().begin() + 1, top.rest().end());
  if (absl::Status s = sub.Parse(sub_args); !s.ok()) {
    std::cerr << sub.Usage();
    return Fail(std::string(s.message()), 2);
  }
  if (sub.help_requested()) {
    std::cout << sub.Usage();
    return 0;
  }

  auto setup =
      mm::common::SetUpWorker({sub.value("--config").value_or(top.value_or("--config", "")),
                               top.flag("--debug") || sub.flag("--debug"), ""});
  if (!setup.ok()) return Fail(std::string(setup.status().message()), 2);
  auto config = mm::netblocks::NetblocksConfig::FromConfig(setup->config);
  if (!config.ok()) return Fail(std::string(config.status().message()), 2);

  const bool internet2 = command == "internet2";
  const std::vector<mm::netblocks::NetblocksSource> sources =
      internet2 ? Internet2Sources(*config) : GlobalSources(*config);
  mm::common::RealClock clock;
  auto registry = std::make_shared<prometheus::Registry>();
  // Families first, so /metrics shows the run from its start.
  mm::netblocks::NetblocksMetrics run_metrics(*registry, sources);
  mm::common::WorkerMetrics metrics("mm2_get-netblocks", registry);
  if (absl::Status s = metrics.Start(setup->config); !s.ok()) {
    return Fail(std::string(s.message()), 2);
  }
  std::atomic<bool> cancel{false};
  mm::common::ShutdownWatcher watcher([&](int) { cancel = true; });

  mm::netblocks::UrlFetcherOptions fetch_options;
  fetch_options.cancel = &cancel;
  fetch_options.ca_bundle = config->ca_bundle;
  mm::netblocks::UrlFetcher fetcher(fetch_options);
  mm::netblocks::RibReadOptions read_options;
  read_options.max_decompressed_bytes = config->max_bytes;
  read_options.decompress_threads = config->threads;
  read_options.cancel = &cancel;
  mm::netblocks::NetblocksJob job(fetcher, clock, read_options, &run_metrics);
  mm::netblocks::RunReport report;
  absl::Status status = job.Run(sources,
                                internet2 ? mm::netblocks::JobOptions::Internet2(*config)
                                          : mm::netblocks::JobOptions::Global(*config),
                                *sub.positional("OUTPUT"), &report);
  run_metrics.OnRunEnd(report, clock.Now());
  if (absl::Status s = metrics.Push(); !s.ok()) {
    std::cerr << "Warning: " << s.message() << "\n";
  }
  if (!status.ok()) return Fail(std::string(status.message()));
  return 0;
}
