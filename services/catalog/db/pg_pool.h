#pragma once
// A fixed-size pool of libpqxx connections with transaction helpers that turn libpqxx
// exceptions into absl::Status (STYLE.md rule 4). Only catalog includes this header.
//
// Reconnection: a connection that fails with pqxx::broken_connection is dropped and reopened
// on next use; a transaction that failed that way before COMMIT is retried once on a fresh
// connection, so catalog recovers by itself after PostgreSQL restarts. Serialization failures
// and deadlocks are retried up to three times.
//
// Timeouts: connecting is bounded by the connection string (connect_timeout, TCP keepalives:
// see WithConnectionSettings in database_uri.h); statements by PgSessionSettings.
//
// Thread-safety: all methods are thread-safe; a transaction function runs on one thread.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mm::catalog {

// Maps a libpqxx/PostgreSQL exception to a status (unique violation → ALREADY_EXISTS, a
// statement timeout → DEADLINE_EXCEEDED, ...).
absl::Status StatusFromException(const std::exception& e);

// Applied to every connection the pool opens.
struct PgSessionSettings {
  // statement_timeout of the session; zero = none (PostgreSQL's, or the role's, setting).
  absl::Duration statement_timeout = absl::ZeroDuration();
  // What PgPool::AllowLongStatements sets for one transaction; zero = no limit.
  absl::Duration bulk_statement_timeout = absl::ZeroDuration();
};

class PgPool {
 public:
  PgPool(std::string conninfo, int size, absl::Duration acquire_timeout = absl::Seconds(30),
         PgSessionSettings settings = PgSessionSettings());
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  enum class Mode { kReadWrite, kReadOnly, kSnapshot /* REPEATABLE READ, read only */ };

  // Runs `fn` inside a transaction and commits when it returns OK; any error rolls back.
  absl::Status Transact(const std::function<absl::Status(pqxx::transaction_base&)>& fn,
                        Mode mode = Mode::kReadWrite);

  template <typename T>
  absl::StatusOr<T> Query(const std::function<absl::StatusOr<T>(pqxx::transaction_base&)>& fn,
                          Mode mode = Mode::kReadOnly) {
    absl::StatusOr<T> result = absl::InternalError("transaction did not run");
    absl::Status s = Transact(
        [&](pqxx::transaction_base& tx) {
          result = fn(tx);
          return result.status();
        },
        mode);
    if (!s.ok()) return s;
    return result;
  }

  // Runs `fn` with a connection outside any transaction (migrations manage their own).
  absl::Status WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn);

  // Inside a transaction of this pool: its statements run under the bulk statement timeout
  // instead of the session's (cache exports, UMDL category scans: long by design).
  void AllowLongStatements(pqxx::transaction_base& tx) const;

  // SELECT 1 on a pooled connection.
  absl::Status Ping();
  const std::string& conninfo() const { return conninfo_; }

 private:
  struct Slot;
  absl::StatusOr<Slot*> Acquire();
  void Release(Slot* slot, bool broken);

  std::string conninfo_;
  absl::Duration acquire_timeout_;
  PgSessionSettings settings_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_;
};

// Text form of a PostgreSQL array literal, for binding `$1::text[]` and friends: bulk
// statements take one array per column instead of one round trip per row.
std::string PgTextArray(const std::vector<std::string>& values);
std::string PgNullableTextArray(const std::vector<std::optional<std::string>>& values);
std::string PgIntArray(const std::vector<int64_t>& values);
std::string PgBoolArray(const std::vector<bool>& values);

}  // namespace mm::catalog
