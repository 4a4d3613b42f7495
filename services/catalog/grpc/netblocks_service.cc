#include "services/catalog/grpc/netblocks_service.h"

#include "services/catalog/store/netblock_store.h"
#include "services/common/grpc_status.h"

namespace mm::catalog {

namespace pb = ::mirrormanager::catalog::v1;

grpc::Status NetblocksService::SyncHostNetblocks(::grpc::ServerContext*,
                                                 const pb::SyncHostNetblocksRequest* in,
                                                 pb::SyncHostNetblocksResponse* out) {
  std::vector<HostNetblockTarget> targets;
  targets.reserve(static_cast<size_t>(in->hosts_size()));
  for (const auto& h : in->hosts()) {
    targets.push_back(HostNetblockTarget{h.host_id(), {h.netblocks().begin(), h.netblocks().end()}});
  }
  auto changes = store_.Sync(targets, in->dry_run());
  if (!changes.ok()) return common::ToGrpcStatus(changes.status());
  for (const auto& c : *changes) {
    pb::HostNetblockChange* p = out->add_changes();
    p->set_action(c.action == HostNetblockChange::Action::kAdd ? pb::HostNetblockChange::ADD
                                                               : pb::HostNetblockChange::DELETE);
    p->set_host_id(c.host_id);
    p->set_netblock(c.netblock);
    p->set_id(c.id);
    if (c.name) p->set_name(*c.name);
  }
  return grpc::Status::OK;
}

}  // namespace mm::catalog
