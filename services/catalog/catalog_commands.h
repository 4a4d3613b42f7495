#pragma once
// The mm2-catalog sub-commands, callable from main() and from tests.

#include <string>

namespace mm::common {
class Config;
}

namespace mm::catalog {

struct MigrateCommand {
  bool check_only = false;  // --check: report, change nothing; exit 1 when not current
};
int RunMigrate(const common::Config& config, const MigrateCommand& command);

struct ServeCommand {
  std::string listen;       // empty = CATALOG_LISTEN
  std::string http_listen;  // empty = CATALOG_HTTP_LISTEN
  bool migrate = false;     // apply pending migrations before serving
};
// Serves until SIGTERM/SIGINT, then drains in-flight calls and returns 0.
int RunServe(const common::Config& config, const ServeCommand& command);

}  // namespace mm::catalog
