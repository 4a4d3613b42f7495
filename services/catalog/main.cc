// mm2-catalog: owns the MirrorManager database. `migrate` creates or upgrades (adopts) the
// schema; `serve` runs the gRPC API and the health/metrics endpoints.
#include <iostream>

#include "services/catalog/catalog_commands.h"
#include "services/common/arg_parser.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/common/shutdown.h"

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  mm::common::ArgParser args("mm2-catalog", "MirrorManager catalog: database owner and gRPC API.");
  args.Option("-c,--config", "FILE", "Configuration file (default: $MM2_CONFIG, then "
              "/etc/mirrormanager/mirrormanager2.cfg)")
      .Flag("-d,--debug", "Log at DEBUG level.")
      .StopAtFirstPositional()
      .Epilog("Commands:\n  migrate [--check]          Create, adopt or upgrade the schema.\n"
              "  serve [--listen HOST:PORT] [--http-listen HOST:PORT] [--migrate]");
  mm::common::ArgParser sub("mm2-catalog COMMAND", "");
  absl::Status parsed = args.Parse(argc, argv);
  std::string command = args.rest().empty() ? "" : args.rest().front();
  if (parsed.ok() && command == "migrate") {
    sub.Flag("--check", "Only report whether the schema is current (exit 1 if not).");
  } else if (parsed.ok() && command == "serve") {
    sub.Option("--listen", "HOST:PORT", "gRPC listen address (default: CATALOG_LISTEN).")
        .Option("--http-listen", "HOST:PORT", "HTTP listen address (default: CATALOG_HTTP_LISTEN).")
        .Flag("--migrate", "Apply pending migrations before serving.");
  } else if (parsed.ok() && !args.help_requested()) {
    parsed = absl::InvalidArgumentError(command.empty() ? "missing command" : "no such command: " + command);
  }
  if (parsed.ok() && !args.rest().empty()) {
    parsed = sub.Parse(std::vector<std::string>(args.rest().begin() + 1, args.rest().end()));
  }
  if (args.help_requested() || sub.help_requested()) {
    std::cout << (sub.help_requested() ? sub.Usage() : args.Usage());
    return 0;
  }
  if (!parsed.ok()) {
    std::cerr << args.Usage() << "\nError: " << parsed.message() << "\n";
    return 2;
  }
  if (args.flag("--debug")) mm::common::SetLogLevel(mm::common::LogLevel::kDebug);
  auto config = mm::common::LoadConfig({args.value_or("--config", "")});
  if (!config.ok()) {
    std::cerr << "Error: " << config.status().message() << "\n";
    return 2;
  }
  if (command == "migrate") {
    return mm::catalog::RunMigrate(*config, {sub.flag("--check")});
  }
  return mm::catalog::RunServe(*config, {sub.value_or("--listen", ""), sub.value_or("--http-listen", ""),
                                         sub.flag("--migrate")});
}
