#pragma once
// gRPC adapter: mirrormanager.catalog.v1.Mirrors over SiteStore and HostStore.

#include "mirrormanager/catalog/v1/mirrors.grpc.pb.h"

namespace mm::catalog {

class SiteStore;
class HostStore;

class MirrorsService final : public ::mirrormanager::catalog::v1::Mirrors::Service {
 public:
  MirrorsService(SiteStore& sites, HostStore& hosts) : sites_(sites), hosts_(hosts) {}

  using Ctx = ::grpc::ServerContext;
  using Empty = ::mirrormanager::catalog::v1::Empty;
#define MM_RPC(Name, Req, Resp) \
  grpc::Status Name(Ctx*, const ::mirrormanager::catalog::v1::Req*, ::mirrormanager::catalog::v1::Resp*) override
  MM_RPC(CreateSite, CreateSiteRequest, Site);
  MM_RPC(UpdateSite, UpdateSiteRequest, Site);
  MM_RPC(GetSite, GetSiteRequest, Site);
  MM_RPC(ListSites, ListSitesRequest, ListSitesResponse);
  MM_RPC(DeleteSite, DeleteSiteRequest, Empty);
  MM_RPC(AddSiteAdmin, AddSiteAdminRequest, SiteAdmin);
  MM_RPC(RemoveSiteAdmin, RemoveSiteAdminRequest, Empty);
  MM_RPC(CreateHost, CreateHostRequest, Host);
  MM_RPC(UpdateHost, UpdateHostRequest, Host);
  MM_RPC(GetHost, GetHostRequest, Host);
  MM_RPC(ListHosts, ListHostsRequest, ListHostsResponse);
  MM_RPC(DeleteHost, DeleteHostRequest, Empty);
  MM_RPC(AddHostCategory, AddHostCategoryRequest, HostCategory);
  MM_RPC(ListHostCategories, ListHostCategoriesRequest, ListHostCategoriesResponse);
  MM_RPC(DeleteHostCategory, DeleteHostCategoryRequest, Empty);
  MM_RPC(AddHostCategoryUrl, AddHostCategoryUrlRequest, HostCategoryUrl);
  MM_RPC(DeleteHostCategoryUrl, DeleteHostCategoryUrlRequest, Empty);
#undef MM_RPC

 private:
  SiteStore& sites_;
  HostStore& hosts_;
};

}  // namespace mm::catalog
