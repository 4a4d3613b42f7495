// mm2-seed [-c FILE] [--catalog HOST:PORT] SEED.json: loads a sample catalog (see seed.h).
#include <fstream>
#include <iostream>
#include <sstream>

#include "services/common/arg_parser.h"
#include "services/common/shutdown.h"
#include "services/common/worker_setup.h"
#include "tools/seed/seed.h"

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  mm::common::ArgParser args("mm2-seed", "Load reference data and mirrors from JSON into a catalog.");
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
  std::ifstream in(*args.positional("FILE"));
  if (!in) {
    std::cerr << "Error: cannot read " << *args.positional("FILE") << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto counts = mm::tools::SeedCatalog(text.str(), setup->catalog_address, setup->rpc);
  if (!counts.ok()) {
    std::cerr << "Error: " << counts.status().message() << "\n";
    return 1;
  }
  std::cout << "seeded: " << counts->reference << " reference rows, " << counts->sites << " sites, "
            << counts->hosts << " hosts, " << counts->host_categories << " host categories, "
            << counts->urls << " URLs created\n";
  return 0;
}
