#pragma once
// host_netblock rows maintained by workers (the "host netblock" part of the host aggregate):
// mm2_update-EC2-netblocks makes the rows of the S3 mirror hosts equal to the cloud provider's
// published ranges.
//
// Thread-safety: stateless apart from the pool; safe to share.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::catalog {

class PgPool;

struct HostNetblockTarget {
  int64_t host_id = 0;
  std::vector<std::string> netblocks;
};

struct HostNetblockChange {
  enum class Action { kAdd, kDelete };
  Action action = Action::kAdd;
  int64_t host_id = 0;
  std::string netblock;
  int64_t id = 0;  // 0 for an add in a dry run
  std::optional<std::string> name;
};

struct HostNetblockSync {
  std::vector<HostNetblockChange> changes;
  bool already_applied = false;  // `expected` was given and nothing was left to change
};

class NetblockStore {
 public:
  explicit NetblockStore(PgPool& pool) : pool_(pool) {}

  // For each target host (in order): adds the missing netblocks (name NULL) and deletes every
  // other row, keeping one row per netblock. One transaction; the hosts are locked (in id order)
  // so concurrent syncs of the same host serialise. `dry_run` computes the same changes in a
  // read-only transaction. With `expected` (a dry run's changes), writes only if the changes are
  // exactly those (compared by action, host and netblock, in order); if none are left, succeeds
  // with already_applied (a retry after a lost reply); otherwise ABORTED. NOT_FOUND for an
  // unknown host (nothing written), INVALID_ARGUMENT for an empty or over-long netblock.
  absl::StatusOr<HostNetblockSync> Sync(const std::vector<HostNetblockTarget>& targets,
                                        bool dry_run,
                                        const std::vector<HostNetblockChange>* expected = nullptr);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
