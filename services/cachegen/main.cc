// generate-mirrorlist-cache: writes the mirrorlist-server cache from a catalog snapshot, and
// inspects or compares cache files. See cli.h.
#include <iostream>

#include "services/cachegen/cli.h"
#include "services/common/shutdown.h"

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  return mm::cachegen::RunCli(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                              std::cerr);
}
