// mm2_update-master-directory-list: keeps catalog's directories, repositories and file details in
// step with the master tree (mm2-backend.md §1). Upstream's options, plus --catalog HOST:PORT.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "prometheus/registry.h"
#include "services/common/arg_parser.h"
#include "services/common/grpc_client.h"
#include "services/common/log.h"
#include "services/common/shutdown.h"
#include "services/common/worker_metrics.h"
#include "services/common/worker_setup.h"
#include "services/umdl/catalog_client.h"
#include "services/umdl/file_system.h"
#include "services/umdl/progress.h"
#include "services/umdl/rsync_listing.h"
#include "services/umdl/umdl_metrics.h"
#include "services/umdl/umdl_runner.h"

int main(int argc, char** argv) {
  using namespace mm;
  common::BlockShutdownSignals();
  common::ArgParser args("mm2_update-master-directory-list", "Update the master directory list.");
  args.Option("-c,--config", "FILE", "Configuration file to use (env MM2_CONFIG)")
      .Flag("--list", "list existing categories and exit")
      .Repeated("--category", "NAME",
                "Category to scan (default=all), can be repeated, exclude by prefixing with '^'")
      .Flag("--debug", "enable debugging")
      .Flag("--skip-fullfiletimelist",
            "Do not look for a fullfiletimelist-*; actually scan the filesystem")
      .Flag("--delete-directories",
            "delete directories from the database that are no longer on disk")
      .Option("--catalog", "HOST:PORT", "catalog gRPC address (overrides CATALOG_ADDRESS)");
  if (absl::Status s = args.Parse(argc, argv); !s.ok() || args.help_requested()) {
    std::fprintf(s.ok() ? stdout : stderr, "%s%s\n",
                 s.ok() ? "" : (std::string(s.message()) + "\n").c_str(), args.Usage().c_str());
    return s.ok() ? 0 : 2;
  }
  auto setup = common::SetUpWorker(
      {args.value_or("--config", ""), args.flag("--debug"), args.value_or("--catalog", "")});
  if (!setup.ok()) {
    std::fprintf(stderr, "%s\n", std::string(setup.status().message()).c_str());
    return 2;
  }
  auto config = umdl::LoadUmdlConfig(setup->config);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 2;
  }

  auto registry = std::make_shared<prometheus::Registry>();
  common::WorkerMetrics worker_metrics("umdl", registry);
  if (absl::Status s = worker_metrics.Start(setup->config); !s.ok()) {
    MM_LOG(WARNING) << "metrics: " << s.message();
  }
  umdl::UmdlMetrics metrics(*registry);
  umdl::GrpcMasterTreeCatalog catalog(common::CreateChannel(setup->catalog_address), setup->rpc,
                                      config->apply_timeout);
  umdl::RealFileSystem fs;
  umdl::ProcessRsyncRunner rsync;
  common::RealClock clock;
  std::unique_ptr<umdl::TerminalProgress> progress;
  std::shared_ptr<common::LogSink> log_sink;
  if (isatty(STDOUT_FILENO)) {
    progress = std::make_unique<umdl::TerminalProgress>(stdout);
    if (isatty(STDERR_FILENO)) {
      // Log lines on the same terminal go above the progress line, not into it.
      log_sink = progress->MakeLogSink(stderr);
      common::SetStderrLogging(false);
      common::AddLogSink(log_sink);
    }
  }
  std::atomic<bool> stop{false};
  common::ShutdownWatcher watcher([&](int) { stop = true; });
  umdl::UmdlOptions options{args.flag("--list"), args.values("--category"),
                            args.flag("--skip-fullfiletimelist"),
                            args.flag("--delete-directories")};
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp) options.temp_dir = tmp;
  int rc = umdl::UmdlRunner(*config, options,
                            {&catalog, &fs, &rsync, &clock, &metrics, progress.get(), &stop})
               .Run();
  if (absl::Status s = worker_metrics.Push(); !s.ok()) {
    MM_LOG(WARNING) << "metrics push: " << s.message();
  }
  if (log_sink) {
    common::RemoveLogSink(log_sink.get());
    common::SetStderrLogging(true);
  }
  return rc;
}
