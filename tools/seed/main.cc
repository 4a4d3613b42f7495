// mm2-seed [-c FILE] [--catalog HOST:PORT] SEED.json: loads a sample catalog (see seed.h).
#include <iostream>

#include "services/common/arg_parser.h"
#include "services/common/file_util.h"
#include "services/common/shutdown.h"
#include "services/common/worker_setup.h"
#include "tools/seed/seed.h"

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  mm::common::ArgParser args("mm2-seed",
                             "Load reference data and mirrors from JSON into a catalog.");
  args.Option("-c,--config", "FILE", "Configuration file.")
      .Option("--catalog", "HOST:PORT", "Catalog address (default: CATALOG_ADDRESS).")
      .Flag("-d,--debug", "Debug logging.")
      .Positional("FILE", "JSON seed document.");
  if (absl::Status s = args.Parse(argc, argv); !s.ok() || args.help_requested()) {
    std::cerr << args.Usage() << (s.ok() ? "" : "\nError: " + std::string(s.message()) + "\n");
    return s.ok() ? 0 : 2;
  }
  auto setup = mm::common::SetUpWorker(
      {args.value_or("--config", ""), args.flag("--debug"), args.value_or("--catalog", "")});
  if (!setup.ok()) {
    std::cerr << "Error: " << setup.status().message() << "\n";
    return 2;
  }
  auto text = mm::common::ReadFileToString(*args.positional("FILE"), 64 << 20, "seed file");
  if (!text.ok()) {
    std::cerr << "Error: " << text.status().message() << "\n";
    return 2;
  }
  auto counts = mm::tools::SeedCatalog(*text, setup->catalog_address, setup->rpc);
  if (!counts.ok()) {
    std::cerr << "Error: " << counts.status().message() << "\n";
    return 1;
  }
  std::cout << "seeded: " << counts->reference << " reference rows, " << counts->sites << " sites, "
            << counts->hosts << " hosts, " << counts->host_categories << " host categories, "
            << counts->urls << " URLs created\n";
  return 0;
}
