#pragma once
// Where tests find things: binaries, sources, test data, and the throwaway PostgreSQL cluster
// that ctest starts (fixture "pg", see tests/CMakeLists.txt).

#include <string>

#include "absl/status/statusor.h"

namespace mm::testing {

std::string BinDir();       // $MM_BIN_DIR: build/bin
std::string SourceDir();    // $MM_SOURCE_DIR: the repository root
std::string TestDataDir();  // tests/data
std::string BinaryPath(const std::string& name);
// The whole file, byte for byte; empty when it cannot be read.
std::string ReadFile(const std::string& path);

// A fresh database copied from the migrated template "mm_template"; dropped on destruction.
class TestDatabase {
 public:
  // Fails (as a test failure, not a skip) when the PostgreSQL fixture is not running.
  // `encoding` (e.g. "SQL_ASCII", as some adopted MirrorManager2 databases are) creates an
  // empty database from template0 with that encoding and the C locale; migrate it yourself.
  static absl::StatusOr<TestDatabase> Create(bool from_template = true,
                                             const std::string& encoding = "");
  TestDatabase(TestDatabase&&) noexcept;
  TestDatabase& operator=(TestDatabase&&) = delete;
  ~TestDatabase();

  const std::string& name() const { return name_; }
  const std::string& conninfo() const { return conninfo_; }  // libpq keyword form
  const std::string& uri() const { return uri_; }            // postgresql://postgres@host:port/db
  int port() const { return port_; }
  // Runs SQL on this database (fixtures, assertions). Throws on error.
  void Exec(const std::string& sql) const;
  // First column of the first row as text ("" for NULL or no rows).
  std::string QueryValue(const std::string& sql) const;
  int64_t Count(const std::string& sql) const;

 private:
  TestDatabase() = default;
  std::string name_, conninfo_, uri_, admin_conninfo_;
  int port_ = 0;
};

// Restarts the fixture cluster in place (same port), for reconnection tests.
absl::Status RestartTestCluster();

}  // namespace mm::testing
