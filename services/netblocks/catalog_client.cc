#include "services/netblocks/catalog_client.h"

#include "absl/strings/str_cat.h"
#include "mirrormanager/catalog/v1/mirrors.grpc.pb.h"
#include "mirrormanager/catalog/v1/netblocks.grpc.pb.h"
#include "services/common/grpc_client.h"

namespace mm::netblocks {

namespace pb = ::mirrormanager::catalog::v1;

struct CatalogClient::Stubs {
  std::unique_ptr<pb::Mirrors::Stub> mirrors;
  std::unique_ptr<pb::Netblocks::Stub> netblocks;
};

CatalogClient::CatalogClient(const std::string& address, common::RpcOptions rpc)
    : stubs_(std::make_unique<Stubs>()), rpc_(rpc) {
  auto channel = common::CreateChannel(address);
  stubs_->mirrors = pb::Mirrors::NewStub(channel);
  stubs_->netblocks = pb::Netblocks::NewStub(channel);
}

CatalogClient::~CatalogClient() = default;

absl::StatusOr<int64_t> CatalogClient::FindSite(const std::string& name) {
  pb::ListSitesRequest req;
  req.set_name(name);
  pb::ListSitesResponse resp;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    resp.Clear();
    return stubs_->mirrors->ListSites(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  if (resp.sites().empty()) return absl::NotFoundError(absl::StrCat("no site named ", name));
  return resp.sites(0).id();
}

absl::StatusOr<std::vector<NetblocksCatalog::Host>> CatalogClient::ListHosts(int64_t site_id) {
  pb::ListHostsRequest req;
  req.set_site_id(site_id);
  pb::ListHostsResponse resp;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    resp.Clear();
    return stubs_->mirrors->ListHosts(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  std::vector<Host> out;
  for (const auto& h : resp.hosts()) out.push_back(Host{h.id(), h.name()});
  return out;
}

absl::StatusOr<NetblocksCatalog::SyncResult> CatalogClient::SyncHostNetblocks(
    const std::vector<Target>& targets, bool dry_run, const std::vector<Change>* expected) {
  pb::SyncHostNetblocksRequest req;
  req.set_dry_run(dry_run);
  for (const auto& t : targets) {
    pb::HostNetblockTarget* h = req.add_hosts();
    h->set_host_id(t.host_id);
    for (const auto& n : t.netblocks) h->add_netblocks(n);
  }
  if (expected != nullptr) {
    pb::ExpectedChanges* e = req.mutable_expected();
    for (const auto& c : *expected) {
      pb::HostNetblockChange* p = e->add_changes();
      p->set_action(c.add ? pb::HostNetblockChange::ADD : pb::HostNetblockChange::DELETE);
      p->set_host_id(c.host_id);
      p->set_netblock(c.netblock);
    }
  }
  pb::SyncHostNetblocksResponse resp;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    resp.Clear();
    return stubs_->netblocks->SyncHostNetblocks(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  SyncResult out;
  out.already_applied = resp.already_applied();
  for (const auto& c : resp.changes()) {
    out.changes.push_back(
        Change{c.action() == pb::HostNetblockChange::ADD, c.host_id(), c.netblock()});
  }
  return out;
}

}  // namespace mm::netblocks
