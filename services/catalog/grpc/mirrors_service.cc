#include "services/catalog/grpc/mirrors_service.h"

#include "services/catalog/grpc/convert.h"
#include "services/catalog/grpc/respond.h"
#include "services/catalog/store/host_store.h"
#include "services/catalog/store/site_store.h"

namespace mm::catalog {

using grpc::Status;

Status MirrorsService::CreateSite(Ctx*, const pb::CreateSiteRequest* in, pb::Site* out) {
  return Respond(sites_.Create(FromProto(in->fields()), {in->admins().begin(), in->admins().end()}),
                 out);
}

Status MirrorsService::UpdateSite(Ctx*, const pb::UpdateSiteRequest* in, pb::Site* out) {
  return Respond(sites_.Update(in->id(), FromProto(in->fields())), out);
}

Status MirrorsService::GetSite(Ctx*, const pb::GetSiteRequest* in, pb::Site* out) {
  return Respond(sites_.Get(in->id()), out);
}

Status MirrorsService::ListSites(Ctx*, const pb::ListSitesRequest* in, pb::ListSitesResponse* out) {
  SiteQuery q;
  if (in->has_name()) q.name = in->name();
  if (in->has_admin_username()) q.admin_username = in->admin_username();
  return RespondList(sites_.List(q), [&] { return out->add_sites(); });
}

Status MirrorsService::DeleteSite(Ctx*, const pb::DeleteSiteRequest* in, Empty*) {
  return Respond(sites_.Delete(in->id()));
}

Status MirrorsService::AddSiteAdmin(Ctx*, const pb::AddSiteAdminRequest* in, pb::SiteAdmin* out) {
  return Respond(sites_.AddAdmin(in->site_id(), in->username()), out);
}

Status MirrorsService::RemoveSiteAdmin(Ctx*, const pb::RemoveSiteAdminRequest* in, Empty*) {
  return Respond(sites_.RemoveAdmin(in->site_id(), in->admin_id()));
}

Status MirrorsService::CreateHost(Ctx*, const pb::CreateHostRequest* in, pb::Host* out) {
  return Respond(hosts_.Create(in->site_id(), FromProto(in->fields())), out);
}

Status MirrorsService::UpdateHost(Ctx*, const pb::UpdateHostRequest* in, pb::Host* out) {
  return Respond(hosts_.Update(in->id(), FromProto(in->fields())), out);
}

Status MirrorsService::GetHost(Ctx*, const pb::GetHostRequest* in, pb::Host* out) {
  return Respond(hosts_.Get(in->id()), out);
}

Status MirrorsService::ListHosts(Ctx*, const pb::ListHostsRequest* in, pb::ListHostsResponse* out) {
  HostQuery q;
  if (in->has_site_id()) q.site_id = in->site_id();
  return RespondList(hosts_.List(q), [&] { return out->add_hosts(); });
}

Status MirrorsService::DeleteHost(Ctx*, const pb::DeleteHostRequest* in, Empty*) {
  return Respond(hosts_.Delete(in->id()));
}

Status MirrorsService::AddHostCategory(Ctx*, const pb::AddHostCategoryRequest* in,
                                       pb::HostCategory* out) {
  return Respond(hosts_.AddCategory(in->host_id(), in->category_name(), in->always_up2date()), out);
}

Status MirrorsService::ListHostCategories(Ctx*, const pb::ListHostCategoriesRequest* in,
                                          pb::ListHostCategoriesResponse* out) {
  return RespondList(hosts_.ListCategories(in->host_id()),
                     [&] { return out->add_host_categories(); });
}

Status MirrorsService::DeleteHostCategory(Ctx*, const pb::DeleteHostCategoryRequest* in, Empty*) {
  return Respond(hosts_.DeleteCategory(in->host_id(), in->host_category_id()));
}

Status MirrorsService::AddHostCategoryUrl(Ctx*, const pb::AddHostCategoryUrlRequest* in,
                                          pb::HostCategoryUrl* out) {
  return Respond(hosts_.AddUrl(in->host_id(), in->host_category_id(), in->url(), in->private_()), out);
}

Status MirrorsService::DeleteHostCategoryUrl(Ctx*, const pb::DeleteHostCategoryUrlRequest* in, Empty*) {
  return Respond(hosts_.DeleteUrl(in->host_id(), in->host_category_id(), in->url_id()));
}

}  // namespace mm::catalog
