#include "tests/testing/catalog_harness.h"

#include <fstream>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "services/catalog/catalog_server.h"
#include "services/common/grpc_client.h"

namespace mm::testing {

CatalogHarness::CatalogHarness(TestDatabase db)
    : db_(std::move(db)), config_(common::Config::WithDefaults()) {}

CatalogHarness::~CatalogHarness() {
  if (server_) server_->Stop(absl::Seconds(1));
}

absl::StatusOr<std::unique_ptr<CatalogHarness>> CatalogHarness::Start() {
  auto db = TestDatabase::Create();
  if (!db.ok()) return db.status();
  std::unique_ptr<CatalogHarness> h(new CatalogHarness(std::move(*db)));
  h->config_.Set("SQLALCHEMY_DATABASE_URI", common::PyValue::String(h->db_.uri()));
  catalog::CatalogOptions options;
  options.conninfo = h->db_.conninfo();
  options.pool_size = 4;
  options.grpc_listen = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.readiness_interval = absl::Milliseconds(200);
  h->server_ = std::make_unique<catalog::CatalogServer>(options, h->config_);
  if (absl::Status s = h->server_->Start(); !s.ok()) return s;
  h->config_.Set("CATALOG_ADDRESS", common::PyValue::String(h->address()));
  return h;
}

std::string CatalogHarness::address() const {
  return absl::StrCat("127.0.0.1:", server_->grpc_port());
}

int CatalogHarness::http_port() const { return server_->http_port(); }

std::shared_ptr<grpc::Channel> CatalogHarness::channel() const {
  return common::CreateChannel(address());
}

std::string CatalogHarness::WriteConfigFile(const std::string& dir, const std::string& extra) const {
  std::string path = dir + "/mirrormanager2.cfg";
  std::ofstream out(path);
  out << "SQLALCHEMY_DATABASE_URI = '" << db_.uri() << "'\n"
      << "CATALOG_ADDRESS = '" << address() << "'\n"
      << extra << "\n";
  return path;
}

}  // namespace mm::testing
