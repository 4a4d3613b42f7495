#pragma once
// Schema migrations. Migrations are numbered SQL files compiled into the binary
// (schema/migrations/NNNN_name.sql), each applied in its own transaction and recorded in
// mm_schema_migrations. Any missing version is applied, in order, so migrations added by
// different components never shadow each other.
//
// Adoption: a database created by MirrorManager2 (alembic_version = 3264c6353b51) already holds
// migration 0001's schema; it is recorded as version 1 ("adopted") and upgraded from there,
// keeping every row. Any other Alembic revision is refused with instructions.
//
// Concurrency: each migration takes a transaction-level advisory lock and re-checks what is
// applied, so catalog replicas starting together cannot apply one twice.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace pqxx {
class transaction_base;
}

namespace mm::catalog {

class PgPool;

inline constexpr char kMm2AlembicHead[] = "3264c6353b51";

struct Migration {
  int version = 0;
  std::string name;  // file name without the number and ".sql"
  std::string sql;
  // Runs after the SQL, in the same transaction (data transformations needing C++).
  std::function<absl::Status(pqxx::transaction_base&)> hook;
};

struct SchemaStatus {
  bool empty = false;              // no MirrorManager tables at all
  bool adoptable = false;          // MirrorManager2 at kMm2AlembicHead, not yet adopted
  std::set<int> applied;           // versions in mm_schema_migrations
  std::vector<int> pending;        // known versions not applied
  int latest_known = 0;
  std::string problem;             // non-empty: the database cannot be migrated (why)

  bool current() const { return problem.empty() && !empty && !adoptable && pending.empty(); }
};

// Every migration compiled into this binary, ordered by version, hooks attached.
const std::vector<Migration>& AllMigrations();

class Migrator {
 public:
  explicit Migrator(PgPool& pool, std::vector<Migration> migrations = AllMigrations());

  absl::StatusOr<SchemaStatus> Inspect();
  // Applies what is pending; returns the versions applied (empty when already current).
  absl::StatusOr<std::vector<int>> Migrate();
  // OK when the schema is current, otherwise FAILED_PRECONDITION saying why (readiness).
  absl::Status CheckCurrent();

 private:
  PgPool& pool_;
  std::vector<Migration> migrations_;
};

}  // namespace mm::catalog
