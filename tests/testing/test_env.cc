#include "tests/testing/test_env.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace mm::testing {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

std::string ReadTrimmed(const std::string& path) {
  return std::string(absl::StripAsciiWhitespace(ReadFile(path)));
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string BinDir() { return Env("MM_BIN_DIR", MM_DEFAULT_BIN_DIR); }
std::string SourceDir() { return Env("MM_SOURCE_DIR", MM_DEFAULT_SOURCE_DIR); }
std::string TestDataDir() { return SourceDir() + "/tests/data"; }
std::string BinaryPath(const std::string& name) { return BinDir() + "/" + name; }

absl::StatusOr<TestDatabase> TestDatabase::Create(bool from_template, const std::string& encoding) {
  std::string file = Env("PG_CONNINFO_FILE", MM_DEFAULT_PG_CONNINFO_FILE);
  std::string admin = file.empty() ? "" : ReadTrimmed(file);
  if (admin.empty()) {
    return absl::FailedPreconditionError(
        "no test PostgreSQL: run the test through ctest (fixture pg) or set PG_CONNINFO_FILE");
  }
  static std::atomic<int> counter{0};
  std::random_device rd;
  TestDatabase db;
  db.name_ = absl::StrCat("t_", getpid(), "_", counter++, "_", rd() % 100000);
  db.admin_conninfo_ = admin;
  db.conninfo_ = absl::StrReplaceAll(admin, {{"dbname=postgres", "dbname=" + db.name_}});
  size_t p = admin.find("port=");
  db.port_ = std::atoi(admin.c_str() + p + 5);
  db.uri_ = absl::StrCat("postgresql://postgres@127.0.0.1:", db.port_, "/", db.name_);
  try {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    std::string source =
        from_template && encoding.empty() ? " TEMPLATE mm_template" : " TEMPLATE template0";
    if (!encoding.empty()) {
      absl::StrAppend(&source, " ENCODING ", tx.quote(encoding), " LC_COLLATE 'C' LC_CTYPE 'C'");
    }
    tx.exec(absl::StrCat("CREATE DATABASE ", db.name_, source));
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot create test database: ", e.what()));
  }
  return db;
}

TestDatabase::TestDatabase(TestDatabase&& o) noexcept
    : name_(std::move(o.name_)),
      conninfo_(std::move(o.conninfo_)),
      uri_(std::move(o.uri_)),
      admin_conninfo_(std::move(o.admin_conninfo_)),
      port_(o.port_) {
  o.name_.clear();
}

TestDatabase::~TestDatabase() {
  if (name_.empty()) return;
  try {
    pqxx::connection c(admin_conninfo_);
    pqxx::nontransaction tx(c);
    tx.exec(absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  } catch (...) {
    // The cluster is thrown away after the run anyway.
  }
}

void TestDatabase::Exec(const std::string& sql) const {
  pqxx::connection c(conninfo_);
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

std::string TestDatabase::QueryValue(const std::string& sql) const {
  pqxx::connection c(conninfo_);
  pqxx::nontransaction tx(c);
  pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

int64_t TestDatabase::Count(const std::string& sql) const {
  std::string v = QueryValue(sql);
  return v.empty() ? 0 : std::stoll(v);
}

absl::Status RestartTestCluster() {
  std::string file = Env("PG_CONNINFO_FILE", MM_DEFAULT_PG_CONNINFO_FILE);
  std::string state = file.substr(0, file.rfind('/'));
  std::string cmd = absl::StrCat("bash ", SourceDir(), "/tests/testing/pg_tmp.sh restart ", state);
  if (std::system(cmd.c_str()) != 0) return absl::InternalError("pg_tmp.sh restart failed");
  return absl::OkStatus();
}

}  // namespace mm::testing
