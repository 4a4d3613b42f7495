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
    targets.push_back(
        HostNetblockTarget{h.host_id(), {h.netblocks().begin(), h.netblocks().end()}});
  }
  std::vector<HostNetblockChange> expected;
  if (in->has_expected()) {
    for (const auto& c : in->expected().changes()) {
      HostNetblockChange e;
      e.action = c.action() == pb::HostNetblockChange::ADD ? HostNetblockChange::Action::kAdd
                                                           : HostNetblockChange::Action::kDelete;
      e.host_id = c.host_id();
      e.netblock = c.netblock();
      expected.push_back(std::move(e));
    }
  }
  auto sync = store_.Sync(targets, in->dry_run(), in->has_expected() ? &expected : nullptr);
  if (!sync.ok()) return common::ToGrpcStatus(sync.status());
  out->set_already_applied(sync->already_applied);
  for (const auto& c : sync->changes) {
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
