#pragma once
// Every gRPC service catalog serves, with the stores they use. See service_registry.cc.

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <memory>
#include <string>
#include <vector>

#include "services/catalog/catalog_server.h"

namespace mm::catalog {

struct CatalogServices {
  std::vector<std::shared_ptr<void>> owned;  // stores and helpers; outlive `services`
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::vector<std::string> health_names;     // parallel to `services`

  template <typename T, typename... Args>
  T& Own(Args&&... args) {
    auto p = std::make_shared<T>(std::forward<Args>(args)...);
    owned.push_back(p);
    return *p;
  }
  void Add(std::unique_ptr<grpc::Service> service, std::string health_name) {
    services.push_back(std::move(service));
    health_names.push_back(std::move(health_name));
  }
  CatalogServices() = default;
  CatalogServices(CatalogServices&&) = default;
  CatalogServices& operator=(CatalogServices&&) = default;
  ~CatalogServices() { services.clear(); }  // services first: they reference `owned`
};

CatalogServices BuildCatalogServices(CatalogContext& context);

}  // namespace mm::catalog
