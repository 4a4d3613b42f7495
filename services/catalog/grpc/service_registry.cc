// Every gRPC service catalog serves. A component adds its domain service here, with the stores
// it needs, in one block.
#include <grpcpp/grpcpp.h>

#include "services/catalog/grpc/service_registry.h"
#include "services/catalog/grpc/crawl_service.h"
#include "services/catalog/grpc/mirrors_service.h"
#include "services/catalog/grpc/netblocks_service.h"
#include "services/catalog/grpc/reference_service.h"
#include "services/catalog/store/crawl_store.h"
#include "services/catalog/store/directory_store.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/netblock_store.h"
#include "services/catalog/store/reference_store.h"
#include "services/catalog/store/site_store.h"

namespace mm::catalog {

CatalogServices BuildCatalogServices(CatalogContext& ctx) {
  CatalogServices s;
  auto& reference = s.Own<ReferenceStore>(ctx.pool);
  auto& directories = s.Own<DirectoryStore>(ctx.pool);
  auto& sites = s.Own<SiteStore>(ctx.pool);
  auto& hosts = s.Own<HostStore>(ctx.pool);
  s.Add(std::make_unique<ReferenceService>(reference, directories),
        "mirrormanager.catalog.v1.ReferenceData");
  s.Add(std::make_unique<MirrorsService>(sites, hosts), "mirrormanager.catalog.v1.Mirrors");
  // Crawler (mm2_crawler): leases, category trees, HCD reports, host bookkeeping.
  s.Add(std::make_unique<CrawlService>(s.Own<CrawlStore>(ctx.pool)),
        "mirrormanager.catalog.v1.Crawler");
  // Netblocks worker (mm2_update-EC2-netblocks): host_netblock rows of cloud mirrors.
  s.Add(std::make_unique<NetblocksService>(s.Own<NetblockStore>(ctx.pool)),
        "mirrormanager.catalog.v1.Netblocks");
  return s;
}

}  // namespace mm::catalog
