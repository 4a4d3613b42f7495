#pragma once
// Sites and their admins (the "site" aggregate). Site passwords are stored as argon2id hashes
// and never returned. Deleting a site removes its hosts and everything below them, as
// MirrorManager2's ORM cascades do (mm2-web-and-data.md §1.3).
//
// Thread-safety: stateless apart from the pool; safe to share.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/model.h"

namespace mm::catalog {

class PgPool;

struct SiteQuery {
  std::optional<std::string> name;            // exact match
  std::optional<std::string> admin_username;  // sites this user administers
};

class SiteStore {
 public:
  explicit SiteStore(PgPool& pool) : pool_(pool) {}

  // `fields.name` and `fields.created_by` are required. `admins` are added as site admins.
  absl::StatusOr<Site> Create(const SiteFields& fields, const std::vector<std::string>& admins);
  // Flipping `private` marks every directory of every host of the site not up to date
  // (Host.set_not_up2date upstream).
  absl::StatusOr<Site> Update(int64_t id, const SiteFields& fields);
  absl::StatusOr<Site> Get(int64_t id);
  // Ordered by name, then created_at.
  absl::StatusOr<std::vector<Site>> List(const SiteQuery& query);
  absl::Status Delete(int64_t id);

  absl::StatusOr<SiteAdmin> AddAdmin(int64_t site_id, const std::string& username);
  // Refuses to remove the last admin ("There is only one admin set, you cannot delete it.").
  absl::Status RemoveAdmin(int64_t site_id, int64_t admin_id);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
