#pragma once
// An in-process catalog (real PostgreSQL database, real gRPC and HTTP servers on loopback
// ports chosen by the kernel) for tests of catalog itself and of the components that call it.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/config.h"
#include "tests/testing/test_env.h"

namespace grpc {
class Channel;
}

namespace mm::catalog {
class CatalogServer;
}

namespace mm::testing {

class CatalogHarness {
 public:
  // Creates a fresh migrated database and starts catalog on 127.0.0.1:0.
  static absl::StatusOr<std::unique_ptr<CatalogHarness>> Start();
  ~CatalogHarness();

  std::string address() const;  // "127.0.0.1:PORT" for --catalog / CATALOG_ADDRESS
  int http_port() const;
  std::shared_ptr<grpc::Channel> channel() const;
  TestDatabase& db() { return db_; }
  const common::Config& config() const { return config_; }
  catalog::CatalogServer& server() { return *server_; }

  // A config file for worker binaries pointing at this catalog and database; returns its path.
  std::string WriteConfigFile(const std::string& dir, const std::string& extra = "") const;

 private:
  explicit CatalogHarness(TestDatabase db);
  TestDatabase db_;
  common::Config config_;
  std::unique_ptr<catalog::CatalogServer> server_;
};

}  // namespace mm::testing
