#include "tools/seed/seed.h"

#include "absl/strings/str_cat.h"
#include "mirrormanager/catalog/v1/mirrors.grpc.pb.h"
#include "mirrormanager/catalog/v1/reference.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "services/common/grpc_client.h"
#include "services/common/status_macros.h"

namespace mm::tools {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using json = nlohmann::json;

// Calls one unary RPC with the retry policy; `what` names it in errors.
template <typename Stub, typename Req, typename Resp>
absl::Status Call(const common::RpcOptions& rpc, Stub* stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                  const Req& req, Resp* resp, const std::string& what) {
  absl::Status s = common::CallWithRetry(rpc, [&](grpc::ClientContext* ctx) {
    return (stub->*method)(ctx, req, resp);
  });
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
  return s;
}

std::string Str(const json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

template <typename Setter>
void IfBool(const json& j, const char* key, Setter set) {
  auto it = j.find(key);
  if (it != j.end() && it->is_boolean()) set(it->get<bool>());
}

}  // namespace

absl::StatusOr<SeedCounts> SeedCatalog(const std::string& json_text, const std::string& address,
                                       const common::RpcOptions& rpc) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("the seed file is not a JSON object");
  }
  auto channel = common::CreateChannel(address);
  auto ref = pb::ReferenceData::NewStub(channel);
  auto mirrors = pb::Mirrors::NewStub(channel);
  SeedCounts counts;
  auto list = [&](const char* key) { return doc.value(key, json::array()); };

  for (const auto& p : list("products")) {
    pb::Product req, resp;
    req.set_name(Str(p, "name"));
    IfBool(p, "publiclist", [&](bool v) { req.set_publiclist(v); });
    MM_RETURN_IF_ERROR(Call(rpc, ref.get(), &pb::ReferenceData::Stub::UpsertProduct, req, &resp, "product " + req.name()));
    ++counts.reference;
  }
  for (const auto& a : list("arches")) {
    pb::Arch req, resp;
    req.set_name(Str(a, "name"));
    IfBool(a, "publiclist", [&](bool v) { req.set_publiclist(v); });
    IfBool(a, "primary_arch", [&](bool v) { req.set_primary_arch(v); });
    MM_RETURN_IF_ERROR(Call(rpc, ref.get(), &pb::ReferenceData::Stub::UpsertArch, req, &resp, "arch " + req.name()));
    ++counts.reference;
  }
  for (const auto& v : list("versions")) {
    pb::Version req, resp;
    req.set_product_name(Str(v, "product"));
    req.set_name(Str(v, "name"));
    if (v.contains("display_name")) req.set_display_name(Str(v, "display_name"));
    IfBool(v, "display", [&](bool b) { req.set_display(b); });
    IfBool(v, "is_test", [&](bool b) { req.set_is_test(b); });
    MM_RETURN_IF_ERROR(Call(rpc, ref.get(), &pb::ReferenceData::Stub::UpsertVersion, req, &resp, "version " + req.name()));
    ++counts.reference;
  }
  for (const auto& c : list("categories")) {
    pb::Category req, resp;
    req.set_name(Str(c, "name"));
    if (c.contains("product")) req.set_product_name(Str(c, "product"));
    if (c.contains("topdir")) req.set_topdir(Str(c, "topdir"));
    IfBool(c, "admin_only", [&](bool b) { req.set_admin_only(b); });
    IfBool(c, "publiclist", [&](bool b) { req.set_publiclist(b); });
    MM_RETURN_IF_ERROR(Call(rpc, ref.get(), &pb::ReferenceData::Stub::UpsertCategory, req, &resp, "category " + req.name()));
    ++counts.reference;
  }
  if (auto cc = list("countries"); !cc.empty()) {
    pb::AddCountriesRequest req;
    pb::AddCountriesResponse resp;
    for (const auto& code : cc) {
      if (code.is_string()) req.add_codes(code.get<std::string>());
    }
    MM_RETURN_IF_ERROR(Call(rpc, ref.get(), &pb::ReferenceData::Stub::AddCountries, req, &resp, "countries"));
    counts.reference += resp.added();
  }

  for (const auto& s : list("sites")) {
    pb::ListSitesRequest find;
    find.set_name(Str(s, "name"));
    pb::ListSitesResponse found;
    MM_RETURN_IF_ERROR(Call(rpc, mirrors.get(), &pb::Mirrors::Stub::ListSites, find, &found, "site " + find.name()));
    pb::Site site;
    if (found.sites_size() > 0) {
      site = found.sites(0);
    } else {
      pb::CreateSiteRequest req;
      auto* f = req.mutable_fields();
      f->set_name(Str(s, "name"));
      f->set_created_by(Str(s, "created_by", "mm2-seed"));
      if (s.contains("org_url")) f->set_org_url(Str(s, "org_url"));
      if (s.contains("password")) f->set_password(Str(s, "password"));
      IfBool(s, "private", [&](bool b) { f->set_private_(b); });
      for (const auto& a : s.value("admins", json::array())) {
        if (a.is_string()) req.add_admins(a.get<std::string>());
      }
      MM_RETURN_IF_ERROR(Call(rpc, mirrors.get(), &pb::Mirrors::Stub::CreateSite, req, &site, "site " + f->name()));
      ++counts.sites;
    }
    pb::ListHostsRequest lh;
    lh.set_site_id(site.id());
    pb::ListHostsResponse hosts;
    MM_RETURN_IF_ERROR(Call(rpc, mirrors.get(), &pb::Mirrors::Stub::ListHosts, lh, &hosts, "hosts of " + site.name()));
    for (const auto& h : s.value("hosts", json::array())) {
      pb::Host host;
      bool exists = false;
      for (const auto& existing : hosts.hosts()) {
        if (existing.name() == Str(h, "name")) {
          host = existing;
          exists = true;
        }
      }
      if (!exists) {
        pb::CreateHostRequest req;
        req.set_site_id(site.id());
        auto* f = req.mutable_fields();
        f->set_name(Str(h, "name"));
        f->set_country(Str(h, "country", "US"));
        if (h.contains("bandwidth_int") && h["bandwidth_int"].is_number_integer()) {
          f->set_bandwidth_int(h["bandwidth_int"].get<int32_t>());
        }
        if (h.contains("asn") && h["asn"].is_number_integer()) f->set_asn(h["asn"].get<int32_t>());
        if (h.contains("comment")) f->set_comment(Str(h, "comment"));
        IfBool(h, "private", [&](bool b) { f->set_private_(b); });
        IfBool(h, "internet2", [&](bool b) { f->set_internet2(b); });
        IfBool(h, "internet2_clients", [&](bool b) { f->set_internet2_clients(b); });
        MM_RETURN_IF_ERROR(Call(rpc, mirrors.get(), &pb::Mirrors::Stub::CreateHost, req, &host, "host " + f->name()));
        ++counts.hosts;
      }
      pb::ListHostCategoriesRequest lhc;
      lhc.set_host_id(host.id());
      pb::ListHostCategoriesResponse hcs;
      MM_RETURN_IF_ERROR(Call(rpc, mirrors.get(), &pb::Mirrors::Stub::ListHostCategories, lhc, &hcs,
                     "categories of " + host.name()));
      for (const auto& c : h.value("categories", json::array())) {
        pb::HostCategory hc;
        bool have = false;
        for (const auto& existing : hcs.host_categories()) {
          if (existing.category_name() == Str(c, "name")) {
            hc = existing;
            have = true;
          }
        }
        if (!have) {
          pb::AddHostCategoryRequest req;
          req.set_host_id(host.id());
          req.set_category_name(Str(c, "name"));
          IfBool(c, "always_up2date", [&](bool b) { req.set_always_up2date(b); });
          MM_RETURN_IF_ERROR(Call(rpc, mirrors.get(), &pb::Mirrors::Stub::AddHostCategory, req, &hc,
                         "category " + req.category_name() + " of " + host.name()));
          ++counts.host_categories;
        }
        for (const auto& u : c.value("urls", json::array())) {
          if (!u.is_string()) continue;
          bool known = false;
          for (const auto& existing : hc.urls()) known = known || existing.url() == u.get<std::string>();
          if (known) continue;
          pb::AddHostCategoryUrlRequest req;
          req.set_host_id(host.id());
          req.set_host_category_id(hc.id());
          req.set_url(u.get<std::string>());
          pb::HostCategoryUrl url;
          MM_RETURN_IF_ERROR(Call(rpc, mirrors.get(), &pb::Mirrors::Stub::AddHostCategoryUrl, req, &url, "url " + req.url()));
          ++counts.urls;
        }
      }
    }
  }
  return counts;
}

}  // namespace mm::tools
