#include "services/catalog/grpc/reference_service.h"

#include "services/catalog/grpc/convert.h"
#include "services/catalog/grpc/respond.h"
#include "services/catalog/store/directory_store.h"
#include "services/catalog/store/reference_store.h"

namespace mm::catalog {

using grpc::Status;

Status ReferenceService::ListProducts(Ctx*, const pb::ListProductsRequest*,
                                      pb::ListProductsResponse* out) {
  return RespondList(reference_.ListProducts(), [&] { return out->add_products(); });
}

Status ReferenceService::UpsertProduct(Ctx*, const pb::Product* in, pb::Product* out) {
  std::optional<bool> publiclist;
  if (in->has_publiclist()) publiclist = in->publiclist();
  return Respond(reference_.UpsertProduct(in->name(), publiclist), out);
}

Status ReferenceService::ListVersions(Ctx*, const pb::ListVersionsRequest* in,
                                      pb::ListVersionsResponse* out) {
  return RespondList(reference_.ListVersions(in->product_name()),
                     [&] { return out->add_versions(); });
}

Status ReferenceService::UpsertVersion(Ctx*, const pb::Version* in, pb::Version* out) {
  return Respond(reference_.UpsertVersion(FromProto(*in)), out);
}

Status ReferenceService::ListArches(Ctx*, const pb::ListArchesRequest*,
                                    pb::ListArchesResponse* out) {
  return RespondList(reference_.ListArches(), [&] { return out->add_arches(); });
}

Status ReferenceService::UpsertArch(Ctx*, const pb::Arch* in, pb::Arch* out) {
  std::optional<bool> publiclist, primary;
  if (in->has_publiclist()) publiclist = in->publiclist();
  if (in->has_primary_arch()) primary = in->primary_arch();
  return Respond(reference_.UpsertArch(in->name(), publiclist, primary), out);
}

Status ReferenceService::ListCategories(Ctx*, const pb::ListCategoriesRequest*,
                                        pb::ListCategoriesResponse* out) {
  return RespondList(reference_.ListCategories(), [&] { return out->add_categories(); });
}

Status ReferenceService::UpsertCategory(Ctx*, const pb::Category* in, pb::Category* out) {
  return Respond(reference_.UpsertCategory(FromProto(*in)), out);
}

Status ReferenceService::ListCountries(Ctx*, const pb::ListCountriesRequest*,
                                       pb::ListCountriesResponse* out) {
  auto r = reference_.ListCountries();
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (const auto& c : *r) {
    auto* pc = out->add_countries();
    pc->set_id(c.id);
    pc->set_code(c.code);
  }
  return Status::OK;
}

Status ReferenceService::AddCountries(Ctx*, const pb::AddCountriesRequest* in,
                                      pb::AddCountriesResponse* out) {
  auto r = reference_.AddCountries({in->codes().begin(), in->codes().end()});
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_added(*r);
  return Status::OK;
}

Status ReferenceService::ListRepositories(Ctx*, const pb::ListRepositoriesRequest* in,
                                          pb::ListRepositoriesResponse* out) {
  return RespondList(reference_.ListRepositories(in->category_name()),
                     [&] { return out->add_repositories(); });
}

Status ReferenceService::UpsertRepository(Ctx*, const pb::Repository* in, pb::Repository* out) {
  return Respond(reference_.UpsertRepository(FromProto(*in)), out);
}

Status ReferenceService::UpsertDirectories(Ctx*, const pb::UpsertDirectoriesRequest* in,
                                           pb::UpsertDirectoriesResponse* out) {
  std::vector<DirectoryUpsert> batch;
  batch.reserve(in->directories_size());
  for (const auto& d : in->directories()) batch.push_back(FromProto(d));
  auto r = directories_.Upsert(batch, in->link_category());
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_created(r->created);
  out->set_updated(r->updated);
  return Status::OK;
}

Status ReferenceService::ListDirectories(Ctx*, const pb::ListDirectoriesRequest* in,
                                         pb::ListDirectoriesResponse* out) {
  DirectoryListOptions o;
  o.category_name = in->category_name();
  o.after_name = in->after_name();
  o.limit = in->limit() <= 0 ? 1000 : std::min(in->limit(), 10000);
  o.include_files = in->include_files();
  return RespondList(directories_.List(o), [&] { return out->add_directories(); });
}

Status ReferenceService::LinkCategoryDirectories(Ctx*, const pb::LinkCategoryDirectoriesRequest* in,
                                                 pb::LinkCategoryDirectoriesResponse* out) {
  auto r = directories_.LinkToCategory(
      in->category_name(), {in->directory_names().begin(), in->directory_names().end()});
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_linked(*r);
  return Status::OK;
}

Status ReferenceService::DeleteProduct(Ctx*, const pb::DeleteProductRequest* in, pb::Empty*) {
  return Respond(reference_.DeleteProduct(in->id()));
}

Status ReferenceService::DeleteVersion(Ctx*, const pb::DeleteVersionRequest* in, pb::Empty*) {
  return Respond(reference_.DeleteVersion(in->id()));
}

Status ReferenceService::DeleteArch(Ctx*, const pb::DeleteArchRequest* in, pb::Empty*) {
  return Respond(reference_.DeleteArch(in->id()));
}

Status ReferenceService::DeleteCategory(Ctx*, const pb::DeleteCategoryRequest* in, pb::Empty*) {
  return Respond(reference_.DeleteCategory(in->id()));
}

Status ReferenceService::DeleteRepository(Ctx*, const pb::DeleteRepositoryRequest* in, pb::Empty*) {
  return Respond(reference_.DeleteRepository(in->id()));
}

}  // namespace mm::catalog
