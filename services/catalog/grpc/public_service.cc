#include "services/catalog/grpc/public_service.h"

#include "services/catalog/store/checkin_store.h"
#include "services/catalog/store/public_store.h"
#include "services/common/grpc_status.h"

namespace mm::catalog {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using grpc::Status;

template <typename T>
Status Fail(const absl::StatusOr<T>& s) {
  return common::ToGrpcStatus(s.status());
}

void ToProto(const pub::Host& h, pb::PublicHost* out) {
  out->set_id(h.id);
  out->set_name(h.name);
  out->set_country(h.country);
  if (h.bandwidth_int) out->set_bandwidth_int(*h.bandwidth_int);
  out->set_internet2(h.internet2);
  out->set_internet2_clients(h.internet2_clients);
  if (h.comment) out->set_comment(*h.comment);
  out->set_site_id(h.site_id);
  out->set_site_name(h.site_name);
  if (h.site_org_url) out->set_site_org_url(*h.site_org_url);
  for (const auto& c : h.categories) {
    auto* pc = out->add_categories();
    pc->set_category_id(c.category_id);
    pc->set_category_name(c.category_name);
    pc->set_directories(c.directories);
    pc->set_up_to_date(c.up_to_date);
    for (const auto& u : c.urls) {
      auto* pu = pc->add_urls();
      pu->set_url(u.url);
      pu->set_private_(u.private_);
    }
  }
  for (int64_t id : h.allowed_country_ids) out->add_allowed_country_ids(id);
  if (h.last_crawled) out->set_last_crawled(*h.last_crawled);
  if (h.last_checked_in) out->set_last_checked_in(*h.last_checked_in);
  out->set_crawl_failures(h.crawl_failures);
}

}  // namespace

Status PublicDataService::GetPublicSnapshot(Ctx*, const pb::Empty*, pb::PublicSnapshot* out) {
  auto s = store_.Snapshot();
  if (!s.ok()) return Fail(s);
  out->set_generated_at(s->generated_at);
  for (const auto& p : s->products) {
    auto* o = out->add_products();
    o->set_id(p.id);
    o->set_name(p.name);
    o->set_publiclist(p.publiclist);
  }
  for (const auto& v : s->versions) {
    auto* o = out->add_versions();
    o->set_id(v.id);
    o->set_product_id(v.product_id);
    o->set_name(v.name);
    if (v.display_name) o->set_display_name(*v.display_name);
    o->set_display(v.display);
    for (int64_t a : v.arch_ids) o->add_arch_ids(a);
  }
  for (const auto& a : s->arches) {
    auto* o = out->add_arches();
    o->set_id(a.id);
    o->set_name(a.name);
    o->set_publiclist(a.publiclist);
  }
  for (const auto& c : s->categories) {
    auto* o = out->add_categories();
    o->set_id(c.id);
    o->set_name(c.name);
    o->set_product_id(c.product_id);
    for (const auto& [version, arch] : c.repositories) {
      auto* r = o->add_repositories();
      r->set_version_id(version);
      r->set_arch_id(arch);
    }
  }
  for (const auto& c : s->countries) {
    auto* o = out->add_countries();
    o->set_id(c.id);
    o->set_code(c.code);
    o->set_in_host_country(c.in_host_country);
  }
  for (const auto& h : s->hosts) ToProto(h, out->add_hosts());
  return Status::OK;
}

Status PublicDataService::GetAccessStats(Ctx*, const pb::AccessStatsRequest* in,
                                         pb::AccessStatsResponse* out) {
  auto s = store_.AccessStats(in->date(), in->category());
  if (!s.ok()) return Fail(s);
  for (const auto& r : s->rows) {
    auto* o = out->add_rows();
    o->set_name(r.name);
    o->set_percent(r.percent);
    o->set_requests(r.requests);
  }
  out->set_has_previous(s->has_previous);
  out->set_has_next(s->has_next);
  return Status::OK;
}

Status PublicDataService::GetPropagation(Ctx*, const pb::PropagationRequest* in,
                                         pb::PropagationResponse* out) {
  auto s = store_.Propagation(in->repository_id());
  if (!s.ok()) return Fail(s);
  for (const auto& v : s->versions) {
    auto* o = out->add_versions();
    o->set_product(v.product);
    o->set_version(v.version);
    for (const auto& r : v.repos) {
      auto* pr = o->add_repos();
      pr->set_id(r.id);
      pr->set_prefix(r.prefix);
      pr->set_arch(r.arch);
      pr->set_average(r.average);
    }
  }
  out->set_product(s->product);
  out->set_version(s->version);
  out->set_prefix(s->prefix);
  out->set_arch(s->arch);
  for (const auto& p : s->points) {
    auto* o = out->add_points();
    o->set_datetime(p.datetime);
    o->set_same_day(p.same_day);
    o->set_one_day(p.one_day);
    o->set_two_day(p.two_day);
    o->set_older(p.older);
    o->set_no_info(p.no_info);
  }
  return Status::OK;
}

