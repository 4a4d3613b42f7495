// DESIGN.md §2: only catalog opens a database connection. Every program in build/bin is checked
// for the PostgreSQL client library among the shared libraries it loads (ldd: direct and
// indirect); only mm2-catalog and the benchmark loader mm-gen-dataset (docs/ARCHITECTURE.md)
// may have it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

TEST(ArchitectureTest, OnlyCatalogLinksThePostgresClientLibrary) {
  const std::set<std::string> allowed = {"mm2-catalog", "mm-gen-dataset"};
  std::set<std::string> programs, with_libpq;
  for (const auto& entry : std::filesystem::directory_iterator(BinDir())) {
    const std::string name = entry.path().filename();
    // Test and fuzz binaries may talk to the database to seed and assert.
    if (!entry.is_regular_file() || name.ends_with("_test") || name.starts_with("fuzz_")) continue;
    programs.insert(name);
    ASSERT_OK_AND_ASSIGN(ProcessResult ldd, RunProcess("/usr/bin/ldd", {entry.path()}));
    ASSERT_EQ(ldd.exit_code, 0) << name << ": " << ldd.err;
    if (ldd.out.find("libpq.so") != std::string::npos) with_libpq.insert(name);
  }
  // The check saw the real programs.
  for (const char* p : {"mm2-catalog", "mm2_crawler", "mm2_update-master-directory-list",
                        "generate-mirrorlist-cache", "mm2_get-netblocks", "mm2-web-gateway"}) {
    EXPECT_TRUE(programs.count(p)) << p << " not built in " << BinDir();
  }
  for (const auto& name : with_libpq) EXPECT_TRUE(allowed.count(name)) << name << " links libpq";
  EXPECT_TRUE(with_libpq.count("mm2-catalog"));
}

}  // namespace
}  // namespace mm::testing
