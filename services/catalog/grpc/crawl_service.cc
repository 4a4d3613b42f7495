#include "services/catalog/grpc/crawl_service.h"

#include "services/catalog/store/crawl_store.h"
#include "services/common/grpc_status.h"

namespace mm::catalog {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using grpc::Status;

template <typename T>
std::vector<T> Vec(const google::protobuf::RepeatedField<T>& f) {
  return {f.begin(), f.end()};
}
std::vector<std::string> Vec(const google::protobuf::RepeatedPtrField<std::string>& f) {
  return {f.begin(), f.end()};
}

void ToProto(const CrawlHostInfo& in, pb::CrawlHost* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_country(in.country);
  out->set_private_(in.private_);
  out->set_user_active(in.user_active);
  out->set_crawl_failures(in.crawl_failures);
  out->set_site_id(in.site_id);
  out->set_site_name(in.site_name);
  for (const auto& hc : in.categories) {
    auto* c = out->add_categories();
    c->set_id(hc.id);
    c->set_category_id(hc.category_id);
    c->set_category_name(hc.category_name);
    c->set_topdir(hc.topdir);
    c->set_always_up2date(hc.always_up2date);
    for (const auto& u : hc.urls) c->add_urls(u);
  }
}

}  // namespace

Status CrawlService::ListCrawlHosts(Ctx*, const pb::ListCrawlHostsRequest* in,
                                    pb::ListCrawlHostsResponse* out) {
  CrawlHostQuery q{in->include_disabled(), in->include_private(), Vec(in->category_names())};
  auto r = store_.ListHosts(q);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (const auto& h : *r) {
    auto* p = out->add_hosts();
    p->set_id(h.id);
    p->set_name(h.name);
    if (h.last_crawl_duration) p->set_last_crawl_duration(*h.last_crawl_duration);
  }
  return Status::OK;
}

Status CrawlService::BeginCrawl(Ctx*, const pb::BeginCrawlRequest* in,
                                pb::BeginCrawlResponse* out) {
  static const char* kModes[] = {"full", "canary", "repodata", "propagation"};
  int mode = static_cast<int>(in->mode());
  auto r = store_.BeginCrawl(in->crawl_id(), kModes[mode >= 0 && mode < 4 ? mode : 0]);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_started_at(*r);
  return Status::OK;
}

Status CrawlService::AcquireHosts(Ctx*, const pb::AcquireHostsRequest* in,
                                  pb::AcquireHostsResponse* out) {
  AcquireRequest req;
  req.crawl_id = in->crawl_id();
  req.holder = in->holder();
  req.candidates = Vec(in->candidate_host_ids());
  req.max_hosts = in->max_hosts();
  req.lease_seconds = in->lease_seconds();
  req.category_names = Vec(in->category_names());
  req.held_host_ids = Vec(in->held_host_ids());
  auto r = store_.Acquire(req);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (const auto& h : r->hosts) ToProto(h, out->add_hosts());
  out->set_leased_elsewhere(r->leased_elsewhere);
  out->set_completed(r->completed);
  return Status::OK;
}

Status CrawlService::RenewLeases(Ctx*, const pb::RenewLeasesRequest* in,
                                 pb::RenewLeasesResponse* out) {
  auto r = store_.Renew(in->crawl_id(), in->holder(), Vec(in->host_ids()), in->lease_seconds());
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (int64_t id : *r) out->add_lost_host_ids(id);
  return Status::OK;
}

Status CrawlService::ReleaseHosts(Ctx*, const pb::ReleaseHostsRequest* in, pb::Empty*) {
  return common::ToGrpcStatus(store_.Release(in->crawl_id(), in->holder(), Vec(in->host_ids())));
}

Status CrawlService::GetCategoryTree(Ctx*, const pb::GetCategoryTreeRequest* in,
                                     pb::GetCategoryTreeResponse* out) {
  auto r =
      store_.CategoryTree(in->category_id(), in->repodata_only(), in->after_name(), in->limit());
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (const auto& d : r->directories) {
    auto* p = out->add_directories();
    p->set_id(d.id);
    p->set_name(d.name);
    p->set_path(d.path);
    p->set_repomd_sha256(d.repomd_sha256);
    for (const auto& f : d.files) {
      auto* pf = p->add_files();
      pf->set_name(f.name);
      pf->set_size(f.size);
      pf->set_timestamp(f.timestamp);
    }
  }
  for (const auto& n : r->fft_names) out->add_fft_names(n);
  out->set_more(r->more);
  return Status::OK;
}

Status CrawlService::ReportCategory(Ctx*, const pb::ReportCategoryRequest* in,
                                    pb::ReportCategoryResponse* out) {
  CategoryReport rep;
  rep.crawl_id = in->crawl_id();
  rep.holder = in->holder();
  rep.host_id = in->host_id();
  rep.host_category_id = in->host_category_id();
  rep.mode = static_cast<CrawlModeValue>(in->mode());
  rep.up2date_ids = Vec(in->up2date_directory_ids());
  rep.stale_ids = Vec(in->stale_directory_ids());
  rep.unknown = in->unknown_directories();
  rep.total = in->total_directories();
  rep.mark_unseen = in->mark_unseen();
  rep.method = in->method();
  rep.result = in->result();
  rep.duration_ms = in->duration_ms();
  rep.url = in->url();
  rep.requests = in->requests();
  auto r = store_.ReportCategory(rep);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_up2date(r->up2date);
  out->set_not_up2date(r->not_up2date);
  out->set_unchanged(r->unchanged);
  out->set_created(r->created);
  out->set_marked_unseen(r->marked_unseen);
  out->set_unreadable(r->unreadable);
  return Status::OK;
}

