#pragma once
// gRPC adapter: mirrormanager.catalog.v1.ReferenceData over ReferenceStore and DirectoryStore.

#include "mirrormanager/catalog/v1/reference.grpc.pb.h"

namespace mm::catalog {

class ReferenceStore;
class DirectoryStore;

class ReferenceService final : public ::mirrormanager::catalog::v1::ReferenceData::Service {
 public:
  ReferenceService(ReferenceStore& reference, DirectoryStore& directories)
      : reference_(reference), directories_(directories) {}

  using Ctx = ::grpc::ServerContext;

  grpc::Status ListProducts(Ctx*, const ::mirrormanager::catalog::v1::ListProductsRequest*,
                            ::mirrormanager::catalog::v1::ListProductsResponse*) override;
  grpc::Status UpsertProduct(Ctx*, const ::mirrormanager::catalog::v1::Product*,
                             ::mirrormanager::catalog::v1::Product*) override;
  grpc::Status ListVersions(Ctx*, const ::mirrormanager::catalog::v1::ListVersionsRequest*,
                            ::mirrormanager::catalog::v1::ListVersionsResponse*) override;
  grpc::Status UpsertVersion(Ctx*, const ::mirrormanager::catalog::v1::Version*,
                             ::mirrormanager::catalog::v1::Version*) override;
  grpc::Status ListArches(Ctx*, const ::mirrormanager::catalog::v1::ListArchesRequest*,
                          ::mirrormanager::catalog::v1::ListArchesResponse*) override;
  grpc::Status UpsertArch(Ctx*, const ::mirrormanager::catalog::v1::Arch*,
                          ::mirrormanager::catalog::v1::Arch*) override;
  grpc::Status ListCategories(Ctx*, const ::mirrormanager::catalog::v1::ListCategoriesRequest*,
                              ::mirrormanager::catalog::v1::ListCategoriesResponse*) override;
  grpc::Status UpsertCategory(Ctx*, const ::mirrormanager::catalog::v1::Category*,
                              ::mirrormanager::catalog::v1::Category*) override;
  grpc::Status ListCountries(Ctx*, const ::mirrormanager::catalog::v1::ListCountriesRequest*,
                             ::mirrormanager::catalog::v1::ListCountriesResponse*) override;
  grpc::Status AddCountries(Ctx*, const ::mirrormanager::catalog::v1::AddCountriesRequest*,
                            ::mirrormanager::catalog::v1::AddCountriesResponse*) override;
  grpc::Status ListRepositories(Ctx*, const ::mirrormanager::catalog::v1::ListRepositoriesRequest*,
                                ::mirrormanager::catalog::v1::ListRepositoriesResponse*) override;
  grpc::Status UpsertRepository(Ctx*, const ::mirrormanager::catalog::v1::Repository*,
                                ::mirrormanager::catalog::v1::Repository*) override;
  grpc::Status UpsertDirectories(Ctx*,
                                 const ::mirrormanager::catalog::v1::UpsertDirectoriesRequest*,
                                 ::mirrormanager::catalog::v1::UpsertDirectoriesResponse*) override;
  grpc::Status ListDirectories(Ctx*, const ::mirrormanager::catalog::v1::ListDirectoriesRequest*,
                               ::mirrormanager::catalog::v1::ListDirectoriesResponse*) override;
  grpc::Status LinkCategoryDirectories(
      Ctx*, const ::mirrormanager::catalog::v1::LinkCategoryDirectoriesRequest*,
      ::mirrormanager::catalog::v1::LinkCategoryDirectoriesResponse*) override;
  grpc::Status DeleteProduct(Ctx*, const ::mirrormanager::catalog::v1::DeleteProductRequest*,
                             ::mirrormanager::catalog::v1::Empty*) override;
  grpc::Status DeleteVersion(Ctx*, const ::mirrormanager::catalog::v1::DeleteVersionRequest*,
                             ::mirrormanager::catalog::v1::Empty*) override;
  grpc::Status DeleteArch(Ctx*, const ::mirrormanager::catalog::v1::DeleteArchRequest*,
                          ::mirrormanager::catalog::v1::Empty*) override;
  grpc::Status DeleteCategory(Ctx*, const ::mirrormanager::catalog::v1::DeleteCategoryRequest*,
                              ::mirrormanager::catalog::v1::Empty*) override;
  grpc::Status DeleteRepository(Ctx*, const ::mirrormanager::catalog::v1::DeleteRepositoryRequest*,
                                ::mirrormanager::catalog::v1::Empty*) override;

 private:
  ReferenceStore& reference_;
  DirectoryStore& directories_;
};

}  // namespace mm::catalog
