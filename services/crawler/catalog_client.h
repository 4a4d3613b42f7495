#pragma once
// CrawlCatalog over catalog's gRPC API (mirrormanager.catalog.v1.Crawler). The only crawler
// file that includes generated gRPC headers (in the .cc).

#include <memory>
#include <string>

#include "services/common/rpc_options.h"
#include "services/crawler/crawl_catalog.h"

namespace grpc {
class Channel;
}

namespace mm::crawler {

class GrpcCrawlCatalog final : public CrawlCatalog {
 public:
  GrpcCrawlCatalog(const std::string& address, common::RpcOptions rpc);
  ~GrpcCrawlCatalog() override;

  absl::StatusOr<std::vector<HostRef>> ListHosts(const HostSelection& selection) override;
  absl::StatusOr<int64_t> BeginCrawl(const std::string& crawl_id, const std::string& holder,
                                     CrawlMode mode) override;
  absl::StatusOr<LeaseGrant> Acquire(const LeaseRequest& request) override;
  absl::StatusOr<std::vector<int64_t>> Renew(const std::string& crawl_id, const std::string& holder,
                                             const std::vector<int64_t>& host_ids,
                                             int lease_seconds) override;
  absl::Status Release(const std::string& crawl_id, const std::string& holder,
                       const std::vector<int64_t>& host_ids) override;
  absl::StatusOr<std::shared_ptr<CategoryTree>> LoadCategoryTree(int64_t category_id,
                                                                 bool repodata_only) override;
  absl::StatusOr<CategoryReportCounts> ReportCategory(const CategoryReportData& report) override;
  absl::StatusOr<HostCompletionOutcome> CompleteHost(const HostCompletionData& data) override;
  absl::StatusOr<std::map<std::string, std::string>> ContinentRedirects() override;
  absl::StatusOr<int> FinishCrawl(const std::string& crawl_id, const std::string& holder,
                                  int history_keep_days) override;
  absl::StatusOr<std::vector<PropagationRepo>> PropagationTargets(
      const std::vector<PropagationTargetKey>& releases) override;
  absl::StatusOr<std::vector<std::string>> CategoryNames() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mm::crawler