Status CrawlService::CompleteHost(Ctx*, const pb::CompleteHostRequest* in,
                                  pb::CompleteHostResponse* out) {
  HostCompletion c;
  c.crawl_id = in->crawl_id();
  c.holder = in->holder();
  c.host_id = in->host_id();
  c.status = static_cast<CrawlStatusValue>(in->status());
  c.details = in->details();
  c.finished_at = in->finished_at();
  c.duration_seconds = in->duration_seconds();
  c.mode = static_cast<CrawlModeValue>(in->mode());
  if (in->has_auto_disable()) c.auto_disable = in->auto_disable();  // else upstream's default
  c.release = in->release();
  for (const auto& p : in->propagation()) {
    c.propagation.push_back({p.repository_id(), static_cast<int>(p.state())});
  }
  c.propagation_datetime = in->propagation_datetime();
  auto r = store_.CompleteHost(c);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_already_completed(r->already_completed);
  out->set_marked_not_up2date(r->marked_not_up2date);
  out->set_disabled(r->disabled);
  out->set_crawl_failures(r->crawl_failures);
  out->set_disable_reason(r->disable_reason);
  if (r->disabled_notice) {
    const DisabledHostNotice& n = *r->disabled_notice;
    auto* p = out->mutable_disabled_notice();
    p->set_site_id(n.site_id);
    p->set_site_name(n.site_name);
    p->set_site_org_url(n.site_org_url);
    for (const auto& a : n.admin_usernames) p->add_admin_usernames(a);
    for (const auto& e : n.admin_emails) p->add_admin_emails(e);
    p->set_host_id(n.host_id);
    p->set_host_name(n.host_name);
    p->set_country(n.country);
    if (n.bandwidth) p->set_bandwidth(*n.bandwidth);
    if (n.asn) p->set_asn(*n.asn);
  }
  return Status::OK;
}

Status CrawlService::ListContinentRedirects(Ctx*, const pb::ListContinentRedirectsRequest*,
                                            pb::ListContinentRedirectsResponse* out) {
  auto r = store_.ContinentRedirects();
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (const auto& [country, continent] : *r) {
    auto* p = out->add_redirects();
    p->set_country(country);
    p->set_continent(continent);
  }
  return Status::OK;
}

Status CrawlService::FinishCrawl(Ctx*, const pb::FinishCrawlRequest* in,
                                 pb::FinishCrawlResponse* out) {
  auto r = store_.Prune(in->crawl_id(), in->history_keep_days());
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_history_deleted(*r);
  return Status::OK;
}

Status CrawlService::ListCrawlHistory(Ctx*, const pb::ListCrawlHistoryRequest* in,
                                      pb::ListCrawlHistoryResponse* out) {
  auto r = store_.History(in->host_id(), in->category_id(), in->limit());
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (const auto& h : *r) {
    auto* p = out->add_entries();
    p->set_host_id(h.host_id);
    p->set_host_category_id(h.host_category_id);
    p->set_category_id(h.category_id);
    p->set_category_name(h.category_name);
    p->set_crawled_at(h.crawled_at);
    p->set_crawl_id(h.crawl_id);
    p->set_mode(h.mode);
    p->set_method(h.method);
    p->set_directories_up2date(h.up2date);
    p->set_directories_total(h.total);
    p->set_directories_stale(h.stale);
    p->set_directories_unknown(h.unknown);
    p->set_result(h.result);
    p->set_duration_ms(h.duration_ms);
    p->set_url(h.url);
    p->set_requests(h.requests);
  }
  return Status::OK;
}

Status CrawlService::GetPropagationTargets(Ctx*, const pb::GetPropagationTargetsRequest* in,
                                           pb::GetPropagationTargetsResponse* out) {
  std::vector<PropagationReleaseKey> keys;
  for (const auto& r : in->releases()) keys.push_back({r.product(), r.version(), r.prefix()});
  auto r = store_.PropagationTargets(keys);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  for (const auto& repo : *r) {
    auto* p = out->add_repositories();
    p->set_id(repo.id);
    p->set_name(repo.name);
    p->set_product(repo.product);
    p->set_version(repo.version);
    p->set_arch(repo.arch);
    p->set_category_id(repo.category_id);
    p->set_topdir(repo.topdir);
    p->set_directory_name(repo.directory_name);
    p->set_has_repodata_directory(repo.has_repodata_directory);
    for (const auto& fd : repo.repomd_history) {
      auto* f = p->add_repomd_history();
      f->set_id(fd.id);
      f->set_timestamp(fd.timestamp);
      f->set_sha256(fd.sha256);
    }
  }
  return Status::OK;
}

}  // namespace mm::catalog
