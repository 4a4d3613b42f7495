// Every gRPC service catalog serves. A component adds its domain service here, with the stores
// it needs, in one block.
#include <grpcpp/grpcpp.h>

#include "services/catalog/grpc/cache_export_service.h"
#include "services/catalog/grpc/crawl_service.h"
#include "services/catalog/grpc/master_tree_service.h"
#include "services/catalog/grpc/mirrors_service.h"
#include "services/catalog/grpc/netblocks_service.h"
#include "services/catalog/grpc/public_service.h"
#include "services/catalog/grpc/reference_service.h"
#include "services/catalog/grpc/service_registry.h"
#include "services/catalog/store/cache_export_store.h"
#include "services/catalog/store/checkin_store.h"
#include "services/catalog/store/crawl_store.h"
#include "services/catalog/store/directory_store.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/master_tree_store.h"
#include "services/catalog/store/netblock_store.h"
#include "services/catalog/store/password_cache.h"
#include "services/catalog/store/public_store.h"
#include "services/catalog/store/reference_store.h"
#include "services/catalog/store/site_store.h"
#include "services/common/config.h"

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
  {
    // Web gateway: page-ready read models and report_mirror check-ins.
    auto cache_seconds = ctx.config.GetInt("CHECKIN_AUTH_CACHE_SECONDS");
    auto& public_store = s.Own<PublicStore>(ctx.pool);
    auto& password_cache = s.Own<PasswordVerifyCache>(
        absl::Seconds(cache_seconds.ok() ? *cache_seconds : 600));
    auto& checkins = s.Own<CheckinStore>(ctx.pool, password_cache);
    s.Add(std::make_unique<PublicDataService>(public_store), "mirrormanager.catalog.v1.PublicData");
    s.Add(std::make_unique<CheckinService>(checkins), "mirrormanager.catalog.v1.Checkin");
  }
  // Cache export (generate-mirrorlist-cache): one consistent snapshot per stream.
  auto& cache_export = s.Own<CacheExportStore>(ctx.pool);
  s.Add(std::make_unique<CacheExportService>(cache_export),
        "mirrormanager.catalog.v1.CacheExport");
  // UMDL: the master tree, applied one category per transaction.
  auto& master_tree = s.Own<MasterTreeStore>(ctx.pool);
  s.Add(std::make_unique<MasterTreeService>(master_tree), "mirrormanager.catalog.v1.MasterTree");
  // Netblocks worker (mm2_update-EC2-netblocks): host_netblock rows of cloud mirrors.
  s.Add(std::make_unique<NetblocksService>(s.Own<NetblockStore>(ctx.pool)),
        "mirrormanager.catalog.v1.Netblocks");
  return s;
}

}  // namespace mm::catalog
