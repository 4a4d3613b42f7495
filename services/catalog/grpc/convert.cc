#include "services/catalog/grpc/convert.h"

namespace mm::catalog {
namespace {

template <typename T, typename Setter>
void SetOpt(const std::optional<T>& v, Setter set) {
  if (v) set(*v);
}

// Maps proto3 "optional x + clear_x" to set / clear / leave alone.
template <typename T>
std::optional<std::optional<T>> Patch(bool has, const T& value, bool clear) {
  if (clear) return std::optional<T>();
  if (has) return std::optional<T>(value);
  return std::nullopt;
}

}  // namespace

void ToProto(const Product& in, pb::Product* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_publiclist(in.publiclist);
}

void ToProto(const Version& in, pb::Version* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_product_id(in.product_id);
  out->set_product_name(in.product_name);
  SetOpt(in.codename, [&](const std::string& v) { out->set_codename(v); });
  out->set_is_test(in.is_test);
  out->set_display(in.display);
  SetOpt(in.display_name, [&](const std::string& v) { out->set_display_name(v); });
  out->set_ordered_mirrorlist(in.ordered_mirrorlist);
  out->set_sortorder(in.sortorder);
}

void ToProto(const Arch& in, pb::Arch* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_publiclist(in.publiclist);
  out->set_primary_arch(in.primary_arch);
}

void ToProto(const Category& in, pb::Category* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_product_id(in.product_id);
  out->set_product_name(in.product_name);
  out->set_topdir_id(in.topdir_id);
  out->set_topdir(in.topdir_name);
  SetOpt(in.canonicalhost, [&](const std::string& v) { out->set_canonicalhost(v); });
  out->set_publiclist(in.publiclist);
  SetOpt(in.geo_dns_domain, [&](const std::string& v) { out->set_geo_dns_domain(v); });
  out->set_admin_only(in.admin_only);
}

void ToProto(const Directory& in, pb::Directory* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_readable(in.readable);
  out->set_ctime(in.ctime);
  for (const auto& f : in.files) {
    auto* pf = out->add_files();
    pf->set_name(f.name);
    pf->set_size(f.size);
    pf->set_timestamp(f.timestamp);
  }
}

void ToProto(const Repository& in, pb::Repository* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  SetOpt(in.prefix, [&](const std::string& v) { out->set_prefix(v); });
  out->set_category_id(in.category_id);
  out->set_category_name(in.category_name);
  out->set_version_id(in.version_id);
  out->set_version_name(in.version_name);
  out->set_arch_id(in.arch_id);
  out->set_arch_name(in.arch_name);
  out->set_directory_id(in.directory_id);
  out->set_directory_name(in.directory_name);
  out->set_disabled(in.disabled);
}

void ToProto(const SiteAdmin& in, pb::SiteAdmin* out) {
  out->set_id(in.id);
  out->set_site_id(in.site_id);
  out->set_username(in.username);
}

void ToProto(const Site& in, pb::Site* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_has_password(in.has_password);
  SetOpt(in.org_url, [&](const std::string& v) { out->set_org_url(v); });
  out->set_private_(in.private_);
  out->set_admin_active(in.admin_active);
  out->set_user_active(in.user_active);
  out->set_created_at(in.created_at);
  out->set_created_by(in.created_by);
  out->set_all_sites_can_pull_from_me(in.all_sites_can_pull_from_me);
  SetOpt(in.downstream_comments, [&](const std::string& v) { out->set_downstream_comments(v); });
  out->set_email_on_drop(in.email_on_drop);
  out->set_email_on_add(in.email_on_add);
  for (const auto& a : in.admins) ToProto(a, out->add_admins());
}

void ToProto(const Host& in, pb::Host* out) {
  out->set_id(in.id);
  out->set_site_id(in.site_id);
  out->set_site_name(in.site_name);
  out->set_name(in.name);
  SetOpt(in.robot_email, [&](const std::string& v) { out->set_robot_email(v); });
  out->set_admin_active(in.admin_active);
  out->set_user_active(in.user_active);
  out->set_country(in.country);
  SetOpt(in.bandwidth_int, [&](int32_t v) { out->set_bandwidth_int(v); });
  SetOpt(in.comment, [&](const std::string& v) { out->set_comment(v); });
  SetOpt(in.last_checked_in, [&](int64_t v) { out->set_last_checked_in(v); });
  SetOpt(in.last_crawled, [&](int64_t v) { out->set_last_crawled(v); });
  out->set_private_(in.private_);
  out->set_internet2(in.internet2);
  out->set_internet2_clients(in.internet2_clients);
  SetOpt(in.asn, [&](int32_t v) { out->set_asn(v); });
  out->set_asn_clients(in.asn_clients);
  out->set_max_connections(in.max_connections);
  SetOpt(in.last_crawl_duration, [&](int64_t v) { out->set_last_crawl_duration(v); });
  out->set_crawl_failures(in.crawl_failures);
  SetOpt(in.disable_reason, [&](const std::string& v) { out->set_disable_reason(v); });
  SetOpt(in.latitude, [&](double v) { out->set_latitude(v); });
  SetOpt(in.longitude, [&](double v) { out->set_longitude(v); });
}

void ToProto(const HostCategoryUrl& in, pb::HostCategoryUrl* out) {
  out->set_id(in.id);
  out->set_host_category_id(in.host_category_id);
  out->set_url(in.url);
  out->set_private_(in.private_);
}

void ToProto(const HostCategory& in, pb::HostCategory* out) {
  out->set_id(in.id);
  out->set_host_id(in.host_id);
  out->set_category_id(in.category_id);
  out->set_category_name(in.category_name);
  out->set_always_up2date(in.always_up2date);
  for (const auto& u : in.urls) ToProto(u, out->add_urls());
}

VersionUpsert FromProto(const pb::Version& in) {
  VersionUpsert v;
  v.product_name = in.product_name();
  v.name = in.name();
  v.codename = Patch(in.has_codename(), in.codename(), in.clear_codename());
  if (in.has_is_test()) v.is_test = in.is_test();
  if (in.has_display()) v.display = in.display();
  v.display_name = Patch(in.has_display_name(), in.display_name(), in.clear_display_name());
  if (in.has_ordered_mirrorlist()) v.ordered_mirrorlist = in.ordered_mirrorlist();
  if (in.has_sortorder()) v.sortorder = in.sortorder();
  return v;
}

CategoryUpsert FromProto(const pb::Category& in) {
  CategoryUpsert c;
  c.name = in.name();
  if (in.has_product_name()) c.product_name = in.product_name();
  if (in.has_topdir()) c.topdir_name = in.topdir();
  if (in.has_canonicalhost()) c.canonicalhost = std::optional<std::string>(in.canonicalhost());
  if (in.has_publiclist()) c.publiclist = in.publiclist();
  if (in.has_geo_dns_domain()) c.geo_dns_domain = std::optional<std::string>(in.geo_dns_domain());
  if (in.has_admin_only()) c.admin_only = in.admin_only();
  return c;
}

RepositoryUpsert FromProto(const pb::Repository& in) {
  RepositoryUpsert r;
  r.name = in.name();
  r.prefix = Patch(in.has_prefix(), in.prefix(), in.clear_prefix());
  if (in.has_category_name()) r.category_name = in.category_name();
  if (in.has_product_name()) r.product_name = in.product_name();
  if (in.has_version_name()) r.version_name = in.version_name();
  if (in.has_arch_name()) r.arch_name = in.arch_name();
  if (in.has_directory_name()) r.directory_name = in.directory_name();
  if (in.has_disabled()) r.disabled = in.disabled();
  return r;
}

DirectoryUpsert FromProto(const pb::Directory& in) {
  DirectoryUpsert d;
  d.name = in.name();
  if (in.has_readable()) d.readable = in.readable();
  if (in.has_ctime()) d.ctime = in.ctime();
  if (in.set_files() || in.files_size() > 0) {
    std::vector<DirectoryFile> files;
    for (const auto& f : in.files()) files.push_back(DirectoryFile{f.name(), f.size(), f.timestamp()});
    d.files = std::move(files);
  }
  return d;
}

SiteFields FromProto(const pb::SiteFields& in) {
  SiteFields f;
  if (in.has_name()) f.name = in.name();
  if (in.has_password()) f.password = in.password();
  f.org_url = Patch(in.has_org_url(), in.org_url(), in.clear_org_url());
  if (in.has_private_()) f.private_ = in.private_();
  if (in.has_admin_active()) f.admin_active = in.admin_active();
  if (in.has_user_active()) f.user_active = in.user_active();
  if (in.has_created_by()) f.created_by = in.created_by();
  if (in.has_all_sites_can_pull_from_me()) f.all_sites_can_pull_from_me = in.all_sites_can_pull_from_me();
  f.downstream_comments =
      Patch(in.has_downstream_comments(), in.downstream_comments(), in.clear_downstream_comments());
  if (in.has_email_on_drop()) f.email_on_drop = in.email_on_drop();
  if (in.has_email_on_add()) f.email_on_add = in.email_on_add();
  return f;
}

HostFields FromProto(const pb::HostFields& in) {
  HostFields f;
  if (in.has_name()) f.name = in.name();
  f.robot_email = Patch(in.has_robot_email(), in.robot_email(), in.clear_robot_email());
  if (in.has_admin_active()) f.admin_active = in.admin_active();
  if (in.has_user_active()) f.user_active = in.user_active();
  if (in.has_country()) f.country = in.country();
  f.bandwidth_int = Patch(in.has_bandwidth_int(), in.bandwidth_int(), in.clear_bandwidth_int());
  f.comment = Patch(in.has_comment(), in.comment(), in.clear_comment());
  if (in.has_private_()) f.private_ = in.private_();
  if (in.has_internet2()) f.internet2 = in.internet2();
  if (in.has_internet2_clients()) f.internet2_clients = in.internet2_clients();
  f.asn = Patch(in.has_asn(), in.asn(), in.clear_asn());
  if (in.has_asn_clients()) f.asn_clients = in.asn_clients();
  if (in.has_max_connections()) f.max_connections = in.max_connections();
  f.disable_reason = Patch(in.has_disable_reason(), in.disable_reason(), in.clear_disable_reason());
  f.latitude = Patch(in.has_latitude(), in.latitude(), in.clear_location());
  f.longitude = Patch(in.has_longitude(), in.longitude(), in.clear_location());
  return f;
}

}  // namespace mm::catalog
