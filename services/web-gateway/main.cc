// mm2-web-gateway: MirrorManager's public web pages, JSON API, XML-RPC check-in (/xmlrpc) and
// operational endpoints, with every piece of data from catalog.
#include <iostream>

#include "prometheus/registry.h"
#include "services/common/arg_parser.h"
#include "services/common/log.h"
#include "services/common/shutdown.h"
#include "services/common/worker_setup.h"
#include "services/web-gateway/catalog_api.h"
#include "services/web-gateway/http_server.h"
#include "services/web-gateway/web_app.h"

int main(int argc, char** argv) {
  mm::common::BlockShutdownSignals();
  mm::common::ArgParser args("mm2-web-gateway", "MirrorManager web gateway (HTML, JSON API, XML-RPC).");
  args.Option("-c,--config", "FILE", "Configuration file (default: $MM2_CONFIG, then "
              "/etc/mirrormanager/mirrormanager2.cfg)")
      .Option("--listen", "HOST:PORT", "HTTP listen address (default: WEB_LISTEN).")
      .Option("--catalog", "HOST:PORT", "Catalog gRPC address (default: CATALOG_ADDRESS).")
      .Flag("-d,--debug", "Log at DEBUG level.");
  if (absl::Status s = args.Parse(argc, argv); !s.ok() || args.help_requested()) {
    std::cerr << args.Usage() << (s.ok() ? "" : "\nError: " + std::string(s.message()) + "\n");
    return s.ok() ? 0 : 2;
  }
  auto setup = mm::common::SetUpWorker(
      {args.value_or("--config", ""), args.flag("--debug"), args.value_or("--catalog", "")});
  auto options = setup.ok() ? mm::web::WebOptionsFromConfig(setup->config)
                            : absl::StatusOr<mm::web::WebOptions>(setup.status());
  auto listen = setup.ok() ? setup->config.GetString("WEB_LISTEN") : setup.status();
  auto threads = setup.ok() ? setup->config.GetInt("WEB_THREADS") : setup.status();
  for (const absl::Status& s : {options.status(), listen.status(), threads.status()}) {
    if (!s.ok()) {
      std::cerr << "Error: " << s.message() << "\n";
      return 2;
    }
  }
  auto registry = std::make_shared<prometheus::Registry>();
  auto catalog = mm::web::MakeGrpcCatalogApi(setup->catalog_address, setup->rpc);
  mm::web::WebApp app(*options, *catalog, *registry);
  mm::web::HttpServer server(app, static_cast<int>(*threads));
  std::string address = args.value_or("--listen", *listen);
  if (absl::Status s = server.Start(address); !s.ok()) {
    MM_LOG(ERROR) << s.message();
    return 1;
  }
  MM_LOG(INFO) << "web gateway listening on " << address << " (port " << server.port()
               << "), catalog " << setup->catalog_address;
  int sig = mm::common::WaitForShutdownSignal();
  MM_LOG(INFO) << "signal " << sig << " received; stopping";
  server.Stop();
  return 0;
}
