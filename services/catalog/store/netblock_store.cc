#include "services/catalog/store/netblock_store.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/sql_util.h"

namespace mm::catalog {
namespace {

constexpr size_t kMaxNetblockLength = 1024;

constexpr char kLockHosts[] =
    "SELECT id FROM host WHERE id = ANY($1::integer[]) ORDER BY id FOR UPDATE";
constexpr char kSelectHosts[] = "SELECT id FROM host WHERE id = ANY($1::integer[]) ORDER BY id";
constexpr char kSelectRows[] =
    "SELECT id, host_id, COALESCE(netblock, ''), name FROM host_netblock "
    "WHERE host_id = ANY($1::integer[]) ORDER BY id";
constexpr char kInsertRows[] = R"sql(
INSERT INTO host_netblock (host_id, netblock, name)
SELECT t.h, t.n, NULL FROM unnest($1::integer[], $2::text[]) WITH ORDINALITY AS t(h, n, i)
ORDER BY t.i
RETURNING id, host_id, netblock)sql";
constexpr char kDeleteRows[] = "DELETE FROM host_netblock WHERE id = ANY($1::integer[])";

struct Row {
  int64_t id;
  std::string netblock;
  std::optional<std::string> name;
};

// Same actions on the same host netblocks, in the same order (row ids and names aside: a row
// replaced by an identical one since the plan changes nothing the caller reported).
bool SameChanges(const std::vector<HostNetblockChange>& a,
                 const std::vector<HostNetblockChange>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].action != b[i].action || a[i].host_id != b[i].host_id ||
        a[i].netblock != b[i].netblock) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<HostNetblockSync> NetblockStore::Sync(
    const std::vector<HostNetblockTarget>& targets, bool dry_run,
    const std::vector<HostNetblockChange>* expected) {
  std::vector<int64_t> host_ids;
  std::set<int64_t> unique_hosts;
  for (const auto& t : targets) {
    if (!unique_hosts.insert(t.host_id).second) {
      return absl::InvalidArgumentError(absl::StrCat("host ", t.host_id, " is listed twice"));
    }
    host_ids.push_back(t.host_id);
    for (const auto& n : t.netblocks) {
      if (n.empty() || n.size() > kMaxNetblockLength) {
        return absl::InvalidArgumentError(absl::StrCat("host ", t.host_id,
                                                       ": netblocks must be 1 to ",
                                                       kMaxNetblockLength, " characters long"));
      }
    }
  }
  if (targets.empty()) return HostNetblockSync{};
  return pool_.Query<HostNetblockSync>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<HostNetblockSync> {
        pqxx::result hosts =
            tx.exec_params(dry_run ? kSelectHosts : kLockHosts, PgIntArray(host_ids));
        std::set<int64_t> found;
        for (const auto& r : hosts) found.insert(r[0].as<int64_t>());
        for (int64_t id : host_ids) {
          if (!found.count(id)) return absl::NotFoundError(absl::StrCat("Host ", id, " not found"));
        }
        std::map<int64_t, std::vector<Row>> existing;
        for (const auto& r : tx.exec_params(kSelectRows, PgIntArray(host_ids))) {
          existing[r[1].as<int64_t>()].push_back(
              Row{r[0].as<int64_t>(), r[2].as<std::string>(), Opt<std::string>(r[3])});
        }
        std::vector<HostNetblockChange> adds, deletes;
        for (const auto& t : targets) {
          std::set<std::string> wanted(t.netblocks.begin(), t.netblocks.end());
          std::set<std::string> kept;
          std::vector<HostNetblockChange> host_deletes;
          for (const Row& row : existing[t.host_id]) {
            if (wanted.count(row.netblock) && kept.insert(row.netblock).second) continue;
            host_deletes.push_back(HostNetblockChange{HostNetblockChange::Action::kDelete,
                                                      t.host_id, row.netblock, row.id, row.name});
          }
          std::set<std::string> added;
          for (const auto& n : t.netblocks) {
            if (kept.count(n) || !added.insert(n).second) continue;
            adds.push_back(
                HostNetblockChange{HostNetblockChange::Action::kAdd, t.host_id, n, 0, {}});
          }
          deletes.insert(deletes.end(), host_deletes.begin(), host_deletes.end());
        }
        // Adds then deletes, host by host in request order.
        auto ordered = [&] {
          std::vector<HostNetblockChange> out;
          for (const auto& t : targets) {
            for (const auto& a : adds) {
              if (a.host_id == t.host_id) out.push_back(a);
            }
            for (const auto& d : deletes) {
              if (d.host_id == t.host_id) out.push_back(d);
            }
          }
          return out;
        };
        if (expected != nullptr && !dry_run) {
          if (adds.empty() && deletes.empty()) {
            HostNetblockSync done;
            done.already_applied = !expected->empty();
            return done;
          }
          if (!SameChanges(ordered(), *expected)) {
            return absl::AbortedError(
                "the hosts' netblocks changed since the plan was made; make a new plan");
          }
        }
        if (!dry_run && !adds.empty()) {
          std::vector<int64_t> add_hosts;
          std::vector<std::string> add_netblocks;
          for (const auto& a : adds) {
            add_hosts.push_back(a.host_id);
            add_netblocks.push_back(a.netblock);
          }
          std::map<std::pair<int64_t, std::string>, int64_t> ids;
          for (const auto& r :
               tx.exec_params(kInsertRows, PgIntArray(add_hosts), PgTextArray(add_netblocks))) {
            ids[{r[1].as<int64_t>(), r[2].as<std::string>()}] = r[0].as<int64_t>();
          }
          for (auto& a : adds) a.id = ids[{a.host_id, a.netblock}];
        }
        if (!dry_run && !deletes.empty()) {
          std::vector<int64_t> ids;
          for (const auto& d : deletes) ids.push_back(d.id);
          tx.exec_params(kDeleteRows, PgIntArray(ids));
        }
        HostNetblockSync result;
        result.changes = ordered();
        return result;
      },
      dry_run ? PgPool::Mode::kReadOnly : PgPool::Mode::kReadWrite);
}

}  // namespace mm::catalog
