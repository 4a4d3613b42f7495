#pragma once
// Directories of the master tree and their category links. Bulk operations take whole batches
// (one statement per batch, arrays as parameters) so that UMDL never pays a round trip per
// directory.
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

struct DirectoryUpsert {
  std::string name;
  std::optional<bool> readable;
  std::optional<int64_t> ctime;
  std::optional<std::vector<DirectoryFile>> files;
};

struct DirectoryUpsertResult {
  int created = 0;
  int updated = 0;
};

struct DirectoryListOptions {
  std::string category_name;  // empty = every directory
  std::string after_name;     // keyset pagination: names strictly greater than this
  int limit = 1000;
  bool include_files = false;
};

class DirectoryStore {
 public:
  explicit DirectoryStore(PgPool& pool) : pool_(pool) {}

  // Creates missing directories and updates the given fields of existing ones; when
  // `link_category` is set, every directory of the batch is linked to that category.
  absl::StatusOr<DirectoryUpsertResult> Upsert(const std::vector<DirectoryUpsert>& batch,
                                               const std::string& link_category);
  // Ordered by name.
  absl::StatusOr<std::vector<Directory>> List(const DirectoryListOptions& options);
  absl::StatusOr<int> LinkToCategory(const std::string& category_name,
                                     const std::vector<std::string>& directory_names);
  // Deletes directories with MirrorManager2's ORM cascade (mm2-web-and-data.md §1.3): their
  // host_category_dir, file_detail and category_directory rows go too, repositories and
  // categories pointing at them get NULL. Returns how many directories were deleted.
  absl::StatusOr<int> Delete(const std::vector<int64_t>& ids);
  // The same cascade inside the caller's transaction (UMDL applies a whole category in one).
  // libpqxx exceptions propagate to the caller's PgPool::Transact.
  static int DeleteInTransaction(pqxx::transaction_base& tx, const std::vector<int64_t>& ids);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
