#include "services/crawler/catalog_client.h"

#include "mirrormanager/catalog/v1/crawl.grpc.pb.h"
#include "mirrormanager/catalog/v1/reference.grpc.pb.h"
#include "services/common/grpc_client.h"

namespace mm::crawler {

namespace pb = ::mirrormanager::catalog::v1;

struct GrpcCrawlCatalog::Impl {
  common::RpcOptions rpc;
  std::unique_ptr<pb::Crawler::Stub> stub;
  std::unique_ptr<pb::ReferenceData::Stub> reference;
};

namespace {

HostInfo FromProto(const pb::CrawlHost& in) {
  HostInfo h;
  h.id = in.id();
  h.name = in.name();
  h.country = in.country();
  h.private_ = in.private_();
  h.user_active = in.user_active();
  h.site_id = in.site_id();
  h.site_name = in.site_name();
  for (const auto& c : in.categories()) {
    HostCategoryInfo hc;
    hc.id = c.id();
    hc.category_id = c.category_id();
    hc.category_name = c.category_name();
    hc.topdir = c.topdir();
    hc.always_up2date = c.always_up2date();
    hc.urls.assign(c.urls().begin(), c.urls().end());
    h.categories.push_back(std::move(hc));
  }
  return h;
}

}  // namespace

GrpcCrawlCatalog::GrpcCrawlCatalog(const std::string& address, common::RpcOptions rpc)
    : impl_(new Impl{rpc, nullptr, nullptr}) {
  auto channel = common::CreateChannel(address);
  impl_->stub = pb::Crawler::NewStub(channel);
  impl_->reference = pb::ReferenceData::NewStub(channel);
}

absl::StatusOr<std::vector<std::string>> GrpcCrawlCatalog::CategoryNames() {
  pb::ListCategoriesRequest req;
  pb::ListCategoriesResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->reference->ListCategories(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  std::vector<std::string> out;
  for (const auto& c : resp.categories()) out.push_back(c.name());
  return out;
}

GrpcCrawlCatalog::~GrpcCrawlCatalog() = default;

absl::StatusOr<std::vector<HostRef>> GrpcCrawlCatalog::ListHosts(const HostSelection& sel) {
  pb::ListCrawlHostsRequest req;
  req.set_include_disabled(sel.include_disabled);
  req.set_include_private(sel.include_private);
  for (const auto& c : sel.categories) req.add_category_names(c);
  pb::ListCrawlHostsResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->ListCrawlHosts(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  std::vector<HostRef> out;
  for (const auto& h : resp.hosts()) {
    HostRef r{h.id(), h.name(), std::nullopt};
    if (h.has_last_crawl_duration()) r.last_crawl_duration = h.last_crawl_duration();
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<int64_t> GrpcCrawlCatalog::BeginCrawl(const std::string& crawl_id,
                                                     const std::string& holder, CrawlMode mode) {
  pb::BeginCrawlRequest req;
  req.set_crawl_id(crawl_id);
  req.set_holder(holder);
  req.set_mode(static_cast<pb::CrawlMode>(mode));
  pb::BeginCrawlResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->BeginCrawl(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  return resp.started_at();
}

absl::StatusOr<LeaseGrant> GrpcCrawlCatalog::Acquire(const LeaseRequest& r) {
  pb::AcquireHostsRequest req;
  req.set_crawl_id(r.crawl_id);
  req.set_holder(r.holder);
  for (int64_t id : r.candidates) req.add_candidate_host_ids(id);
  req.set_max_hosts(r.max_hosts);
  req.set_lease_seconds(r.lease_seconds);
  for (const auto& c : r.categories) req.add_category_names(c);
  for (int64_t id : r.held) req.add_held_host_ids(id);
  pb::AcquireHostsResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->AcquireHosts(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  LeaseGrant g;
  for (const auto& h : resp.hosts()) g.hosts.push_back(FromProto(h));
  g.leased_elsewhere = resp.leased_elsewhere();
  g.completed = resp.completed();
  return g;
}

absl::StatusOr<std::vector<int64_t>> GrpcCrawlCatalog::Renew(const std::string& crawl_id,
                                                             const std::string& holder,
                                                             const std::vector<int64_t>& ids,
                                                             int lease_seconds) {
  pb::RenewLeasesRequest req;
  req.set_crawl_id(crawl_id);
  req.set_holder(holder);
  for (int64_t id : ids) req.add_host_ids(id);
  req.set_lease_seconds(lease_seconds);
  pb::RenewLeasesResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->RenewLeases(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  return std::vector<int64_t>(resp.lost_host_ids().begin(), resp.lost_host_ids().end());
}

absl::Status GrpcCrawlCatalog::Release(const std::string& crawl_id, const std::string& holder,
                                       const std::vector<int64_t>& ids) {
  pb::ReleaseHostsRequest req;
  req.set_crawl_id(crawl_id);
  req.set_holder(holder);
  for (int64_t id : ids) req.add_host_ids(id);
  pb::Empty resp;
  return common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->ReleaseHosts(ctx, req, &resp);
  });
}

absl::StatusOr<std::shared_ptr<CategoryTree>> GrpcCrawlCatalog::LoadCategoryTree(
    int64_t category_id, bool repodata_only) {
  auto tree = std::make_shared<CategoryTree>();
  tree->category_id = category_id;
  tree->repodata_only = repodata_only;
  std::string after;
  for (int page = 0; page < 100000; ++page) {
    pb::GetCategoryTreeRequest req;
    req.set_category_id(category_id);
    req.set_repodata_only(repodata_only);
    req.set_after_name(after);
    req.set_limit(10000);
    pb::GetCategoryTreeResponse resp;
    absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
      return impl_->stub->GetCategoryTree(ctx, req, &resp);
    });
    if (!s.ok()) return s;
    if (page == 0) tree->fft_names.assign(resp.fft_names().begin(), resp.fft_names().end());
    for (const auto& d : resp.directories()) {
      MasterDirectory m;
      m.id = d.id();
      m.path = d.path();
      m.repomd_sha256 = d.repomd_sha256();
      for (const auto& f : d.files()) m.files.push_back({f.name(), f.size(), f.timestamp()});
      tree->dirs.push_back(std::move(m));
      after = d.name();
    }
    if (!resp.more() || resp.directories().empty()) break;
  }
  return tree;
}

absl::StatusOr<CategoryReportCounts> GrpcCrawlCatalog::ReportCategory(const CategoryReportData& r) {
  pb::ReportCategoryRequest req;
  req.set_crawl_id(r.crawl_id);
  req.set_holder(r.holder);
  req.set_host_id(r.host_id);
  req.set_host_category_id(r.host_category_id);
  req.set_mode(static_cast<pb::CrawlMode>(r.mode));
  for (int64_t id : r.up2date_ids) req.add_up2date_directory_ids(id);
  for (int64_t id : r.stale_ids) req.add_stale_directory_ids(id);
  req.set_unknown_directories(r.unknown);
  req.set_total_directories(r.total);
  req.set_mark_unseen(r.mark_unseen);
  req.set_method(r.method);
  req.set_result(r.result);
  req.set_duration_ms(r.duration_ms);
  req.set_url(r.url);
  req.set_requests(r.requests);
  pb::ReportCategoryResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->ReportCategory(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  return CategoryReportCounts{resp.up2date(), resp.not_up2date(),   resp.unchanged(),
                              resp.created(), resp.marked_unseen(), resp.unreadable()};
}

absl::StatusOr<HostCompletionOutcome> GrpcCrawlCatalog::CompleteHost(const HostCompletionData& d) {
  pb::CompleteHostRequest req;
  req.set_crawl_id(d.crawl_id);
  req.set_holder(d.holder);
  req.set_host_id(d.host_id);
  req.set_status(static_cast<pb::CrawlStatus>(d.status));
  req.set_details(d.details);
  req.set_finished_at(d.finished_at);
  req.set_duration_seconds(d.duration_seconds);
  req.set_mode(static_cast<pb::CrawlMode>(d.mode));
  if (d.auto_disable) req.set_auto_disable(*d.auto_disable);
  req.set_release(d.release);
  for (const auto& [repo, state] : d.propagation) {
    auto* p = req.add_propagation();
    p->set_repository_id(repo);
    p->set_state(static_cast<pb::PropagationState>(state));
  }
  req.set_propagation_datetime(d.propagation_datetime);
  pb::CompleteHostResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->CompleteHost(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  HostCompletionOutcome out{resp.already_completed(), resp.marked_not_up2date(), resp.disabled(),
                            resp.crawl_failures(),    resp.disable_reason(),     std::nullopt};
  if (resp.has_disabled_notice()) {
    const auto& p = resp.disabled_notice();
    DisabledNotice n;
    n.site_id = p.site_id();
    n.site_name = p.site_name();
    n.site_org_url = p.site_org_url();
    n.admin_usernames.assign(p.admin_usernames().begin(), p.admin_usernames().end());
    n.admin_emails.assign(p.admin_emails().begin(), p.admin_emails().end());
    n.host_id = p.host_id();
    n.host_name = p.host_name();
    n.country = p.country();
    if (p.has_bandwidth()) n.bandwidth = p.bandwidth();
    if (p.has_asn()) n.asn = p.asn();
    out.disabled_notice = std::move(n);
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> GrpcCrawlCatalog::ContinentRedirects() {
  pb::ListContinentRedirectsRequest req;
  pb::ListContinentRedirectsResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->ListContinentRedirects(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  std::map<std::string, std::string> out;
  for (const auto& r : resp.redirects()) out[r.country()] = r.continent();
  return out;
}

absl::StatusOr<int> GrpcCrawlCatalog::FinishCrawl(const std::string& crawl_id,
                                                  const std::string& holder, int keep_days) {
  pb::FinishCrawlRequest req;
  req.set_crawl_id(crawl_id);
  req.set_holder(holder);
  req.set_history_keep_days(keep_days);
  pb::FinishCrawlResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->FinishCrawl(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  return resp.history_deleted();
}

absl::StatusOr<std::vector<PropagationRepo>> GrpcCrawlCatalog::PropagationTargets(
    const std::vector<PropagationTargetKey>& releases) {
  pb::GetPropagationTargetsRequest req;
  for (const auto& r : releases) {
    auto* p = req.add_releases();
    p->set_product(r.product);
    p->set_version(r.version);
    p->set_prefix(r.prefix);
  }
  pb::GetPropagationTargetsResponse resp;
  absl::Status s = common::CallWithRetry(impl_->rpc, [&](grpc::ClientContext* ctx) {
    return impl_->stub->GetPropagationTargets(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  std::vector<PropagationRepo> out;
  for (const auto& r : resp.repositories()) {
    PropagationRepo p;
    p.id = r.id();
    p.name = r.name();
    p.product = r.product();
    p.version = r.version();
    p.arch = r.arch();
    p.category_id = r.category_id();
    p.topdir = r.topdir();
    p.directory_name = r.directory_name();
    p.has_repodata_directory = r.has_repodata_directory();
    for (const auto& f : r.repomd_history())
      p.repomd_history.push_back({f.id(), f.timestamp(), f.sha256()});
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace mm::crawler
