#include "services/catalog/db/pg_pool.h"

#include "absl/strings/str_cat.h"
#include "services/common/log.h"

namespace mm::catalog {

struct PgPool::Slot {
  std::unique_ptr<pqxx::connection> conn;
};

absl::Status StatusFromException(const std::exception& e) {
  std::string msg = e.what();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat("database connection lost: ", msg));
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat("database commit outcome unknown: ", msg));
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
    return absl::AlreadyExistsError(msg);
  }
  if (dynamic_cast<const pqxx::foreign_key_violation*>(&e) != nullptr) {
    return absl::FailedPreconditionError(msg);
  }
  if (dynamic_cast<const pqxx::not_null_violation*>(&e) != nullptr ||
      dynamic_cast<const pqxx::check_violation*>(&e) != nullptr ||
      dynamic_cast<const pqxx::data_exception*>(&e) != nullptr) {
    return absl::InvalidArgumentError(msg);
  }
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql != nullptr) {
    // 40001 serialization_failure, 40P01 deadlock_detected: safe to retry.
    if (sql->sqlstate() == "40001" || sql->sqlstate() == "40P01") return absl::AbortedError(msg);
    // 57014 query_canceled: statement_timeout (or an operator's pg_cancel_backend).
    if (sql->sqlstate() == "57014")
      return absl::DeadlineExceededError(absl::StrCat("database: ", msg));
    // 57P01 admin_shutdown, 57P02/57P03: server going away.
    if (sql->sqlstate().rfind("57P", 0) == 0 || sql->sqlstate().rfind("08", 0) == 0) {
      return absl::UnavailableError(msg);
    }
    return absl::InternalError(absl::StrCat("database error: ", msg));
  }
  return absl::InternalError(msg);
}

namespace {
int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }
}  // namespace

PgPool::PgPool(std::string conninfo, int size, absl::Duration acquire_timeout,
               PgSessionSettings settings)
    : conninfo_(std::move(conninfo)), acquire_timeout_(acquire_timeout), settings_(settings) {
  for (int i = 0; i < std::max(1, size); ++i) {
    slots_.push_back(std::make_unique<Slot>());
    free_.push_back(slots_.back().get());
  }
}

PgPool::~PgPool() = default;

absl::StatusOr<PgPool::Slot*> PgPool::Acquire() {
  Slot* slot = nullptr;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, absl::ToChronoMilliseconds(acquire_timeout_),
                      [this] { return !free_.empty(); })) {
      return absl::UnavailableError("all database connections are busy");
    }
    slot = free_.back();
    free_.pop_back();
  }
  if (!slot->conn || !slot->conn->is_open()) {
    try {
      slot->conn = std::make_unique<pqxx::connection>(conninfo_);
      if (settings_.statement_timeout > absl::ZeroDuration()) {
        pqxx::nontransaction session(*slot->conn);
        session.exec(absl::StrCat("SET statement_timeout = ", Millis(settings_.statement_timeout)));
      }
    } catch (const std::exception& e) {
      slot->conn.reset();
      Release(slot, true);
      return absl::UnavailableError(absl::StrCat("cannot connect to the database: ", e.what()));
    }
  }
  return slot;
}

void PgPool::Release(Slot* slot, bool broken) {
  if (broken && slot->conn) {
    try {
      slot->conn->disconnect();
    } catch (...) {
    }
    slot->conn.reset();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(slot);
  }
  cv_.notify_one();
}

absl::Status PgPool::Transact(const std::function<absl::Status(pqxx::transaction_base&)>& fn,
                              Mode mode) {
  absl::Status status;
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto slot = Acquire();
    if (!slot.ok()) return slot.status();
    bool broken = false;
    bool committing = false;
    try {
      std::unique_ptr<pqxx::transaction_base> tx;
      switch (mode) {
        case Mode::kReadWrite:
          tx = std::make_unique<pqxx::work>(*(*slot)->conn);
          break;
        case Mode::kReadOnly:
          tx = std::make_unique<pqxx::read_transaction>(*(*slot)->conn);
          break;
        case Mode::kSnapshot:
          tx = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(
              *(*slot)->conn);
          break;
      }
      status = fn(*tx);
      if (status.ok()) {
        committing = true;
        tx->commit();
      } else {
        tx->abort();
      }
    } catch (const pqxx::broken_connection& e) {
      broken = true;
      status = StatusFromException(e);
    } catch (const std::exception& e) {
      status = StatusFromException(e);
      broken = (*slot)->conn && !(*slot)->conn->is_open();
    }
    Release(*slot, broken);
    bool retry = (broken && !committing && attempt == 0) ||
                 (status.code() == absl::StatusCode::kAborted && attempt < 3);
    if (!retry) break;
    MM_LOG(DEBUG) << "retrying database transaction: " << status.message();
  }
  return status;
}

absl::Status PgPool::WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn) {
  auto slot = Acquire();
  if (!slot.ok()) return slot.status();
  absl::Status status;
  bool broken = false;
  try {
    status = fn(*(*slot)->conn);
  } catch (const pqxx::broken_connection& e) {
    broken = true;
    status = StatusFromException(e);
  } catch (const std::exception& e) {
    status = StatusFromException(e);
  }
  Release(*slot, broken);
  return status;
}

void PgPool::AllowLongStatements(pqxx::transaction_base& tx) const {
  if (settings_.statement_timeout <= absl::ZeroDuration()) return;  // no limit to lift
  tx.exec(absl::StrCat("SET LOCAL statement_timeout = ", Millis(settings_.bulk_statement_timeout)));
}

absl::Status PgPool::Ping() {
  return Transact(
      [](pqxx::transaction_base& tx) {
        tx.exec("SELECT 1");
        return absl::OkStatus();
      },
      Mode::kReadOnly);
}

namespace {
void AppendQuoted(std::string& out, const std::string& v) {
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}
}  // namespace

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    AppendQuoted(out, values[i]);
  }
  return out + "}";
}

std::string PgNullableTextArray(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if (values[i]) {
      AppendQuoted(out, *values[i]);
    } else {
      out += "NULL";
    }
  }
  return out + "}";
}

std::string PgIntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

std::string PgBoolArray(const std::vector<bool>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += values[i] ? 't' : 'f';
  }
  return out + "}";
}

}  // namespace mm::catalog