Status PublicDataService::ListMapUrls(Ctx*, const pb::Empty*, pb::MapUrlsResponse* out) {
  auto s = store_.MapUrls();
  if (!s.ok()) return Fail(s);
  for (const auto& u : *s) {
    auto* o = out->add_urls();
    o->set_url(u.url);
    o->set_latitude(u.latitude);
    o->set_longitude(u.longitude);
    if (u.site_name) o->set_site_name(*u.site_name);
  }
  return Status::OK;
}

Status PublicDataService::ListRsyncFilterDirectories(Ctx*, const pb::RsyncFilterRequest* in,
                                                     pb::RsyncFilterResponse* out) {
  auto s = store_.RsyncFilterDirectories({in->categories().begin(), in->categories().end()},
                                         in->since());
  if (!s.ok()) return Fail(s);
  for (const auto& d : *s) out->add_directories(d);
  return Status::OK;
}

Status PublicDataService::ListMirrorAdmins(Ctx*, const pb::MirrorAdminsRequest* in,
                                           pb::MirrorAdminsResponse* out) {
  auto s =
      store_.MirrorAdmins(in->has_name() ? std::optional<std::string>(in->name()) : std::nullopt);
  if (!s.ok()) return Fail(s);
  for (const auto& a : *s) out->add_admins(a);
  return Status::OK;
}

Status PublicDataService::ListApiRepositories(Ctx*, const pb::Empty*,
                                              pb::ApiRepositoriesResponse* out) {
  auto s = store_.ApiRepositories();
  if (!s.ok()) return Fail(s);
  for (const auto& r : *s) {
    auto* o = out->add_repositories();
    if (r.prefix) o->set_prefix(*r.prefix);
    o->set_name(r.name);
    if (r.directory) o->set_directory(*r.directory);
  }
  return Status::OK;
}

Status PublicDataService::GetHostStatus(Ctx*, const pb::HostStatusRequest* in,
                                        pb::HostStatus* out) {
  auto s = store_.HostStatus(in->host_id());
  if (!s.ok()) return Fail(s);
  out->set_id(s->id);
  out->set_name(s->name);
  out->set_site_id(s->site_id);
  out->set_site_name(s->site_name);
  out->set_country(s->country);
  out->set_host_private(s->host_private);
  out->set_site_private(s->site_private);
  out->set_host_admin_active(s->host_admin_active);
  out->set_host_user_active(s->host_user_active);
  out->set_site_admin_active(s->site_admin_active);
  out->set_site_user_active(s->site_user_active);
  if (s->last_crawled) out->set_last_crawled(*s->last_crawled);
  if (s->last_checked_in) out->set_last_checked_in(*s->last_checked_in);
  if (s->last_crawl_duration) out->set_last_crawl_duration(*s->last_crawl_duration);
  out->set_crawl_failures(s->crawl_failures);
  if (s->disable_reason) out->set_disable_reason(*s->disable_reason);
  for (const auto& c : s->categories) {
    auto* o = out->add_categories();
    o->set_category(c.category);
    o->set_always_up2date(c.always_up2date);
    o->set_directories(c.directories);
    o->set_up_to_date(c.up_to_date);
    o->set_public_urls(c.public_urls);
    o->set_private_urls(c.private_urls);
  }
  return Status::OK;
}

Status PublicDataService::Explain(Ctx*, const pb::ExplainRequest* in, pb::ExplainResponse* out) {
  auto s = store_.Explain({in->host_id(), in->repo(), in->arch(), in->path()});
  if (!s.ok()) return Fail(s);
  out->set_host_id(s->host_id);
  out->set_host_name(s->host_name);
  out->set_directory(s->directory);
  out->set_category(s->category);
  for (const auto& r : s->rules) {
    auto* o = out->add_rules();
    o->set_rule(r.rule);
    o->set_passed(r.passed);
    o->set_detail(r.detail);
  }
  out->set_offered(s->offered);
  out->set_offered_globally(s->offered_globally);
  for (const auto& c : s->allowed_countries) out->add_allowed_countries(c);
  out->set_summary(s->summary);
  return Status::OK;
}

Status CheckinService::Checkin(::grpc::ServerContext*, const pb::CheckinRequest* in,
                               pb::CheckinResponse* out) {
  CheckinInput input;
  input.site_name = in->site_name();
  input.site_password = in->site_password();
  input.host_name = in->host_name();
  input.host_name_not_string = in->host_name_not_string();
  if (in->has_user_active()) input.user_active = in->user_active();
  for (const auto& c : in->categories()) {
    input.categories.push_back({c.name(), {c.dirtree().begin(), c.dirtree().end()}});
  }
  auto r = store_.Checkin(input);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  switch (r->code) {
    case CheckinResult::Code::kOk:
      out->set_result(pb::CheckinResponse::OK);
      break;
    case CheckinResult::Code::kAuthFailed:
      out->set_result(pb::CheckinResponse::AUTH_FAILED);
      break;
    case CheckinResult::Code::kHostNotFound:
      out->set_result(pb::CheckinResponse::HOST_NOT_FOUND);
      break;
    case CheckinResult::Code::kNotPrivate:
      out->set_result(pb::CheckinResponse::NOT_PRIVATE);
      break;
  }
  out->set_message(r->message);
  out->set_host_id(r->host_id);
  return Status::OK;
}

}  // namespace mm::catalog
