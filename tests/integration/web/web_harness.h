#pragma once
// A real web gateway (the mm2-web-gateway binary) in front of a real catalog (in-process, on a
// fresh PostgreSQL database), plus the fixture modelled on MirrorManager2's pytest fixtures:
// 26 public mirrors, Fedora 25-27 on x86_64 (27 also on aarch64), host_country rows for US and FR,
// and one host for each way of failing the public list's eligibility rules.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testing/catalog_harness.h"
#include "tests/testing/subprocess.h"

namespace mm::testing {

struct HttpAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
  std::multimap<std::string, std::string> headers;
};

class WebHarness {
 public:
  // `extra_config` is appended to the gateway's configuration file.
  static absl::StatusOr<std::unique_ptr<WebHarness>> Start(const std::string& extra_config = "");
  ~WebHarness();

  // Starts (another) gateway on the same catalog with more configuration; returns its port.
  absl::StatusOr<std::unique_ptr<BackgroundProcess>> StartGateway(const std::string& extra_config,
                                                                   int* port);

  HttpAnswer Get(const std::string& path, int port = 0) const;
  HttpAnswer Post(const std::string& path, const std::string& body,
                  const std::string& content_type = "text/xml", int port = 0) const;

  CatalogHarness& catalog() { return *catalog_; }
  TestDatabase& db() { return catalog_->db(); }
  int port() const { return port_; }
  std::string url() const;
  const std::string& dir() const { return dir_; }
  std::string GatewayLog() const { return gateway_ ? gateway_->ReadLog() : ""; }

 private:
  std::unique_ptr<CatalogHarness> catalog_;
  std::unique_ptr<BackgroundProcess> gateway_;
  std::string dir_;
  int port_ = 0;
};

// Ids of what SeedUpstreamLikeFixture created.
struct WebFixture {
  int64_t fedora = 0, epel = 0;
  int64_t linux_category = 0, epel_category = 0;
  int64_t x86_64 = 0, aarch64 = 0;
  int64_t us = 0, fr = 0;
  std::vector<int64_t> public_hosts;      // 26, mirror01..mirror26.example.org
  std::map<std::string, int64_t> hosts;   // by name, all of them
  std::map<std::string, int64_t> sites;   // by name
  std::map<std::string, int64_t> repos;   // by name
  std::map<std::string, int64_t> hcs;     // host name -> its "Fedora Linux" host category
};
WebFixture SeedUpstreamLikeFixture(const TestDatabase& db);

}  // namespace mm::testing
