#pragma once
// Hosts and what they carry: host categories and their URLs (the "host" aggregate).
// Child operations check that the child belongs to the host named in the call, so an id from
// another host is refused (fixes upstream's IDOR on child deletes).
//
// Thread-safety: stateless apart from the pool; safe to share.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/model.h"

namespace pqxx {
class transaction_base;
}

namespace mm::catalog {

class PgPool;

struct HostQuery {
  std::optional<int64_t> site_id;
};

class HostStore {
 public:
  explicit HostStore(PgPool& pool) : pool_(pool) {}

  // `fields.name` and `fields.country` are required; the name is unique within the site.
  absl::StatusOr<Host> Create(int64_t site_id, const HostFields& fields);
  // Flipping `private` marks the host's directories not up to date.
  absl::StatusOr<Host> Update(int64_t id, const HostFields& fields);
  absl::StatusOr<Host> Get(int64_t id);
  // Ordered by site id, then name.
  absl::StatusOr<std::vector<Host>> List(const HostQuery& query);
  absl::Status Delete(int64_t id);

  absl::StatusOr<HostCategory> AddCategory(int64_t host_id, const std::string& category_name,
                                           bool always_up2date);
  absl::StatusOr<std::vector<HostCategory>> ListCategories(int64_t host_id);
  absl::Status DeleteCategory(int64_t host_id, int64_t host_category_id);
  absl::StatusOr<HostCategoryUrl> AddUrl(int64_t host_id, int64_t host_category_id,
                                         const std::string& url, bool private_url);
  absl::Status DeleteUrl(int64_t host_id, int64_t host_category_id, int64_t url_id);

  // Sets up2date = false on every host_category_dir of the host (Host.set_not_up2date).
  absl::Status SetNotUp2date(int64_t host_id);

  // Transaction-level building blocks shared with SiteStore.
  static void DeleteHostTx(pqxx::transaction_base& tx, int64_t host_id);
  static void SetNotUp2dateTx(pqxx::transaction_base& tx, int64_t host_id);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
