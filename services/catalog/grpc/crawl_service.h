#pragma once
// gRPC adapter: mirrormanager.catalog.v1.Crawler over CrawlStore.

#include "mirrormanager/catalog/v1/crawl.grpc.pb.h"

namespace mm::catalog {

class CrawlStore;

class CrawlService final : public ::mirrormanager::catalog::v1::Crawler::Service {
 public:
  explicit CrawlService(CrawlStore& store) : store_(store) {}

  using Ctx = ::grpc::ServerContext;
#define MM_RPC(Name, Req, Resp) \
  grpc::Status Name(Ctx*, const ::mirrormanager::catalog::v1::Req*, ::mirrormanager::catalog::v1::Resp*) override
  MM_RPC(ListCrawlHosts, ListCrawlHostsRequest, ListCrawlHostsResponse);
  MM_RPC(BeginCrawl, BeginCrawlRequest, BeginCrawlResponse);
  MM_RPC(AcquireHosts, AcquireHostsRequest, AcquireHostsResponse);
  MM_RPC(RenewLeases, RenewLeasesRequest, RenewLeasesResponse);
  MM_RPC(ReleaseHosts, ReleaseHostsRequest, Empty);
  MM_RPC(GetCategoryTree, GetCategoryTreeRequest, GetCategoryTreeResponse);
  MM_RPC(ReportCategory, ReportCategoryRequest, ReportCategoryResponse);
  MM_RPC(CompleteHost, CompleteHostRequest, CompleteHostResponse);
  MM_RPC(ListContinentRedirects, ListContinentRedirectsRequest, ListContinentRedirectsResponse);
  MM_RPC(FinishCrawl, FinishCrawlRequest, FinishCrawlResponse);
  MM_RPC(ListCrawlHistory, ListCrawlHistoryRequest, ListCrawlHistoryResponse);
  MM_RPC(GetPropagationTargets, GetPropagationTargetsRequest, GetPropagationTargetsResponse);
#undef MM_RPC

 private:
  CrawlStore& store_;
};

}  // namespace mm::catalog
