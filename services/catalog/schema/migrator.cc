#include "services/catalog/schema/migrator.h"

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/catalog/db/pg_pool.h"
#include "services/common/embedded_file.h"
#include "services/common/log.h"
#include "services/common/password_hash.h"

namespace mm::catalog {

extern const ::mm::common::EmbeddedFile kMigrationFiles[];
extern const int kMigrationFilesCount;

namespace {

// Arbitrary constant shared by every catalog process: "mmcppmig".
constexpr int64_t kMigrationLockKey = 0x6d6d6370706d6967;

constexpr std::string_view kCreateVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS mm_schema_migrations (
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    adopted BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT pk_mm_schema_migrations PRIMARY KEY (version)
))sql";

// Migration 0002: plain-text site passwords become argon2id hashes.
absl::Status HashSitePasswords(pqxx::transaction_base& tx) {
  pqxx::result rows =
      tx.exec("SELECT id, password FROM site WHERE password IS NOT NULL AND password_hash IS NULL");
  for (const auto& row : rows) {
    std::string plain = row[1].as<std::string>();
    auto hash = common::HashPassword(plain);
    if (!hash.ok()) return hash.status();
    tx.exec_params("UPDATE site SET password_hash = $1, password = NULL WHERE id = $2", *hash,
                   row[0].as<int64_t>());
  }
  if (!rows.empty()) MM_LOG(INFO) << "hashed " << rows.size() << " plain-text site password(s)";
  return absl::OkStatus();
}

bool TableExists(pqxx::transaction_base& tx, const std::string& table) {
  return tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", "public." + table)[0].as<bool>();
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration>* all = [] {
    auto* out = new std::vector<Migration>();
    std::map<std::string, std::function<absl::Status(pqxx::transaction_base&)>> hooks = {
        {"mmcpp_foundation", HashSitePasswords},
    };
    for (int i = 0; i < kMigrationFilesCount; ++i) {
      std::string file = kMigrationFiles[i].name;  // "0002_mmcpp_foundation.sql"
      Migration m;
      size_t underscore = file.find('_');
      if (underscore == std::string::npos ||
          !absl::SimpleAtoi(file.substr(0, underscore), &m.version)) {
        std::fprintf(stderr, "FATAL: migration file name %s\n", file.c_str());
        std::abort();
      }
      m.name = file.substr(underscore + 1, file.size() - underscore - 1 - 4);
      m.sql = kMigrationFiles[i].contents;
      if (auto it = hooks.find(m.name); it != hooks.end()) m.hook = it->second;
      out->push_back(std::move(m));
    }
    std::sort(out->begin(), out->end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return out;
  }();
  return *all;
}

Migrator::Migrator(PgPool& pool, std::vector<Migration> migrations)
    : pool_(pool), migrations_(std::move(migrations)) {}

absl::StatusOr<SchemaStatus> Migrator::Inspect() {
  return pool_.Query<SchemaStatus>([&](pqxx::transaction_base& tx) -> absl::StatusOr<SchemaStatus> {
    SchemaStatus st;
    st.latest_known = migrations_.empty() ? 0 : migrations_.back().version;
    if (TableExists(tx, "mm_schema_migrations")) {
      for (const auto& row : tx.exec("SELECT version FROM mm_schema_migrations")) {
        st.applied.insert(row[0].as<int>());
      }
    } else if (TableExists(tx, "alembic_version")) {
      pqxx::result r = tx.exec("SELECT version_num FROM alembic_version");
      std::string rev = r.empty() ? "" : r[0][0].as<std::string>();
      if (rev == kMm2AlembicHead) {
        st.adoptable = true;
        st.applied.insert(1);
      } else {
        st.problem = absl::StrCat("the database is a MirrorManager2 database at Alembic revision '",
                                  rev, "'; upgrade it with MirrorManager2 to ", kMm2AlembicHead,
                                  " before adopting it");
      }
    } else if (TableExists(tx, "site") || TableExists(tx, "directory") || TableExists(tx, "host")) {
      st.problem =
          "the database has MirrorManager tables but neither mm_schema_migrations nor "
          "alembic_version; refusing to guess its schema";
    } else {
      st.empty = true;
    }
    for (const auto& m : migrations_) {
      if (!st.applied.count(m.version)) st.pending.push_back(m.version);
    }
    return st;
  });
}

absl::StatusOr<std::vector<int>> Migrator::Migrate() {
  auto status = Inspect();
  if (!status.ok()) return status.status();
  if (!status->problem.empty()) return absl::FailedPreconditionError(status->problem);
  std::vector<int> applied;
  bool adopting = status->adoptable;
  for (const auto& m : migrations_) {
    bool did = false;
    absl::Status s = pool_.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
      // Migrations of a large adopted database may run long; so may waiting for another
      // migrating process. A role-level statement_timeout must not cut them half-way.
      tx.exec("SET LOCAL statement_timeout = 0");
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
      tx.exec(std::string(kCreateVersionTable));
      if (adopting) {
        // Recorded, not run: MirrorManager2 already created this schema.
        tx.exec_params(
            "INSERT INTO mm_schema_migrations (version, name, adopted) VALUES ($1, $2, true) "
            "ON CONFLICT (version) DO NOTHING",
            1, "mm2_base");
      }
      if (!tx.exec_params("SELECT 1 FROM mm_schema_migrations WHERE version = $1", m.version)
               .empty()) {
        return absl::OkStatus();
      }
      tx.exec(m.sql);
      if (m.hook) {
        absl::Status hs = m.hook(tx);
        if (!hs.ok()) return hs;
      }
      tx.exec_params("INSERT INTO mm_schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     m.name);
      did = true;
      return absl::OkStatus();
    });
    if (!s.ok()) {
      return absl::Status(
          s.code(), absl::StrCat("migration ", m.version, " (", m.name, ") failed: ", s.message()));
    }
    if (adopting) {
      MM_LOG(INFO) << "adopted MirrorManager2 database at Alembic revision " << kMm2AlembicHead;
      adopting = false;
    }
    if (did) {
      MM_LOG(INFO) << "applied migration " << m.version << " (" << m.name << ")";
      applied.push_back(m.version);
    }
  }
  return applied;
}

absl::Status Migrator::CheckCurrent() {
  auto status = Inspect();
  if (!status.ok()) return status.status();
  if (!status->problem.empty()) return absl::FailedPreconditionError(status->problem);
  if (status->empty)
    return absl::FailedPreconditionError(
        "The database schema is not created; run 'mm2-catalog migrate'");
  if (status->adoptable || !status->pending.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("The database schema needs to be updated (pending migrations: ",
                     absl::StrJoin(status->pending, ", "), "); run 'mm2-catalog migrate'"));
  }
  return absl::OkStatus();
}

}  // namespace mm::catalog
